/**
 * `settings.local`: the local workspace that `npm start` opens without
 * Slack tokens — where its page listens, and the people one can act as
 * (their ids are what policy rules name).
 */
import { z } from 'zod';
import { portSchema } from '../config/port.ts';

export const DEFAULT_LOCAL_PORT = 3000;

export const DEFAULT_PEOPLE = [
  { id: 'U0ALICE', name: 'alice' },
  { id: 'U0BOB', name: 'bob' },
  { id: 'U0CAROL', name: 'carol' },
] as const;

const personSchema = z.strictObject({
  id: z.string().regex(/^U[A-Z0-9]{2,20}$/, 'must be a Slack user id (U…)'),
  name: z
    .string()
    .regex(/^[a-z][a-z0-9._-]{0,20}$/, 'must be a lower-case handle, as Slack’s: alice, bob.smith'),
});

export const localSettingsSchema = z
  .strictObject({
    /** The page has no login: anything but a loopback address must be asked for, and is warned about. */
    host: z.string().min(1).default('127.0.0.1'),
    port: portSchema.default(DEFAULT_LOCAL_PORT),
    people: z
      .array(personSchema)
      .min(1)
      .max(50)
      .superRefine((people, ctx) => {
        const seen = new Set<string>();
        people.forEach((person, index) => {
          for (const key of [person.id, `@${person.name}`]) {
            if (seen.has(key))
              ctx.addIssue({ code: 'custom', path: [index], message: `${key} is listed twice` });
            seen.add(key);
          }
        });
      })
      .default(DEFAULT_PEOPLE.map((person) => ({ ...person }))),
  })
  .default({
    host: '127.0.0.1',
    port: DEFAULT_LOCAL_PORT,
    people: DEFAULT_PEOPLE.map((person) => ({ ...person })),
  });

export type LocalSettings = z.infer<typeof localSettingsSchema>;

export const DEFAULT_LOCAL_SETTINGS: LocalSettings = localSettingsSchema.parse(undefined);
