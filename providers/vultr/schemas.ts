/** The parts of Vultr's v2 answers the module reads, validated at the boundary. */
import { z } from 'zod';

export const instanceSchema = z.object({
  id: z.string(),
  label: z.string().optional(),
  hostname: z.string().optional(),
  os: z.string().optional(),
  ram: z.number().optional(),
  disk: z.number().optional(),
  vcpu_count: z.number().optional(),
  main_ip: z.string().optional(),
  internal_ip: z.string().optional(),
  region: z.string().optional(),
  plan: z.string().optional(),
  date_created: z.string().optional(),
  status: z.string(),
  power_status: z.string().optional(),
  server_status: z.string().optional(),
  tags: z.array(z.string()).optional(),
});
export type Instance = z.infer<typeof instanceSchema>;

export const instanceListSchema = z.object({
  instances: z.array(instanceSchema),
  meta: z
    .object({
      total: z.number().optional(),
      links: z.object({ next: z.string().optional(), prev: z.string().optional() }).partial().optional(),
    })
    .optional(),
});

export const instanceAnswerSchema = z.object({ instance: instanceSchema });

/** Vultr's error body: `{ error, status }`. */
export function errorMessage(body: unknown): string | undefined {
  const parsed = z.object({ error: z.string() }).safeParse(body);
  return parsed.success && parsed.data.error !== '' ? parsed.data.error : undefined;
}
