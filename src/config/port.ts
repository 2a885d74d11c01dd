import { z } from 'zod';

/** A TCP port: a number, or digits (`port: ${PORT}` interpolates to a string); 0 takes any free port. */
export const portSchema = z
  .union([z.number(), z.string().regex(/^\d+$/, 'is not a port number').transform(Number)])
  .pipe(z.number().int().min(0).max(65_535));
