/**
 * The parts of DigitalOcean's v2 answers the module reads, validated at the
 * boundary. Lenient where the API adds fields; strict where we depend on one.
 */
import { z } from 'zod';

export const dropletSchema = z.object({
  id: z.number(),
  name: z.string(),
  status: z.string(),
  created_at: z.string().optional(),
  size_slug: z.string().optional(),
  memory: z.number().optional(),
  vcpus: z.number().optional(),
  disk: z.number().optional(),
  locked: z.boolean().optional(),
  tags: z.array(z.string()).optional(),
  region: z.object({ slug: z.string(), name: z.string().optional() }).optional(),
  image: z
    .object({
      slug: z.string().nullish(),
      name: z.string().optional(),
      distribution: z.string().optional(),
    })
    .optional(),
  networks: z
    .object({
      v4: z.array(z.object({ ip_address: z.string(), type: z.string() })).optional(),
    })
    .optional(),
});
export type Droplet = z.infer<typeof dropletSchema>;

const pageLinksSchema = z
  .object({
    pages: z.object({ last: z.string().optional(), next: z.string().optional() }).partial().optional(),
  })
  .partial();

export const dropletListSchema = z.object({
  droplets: z.array(dropletSchema),
  links: pageLinksSchema.optional(),
  meta: z.object({ total: z.number() }).optional(),
});

export const dropletAnswerSchema = z.object({ droplet: dropletSchema });

export const actionSchema = z.object({
  id: z.number(),
  status: z.enum(['in-progress', 'completed', 'errored']),
  type: z.string(),
  started_at: z.string().nullish(),
  completed_at: z.string().nullish(),
  resource_id: z.number().nullish(),
});
export type DropletAction = z.infer<typeof actionSchema>;

export const actionAnswerSchema = z.object({ action: actionSchema });

export const createAnswerSchema = z.object({
  droplet: dropletSchema,
  links: z
    .object({ actions: z.array(z.object({ id: z.number(), rel: z.string().optional() })).optional() })
    .partial()
    .optional(),
});

/** DigitalOcean's error body: `{ id, message, request_id? }`. */
export function errorMessage(body: unknown): string | undefined {
  const parsed = z.object({ message: z.string() }).safeParse(body);
  return parsed.success ? parsed.data.message : undefined;
}

/** `?page=7` in a `links.pages.last` URL. */
export function pageNumber(link: string | undefined): number | undefined {
  if (!link) return undefined;
  try {
    const page = Number(new URL(link, 'http://x').searchParams.get('page'));
    return Number.isInteger(page) && page > 0 ? page : undefined;
  } catch {
    return undefined;
  }
}
