/**
 * What the dispatcher answers, independent of where the answer goes: the
 * Slack renderer and the CLI renderer both read these.
 */
import type {
  Listing,
  ListQuery,
  OperationProgress,
  OperationRef,
  Resource,
  VerbCapability,
} from '../../providers/types.ts';
import type { MutatingVerb, ProviderVerb, UsageError, Verb } from '../grammar/command.ts';

export interface ProviderRef {
  readonly id: string;
  readonly type: string;
  readonly label: string;
}

/** One provider's part of a fan-out read. */
export interface ListSection {
  readonly provider: ProviderRef;
  readonly listing?: Listing;
  readonly error?: unknown;
  readonly elapsedMs: number;
  /** Set when the listing came from the read cache: how old it is. */
  readonly cachedAgeMs?: number;
}

export interface ListOutcome {
  readonly kind: 'listing';
  /** What was asked for, so an empty answer can say what matched nothing. */
  readonly query: ListQuery;
  readonly sections: readonly ListSection[];
  /** Providers left out and why ("no regions"). */
  readonly skipped: readonly { readonly provider: ProviderRef; readonly reason: string }[];
}

export interface ResourceOutcome {
  readonly kind: 'resource';
  readonly resource: Resource;
  readonly provider: ProviderRef;
  /** Providers that could not be asked while looking the name up. */
  readonly unanswered: readonly { readonly provider: ProviderRef; readonly error: unknown }[];
  /** Set when the answer came from the read cache: how old it is. */
  readonly cachedAgeMs?: number;
}

export interface VerbAvailability {
  readonly verb: Verb;
  /** Providers that can run it, with what each declares; empty for bot verbs. */
  readonly providers: readonly { readonly provider: ProviderRef; readonly capability: VerbCapability }[];
}

export interface HelpOutcome {
  readonly kind: 'help';
  readonly topic?: Verb;
  readonly configured: readonly ProviderRef[];
  readonly availability: readonly VerbAvailability[];
  /** The provider a fixed-provider command (/dostat) is bound to. */
  readonly boundTo?: string;
  /** Verbs the caller may not run anywhere: help leaves them out. */
  readonly hidden?: readonly Verb[];
}

export interface UsageOutcome {
  readonly kind: 'usage';
  readonly error: UsageError;
}

export interface ErrorOutcome {
  readonly kind: 'error';
  readonly error: unknown;
  readonly verb?: Verb;
}

export interface ProviderReport {
  readonly provider: ProviderRef;
  readonly verbs: readonly ProviderVerb[];
  readonly reachable: boolean;
  readonly latencyMs?: number;
  readonly error?: unknown;
}

export interface ProvidersOutcome {
  readonly kind: 'providers';
  readonly reports: readonly ProviderReport[];
}

/** A mutation about to be sent to a provider. */
export interface OperationPlan {
  readonly verb: MutatingVerb;
  readonly provider: ProviderRef;
  /** The machine or stack as last seen; for create, what was asked for. */
  readonly target: { readonly kind: Resource['kind']; readonly name: string; readonly id?: string };
  readonly resource?: Resource;
  /** The options that shape it: force, deallocate, environment, service, wait, create params. */
  readonly options: Readonly<Record<string, string | boolean>>;
}

/** `unknown`: the request was sent but its answer lost or unreadable — it may or may not have started. */
export type OperationEnd = 'succeeded' | 'failed' | 'cancelled' | 'timed_out' | 'interrupted' | 'unknown';

export interface OperationOutcome {
  readonly kind: 'operation';
  readonly plan: OperationPlan;
  readonly ref?: OperationRef;
  readonly end: OperationEnd;
  readonly last?: OperationProgress;
  /** Why it did not succeed. */
  readonly error?: unknown;
  readonly elapsedMs: number;
  /** Its audit record could not be written: the log reference under which it is kept. */
  readonly unaudited?: string;
}

export type Outcome =
  | ListOutcome
  | ResourceOutcome
  | HelpOutcome
  | UsageOutcome
  | ErrorOutcome
  | ProvidersOutcome
  | OperationOutcome;

/** Callbacks through which a mutation reports while it runs. */
export interface OperationObserver {
  /** The target is resolved; nothing has reached the provider yet. */
  planned?(plan: OperationPlan): Promise<void> | void;
  /** The provider accepted the request. */
  accepted?(plan: OperationPlan, ref: OperationRef): Promise<void> | void;
  /** A new step was seen while following the operation. */
  progressed?(plan: OperationPlan, progress: OperationProgress): Promise<void> | void;
}
