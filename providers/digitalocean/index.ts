/** The `digitalocean` provider: droplets over DigitalOcean's v2 REST API. */
import type { CapabilityTable, ProviderModule } from '../types.ts';
import { type DigitalOceanConfig, digitalOceanConfigSchema } from './config.ts';

export const digitalOceanCapabilities = {
  list: { options: ['region'] },
  status: {},
  reboot: {},
  start: {},
  stop: { options: ['force'], note: 'graceful shutdown; --force powers off' },
  create: {
    params: {
      size: { description: 'size slug, e.g. s-1vcpu-1gb', defaultFrom: 'size' },
      image: {
        description: 'image slug, or id of an image or snapshot, e.g. ubuntu-24-04-x64',
        defaultFrom: 'image',
        role: 'source',
      },
      region: { description: 'region slug, e.g. nyc3', defaultFrom: 'region', role: 'placement' },
      ssh_keys: { description: 'SSH key ids or fingerprints, comma-separated', defaultFrom: 'sshKeys' },
      tags: { description: 'tags, comma-separated', defaultFrom: 'tags' },
    },
  },
  destroy: {},
} as const satisfies CapabilityTable;

export const digitalOceanModule: ProviderModule<DigitalOceanConfig, typeof digitalOceanCapabilities> = {
  type: 'digitalocean',
  aliases: ['do'],
  label: 'DigitalOcean',
  configSchema: digitalOceanConfigSchema,
  secretKeys: ['token'],
  capabilities: digitalOceanCapabilities,
  fromEnvironment(env) {
    // DIGITAL_OCEAN_TOKEN is the DigitalOcean status bot's name for it.
    for (const name of ['DIGITALOCEAN_TOKEN', 'DIGITAL_OCEAN_TOKEN']) {
      const token = env[name];
      if (token) return { id: 'do', config: { token }, sources: { token: name } };
    }
    return undefined;
  },
  async connect(setup) {
    const { createDigitalOcean } = await import('./provider.ts');
    return createDigitalOcean(setup);
  },
};
