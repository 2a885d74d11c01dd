import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROVIDER_MODULES } from '../../providers/modules.ts';
import { usageLine } from '../../src/grammar/usage.ts';
import { VERB_SPECS } from '../../src/grammar/verbs.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('opens with the two set-up lines: run the bot, run the tests', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1]?.trim().split('\n');
    expect(firstBlock).toEqual(['npm ci && npm start', 'npm ci && npm test']);
    expect(readme.indexOf('```sh')).toBeLessThan(readme.indexOf('\n## '));
  });

  it('documents every verb with its generated usage line and every alias', () => {
    for (const spec of VERB_SPECS) {
      expect(readme, spec.verb).toContain(`\`${usageLine(spec.verb).replace(/\|/g, '\\|')}\``);
      for (const alias of spec.aliases) expect(readme, alias).toContain(`\`${alias}\``);
    }
  });

  it('documents every provider module, its aliases and its config keys', () => {
    for (const module of PROVIDER_MODULES) {
      expect(readme, module.type).toContain(`### The \`${module.type}\` provider`);
      const heading =
        readme.split('\n').find((line) => line.startsWith(`### The \`${module.type}\` provider`)) ?? '';
      for (const alias of module.aliases) expect(heading, alias).toContain(`\`${alias}\``);
      const keys = Object.keys(
        (module.configSchema as unknown as { shape?: Record<string, unknown> }).shape ?? {},
      );
      expect(keys.length, module.type).toBeGreaterThan(0);
      for (const key of keys) expect(readme, `${module.type}.${key}`).toContain(`\`${key}\``);
    }
  });
});
