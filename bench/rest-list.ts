/**
 * A REST provider's list over many pages: 1,000 droplets, 10 pages of 100,
 * from a DigitalOcean double answering each request after 50 ms. Pages
 * after the first are fetched together; a second list inside the cache TTL
 * makes no request at all.
 */

import type { ListOutcome } from '../src/dispatch/outcome.ts';
import { parse } from '../src/grammar/parse.ts';
import { dispatcherFor } from '../tests/support/dispatcher.ts';
import { DigitalOceanDouble } from '../tests/support/doubles/digitalocean.ts';
import { percentile } from './stats.ts';

export interface RestListResult {
  readonly latencyMs: number;
  readonly droplets: number;
  readonly pages: number;
  /** Wall time of a fresh list, per run. */
  readonly wallMs: number[];
  /** Requests made by a list inside the TTL. */
  readonly cachedRequests: number;
  readonly cachedWallMs: number;
}

export async function benchRestList(runs = 10): Promise<RestListResult> {
  const latencyMs = 50;
  const double = await DigitalOceanDouble.start({ droplets: 1000, latencyMs });
  try {
    const dispatcher = await dispatcherFor(
      `providers:\n  do: { type: digitalocean, token: "\${DO_TOKEN}", endpoint: "${double.url}", perPage: 100, cacheTtl: 30s }\n`,
      [],
      { DO_TOKEN: double.token },
    );
    const command = (text: string) => {
      const parsed = parse(text);
      if (!parsed.ok) throw new Error(parsed.error.message);
      return parsed.command;
    };
    // Warm-up: connections to the double and the code paths, as in a bot that has been running.
    for (let i = 0; i < 2; i++) await dispatcher.run(command('list on do --fresh'));
    const wallMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      const outcome = (await dispatcher.run(command('list on do --fresh'))) as ListOutcome;
      wallMs.push(performance.now() - started);
      const count = outcome.sections[0]?.listing?.machines.length;
      if (count !== 1000) throw new Error(`expected 1,000 droplets, got ${count}`);
    }
    const before = double.requests.length;
    const started = performance.now();
    await dispatcher.run(command('list on do'));
    const cachedWallMs = performance.now() - started;
    return {
      latencyMs,
      droplets: 1000,
      pages: 10,
      wallMs,
      cachedRequests: double.requests.length - before,
      cachedWallMs,
    };
  } finally {
    await double.stop();
  }
}

export function restListSummary(result: RestListResult): { p50: number; max: number } {
  return { p50: percentile(result.wallMs, 50), max: Math.max(...result.wallMs) };
}
