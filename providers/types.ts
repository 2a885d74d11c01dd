/**
 * The provider contract: what every cloud module declares and implements.
 *
 * A module is split in two: a light *declaration* (type, label, config
 * schema, capability table) that the registry, help and the `providers`
 * reply read without loading any SDK, and `connect()`, which loads the heavy
 * client lazily and returns an instance whose methods match the declared
 * capabilities — the compiler checks that they do (see `ProviderFor`).
 */
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { MutatingVerb, ProviderVerb } from '../src/grammar/command.ts';

export const MACHINE_STATUSES = [
  'running',
  'stopped',
  'starting',
  'stopping',
  'rebooting',
  'provisioning',
  'deleting',
  'error',
  'unknown',
] as const;
/** One normalised set across providers (SPEC §4). */
export type MachineStatus = (typeof MACHINE_STATUSES)[number];

export interface Machine {
  readonly kind: 'machine';
  /** The configured provider id ("do", "aws-prod"), not the type. */
  readonly provider: string;
  readonly id: string;
  readonly name: string;
  readonly status: MachineStatus;
  /** The provider's own word for the state ("active", "off", "poweredOn"). */
  readonly providerStatus: string;
  readonly publicIpv4?: string;
  readonly privateIpv4?: string;
  /** Region or zone. */
  readonly region?: string;
  readonly size?: string;
  /** ISO-8601. */
  readonly createdAt?: string;
  /** Provider-specific facts shown by `status` (guest OS, CPUs, host…). */
  readonly details?: Readonly<Record<string, string>>;
}

export const STACK_STATUSES = [
  'deployed',
  'queued',
  'deploying',
  'cancelling',
  'failed',
  'analysing',
  'unknown',
] as const;
export type StackStatus = (typeof STACK_STATUSES)[number];

export interface Deployment {
  readonly id: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  /** "success", "failed", "cancelled", or the provider's word. */
  readonly outcome?: string;
  readonly triggeredBy?: string;
  readonly services?: readonly string[];
}

export interface Stack {
  readonly kind: 'stack';
  readonly provider: string;
  readonly id: string;
  readonly name: string;
  readonly environment: string;
  readonly status: StackStatus;
  readonly providerStatus: string;
  readonly lastDeployment?: Deployment;
  readonly details?: Readonly<Record<string, string>>;
}

export type Resource = Machine | Stack;

export interface ListQuery {
  readonly region?: string;
  readonly stack?: string;
  /** Case-insensitive substring of the name. */
  readonly filter?: string;
}

export interface Listing {
  readonly machines: readonly Machine[];
  readonly stacks: readonly Stack[];
  /** Shown in the reply, e.g. "stopped after 50 pages". */
  readonly warnings: readonly string[];
}

/** Given to every provider call. */
export interface CallContext {
  /** Aborted at the per-provider timeout or at shutdown. */
  readonly signal: AbortSignal;
  /** `--fresh`: bypass read caches. */
  readonly fresh: boolean;
  readonly log: Logger;
}

/**
 * A reference to an operation started at a provider: plain JSON, enough to
 * follow the operation later (after a restart, on another replica) without
 * starting it again.
 */
export interface OperationRef {
  readonly verb: MutatingVerb;
  readonly provider: string;
  readonly target: {
    readonly kind: Resource['kind'];
    readonly id: string;
    readonly name: string;
  };
  /** The provider's action / task / deployment id, when it has one. */
  readonly operationId?: string;
  /** ISO-8601. */
  readonly startedAt: string;
  /** What the provider said when it accepted the request. */
  readonly accepted?: string;
  /** Module-private facts needed to poll (kept as strings: stored as JSON). */
  readonly data?: Readonly<Record<string, string>>;
}

export type OperationState = 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface OperationProgress {
  readonly state: OperationState;
  /** Human-readable step: "rebooting", "running again". */
  readonly step: string;
  /** The latest view of the target, when the provider has it. */
  readonly resource?: Resource;
  /** Why it failed, in the provider's words. */
  readonly reason?: string;
}

export interface StopOptions {
  readonly force: boolean;
  readonly deallocate: boolean;
}

export interface CreateRequest {
  readonly name: string;
  readonly params: Readonly<Record<string, string>>;
}

export interface DeployOptions {
  readonly environment?: string;
  readonly service?: string;
  /** False: fail rather than queue behind a running deployment. */
  readonly wait: boolean;
}

export interface CancelOptions {
  readonly environment?: string;
  readonly service?: string;
}

/** One method per provider verb; a module implements those it declares. */
export interface ProviderOperations {
  list(query: ListQuery, ctx: CallContext): Promise<Listing>;
  /** Exact name or id; several results when names repeat. */
  status(nameOrId: string, ctx: CallContext): Promise<readonly Resource[]>;
  reboot(machine: Machine, ctx: CallContext): Promise<OperationRef>;
  start(machine: Machine, ctx: CallContext): Promise<OperationRef>;
  stop(machine: Machine, options: StopOptions, ctx: CallContext): Promise<OperationRef>;
  create(request: CreateRequest, ctx: CallContext): Promise<OperationRef>;
  destroy(machine: Machine, ctx: CallContext): Promise<OperationRef>;
  deploy(stack: Stack, options: DeployOptions, ctx: CallContext): Promise<OperationRef>;
  cancel(stack: Stack, options: CancelOptions, ctx: CallContext): Promise<OperationRef>;
}

