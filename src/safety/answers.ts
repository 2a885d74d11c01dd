/**
 * Answers that are the policy's and the store's rather than a provider's,
 * and reads as the policy lets someone see them. Slack and the CLI both
 * call these and render the same answers.
 */
import type { DispatchContext, Dispatcher } from '../dispatch/dispatcher.ts';
import type { Outcome } from '../dispatch/outcome.ts';
import { CloudmasterError, ErrorCode } from '../errors.ts';
import type {
  AuditCommand,
  BotVerb,
  Command,
  JobCommand,
  JobsCommand,
  WebhooksCommand,
} from '../grammar/command.ts';
import type { CancelAnswer, JobRunner, StoredJob } from '../jobs/runner.ts';
import type { AuditRecord } from '../store/audit-log.ts';
import type { JobStep } from '../store/jobs.ts';
import type { EndpointSummary } from '../store/outbox.ts';
import type { Store } from '../store/store.ts';
import type { Origin } from './attempt.ts';
import type { Gatekeeper } from './gatekeeper.ts';
import { questionOf } from './gatekeeper.ts';
import { filterHelp, filterListing, maySee } from './reads.ts';
import { type CanIAnswer, canI, type Rights, rightsOf } from './rights.ts';
import type { DryRunOutcome } from './testmode.ts';
import type { WatchAnswer } from './watch-answers.ts';

/** The policy refused; the denial is recorded. */
export interface DeniedOutcome {
  readonly kind: 'denied';
  readonly reason: string;
  /** "reboot web-1 on demo", "read the audit log". */
  readonly what: string;
}

export interface AuditListing {
  readonly kind: 'audit';
  readonly command: AuditCommand;
  readonly records: readonly AuditRecord[];
}

export interface RightsOutcome {
  readonly kind: 'rights';
  readonly rights: Rights;
}

export interface CanIOutcome {
  readonly kind: 'can-i';
  readonly answer: CanIAnswer;
}

export interface JobsListing {
  readonly kind: 'jobs';
  readonly jobs: readonly StoredJob[];
  /** Jobs left out: the policy does not let the asker see their targets. */
  readonly hidden: number;
}

export interface JobView {
  readonly kind: 'job';
  readonly job: StoredJob;
  readonly steps: readonly JobStep[];
}

/** `webhooks`: each endpoint's deliveries; after `webhooks retry ID`, how many were sent again. */
export interface WebhooksOutcome {
  readonly kind: 'webhooks';
  readonly endpoints: readonly EndpointSummary[];
  readonly retried?: { readonly eventId: string; readonly deliveries: number };
}

export interface JobCancelOutcome {
  readonly kind: 'job-cancel';
  readonly answer: CancelAnswer;
}

export type Answer =
  | Outcome
  | DeniedOutcome
  | AuditListing
  | RightsOutcome
  | CanIOutcome
  | JobsListing
  | JobView
  | JobCancelOutcome
  | WebhooksOutcome
  | WatchAnswer
  | DryRunOutcome;

/** What answering the bot's own verbs needs. */
export interface BotDeps {
  readonly gatekeeper: Gatekeeper;
  readonly dispatcher: Dispatcher;
  readonly jobs: JobRunner;
  /** The webhooks' outbox (`webhooks`); absent: the answer says there is none to show. */
  readonly store?: Pick<Store, 'outbox'>;
}

function subjectOf(origin: Origin) {
  return { user: origin.user, channel: origin.channel };
}

/** `jobs`, `job`, `audit`, `whoami`, `can-i`. */
export async function answerBotCommand(
  deps: BotDeps,
  origin: Origin,
  command: Extract<Command, { verb: BotVerb }>,
): Promise<Answer> {
  const { gatekeeper, dispatcher } = deps;
  switch (command.verb) {
    case 'jobs':
      return listJobs(deps, origin, command);
    case 'job':
      return command.action === 'show' ? showJob(deps, origin, command) : cancelJob(deps, origin, command);
    case 'whoami':
      return {
        kind: 'rights',
        rights: await rightsOf(gatekeeper.policy, dispatcher.providers, subjectOf(origin)),
      };
    case 'can-i':
      try {
        return {
          kind: 'can-i',
          answer: await canI(gatekeeper.policy, dispatcher.providers, subjectOf(origin), command.question),
        };
      } catch (error) {
        return { kind: 'error', error, verb: 'can-i' };
      }
    case 'webhooks':
      return webhooks(deps, origin, command);
    case 'audit': {
      const decision = await gatekeeper.authorise(origin, command);
      if (decision.effect === 'deny')
        return { kind: 'denied', reason: decision.reason, what: 'read the audit log' };
      return { kind: 'audit', command, records: await gatekeeper.auditRecords(command) };
    }
  }
}

