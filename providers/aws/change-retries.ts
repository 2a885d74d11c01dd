/**
 * Retries for EC2 calls that change something: only a throttled call (EC2
 * refused it before doing anything) is sent again. The SDK's standard
 * strategy also repeats a call whose answer broke off — a RebootInstances
 * EC2 had already carried out would then reboot the instance twice.
 */
import type { EC2ClientConfig } from '@aws-sdk/client-ec2';

type RetryStrategy = Extract<
  NonNullable<EC2ClientConfig['retryStrategy']>,
  { acquireInitialRetryToken: unknown }
>;
type RetryToken = Awaited<ReturnType<RetryStrategy['acquireInitialRetryToken']>>;

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 20_000;

function token(count: number, delay: number): RetryToken {
  return { getRetryCount: () => count, getRetryDelay: () => delay };
}

export function throttlingOnlyRetries(
  maxAttempts: number,
  random: () => number = Math.random,
): RetryStrategy {
  return {
    acquireInitialRetryToken: async () => token(0, 0),
    refreshRetryTokenForRetry: async (previous, info) => {
      const count = previous.getRetryCount() + 1;
      if (info.errorType !== 'THROTTLING' || count >= maxAttempts) throw info.error ?? new Error('no retry');
      const asked = info.retryAfterHint ? info.retryAfterHint.getTime() - Date.now() : 0;
      const backoff = random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** count);
      return token(count, Math.min(MAX_DELAY_MS, Math.max(asked, backoff)));
    },
    recordSuccess: () => undefined,
  };
}
