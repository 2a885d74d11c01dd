/**
 * One provider call with a deadline. The provider gets an AbortSignal, but
 * the deadline does not depend on the provider honouring it: the call is
 * raced against a timer, so a hung SDK cannot hold a reply hostage.
 */
import type { Logger } from 'pino';
import type { ConnectedProvider } from '../../providers/registry.ts';
import type { CallContext, Provider } from '../../providers/types.ts';
import { formatDuration } from '../config/duration.ts';
import { CloudmasterError, ErrorCode } from '../errors.ts';
import type { ProviderCallMeter } from '../ops/metrics.ts';
import { describeAccount } from './provider-set.ts';
import type { CachedValue, ReadCache } from './read-cache.ts';

export interface CallOptions {
  /** Where list/status answers are reused; absent: always ask. */
  readonly cache?: ReadCache;
  /** Defaults to the account's own timeout (config `timeout`, else settings.timeout). */
  readonly timeoutMs?: number;
  readonly fresh: boolean;
  readonly log: Logger;
  /** Shutdown: aborts the call at once. */
  readonly signal?: AbortSignal;
  /** Told of every call: provider, operation, outcome, duration (the metrics). */
  readonly meter?: ProviderCallMeter;
}

export function timeoutError(entry: ConnectedProvider, timeoutMs: number): CloudmasterError {
  return new CloudmasterError(
    ErrorCode.ProviderTimeout,
    `${entry.account.label} (${entry.account.id}) did not answer in ${formatDuration(timeoutMs)}.`,
    { provider: entry.account.id },
  );
}

export function connectedInstance(entry: ConnectedProvider): Provider {
  if (entry.instance) return entry.instance;
  throw new CloudmasterError(
    ErrorCode.ProviderUnavailable,
    `${describeAccount(entry)} is not available: ${entry.connectError ?? 'it could not be set up'}.`,
    { provider: entry.account.id, hint: 'Check its settings in cloudmaster.yml and the bot’s log.' },
  );
}

/** One child logger per provider and parent, made once: a child's bindings are serialised when it is made. */
const providerLogs = new WeakMap<Logger, Map<string, Logger>>();

function providerLog(log: Logger, provider: string): Logger {
  let children = providerLogs.get(log);
  if (!children) {
    children = new Map();
    providerLogs.set(log, children);
  }
  let child = children.get(provider);
  if (!child) {
    child = log.child({ provider });
    children.set(provider, child);
  }
  return child;
}

export async function callProvider<T>(
  entry: ConnectedProvider,
  options: CallOptions,
  call: (provider: Provider, ctx: CallContext) => Promise<T>,
): Promise<T> {
  const provider = connectedInstance(entry);
  const controller = new AbortController();
  // Shutdown aborts the call too. A listener removed when the call ends, rather than AbortSignal.any:
  // a composite signal per call stays tied to the long-lived shutdown signal until it is collected.
  const shutdown = options.signal;
  const onShutdown = (): void => controller.abort(shutdown?.reason);
  if (shutdown?.aborted) onShutdown();
  else shutdown?.addEventListener('abort', onShutdown, { once: true });
  const ctx: CallContext = {
    signal: controller.signal,
    fresh: options.fresh,
    log: providerLog(options.log, entry.account.id),
  };
  const timeoutMs = options.timeoutMs ?? entry.account.timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  let timedOut: CloudmasterError | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = timeoutError(entry, timeoutMs);
      controller.abort(timedOut);
      reject(timedOut);
    }, timeoutMs);
  });
  const started = performance.now();
  const watched = options.meter ? watchOperation(provider) : undefined;
  let outcome: 'ok' | 'error' | 'timeout' = 'error';
  try {
    const result = await Promise.race([call(watched?.provider ?? provider, ctx), deadline]);
    outcome = 'ok';
    return result;
  } catch (error) {
    // A provider that threw the abort reason (or a DOMException) for our timeout: report the timeout.
    if (timedOut) {
      outcome = 'timeout';
      throw timedOut;
    }
    throw error;
  } finally {
    clearTimeout(timer);
    shutdown?.removeEventListener('abort', onShutdown);
    if (watched)
      options.meter?.providerCall(
        entry.account.id,
        watched.operation() ?? 'other',
        outcome,
        (performance.now() - started) / 1000,
      );
  }
}

/**
 * The provider as the call sees it, noting the first of its methods the call
 * runs (list, reboot, poll…): the metrics' operation label, taken from what
 * was really called rather than from what the caller meant to call.
 */
function watchOperation(provider: Provider): { provider: Provider; operation(): string | undefined } {
  let operation: string | undefined;
  const watched = new Proxy(provider, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        operation ??= property;
        return (value as (...args: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { provider: watched, operation: () => operation };
}

/** A read (`list`, `status`) through the provider's cache entry for `key`, when there is a cache. */
export async function readProvider<T>(
  entry: ConnectedProvider,
  options: CallOptions,
  key: string,
  call: (provider: Provider, ctx: CallContext) => Promise<T>,
): Promise<CachedValue<T>> {
  const load = () => callProvider(entry, options, call);
  if (!options.cache) return { value: await load() };
  return options.cache.read(entry.account.id, key, entry.account.cacheTtlMs, options.fresh, load);
}