/** help, list, status, providers — as the policy lets `origin` see them. */
export async function governedRead(
  gatekeeper: Gatekeeper,
  dispatcher: Dispatcher,
  origin: Origin,
  command: Extract<Command, { verb: 'help' | 'list' | 'status' | 'providers' }>,
  ctx: DispatchContext,
): Promise<Answer> {
  const subject = subjectOf(origin);
  const { policy } = gatekeeper;
  if (command.verb === 'providers') {
    const decision = await gatekeeper.authorise(origin, command);
    if (decision.effect === 'deny')
      return { kind: 'denied', reason: decision.reason, what: 'list the providers' };
  }
  // Which machines may be seen is known once they are found: only a verb
  // denied everywhere stops here, before any lookup.
  if (
    (command.verb === 'list' || command.verb === 'status') &&
    !(await policy.outlook({ ...subject, verb: command.verb })).possible
  ) {
    const decision = await gatekeeper.authorise(origin, command);
    if (decision.effect === 'deny') {
      const what = command.verb === 'list' ? 'list machines' : `see ${command.name}`;
      return { kind: 'denied', reason: decision.reason, what };
    }
  }
  const outcome = await dispatcher.run(command, { ...ctx, maySee: maySee(policy, subject) });
  switch (outcome.kind) {
    case 'help':
      return filterHelp(policy, subject, outcome);
    case 'listing':
      return filterListing(policy, subject, outcome);
    case 'resource': {
      // The name is known only now: the policy decides on what was found.
      const { resource } = outcome;
      const decision = await gatekeeper.authorise(origin, command, {
        provider: { id: outcome.provider.id, type: outcome.provider.type },
        target: resource.name,
        ...(resource.kind === 'stack' ? { environment: resource.environment } : {}),
      });
      return decision.effect === 'deny'
        ? { kind: 'denied', reason: decision.reason, what: `see ${resource.name}` }
        : outcome;
    }
    default:
      return outcome;
  }
}

/** What the policy needs to know of a job's target. */
function jobQuestion(job: StoredJob) {
  return questionOf(job.payload.prepared.plan);
}

async function listJobs(deps: BotDeps, origin: Origin, command: JobsCommand): Promise<Answer> {
  const { gatekeeper } = deps;
  const subject = subjectOf(origin);
  if (!(await gatekeeper.policy.outlook({ ...subject, verb: 'jobs' })).possible) {
    const decision = await gatekeeper.authorise(origin, command);
    if (decision.effect === 'deny') return { kind: 'denied', reason: decision.reason, what: 'list jobs' };
  }
  const recent = await deps.jobs.store.recent<StoredJob['payload']>(command.limit);
  const visible: StoredJob[] = [];
  for (const job of recent) {
    const decision = await gatekeeper.policy.decide({ ...subject, verb: 'jobs', ...jobQuestion(job) });
    if (decision.effect === 'allow') visible.push(job);
  }
  return { kind: 'jobs', jobs: visible, hidden: recent.length - visible.length };
}

async function findJob(deps: BotDeps, origin: Origin, command: JobCommand): Promise<StoredJob | Answer> {
  const job = await deps.jobs.store.get<StoredJob['payload']>(command.id);
  if (!job) {
    return {
      kind: 'error',
      verb: 'job',
      error: new CloudmasterError(ErrorCode.NotFound, `There is no job ${command.id}.`, {
        hint: '`jobs` lists the running and recent ones.',
      }),
    };
  }
  const decision = await deps.gatekeeper.authorise(origin, command, jobQuestion(job));
  if (decision.effect === 'deny')
    return { kind: 'denied', reason: decision.reason, what: `see job ${job.id}` };
  return job;
}

async function showJob(deps: BotDeps, origin: Origin, command: JobCommand): Promise<Answer> {
  const found = await findJob(deps, origin, command);
  if (!('payload' in found)) return found;
  return { kind: 'job', job: found, steps: await deps.jobs.store.steps(found.id) };
}

/**
 * `cancel job ID`: governed as `cancel` on the job's provider and target;
 * it stops what was already confirmed, so it asks nothing more; recorded.
 */
async function cancelJob(deps: BotDeps, origin: Origin, command: JobCommand): Promise<Answer> {
  const job = await deps.jobs.store.get<StoredJob['payload']>(command.id);
  if (!job) return showJob(deps, origin, command);
  const { gatekeeper } = deps;
  const plan = job.payload.prepared.plan;
  const requestedAt = Date.now();
  const decision = await gatekeeper.policy.decide({
    ...subjectOf(origin),
    verb: 'cancel',
    ...jobQuestion(job),
  });
  const attempt = { origin, requestedAt, command, decision, plan };
  if (decision.effect !== 'allow') {
    const reason =
      decision.effect === 'deny'
        ? decision.reason
        : 'cancelling it needs approval, which a job cancel cannot ask for';
    await gatekeeper.record(attempt, 'denied', reason);
    return { kind: 'denied', reason, what: `cancel job ${job.id}` };
  }
  const answer = await deps.jobs.cancel(job.id, origin.user);
  await gatekeeper.record(
    attempt,
    answer.kind === 'requested' ? 'succeeded' : 'failed',
    answer.kind === 'requested' ? `cancellation of job ${job.id} requested` : `job ${job.id}: ${answer.kind}`,
  );
  return { kind: 'job-cancel', answer };
}

/** `webhooks` (a read) and `webhooks retry ID` (recorded: it sends an event out again). */
async function webhooks(deps: BotDeps, origin: Origin, command: WebhooksCommand): Promise<Answer> {
  const { gatekeeper } = deps;
  const decision = await gatekeeper.authorise(origin, command);
  if (decision.effect === 'deny')
    return {
      kind: 'denied',
      reason: decision.reason,
      what: command.retry ? `send event ${command.retry} again` : 'see the webhooks',
    };
  const outbox = deps.store?.outbox;
  if (!outbox) return { kind: 'webhooks', endpoints: [] };
  if (!command.retry) return { kind: 'webhooks', endpoints: await outbox.summary() };
  const requestedAt = Date.now();
  const deliveries = await outbox.retry(command.retry, requestedAt);
  await gatekeeper.record(
    { origin, requestedAt, command, decision },
    deliveries > 0 ? 'succeeded' : 'failed',
    deliveries > 0
      ? `event ${command.retry} sent again to ${deliveries} endpoint(s)`
      : `no event ${command.retry}`,
  );
  return {
    kind: 'webhooks',
    endpoints: await outbox.summary(),
    retried: { eventId: command.retry, deliveries },
  };
}
