/**
 * The outage watch's commands and the bot's own health, answered the same
 * for Slack (commands and buttons) and the CLI: `outages`, `check`,
 * `resolve`, `acknowledge`, `ticket`, `health` and `testmode`. Each is
 * authorised by the policy first (denials are recorded, as every denial
 * is); the ones that change something — resolve, acknowledge, ticket and
 * switching test mode — are recorded in the audit log whatever their end.
 */
import type { Clock } from '../../providers/types.ts';
import type { Dispatcher } from '../dispatch/dispatcher.ts';
import type { ProvidersOutcome } from '../dispatch/outcome.ts';
import type { CommandOf, IncidentCommand, WatchCommand } from '../grammar/command.ts';
import { describeError } from '../replies/describe-error.ts';
import type { SlackConnectionState } from '../slack-connection.ts';
import type { Store } from '../store/store.ts';
import { VERSION } from '../version.ts';
import type { Acknowledged, IncidentDesk, Ticketed } from '../watch/incident-desk.ts';
import type { ActiveIncident, SourceStatus, WatchService } from '../watch/service.ts';
import type { SourceReading } from '../watch/source.ts';
import type { Attempt, Origin } from './attempt.ts';
import type { Gatekeeper } from './gatekeeper.ts';
import type { TestMode, TestModeState } from './testmode.ts';

export interface OutagesAnswer {
  readonly kind: 'outages';
  readonly incidents: readonly ActiveIncident[];
  /** How many sources are watched (0: no watch section). */
  readonly watched: number;
}

export interface CheckAnswer {
  readonly kind: 'check';
  readonly results: readonly {
    readonly label: string;
    readonly name: string;
    readonly reading: SourceReading;
  }[];
}

export interface ResolvedAnswer {
  readonly kind: 'resolved';
  readonly ref: string;
  readonly label: string;
  readonly title: string;
}

export interface AcknowledgedAnswer extends Acknowledged {
  readonly kind: 'acknowledged';
}

export interface TicketAnswer extends Ticketed {
  readonly kind: 'ticket';
}

export interface HealthReport {
  /** Absent in the CLI, which does not connect to Slack. */
  readonly slack?: SlackConnectionState;
  readonly store: {
    readonly kind: Store['dialect'];
    readonly location: string;
    readonly pingMs?: number;
    readonly error?: unknown;
  };
  readonly providers: ProvidersOutcome['reports'];
  readonly sources: readonly SourceStatus[];
  readonly testmode: TestModeState;
  /** package.json's version. */
  readonly version: string;
  /** The operations HTTP listener's address, or "off"; absent in the CLI. */
  readonly listener?: string;
}

export interface HealthAnswer {
  readonly kind: 'health';
  readonly report: HealthReport;
}

export interface TestmodeAnswer {
  readonly kind: 'testmode';
  readonly state: TestModeState;
  /** False when it already was so, or when only asked. */
  readonly changed: boolean;
  /** Turned on: where the test incident went, or why none was posted. */
  readonly proof?:
    | { readonly posted: true; readonly channel: string }
    | { readonly posted: false; readonly reason: string };
}

export type WatchAnswer =
  | OutagesAnswer
  | CheckAnswer
  | ResolvedAnswer
  | AcknowledgedAnswer
  | TicketAnswer
  | HealthAnswer
  | TestmodeAnswer;

/** Refused or failed: what the shared answers say then. */
export type WatchRefusal =
  | { readonly kind: 'denied'; readonly reason: string; readonly what: string }
  | { readonly kind: 'error'; readonly error: unknown; readonly verb: WatchCommand['verb'] };

export interface WatchDeps {
  readonly gatekeeper: Gatekeeper;
  readonly dispatcher: Dispatcher;
  readonly testmode: TestMode;
  readonly watch: WatchService;
  readonly desk: IncidentDesk;
  readonly store: Store;
  readonly clock: Clock;
  /** The bot's Socket Mode connection; absent in the CLI. */
  readonly slack?: () => SlackConnectionState;
  /** The operations HTTP listener's address, or "off"; absent in the CLI. */
  readonly listener?: () => string;
}

const WHAT: Record<WatchCommand['verb'], (command: WatchCommand) => string> = {
  outages: () => 'see the outages',
  check: () => 'check the status pages',
  resolve: (command) => `resolve ${(command as IncidentCommand).incident}`,
  acknowledge: (command) => `acknowledge ${(command as IncidentCommand).incident}`,
  ticket: (command) => `open a ticket for ${(command as IncidentCommand).incident}`,
  health: () => 'see the bot’s health',
  testmode: () => 'switch test mode',
};

