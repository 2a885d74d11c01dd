import { z } from 'zod';

const UNIT_BYTES = { b: 1, kb: 1024, mb: 1024 * 1024 } as const;
const SIZE = /^(\d{1,9})\s*(b|kb|mb)$/i;

/** A size in the config: a number of bytes or "512KB", "4MB" (binary units), within `min`..`max` bytes. */
export function sizeSchema(min: number, max: number) {
  return z.union([z.number().int(), z.string()]).transform((value, ctx) => {
    const match = typeof value === 'string' ? SIZE.exec(value.trim()) : undefined;
    const bytes =
      typeof value === 'number'
        ? value
        : match
          ? Number(match[1]) * UNIT_BYTES[(match[2] as string).toLowerCase() as keyof typeof UNIT_BYTES]
          : undefined;
    if (bytes === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${value}" is not a size (write e.g. 512KB, 4MB)` });
      return z.NEVER;
    }
    if (bytes < min || bytes > max) {
      ctx.addIssue({
        code: 'custom',
        message: `must be between ${min / 1024}KB and ${max / (1024 * 1024)}MB`,
      });
      return z.NEVER;
    }
    return bytes;
  });
}
