import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROVIDER_MODULES } from '../../providers/modules.ts';
import { loadConfig } from '../../src/config/load.ts';
import { usageLine } from '../../src/grammar/usage.ts';
import { VERB_SPECS } from '../../src/grammar/verbs.ts';

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const readme = read('README.md');

describe('README', () => {
  it('opens with the two set-up lines: run the bot, run the tests', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1]?.trim().split('\n');
    expect(firstBlock).toEqual(['npm ci && npm start', 'npm ci && npm test']);
    expect(readme.indexOf('```sh')).toBeLessThan(readme.indexOf('\n## '));
  });

  it('stays a front door: at most 12 KB, its links to docs/ all there', () => {
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(12 * 1024);
    const links = [...readme.matchAll(/\]\(((?:docs\/)[^)#]*)/g)].map((match) => match[1] ?? '');
    expect(links.length).toBeGreaterThan(5);
    for (const link of links) expect(existsSync(new URL(`../../${link}`, import.meta.url)), link).toBe(true);
  });
  it('shows configuration that loads: the minimal file, then with the policy that takes over', () => {
    const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
    expect(blocks).toHaveLength(2);
    const load = (yaml: string) => {
      const path = join(mkdtempSync(join(tmpdir(), 'cloudmaster-readme-')), 'cloudmaster.yml');
      writeFileSync(path, yaml);
      return loadConfig({
        env: { CLOUDMASTER_CONFIG: path, DIGITALOCEAN_TOKEN: 'dop_v1_readme' },
        modules: PROVIDER_MODULES,
        cwd: '/',
      });
    };
    const minimal = load(blocks[0] ?? '');
    expect(minimal.settings.admins).toEqual(['U024BE7LH']);
    expect(minimal.accounts.map((account) => account.id)).toEqual(['do']);
    const withPolicy = load(`${blocks[0]}${blocks[1]}`);
    expect(withPolicy.accounts.map((account) => account.id)).toEqual(['do']);
  });
});

describe('docs', () => {
  it('docs/commands.md documents every verb with its generated usage line and every alias', () => {
    const commands = read('docs/commands.md');
    for (const spec of VERB_SPECS) {
      expect(commands, spec.verb).toContain(`\`${usageLine(spec.verb).replace(/\|/g, '\\|')}\``);
      for (const alias of spec.aliases) expect(commands, alias).toContain(`\`${alias}\``);
    }
  });

  it('docs/providers/ has a page per provider module naming its aliases and config keys', () => {
    for (const module of PROVIDER_MODULES) {
      const page = read(`docs/providers/${module.type}.md`);
      const heading = page.split('\n')[0] ?? '';
      expect(heading, module.type).toContain(`# The \`${module.type}\` provider`);
      for (const alias of module.aliases) expect(heading, alias).toContain(`\`${alias}\``);
      const keys = Object.keys(
        (module.configSchema as unknown as { shape?: Record<string, unknown> }).shape ?? {},
      );
      expect(keys.length, module.type).toBeGreaterThan(0);
      for (const key of keys) expect(page, `${module.type}.${key}`).toContain(`\`${key}\``);
    }
  });

  it('docs/providers/ names, per module, the create parameters that are sources and placements', () => {
    for (const module of PROVIDER_MODULES) {
      const page = read(`docs/providers/${module.type}.md`).replace(/\s+/g, ' ');
      for (const [name, spec] of Object.entries(module.capabilities.create?.params ?? {})) {
        const said = new RegExp(`\`${name}=\` \\((source|placement)`);
        if (spec.role) expect(page, `${module.type} ${name}=`).toContain(`\`${name}=\` (${spec.role}`);
        else expect(page, `${module.type} ${name}=`).not.toMatch(said);
      }
    }
  });
});
