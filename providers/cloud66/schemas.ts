/**
 * Cloud 66 API v3 answers, validated at the boundary. Every 2xx body is an
 * envelope `{ response, count?, pagination? }` (the cx toolbelt's client
 * always unwraps it).
 */
import { z } from 'zod';

const codeMeaning = z.object({ code: z.number().optional(), meaning: z.string().optional() });

export const paginationSchema = z.object({
  next: z.number().nullish(),
  current: z.number().optional(),
  pages: z.number().optional(),
});

export const stackSchema = z.object({
  uid: z.string(),
  name: z.string(),
  environment: z.string(),
  status: z.number(),
  health: z.number().optional(),
  cloud: z.string().optional(),
  fqdn: z.string().optional(),
  git_branch: z.string().optional(),
  framework: z.string().optional(),
  last_activity_iso: z.string().nullish(),
  maintenance_mode: z.boolean().optional(),
});
export type StackBody = z.infer<typeof stackSchema>;

export const deploymentSchema = z.object({
  id: z.number(),
  triggered_by: z.string().optional(),
  triggered_via: codeMeaning.optional(),
  started_at: z.string().nullish(),
  finished_at: z.string().nullish(),
  outcome: codeMeaning.nullish(),
  is_deploying: z.boolean().optional(),
  git_hash: z.string().optional(),
});
export type DeploymentBody = z.infer<typeof deploymentSchema>;

export const redeploySchema = z.object({
  ok: z.boolean(),
  message: z.string().optional(),
  queued: z.boolean().optional(),
  async_action_id: z.number().nullish(),
});

export const asyncActionSchema = z.object({
  id: z.number(),
  action: z.string().optional(),
  started_at: z.string().nullish(),
  finished_at: z.string().nullish(),
  finished_success: z.boolean().nullish(),
  finished_message: z.string().nullish(),
});

export const genericSchema = z.object({ ok: z.boolean(), message: z.string().optional() });

export function envelope<T extends z.ZodType>(response: T) {
  return z.object({ response, count: z.number().optional(), pagination: paginationSchema.optional() });
}

/** Cloud 66's error body: `{ error, error_description, details }`; details say most. */
export function errorMessage(body: unknown): string | undefined {
  const parsed = z
    .object({
      error: z.string().optional(),
      error_description: z.string().optional(),
      details: z.string().optional(),
    })
    .safeParse(body);
  if (!parsed.success) return undefined;
  return parsed.data.details || parsed.data.error_description || parsed.data.error || undefined;
}
