/**
 * How a webhook delivery is signed: `Cloudmaster-Signature: t=SECONDS,v1=HEX`,
 * where HEX is HMAC-SHA256(secret, `${SECONDS}.${body}`). A receiver
 * recomputes it over the raw body, compares in constant time, and refuses a
 * timestamp older than a few minutes (docs/bridge.md shows it in Node and Python).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'cloudmaster-signature';

export function sign(secret: string, body: string, timestampSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

/** Whether `header` signs `body` with `secret`, no older than `toleranceSeconds` (receivers; tests). */
export function verify(
  secret: string,
  body: string,
  header: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  const parts = Object.fromEntries(header.split(',').map((part) => part.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > toleranceSeconds || !parts.v1) return false;
  const expected = Buffer.from(sign(secret, body, t).split('v1=')[1] ?? '', 'hex');
  const given = Buffer.from(parts.v1, 'hex');
  return expected.length === given.length && timingSafeEqual(expected, given);
}
