/** What provider-module tests share: a call context, connecting a module, polling, expecting errors. */
import pino from 'pino';
import { expect } from 'vitest';
import type { AnyProviderModule } from '../../providers/registry.ts';
import type {
  CallContext,
  Machine,
  OperationProgress,
  Provider,
  ProviderModule,
} from '../../providers/types.ts';
import { CloudmasterError } from '../../src/errors.ts';

export function callContext(signal: AbortSignal = new AbortController().signal): CallContext {
  return { signal, fresh: false, log: pino({ level: 'silent' }) };
}

/** Validates `config` with the module's schema and connects it, as the registry would. */
export async function connectModule<M extends ProviderModule<never, never> | AnyProviderModule>(
  module: M,
  options: {
    readonly config: Record<string, unknown>;
    readonly id?: string;
    readonly timeoutMs?: number;
    readonly secretSources?: Record<string, string>;
  },
): Promise<Awaited<ReturnType<M['connect']>>> {
  const config = module.configSchema.parse(options.config);
  return (await module.connect({
    id: options.id ?? module.aliases[0] ?? module.type,
    label: module.label,
    config: config as never,
    timeoutMs: options.timeoutMs ?? 5_000,
    secretSources: options.secretSources ?? {},
    log: pino({ level: 'silent' }),
    clock: Date,
  })) as Awaited<ReturnType<M['connect']>>;
}

/** Polls until the operation ends; every progress seen, in order. */
export async function pollUntilDone(
  poll: () => Promise<OperationProgress>,
  intervalMs = 25,
): Promise<OperationProgress[]> {
  const seen: OperationProgress[] = [];
  for (let i = 0; i < 400; i++) {
    const progress = await poll();
    seen.push(progress);
    if (progress.state !== 'running') return seen;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error('the operation never ended');
}

/** The CloudmasterError a promise rejects with (the test fails otherwise). */
export async function rejection(promise: Promise<unknown>): Promise<CloudmasterError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CloudmasterError);
  return error as CloudmasterError;
}

/** The one machine a provider finds by that name (the test fails otherwise). */
export async function machineNamed(provider: Provider, name: string): Promise<Machine> {
  const found = (await provider.status?.(name, callContext())) ?? [];
  const [machine] = found;
  if (found.length !== 1 || machine?.kind !== 'machine')
    throw new Error(`expected one machine named ${name}, found ${found.length}`);
  return machine;
}
