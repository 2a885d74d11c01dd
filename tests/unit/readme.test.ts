import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { simulatorModule } from '../../providers/simulator/index.ts';
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

  it('documents every simulator config key', () => {
    const keys = Object.keys(
      (simulatorModule.configSchema as unknown as { shape: Record<string, unknown> }).shape ?? {},
    );
    expect(keys.length).toBeGreaterThan(5);
    for (const key of keys) expect(readme, key).toContain(`\`${key}\``);
  });
});
