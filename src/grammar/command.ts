/**
 * The typed result of parsing one line of user input. Every entry point
 * (slash command, mention, DM, CLI) produces one of these through the same
 * parser, so the dispatcher never sees raw text.
 */

/** Verbs that reach a provider module. */
export const PROVIDER_VERBS = [
  'list',
  'status',
  'reboot',
  'start',
  'stop',
  'create',
  'destroy',
  'deploy',
  'cancel',
] as const;
export type ProviderVerb = (typeof PROVIDER_VERBS)[number];

/** Verbs that change something at a provider: they never guess a target. */
export const MUTATING_VERBS = [
  'reboot',
  'start',
  'stop',
  'create',
  'destroy',
  'deploy',
  'cancel',
] as const satisfies readonly ProviderVerb[];
export type MutatingVerb = (typeof MUTATING_VERBS)[number];

/** Verbs the bot answers itself, from its store and policy. */
export const BOT_VERBS = ['jobs', 'job', 'audit', 'whoami', 'can-i', 'webhooks'] as const;
export type BotVerb = (typeof BOT_VERBS)[number];

/** The outage watch's verbs and the bot's own health: answered from the watch, the store and Slack. */
export const WATCH_VERBS = [
  'outages',
  'check',
  'resolve',
  'acknowledge',
  'ticket',
  'health',
  'testmode',
] as const;
export type WatchVerb = (typeof WATCH_VERBS)[number];

export const VERBS = ['help', 'providers', ...PROVIDER_VERBS, ...BOT_VERBS, ...WATCH_VERBS] as const;
export type Verb = (typeof VERBS)[number];

export function isBotVerb(verb: Verb): verb is BotVerb {
  return (BOT_VERBS as readonly string[]).includes(verb);
}

export function isWatchVerb(verb: Verb): verb is WatchVerb {
  return (WATCH_VERBS as readonly string[]).includes(verb);
}

export function isMutatingVerb(verb: Verb): verb is MutatingVerb {
  return (MUTATING_VERBS as readonly string[]).includes(verb);
}

/** Fields every command carries. */
export interface CommandBase {
  /** The text as the user typed it (after Slack's rewrites were undone). */
  readonly raw: string;
  /** `on PROVIDER`, `-p PROVIDER` or `--provider PROVIDER`: an id or a type. */
  readonly provider?: string;
  /** `--fresh`: skip any read cache. */
  readonly fresh: boolean;
  /** `--json`: machine-readable output (CLI). */
  readonly json: boolean;
  /** `--yes`: the CLI runs a mutation without asking; Slack always asks. */
  readonly yes: boolean;
}

export interface HelpCommand extends CommandBase {
  readonly verb: 'help';
  /** `help reboot` or `reboot -h`. */
  readonly topic?: Verb;
}

export interface ProvidersCommand extends CommandBase {
  readonly verb: 'providers';
}

export interface ListCommand extends CommandBase {
  readonly verb: 'list';
  /** Substring (case-insensitive) a machine or stack name must contain. */
  readonly filter?: string;
  readonly region?: string;
  readonly stack?: string;
}

export interface StatusCommand extends CommandBase {
  readonly verb: 'status';
  /** Machine name or id, or stack name (with `-s`). */
  readonly name: string;
  /** True when the name came from `-s STACK`: only stacks match. */
  readonly stackOnly: boolean;
  /** `-e ENVIRONMENT`: only the stack in that environment matches. */
  readonly environment?: string;
}

export interface MachineActionCommand extends CommandBase {
  readonly verb: 'reboot' | 'start' | 'destroy';
  readonly name: string;
}

export interface StopCommand extends CommandBase {
  readonly verb: 'stop';
  readonly name: string;
  /** `--force`: power off instead of a graceful shutdown. */
  readonly force: boolean;
  /** `--deallocate`: release the compute (Azure) so billing stops. */
  readonly deallocate: boolean;
}

