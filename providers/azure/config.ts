import { z } from 'zod';

export const azureConfigSchema = z
  .strictObject({
    subscriptionId: z.string().min(1),
    /** A service principal; without all three, DefaultAzureCredential (environment, managed identity, CLI…). */
    tenantId: z.string().min(1).optional(),
    clientId: z.string().min(1).optional(),
    clientSecret: z.string().min(1).optional(),
    /** Only VMs in these resource groups. */
    resourceGroups: z.array(z.string().min(1)).min(1).optional(),
    /** Entra ID login host (sovereign clouds, tests). */
    authorityHost: z.url().optional(),
    /** Azure Resource Manager endpoint (sovereign clouds, tests). */
    endpoint: z.url().optional(),
    /** Skip Entra ID's instance discovery (required offline and with a private authorityHost). */
    disableInstanceDiscovery: z.boolean().default(false),
    /** Defaults for `create`. */
    resourceGroup: z.string().min(1).optional(),
    location: z.string().min(1).optional(),
    /** Full resource id of an existing subnet the new VM's network interface joins. */
    subnetId: z.string().min(1).optional(),
    vmSize: z.string().min(1).default('Standard_B1s'),
    /** publisher:offer:sku:version */
    image: z
      .string()
      .regex(/^[^:]+:[^:]+:[^:]+:[^:]+$/, 'write the image as publisher:offer:sku:version')
      .default('Canonical:ubuntu-24_04-lts:server:latest'),
    adminUsername: z.string().min(1).default('azureuser'),
    sshPublicKey: z.string().min(1).optional(),
    /** Give new VMs a public IP. */
    publicIp: z.boolean().default(true),
    /** When destroying a VM the bot created, also delete the network interface and IP it created. */
    deleteCreatedNetwork: z.boolean().default(true),
  })
  .refine(
    (c) =>
      [c.tenantId, c.clientId, c.clientSecret].every((v) => v === undefined) ||
      [c.tenantId, c.clientId, c.clientSecret].every((v) => v !== undefined),
    {
      message:
        'give tenantId, clientId and clientSecret together, or none (then DefaultAzureCredential is used)',
      path: ['clientSecret'],
    },
  );

export type AzureConfig = z.infer<typeof azureConfigSchema>;
