/**
 * The `simulator` provider: an in-memory cloud for demos, tests and
 * benchmarks, declared and connected like every real provider module.
 */
import { join } from 'node:path';
import type { CapabilityTable, ProviderModule } from '../types.ts';
import { type SimulatorConfig, simulatorConfigSchema } from './config.ts';

export const simulatorCapabilities = {
  list: { options: ['region', 'stack'] },
  status: {},
  reboot: {},
  start: {},
  stop: { options: ['force'] },
  create: {
    params: {
      size: { description: 'machine size, e.g. sim-small', defaultFrom: 'defaultSize' },
      image: { description: 'image, e.g. ubuntu-24-04', defaultFrom: 'defaultImage', role: 'source' },
      region: { description: 'region, e.g. sim-nyc1', defaultFrom: 'defaultRegion', role: 'placement' },
    },
  },
  destroy: {},
  deploy: { options: ['environment', 'service', 'wait'] },
  cancel: { options: ['environment', 'service'] },
} as const satisfies CapabilityTable;

const TRUE_WORDS = new Set(['1', 'true', 'yes', 'on']);

/** Whether the environment asks for the demo cloud (CLOUDMASTER_DEMO=1, true, yes or on). */
export function demoRequested(env: Readonly<Record<string, string | undefined>>): boolean {
  const flag = env.CLOUDMASTER_DEMO?.toLowerCase();
  return flag !== undefined && TRUE_WORDS.has(flag);
}

export const simulatorModule: ProviderModule<SimulatorConfig, typeof simulatorCapabilities> = {
  type: 'simulator',
  aliases: ['sim'],
  label: 'Simulated cloud',
  configSchema: simulatorConfigSchema,
  secretKeys: [],
  // In-process and instant: a cache would only show stale transitions.
  defaultCacheTtlMs: 0,
  capabilities: simulatorCapabilities,
  fromEnvironment(env) {
    // Kept beside the store, so one CLI run sees what the last one changed.
    const stateFile = join(env.CLOUDMASTER_DATA_DIR || 'data', 'demo-cloud.json');
    return demoRequested(env) ? { id: 'demo', config: { stateFile } } : undefined;
  },
  async connect(setup) {
    // Loaded on connect, as real modules load their SDKs: declarations stay cheap.
    const { createSimulator } = await import('./provider.ts');
    return createSimulator(setup);
  },
};
