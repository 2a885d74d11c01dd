/** The `gcp` provider: Compute Engine instances across zones, through `@google-cloud/compute`. */
import type { CapabilityTable, ProviderModule } from '../types.ts';
import { type GcpConfig, gcpConfigSchema } from './config.ts';

export const gcpCapabilities = {
  list: { options: ['region'] },
  status: {},
  reboot: { note: 'a hard reset, like pressing the reset button' },
  start: {},
  stop: {},
  create: {
    params: {
      size: { description: 'machine type, e.g. e2-small', defaultFrom: 'machineType' },
      image: {
        description: 'source image, e.g. projects/debian-cloud/global/images/family/debian-12',
        defaultFrom: 'image',
        role: 'source',
      },
      zone: { description: 'zone, e.g. europe-west1-b', defaultFrom: 'zone', role: 'placement' },
      network: {
        description: 'network, e.g. global/networks/default',
        defaultFrom: 'network',
        role: 'placement',
      },
      labels: { description: 'labels, key:value,key:value', defaultFrom: 'labels' },
    },
  },
  destroy: {},
} as const satisfies CapabilityTable;

export const gcpModule: ProviderModule<GcpConfig, typeof gcpCapabilities> = {
  type: 'gcp',
  aliases: ['gce', 'google'],
  label: 'Google Compute Engine',
  configSchema: gcpConfigSchema,
  secretKeys: [],
  capabilities: gcpCapabilities,
  fromEnvironment(env) {
    const project = env.GOOGLE_CLOUD_PROJECT;
    return project ? { id: 'gcp', config: { project } } : undefined;
  },
  async connect(setup) {
    const { createGcp } = await import('./provider.ts');
    return createGcp(setup);
  },
};
