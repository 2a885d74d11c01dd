import { z } from 'zod';

export const digitalOceanConfigSchema = z.strictObject({
  /** An API token with droplet read and write scopes. */
  token: z.string().min(1),
  /** API base URL (proxies, tests). */
  endpoint: z.url().default('https://api.digitalocean.com'),
  /** Defaults for `create`. */
  region: z.string().min(1).optional(),
  size: z.string().min(1).optional(),
  image: z.string().min(1).optional(),
  sshKeys: z.array(z.union([z.string(), z.number()])).optional(),
  tags: z.array(z.string()).optional(),
  /** Droplets per page (the API's maximum is 200). */
  perPage: z.number().int().min(1).max(200).default(200),
  /** Pages read at most per list; more are reported, not silently dropped. */
  maxPages: z.number().int().min(1).default(100),
  /** Pages fetched at once after the first. */
  concurrency: z.number().int().min(1).max(20).default(10),
});

export type DigitalOceanConfig = z.infer<typeof digitalOceanConfigSchema>;
