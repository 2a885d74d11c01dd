/** The `vultr` provider: instances over Vultr's v2 REST API. */
import type { CapabilityTable, ProviderModule } from '../types.ts';
import { type VultrConfig, vultrConfigSchema } from './config.ts';

export const vultrCapabilities = {
  list: { options: ['region'] },
  status: {},
  reboot: {},
  start: {},
  stop: { note: 'halt: Vultr powers the instance off at once' },
  create: {
    params: {
      plan: { description: 'plan id, e.g. vc2-1c-1gb', defaultFrom: 'plan' },
      region: { description: 'region id, e.g. ewr', defaultFrom: 'region', role: 'placement' },
      os_id: { description: 'operating system id, e.g. 2284', defaultFrom: 'osId' },
      image_id: { description: 'application image id (instead of os_id)', defaultFrom: 'imageId' },
    },
  },
  destroy: {},
} as const satisfies CapabilityTable;

export const vultrModule: ProviderModule<VultrConfig, typeof vultrCapabilities> = {
  type: 'vultr',
  aliases: ['vu'],
  label: 'Vultr',
  configSchema: vultrConfigSchema,
  secretKeys: ['token'],
  capabilities: vultrCapabilities,
  fromEnvironment(env) {
    for (const name of ['VULTR_TOKEN', 'VULTR_API_KEY']) {
      const token = env[name];
      if (token) return { id: 'vultr', config: { token }, sources: { token: name } };
    }
    return undefined;
  },
  async connect(setup) {
    const { createVultr } = await import('./provider.ts');
    return createVultr(setup);
  },
};
