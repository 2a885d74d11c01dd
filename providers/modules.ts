/** Every provider module the bot knows. Adding a cloud means adding it here. */
import { awsModule } from './aws/index.ts';
import { azureModule } from './azure/index.ts';
import { cloud66Module } from './cloud66/index.ts';
import { digitalOceanModule } from './digitalocean/index.ts';
import { gcpModule } from './gcp/index.ts';
import type { AnyProviderModule } from './registry.ts';
import { simulatorModule } from './simulator/index.ts';
import { vsphereModule } from './vsphere/index.ts';
import { vultrModule } from './vultr/index.ts';

export const PROVIDER_MODULES: readonly AnyProviderModule[] = [
  simulatorModule,
  digitalOceanModule,
  vultrModule,
  cloud66Module,
  awsModule,
  gcpModule,
  azureModule,
  vsphereModule,
];