export async function answerWatchCommand(
  deps: WatchDeps,
  origin: Origin,
  command: WatchCommand,
): Promise<WatchAnswer | WatchRefusal> {
  const requestedAt = deps.clock.now();
  const decision = await deps.gatekeeper.authorise(origin, command);
  if (decision.effect === 'deny')
    return { kind: 'denied', reason: decision.reason, what: WHAT[command.verb](command) };
  const attempt: Attempt = { origin, requestedAt, command, decision };
  // Reads are not recorded; what changes something is, however it ends.
  const recorded =
    command.verb === 'resolve' ||
    command.verb === 'acknowledge' ||
    command.verb === 'ticket' ||
    (command.verb === 'testmode' && command.on !== undefined);
  try {
    const answer = await run(deps, origin, command);
    if (recorded) await deps.gatekeeper.record(attempt, 'succeeded', detailOf(answer));
    return answer;
  } catch (error) {
    if (recorded) await deps.gatekeeper.record(attempt, 'failed', describeError(error).message);
    return { kind: 'error', error, verb: command.verb };
  }
}

async function run(deps: WatchDeps, origin: Origin, command: WatchCommand): Promise<WatchAnswer> {
  const { watch, desk } = deps;
  switch (command.verb) {
    case 'outages':
      return { kind: 'outages', incidents: await watch.activeIncidents(), watched: watch.sources.length };
    case 'check': {
      const results = await watch.checkNow(command.source);
      return {
        kind: 'check',
        results: results.map(({ source, reading }) => ({ label: source.label, name: source.name, reading })),
      };
    }
    case 'resolve': {
      const found = await watch.resolve(command.incident, origin.user);
      return {
        kind: 'resolved',
        ref: command.incident,
        label: found.platform.label,
        title: found.incident.title,
      };
    }
    case 'acknowledge':
      return { kind: 'acknowledged', ...(await desk.acknowledge(command.incident, origin.user)) };
    case 'ticket':
      return { kind: 'ticket', ...(await desk.ticket(command.incident, origin.user)) };
    case 'health':
      return { kind: 'health', report: await healthReport(deps) };
    case 'testmode':
      return switchTestMode(deps, origin, command);
  }
}

async function switchTestMode(
  deps: WatchDeps,
  origin: Origin,
  command: CommandOf<'testmode'>,
): Promise<TestmodeAnswer> {
  if (command.on === undefined)
    return { kind: 'testmode', state: await deps.testmode.state(), changed: false };
  const changed = await deps.testmode.set(command.on, origin.user);
  const state = await deps.testmode.state();
  if (!command.on) return { kind: 'testmode', state, changed };
  const { watch } = deps;
  if (!watch.posts)
    return {
      kind: 'testmode',
      state,
      changed,
      proof: { posted: false, reason: 'the CLI does not post to Slack' },
    };
  const channel = watch.settings?.channel ?? origin.channel;
  try {
    const proof = await watch.proveNotices(channel, origin.user);
    return { kind: 'testmode', state, changed, proof: { posted: true, channel: proof.channel } };
  } catch (error) {
    return {
      kind: 'testmode',
      state,
      changed,
      proof: { posted: false, reason: describeError(error).message },
    };
  }
}

async function healthReport(deps: WatchDeps): Promise<HealthReport> {
  const started = performance.now();
  let store: HealthReport['store'];
  try {
    await deps.store.ping();
    store = { kind: deps.store.dialect, location: deps.store.location, pingMs: performance.now() - started };
  } catch (error) {
    store = { kind: deps.store.dialect, location: deps.store.location, error };
  }
  const [providers, sources, testmode] = await Promise.all([
    deps.dispatcher.run({ verb: 'providers', raw: 'providers', fresh: true, json: false, yes: false }),
    deps.watch.health(),
    deps.testmode.state(),
  ]);
  return {
    ...(deps.slack ? { slack: deps.slack() } : {}),
    store,
    providers: providers.kind === 'providers' ? providers.reports : [],
    sources,
    testmode,
    version: VERSION,
    ...(deps.listener ? { listener: deps.listener() } : {}),
  };
}

/** The audit's words for what a command did. */
function detailOf(answer: WatchAnswer): string | undefined {
  switch (answer.kind) {
    case 'resolved':
      return `${answer.ref} resolved by hand`;
    case 'acknowledged':
      return answer.won ? `${answer.found.ref} acknowledged` : `${answer.found.ref} was already acknowledged`;
    case 'ticket':
      return `${answer.opened.created ? 'opened' : 'already had'} ${answer.opened.ticket.system} ticket ${answer.opened.ticket.id} for ${answer.found.ref}`;
    case 'testmode':
      return `test mode ${answer.state.on ? 'on' : 'off'}${answer.changed ? '' : ' (it already was)'}`;
    default:
      return undefined;
  }
}