/** Grammar options a provider may honour for a verb. */
export type CapabilityOption =
  | 'region'
  | 'stack'
  | 'force'
  | 'deallocate'
  | 'environment'
  | 'service'
  | 'wait';

/**
 * What a parameter's value names at the provider, when it names something
 * that already exists. `source`: a machine or image the new machine is
 * copied from — the policy must let the requester read (`status`) that name
 * on the same provider. `placement`: a network, group, host, store or region
 * it goes into. The account's `allowed:` may list the values people may give
 * for either.
 */
export type ParamRole = 'source' | 'placement';

export interface ParamSpec {
  readonly description: string;
  /** Config key whose value is used when the user gives none. */
  readonly defaultFrom?: string;
  readonly role?: ParamRole;
  /** The value is a comma-separated list: each item is checked on its own. */
  readonly list?: boolean;
}

export interface VerbCapability {
  readonly options?: readonly CapabilityOption[];
  /** `key=value` parameters the verb takes (create). */
  readonly params?: Readonly<Record<string, ParamSpec>>;
  /** One line for help, e.g. "clone of a template". */
  readonly note?: string;
}

export type CapabilityTable = { readonly [V in ProviderVerb]?: VerbCapability };

/** Methods every provider instance has. */
export interface ProviderBase {
  readonly id: string;
  readonly type: string;
  /** Cheap reachability check for `providers` and health. */
  ping?(ctx: CallContext): Promise<void>;
  /** Release sessions and sockets at shutdown. */
  close?(): Promise<void>;
  /**
   * Stops an operation this module started and is following (a vSphere
   * task, say). Deploys of modules with `cancel` are cancelled through it.
   */
  cancelOperation?(operation: OperationRef, ctx: CallContext): Promise<void>;
}

/** Follow an operation started by one of the mutating methods. */
export interface Pollable {
  poll(operation: OperationRef, ctx: CallContext): Promise<OperationProgress>;
}

type DeclaredVerbs<C extends CapabilityTable> = Extract<keyof C, ProviderVerb>;

/**
 * The instance type a module must return for its declared capabilities:
 * every declared verb's method is required; `poll` is required as soon as
 * one mutating verb is declared. Undeclared verbs stay optional members.
 */
export type ProviderFor<C extends CapabilityTable> = ProviderBase &
  Pick<ProviderOperations, DeclaredVerbs<C>> &
  Partial<ProviderOperations> &
  (Extract<DeclaredVerbs<C>, MutatingVerb> extends never ? Partial<Pollable> : Pollable);

/** What the dispatcher holds: any provider, abilities checked at run time. */
export type Provider = ProviderBase & Partial<ProviderOperations> & Partial<Pollable>;

/** Injected time source, so simulated transitions and tests can use a fake clock. */
export interface Clock {
  now(): number;
}

export interface ProviderSetup<Config> {
  /** The id people type ("do", "lab"). */
  readonly id: string;
  /** What replies call it (config `label`, else the module's). */
  readonly label: string;
  readonly config: Config;
  /** This account's read deadline: an HTTP layer's whole budget for one call. */
  readonly timeoutMs: number;
  /**
   * Config key → the environment variable its value came from
   * ({token: "DIGITALOCEAN_TOKEN"}), so errors can name the variable, never the value.
   */
  readonly secretSources: Readonly<Record<string, string>>;
  readonly log: Logger;
  readonly clock: Clock;
}

/** A provider account as `fromEnvironment` finds it. */
export interface EnvironmentAccount {
  readonly id: string;
  readonly config: Readonly<Record<string, unknown>>;
  /** Config key → the variable that supplied it. */
  readonly sources?: Readonly<Record<string, string>>;
}

export interface ProviderModule<Config = unknown, C extends CapabilityTable = CapabilityTable> {
  /** The `type:` in config ("digitalocean"). */
  readonly type: string;
  /** Other words users may type for the type ("do"). */
  readonly aliases: readonly string[];
  /** Human name ("DigitalOcean"). */
  readonly label: string;
  /** Module-specific config keys; `type`, `timeout` and `label` are common. */
  readonly configSchema: z.ZodType<Config>;
  /** Config keys whose values are secrets: redacted from logs and replies. */
  readonly secretKeys: readonly string[];
  /**
   * How long `list`/`status` answers are cached unless the config says
   * otherwise; settings.cacheTtl when absent. The in-process simulator uses 0.
   */
  readonly defaultCacheTtlMs?: number;
  /** Operations are polled no more often than this unless the account's `pollInterval` says so (tight rate limits). */
  readonly minPollIntervalMs?: number;
  readonly capabilities: C;
  /** Without a config file: the account the environment describes, if any. */
  fromEnvironment?(env: Readonly<Record<string, string | undefined>>): EnvironmentAccount | undefined;
  /** Loads the client (lazily) and returns a ready instance. */
  connect(setup: ProviderSetup<Config>): Promise<ProviderFor<C>>;
}
