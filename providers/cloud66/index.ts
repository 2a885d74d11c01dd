/** The `cloud66` provider: stacks, deployments and cancellations, as Cloud 66's Igor bot does them. */
import type { CapabilityTable, ProviderModule } from '../types.ts';
import { type Cloud66Config, cloud66ConfigSchema } from './config.ts';

export const cloud66Capabilities = {
  list: { options: ['stack'] },
  status: {},
  deploy: {
    options: ['environment', 'service', 'wait'],
    note: '-v takes one service or several, comma-separated',
  },
  cancel: { options: ['environment'] },
} as const satisfies CapabilityTable;

export const cloud66Module: ProviderModule<Cloud66Config, typeof cloud66Capabilities> = {
  type: 'cloud66',
  aliases: ['c66'],
  label: 'Cloud 66',
  configSchema: cloud66ConfigSchema,
  secretKeys: ['token'],
  capabilities: cloud66Capabilities,
  // The API allows 3,600 requests an hour; a deployment takes minutes.
  minPollIntervalMs: 10_000,
  fromEnvironment(env) {
    const token = env.CLOUD66_TOKEN;
    return token ? { id: 'cloud66', config: { token }, sources: { token: 'CLOUD66_TOKEN' } } : undefined;
  },
  async connect(setup) {
    const { createCloud66 } = await import('./provider.ts');
    return createCloud66(setup);
  },
};
