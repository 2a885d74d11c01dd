/** The HTTP client a token-authenticated REST module needs, built the same way for each. */
import type { ProviderSetup } from '../types.ts';
import { HttpClient } from './client.ts';
import { isHttpStatus } from './errors.ts';

export interface BearerConfig {
  readonly token: string;
  readonly endpoint: string;
}

export function bearerClient(
  setup: ProviderSetup<BearerConfig>,
  options: {
    readonly errorMessage: (body: unknown) => string | undefined;
    readonly headers?: Readonly<Record<string, string>>;
  },
): HttpClient {
  return new HttpClient({
    baseUrl: setup.config.endpoint,
    headers: { Authorization: `Bearer ${setup.config.token}`, ...options.headers },
    provider: {
      id: setup.id,
      label: setup.label,
      // Errors name where the token came from, never the token.
      tokenVariable: setup.secretSources.token ?? 'the token in cloudmaster.yml',
    },
    budgetMs: setup.timeoutMs,
    errorMessage: options.errorMessage,
    log: setup.log,
  });
}

/** A read of one resource that may not exist: a 404 is `undefined`, anything else stays an error. */
export async function unlessMissing<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (error) {
    if (isHttpStatus(error, 404)) return undefined;
    throw error;
  }
}
