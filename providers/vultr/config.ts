import { z } from 'zod';

export const vultrConfigSchema = z.strictObject({
  /** A Vultr API key. */
  token: z.string().min(1),
  /** API base URL including /v2 (proxies, tests). */
  endpoint: z.url().default('https://api.vultr.com/v2'),
  /** Defaults for `create`. */
  region: z.string().min(1).optional(),
  plan: z.string().min(1).optional(),
  osId: z.number().int().optional(),
  imageId: z.string().min(1).optional(),
  /** Instances per page (the API allows up to 500). */
  perPage: z.number().int().min(1).max(500).default(100),
  maxPages: z.number().int().min(1).default(100),
  /** A reboot shows no progress at Vultr: after this long running again counts as done. */
  rebootSettle: z.number().int().min(0).default(10_000),
});

export type VultrConfig = z.infer<typeof vultrConfigSchema>;
