import { z } from 'zod';

export const gcpConfigSchema = z.strictObject({
  project: z.string().min(1),
  /** Only these zones (default: every zone, in one aggregated call). */
  zones: z.array(z.string().min(1)).min(1).optional(),
  /** A service-account key file; without it, Application Default Credentials. */
  keyFilename: z.string().min(1).optional(),
  /** OAuth scopes; an empty list makes the auth library sign its own JWT (no token endpoint). */
  scopes: z.array(z.string()).optional(),
  /** REST transport overrides (private endpoints, tests): host, port, protocol. */
  apiEndpoint: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65_535).optional(),
  protocol: z.enum(['http', 'https']).optional(),
  /** Defaults for `create`. */
  zone: z.string().min(1).optional(),
  machineType: z.string().min(1).default('e2-small'),
  image: z.string().min(1).default('projects/debian-cloud/global/images/family/debian-12'),
  network: z.string().min(1).default('global/networks/default'),
  labels: z.record(z.string(), z.string()).optional(),
  /** Instances per page of the aggregated list. */
  maxResults: z.number().int().min(1).max(500).default(500),
});

export type GcpConfig = z.infer<typeof gcpConfigSchema>;
