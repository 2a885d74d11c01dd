/** The simulator's config keys, with defaults that make a small, lively demo cloud. */
import { z } from 'zod';
import { durationSchema } from '../../src/config/duration.ts';
import { MUTATING_VERBS } from '../../src/grammar/command.ts';

export const DEFAULT_SIZES = ['sim-small', 'sim-medium', 'sim-large', 'sim-xlarge'] as const;
export const DEFAULT_IMAGES = ['ubuntu-24-04', 'debian-12', 'rocky-9', 'windows-2022'] as const;
export const DEFAULT_REGIONS = ['sim-nyc1', 'sim-fra1', 'sim-sgp1'] as const;

const delaysSchema = z.strictObject({
  reboot: durationSchema.default(3_000),
  start: durationSchema.default(4_000),
  stop: durationSchema.default(4_000),
  forceStop: durationSchema.default(1_000),
  create: durationSchema.default(8_000),
  destroy: durationSchema.default(3_000),
  deploy: durationSchema.default(10_000),
  cancel: durationSchema.default(2_000),
});

export const simulatorConfigSchema = z
  .strictObject({
    /** Same seed, same cloud. */
    seed: z.number().int().default(42),
    /** How many machines to generate (5,000 for benchmarks). */
    machines: z.number().int().min(0).max(200_000).default(12),
    regions: z
      .array(z.string().min(1))
      .min(1)
      .default([...DEFAULT_REGIONS]),
    /** Cloud 66-like stacks: shop (production and staging) and blog. */
    stacks: z.boolean().default(true),
    /** Wait before every answer: a duration, or {min, max} drawn from the seeded generator. */
    latency: z
      .union([durationSchema, z.strictObject({ min: durationSchema, max: durationSchema })])
      .default(0),
    /** How long each transition takes. */
    delays: delaysSchema.default(delaysSchema.parse({})),
    sizes: z
      .array(z.string().min(1))
      .min(1)
      .default([...DEFAULT_SIZES]),
    images: z
      .array(z.string().min(1))
      .min(1)
      .default([...DEFAULT_IMAGES]),
    defaultSize: z.string().optional(),
    defaultImage: z.string().optional(),
    defaultRegion: z.string().optional(),
    /** Every call fails, as a provider that is down. */
    outage: z.boolean().default(false),
    /** Per mutating verb: accept the request, then fail with this message. */
    failures: z.partialRecord(z.enum(MUTATING_VERBS), z.string().min(1)).default({}),
    /** Instances with the same world name in one process share one cloud (replicas, restarts). */
    world: z.string().min(1).optional(),
    /**
     * Keep the cloud in this file, so separate processes (CLI runs, the bot)
     * see the same machines; CLOUDMASTER_DEMO=1 keeps it in the data folder.
     */
    stateFile: z.string().min(1).optional(),
  })
  .superRefine((config, ctx) => {
    if (typeof config.latency === 'object' && config.latency.min > config.latency.max) {
      ctx.addIssue({ code: 'custom', path: ['latency'], message: 'min must not exceed max' });
    }
    for (const [key, list] of [
      ['defaultSize', config.sizes],
      ['defaultImage', config.images],
      ['defaultRegion', config.regions],
    ] as const) {
      const value = config[key];
      if (value !== undefined && !list.includes(value)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `"${value}" is not one of ${list.join(', ')}` });
      }
    }
  });

export type SimulatorConfig = z.infer<typeof simulatorConfigSchema>;
export type SimulatorDelays = SimulatorConfig['delays'];
