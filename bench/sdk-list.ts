/**
 * `list` across the SDK providers at once: AWS in three regions, Azure and
 * Compute Engine, each double answering every request after 200 ms. The
 * wall time of the whole list should follow the slowest provider, not the
 * sum. Runs in its own process: Azure's double is HTTPS with a test CA,
 * which Node only trusts when NODE_EXTRA_CA_CERTS is set at start-up (the
 * parent sets it).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ListOutcome } from '../src/dispatch/outcome.ts';
import { parse } from '../src/grammar/parse.ts';
import { dispatcherFor } from '../tests/support/dispatcher.ts';
import { AzureDouble, CLIENT_ID, SUBSCRIPTION, TENANT } from '../tests/support/doubles/azure.ts';
import { Ec2Double } from '../tests/support/doubles/ec2.ts';
import { GceDouble } from '../tests/support/doubles/gce.ts';
import { percentile } from './stats.ts';

export interface SdkListResult {
  readonly latencyMs: number;
  readonly alone: Record<string, number>;
  readonly together: number;
  readonly machines: number;
}

const LATENCY = 200;
const RUNS = 5;

async function main(): Promise<SdkListResult> {
  const ec2 = await Ec2Double.start({
    regions: { 'us-east-1': 20, 'eu-west-1': 20, 'ap-southeast-2': 20 },
    latencyMs: LATENCY,
  });
  const azure = await AzureDouble.start({ latencyMs: LATENCY, groups: { web: 20, data: 20 } });
  const gce = await GceDouble.start(mkdtempSync(join(tmpdir(), 'cloudmaster-bench-gce-')), {
    latencyMs: LATENCY,
    zones: { 'us-central1-a': 20, 'europe-west1-b': 20 },
  });
  try {
    const dispatcher = await dispatcherFor(
      `
providers:
  aws: { type: aws, regions: [us-east-1, eu-west-1, ap-southeast-2], endpoint: "${ec2.url}", accessKeyId: "\${AWS_KEY}", secretAccessKey: "\${AWS_SECRET}" }
  azure: { type: azure, subscriptionId: "${SUBSCRIPTION}", tenantId: "${TENANT}", clientId: "${CLIENT_ID}", clientSecret: "\${AZURE_SECRET}", authorityHost: "${azure.url}", endpoint: "${azure.url}", disableInstanceDiscovery: true }
  gcp: { type: gcp, project: ${gce.project}, keyFilename: ${gce.keyFile}, scopes: [], apiEndpoint: ${gce.endpoint.apiEndpoint}, port: ${gce.endpoint.port}, protocol: http }
`,
      [],
      { AWS_KEY: 'AKIDBENCH', AWS_SECRET: 'bench-secret', AZURE_SECRET: azure.clientSecret },
    );
    const time = async (text: string): Promise<number> => {
      const parsed = parse(text);
      if (!parsed.ok) throw new Error(parsed.error.message);
      const started = performance.now();
      const outcome = (await dispatcher.run(parsed.command)) as ListOutcome;
      const failed = outcome.sections.find((section) => !section.listing);
      if (failed) throw new Error(`${failed.provider.id} failed: ${String(failed.error)}`);
      return performance.now() - started;
    };
    // Warm-up: tokens, connections, code paths.
    for (let i = 0; i < 2; i++) await time('list --fresh');
    const alone: Record<string, number> = {};
    for (const id of ['aws', 'azure', 'gcp']) {
      const runs: number[] = [];
      for (let i = 0; i < RUNS; i++) runs.push(await time(`list on ${id} --fresh`));
      alone[id] = percentile(runs, 50);
    }
    const together: number[] = [];
    for (let i = 0; i < RUNS; i++) together.push(await time('list --fresh'));
    const parsed = parse('list --fresh');
    const last = parsed.ok ? ((await dispatcher.run(parsed.command)) as ListOutcome) : undefined;
    const machines =
      last?.sections.reduce((sum, section) => sum + (section.listing?.machines.length ?? 0), 0) ?? 0;
    return { latencyMs: LATENCY, alone, together: percentile(together, 50), machines };
  } finally {
    await Promise.all([ec2.stop(), azure.stop(), gce.stop()]);
  }
}

main().then(
  (result) => {
    process.send?.(result);
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
