/** docs/operations.md lists every metric the bot exports, with its type and labels, and no other. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BotMetrics } from '../../src/ops/metrics.ts';

interface Documented {
  readonly type: string;
  readonly labels: string[];
}

function documentedMetrics(): Map<string, Documented> {
  const page = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');
  const rows = new Map<string, Documented>();
  for (const match of page.matchAll(/^\| `(cloudmaster_[a-z_]+)` \| (\w+) \| ([^|]*) \|/gm)) {
    const labels = [...(match[3] ?? '').matchAll(/`([a-z_]+)`/g)].map((label) => label[1] as string);
    rows.set(match[1] as string, { type: match[2] as string, labels });
  }
  return rows;
}

describe('docs/operations.md', () => {
  it('lists every cloudmaster_ metric with its type and labels, in step with the code', () => {
    const metrics = new BotMetrics({ version: 'test', providers: [] });
    const exported = new Map<string, Documented>(
      metrics.registry.getMetricsAsArray().map((metric) => {
        const { name, type, labelNames } = metric as unknown as {
          name: string;
          type: string;
          labelNames: string[];
        };
        return [name, { type, labels: [...labelNames] }];
      }),
    );
    const documented = documentedMetrics();
    expect([...documented.keys()].sort()).toEqual([...exported.keys()].sort());
    for (const [name, { type, labels }] of exported) {
      expect(documented.get(name), name).toEqual({ type, labels });
    }
  });
});
