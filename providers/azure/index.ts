/** The `azure` provider: virtual machines through `@azure/arm-compute`, `@azure/arm-network` and `@azure/identity`. */
import type { CapabilityTable, ProviderModule } from '../types.ts';
import { type AzureConfig, azureConfigSchema } from './config.ts';

export const azureCapabilities = {
  list: { options: ['region'] },
  status: {},
  reboot: {},
  start: {},
  stop: {
    options: ['deallocate'],
    note: 'powers off (still billed); --deallocate releases the compute so billing stops',
  },
  create: {
    params: {
      size: { description: 'VM size, e.g. Standard_B1s', defaultFrom: 'vmSize' },
      image: { description: 'publisher:offer:sku:version', defaultFrom: 'image' },
      location: { description: 'region, e.g. westeurope', defaultFrom: 'location', role: 'placement' },
      resource_group: { description: 'resource group', defaultFrom: 'resourceGroup', role: 'placement' },
      subnet: { description: 'subnet resource id', defaultFrom: 'subnetId', role: 'placement' },
    },
  },
  destroy: { note: 'deletes the VM, and the network interface and IP cloudmaster created for it' },
} as const satisfies CapabilityTable;

export const azureModule: ProviderModule<AzureConfig, typeof azureCapabilities> = {
  type: 'azure',
  aliases: ['az'],
  label: 'Azure',
  configSchema: azureConfigSchema,
  secretKeys: ['clientSecret'],
  capabilities: azureCapabilities,
  fromEnvironment(env) {
    const subscriptionId = env.AZURE_SUBSCRIPTION_ID;
    return subscriptionId ? { id: 'azure', config: { subscriptionId } } : undefined;
  },
  async connect(setup) {
    const { createAzure } = await import('./provider.ts');
    return createAzure(setup);
  },
};
