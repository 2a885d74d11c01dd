import { z } from 'zod';

export const cloud66ConfigSchema = z.strictObject({
  /** A Cloud 66 OAuth token with the `public` and `redeploy` scopes. */
  token: z.string().min(1),
  /** API base URL including /api/3 (proxies, tests). */
  endpoint: z.url().default('https://app.cloud66.com/api/3'),
  /** Cloud 66 account id, sent as X-Account when the token reaches several accounts. */
  account: z.number().int().optional(),
  maxPages: z.number().int().min(1).default(50),
});

export type Cloud66Config = z.infer<typeof cloud66ConfigSchema>;