export interface CreateCommand extends CommandBase {
  readonly verb: 'create';
  readonly name: string;
  /**
   * `size=`, `image=`, `region=`, `template=` and any provider-specific
   * `key=value`; the chosen provider's capability table says which it takes.
   */
  readonly params: Readonly<Record<string, string>>;
}

export interface DeployCommand extends CommandBase {
  readonly verb: 'deploy';
  readonly stack: string;
  readonly environment?: string;
  readonly service?: string;
  /** `-w false`: do not queue behind a deployment already running. */
  readonly wait: boolean;
}

export interface CancelCommand extends CommandBase {
  readonly verb: 'cancel';
  readonly stack: string;
  readonly environment?: string;
  readonly service?: string;
}

export interface JobsCommand extends CommandBase {
  readonly verb: 'jobs';
  /** `-n N` (default 15). */
  readonly limit: number;
}

export interface JobCommand extends CommandBase {
  readonly verb: 'job';
  readonly id: string;
  /** `job ID` shows it; `cancel job ID` cancels it where its provider can. */
  readonly action: 'show' | 'cancel';
}

export interface AuditCommand extends CommandBase {
  readonly verb: 'audit';
  /** `--user @x`: a Slack user id. */
  readonly user?: string;
  /** `--since 24h`, in milliseconds before now. */
  readonly sinceMs?: number;
  /** `--verb reboot` (aliases resolved). */
  readonly verbFilter?: Verb;
  /** `--limit N` (default 20). */
  readonly limit: number;
}

export interface WhoamiCommand extends CommandBase {
  readonly verb: 'whoami';
}

export interface CanICommand extends CommandBase {
  readonly verb: 'can-i';
  /** The command asked about: `can-i reboot web-1 on do`. */
  readonly question: Command;
}

export interface WebhooksCommand extends CommandBase {
  readonly verb: 'webhooks';
  /** `webhooks retry ID`: send that event again to each of its endpoints. */
  readonly retry?: string;
}

export interface OutagesCommand extends CommandBase {
  readonly verb: 'outages';
}

export interface CheckCommand extends CommandBase {
  readonly verb: 'check';
  /** A watched source's name; all of them when absent. */
  readonly source?: string;
}

/** A command about one incident: its ref (`github-3f9a2c`), `SOURCE/KEY`, a key or the source's id. */
export interface IncidentCommand extends CommandBase {
  readonly verb: 'resolve' | 'acknowledge' | 'ticket';
  readonly incident: string;
}

export interface HealthCommand extends CommandBase {
  readonly verb: 'health';
}

export interface TestmodeCommand extends CommandBase {
  readonly verb: 'testmode';
  /** `on` or `off`; absent: say whether it is on. */
  readonly on?: boolean;
}

export type WatchCommand = OutagesCommand | CheckCommand | IncidentCommand | HealthCommand | TestmodeCommand;

export type Command =
  | HelpCommand
  | ProvidersCommand
  | ListCommand
  | StatusCommand
  | MachineActionCommand
  | StopCommand
  | CreateCommand
  | DeployCommand
  | CancelCommand
  | JobsCommand
  | JobCommand
  | AuditCommand
  | WhoamiCommand
  | CanICommand
  | WebhooksCommand
  | WatchCommand;

export type CommandOf<V extends Verb> = Extract<Command, { verb: V }>;

/** Why a line could not be parsed. The reply shows `message`, then usage. */
export type UsageErrorCode =
  | 'unknown-verb'
  | 'missing-argument'
  | 'unexpected-argument'
  | 'unknown-option'
  | 'missing-value'
  | 'bad-value'
  | 'unbalanced-quote'
  /** Longer than MAX_COMMAND_LENGTH: refused before it is read. */
  | 'too-long';

export interface UsageError {
  readonly code: UsageErrorCode;
  readonly message: string;
  /** The verb whose usage applies, when one was recognised. */
  readonly verb?: Verb;
  /** "Did you mean" candidates, best first. */
  readonly suggestions: readonly string[];
}

export type ParseResult =
  | { readonly ok: true; readonly command: Command }
  | { readonly ok: false; readonly error: UsageError };
