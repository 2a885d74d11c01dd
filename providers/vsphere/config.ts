import { z } from 'zod';
import { durationSchema } from '../../src/config/duration.ts';

/** "https://vc.example.com" and ".../sdk" both name the SDK endpoint. */
const sdkUrl = z.url({ protocol: /^https?$/ }).transform((value) => {
  const url = new URL(value);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/sdk';
  return url.toString();
});

export const vsphereConfigSchema = z
  .strictObject({
    /** The vim25 SDK endpoint of a vCenter or ESXi: this module's `endpoint`. */
    url: sdkUrl,
    username: z.string().min(1),
    /** As ${VARIABLE}: a secret. */
    password: z.string().min(1),
    /** Only this datacenter (default: every datacenter the user can see). */
    datacenter: z.string().min(1).optional(),
    /** PEM file of the CA that signed vCenter's certificate (a private CA). */
    caFile: z.string().min(1).optional(),
    /** Skip certificate verification: only on a network you trust; said loudly in the log. */
    insecure: z.boolean().default(false),
    /** Defaults for `create`: the template to clone and where the clone goes. */
    template: z.string().min(1).optional(),
    /** Let `template=` name any VM, not only one marked as a template: a clone copies its disks. */
    allowCloneFromVm: z.boolean().default(false),
    host: z.string().min(1).optional(),
    resourcePool: z.string().min(1).optional(),
    folder: z.string().min(1).optional(),
    datastore: z.string().min(1).optional(),
    /** Power the clone on as part of the clone task. */
    powerOn: z.boolean().default(true),
    /** Objects per property-collector page. */
    pageSize: z.number().int().min(1).max(10_000).default(500),
    /** Pages read at most per list; more are reported, not silently dropped. */
    maxPages: z.number().int().min(1).default(100),
    /** After a guest reboot through VMware Tools, how long until "Tools running again" counts as rebooted. */
    rebootSettle: durationSchema.default(15_000),
  })
  .refine((config) => !(config.insecure && config.caFile), {
    message: 'give caFile (to trust a private CA) or insecure: true (to trust anything), not both',
    path: ['insecure'],
  });

export type VsphereConfig = z.infer<typeof vsphereConfigSchema>;
