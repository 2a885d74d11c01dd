/**
 * The one path every command takes before it reaches a provider:
 * authorise (policy) → prepare (resolve the target, nothing sent) →
 * confirm or approve (a pending request in the store) → execute → record.
 * It knows nothing of Slack: the conversation layer shows what it answers,
 * and the CLI asks its own questions.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../providers/types.ts';
import type { Settings } from '../config/settings.ts';
import type { DispatchContext, Dispatcher, PreparedMutation } from '../dispatch/dispatcher.ts';
import { sourcesOf } from '../dispatch/mutation-options.ts';
import type { OperationOutcome, OperationPlan } from '../dispatch/outcome.ts';
import type { MutationCommand } from '../dispatch/request.ts';
import type { FixedProvider } from '../entry-points.ts';
import { CloudmasterError, ErrorCode } from '../errors.ts';
import type { AuditCommand, Command } from '../grammar/command.ts';
import type { Redactor } from '../log/redact.ts';
import type { Decision, Policy, PolicyQuestion } from '../policy/policy.ts';
import { isGoverned } from '../policy/verbs.ts';
import { describeError, logReference } from '../replies/describe-error.ts';
import type { AuditOutcome, AuditRecord } from '../store/audit-log.ts';
import type { PendingKind, PendingRequest, PromptMessage } from '../store/pending-requests.ts';
import type { Store } from '../store/store.ts';
import { type Attempt, auditOutcomeOf, auditRecord, type Origin } from './attempt.ts';
import { changedDecision, decideAgain } from './click-policy.ts';
import { maySee } from './reads.ts';
import { decideWithSources } from './sources.ts';

/** What a pending request keeps, so any replica (or this one after a restart) can go on with it. */
export interface PendingPayload {
  readonly command: MutationCommand;
  readonly plan: OperationPlan;
  readonly fixed?: FixedProvider;
  readonly requestedAt: number;
  readonly decision: Decision;
}

export type Pending = PendingRequest<PendingPayload>;

export type Gate =
  | { readonly kind: 'none' }
  | { readonly kind: 'confirm' }
  | { readonly kind: 'approve'; readonly approvers: readonly string[] };

export type Admission =
  /** Refused by the policy; already recorded. */
  | { readonly kind: 'denied'; readonly attempt: Attempt; readonly reason: string }
  /** The target could not be resolved (unknown, ambiguous, provider down); already recorded. */
  | { readonly kind: 'failed'; readonly attempt: Attempt; readonly error: unknown }
  /** Allowed; `gate` says what must happen before it runs. */
  | {
      readonly kind: 'ready';
      readonly attempt: Attempt;
      readonly prepared: PreparedMutation;
      readonly gate: Gate;
    };

export type ClickAction = 'confirm' | 'cancel' | 'approve' | 'reject';

export type ClickOutcome =
  /**
   * The clicker may not do that; nothing ran. `ended`: the policy no longer
   * allows the request at all, so it ended (state `failed`, recorded as denied).
   */
  | { readonly kind: 'refused'; readonly request: Pending; readonly reason: string; readonly ended?: boolean }
  /** Already decided (or unknown); `request` says by whom and how. */
  | { readonly kind: 'lost'; readonly request: Pending | undefined }
  /** Ended without running (cancelled, rejected, expired); recorded. */
  | { readonly kind: 'ended'; readonly request: Pending; readonly outcome: AuditOutcome }
  /** Confirmed or approved, but the target is not what was confirmed any more; recorded. */
  | { readonly kind: 'failed'; readonly request: Pending; readonly attempt: Attempt; readonly error: unknown }
  /** Confirmed or approved: run it. */
  | {
      readonly kind: 'run';
      readonly request: Pending;
      readonly attempt: Attempt;
      readonly prepared: PreparedMutation;
    };

export interface GatekeeperDeps {
  readonly dispatcher: Dispatcher;
  readonly store: Store;
  readonly policy: Policy;
  readonly settings: Settings;
  readonly clock: Clock;
  readonly log: Logger;
  readonly redactor: Redactor;
}

export class Gatekeeper {
  readonly policy: Policy;
  private readonly deps: GatekeeperDeps;

  constructor(deps: GatekeeperDeps) {
    this.deps = deps;
    this.policy = deps.policy;
  }

  private now(): number {
    return this.deps.clock.now();
  }

  /** Where a lookup for `origin` runs: its fixed provider type, and what it may see. */
  private context(origin: Origin): DispatchContext {
    return {
      ...(origin.fixed ? { fixed: origin.fixed } : {}),
      maySee: maySee(this.policy, { user: origin.user, channel: origin.channel }),
    };
  }

  /** The policy's word on a command that is not a mutation (reads, audit); denials are recorded. */
  async authorise(
    origin: Origin,
    command: Command,
    question: Partial<PolicyQuestion> = {},
  ): Promise<Decision> {
    if (!isGoverned(command.verb)) return { effect: 'allow', rule: 'everyone may', confirm: false };
    const requestedAt = this.now();
    const decision = await this.policy.decide({
      user: origin.user,
      channel: origin.channel,
      verb: command.verb,
      ...question,
    });
    if (decision.effect !== 'allow') {
      const denied: Decision =
        decision.effect === 'deny'
          ? decision
          : { effect: 'deny', rule: decision.rule, reason: 'approval is for changes, not reads' };
      await this.record({ origin, requestedAt, command, decision: denied }, 'denied', denied.reason);
      return denied;
    }
    return decision;
  }

  /** Claims a Slack delivery (event, envelope, click); false when it was seen before, here or on a replica. */
  claim(key: string): Promise<boolean> {
    return this.deps.store.keys.claim(key, `pid:${process.pid}`, this.now(), 24 * 3_600_000);
  }

  /** Decides whether a mutation may go ahead, and what it waits for. */
  async admit(origin: Origin, command: MutationCommand): Promise<Admission> {
    const requestedAt = this.now();
    const subject = { user: origin.user, channel: origin.channel, verb: command.verb };
    // Before any lookup: a verb nobody lets this user run anywhere is refused at once.
    const outlook = await this.policy.outlook(subject);
    if (!outlook.possible) {
      const decision: Decision = { effect: 'deny', rule: outlook.rule, reason: outlook.reason };
      const attempt: Attempt = { origin, requestedAt, command, decision };
      await this.record(attempt, 'denied', decision.reason);
      return { kind: 'denied', attempt, reason: decision.reason };
    }
    let prepared: PreparedMutation;
    try {
      prepared = await this.deps.dispatcher.prepare(command, this.context(origin));
    } catch (error) {
      const attempt: Attempt = {
        origin,
        requestedAt,
        command,
        decision: { effect: 'allow', rule: outlook.rule, confirm: true },
      };
      await this.record(attempt, 'failed', describeError(error).message);
      return { kind: 'failed', attempt, error };
    }
    // A create's sources (template=, image=) are reads: refused when the requester may not read them.
    const question = { ...subject, ...questionOf(prepared.plan) };
    const decision = await decideWithSources(this.policy, question, sourcesOf(prepared.entry, command));
    const attempt: Attempt = { origin, requestedAt, command, decision, plan: prepared.plan };
    switch (decision.effect) {
      case 'deny':
        await this.record(attempt, 'denied', decision.reason);
        return { kind: 'denied', attempt, reason: decision.reason };
      case 'approve':
        return { kind: 'ready', attempt, prepared, gate: { kind: 'approve', approvers: decision.approvers } };
      case 'allow':
        return {
          kind: 'ready',
          attempt,
          prepared,
          gate: decision.confirm ? { kind: 'confirm' } : { kind: 'none' },
        };
    }
  }

  /** Keeps an admitted mutation waiting for its click; it expires after settings.confirmTimeout. */
  async hold(admission: Extract<Admission, { kind: 'ready' }>): Promise<Pending> {
    const { attempt, prepared, gate } = admission;
    const kind: PendingKind = gate.kind === 'approve' ? 'approve' : 'confirm';
    const now = this.now();
    return this.deps.store.pending.create<PendingPayload>({
      kind,
      requester: attempt.origin.user,
      channel: attempt.origin.channel,
      entry: attempt.origin.entry,
      rawText: attempt.origin.rawText,
      payload: {
        command: prepared.command,
        plan: prepared.plan,
        ...(attempt.origin.fixed ? { fixed: attempt.origin.fixed } : {}),
        requestedAt: attempt.requestedAt,
        decision: attempt.decision,
      },
      decision: attempt.decision.effect,
      rule: attempt.decision.rule,
      approvers: gate.kind === 'approve' ? gate.approvers : [],
      createdAt: now,
      expiresAt: now + this.deps.settings.confirmTimeout,
    });
  }

  /** Where the prompt was posted, so expiry can update it. */
  attach(request: Pending, message: PromptMessage): Promise<void> {
    return this.deps.store.pending.setMessage(request.id, message);
  }

  /** A click on a prompt's button. Exactly one click decides; the others learn who did. */
  async click(user: string, requestId: string, action: ClickAction): Promise<ClickOutcome> {
    const request = await this.deps.store.pending.get<PendingPayload>(requestId);
    if (!request) return { kind: 'lost', request: undefined };
    if (request.state !== 'pending') return { kind: 'lost', request };
    const refusal = await this.refusal(user, request, action);
    if (refusal) return { kind: 'refused', request, reason: refusal };
    const now = this.now();
    if (request.expiresAt <= now) {
      const [expired] = await this.deps.store.pending.expire<PendingPayload>(now, request.id);
      if (!expired) return { kind: 'lost', request: await this.deps.store.pending.get(requestId) };
      await this.recordEnded(expired, 'expired');
      return { kind: 'ended', request: expired, outcome: 'expired' };
    }
    // What was allowed when it was asked may not be now (the bot restarted with another policy).
    let current: Decision | undefined;
    if (action === 'confirm' || action === 'approve') {
      const { command, plan } = request.payload;
      const entry = this.deps.dispatcher.providers.entries.find((e) => e.account.id === plan.provider.id);
      // A provider gone from the config has no sources to read; resuming then fails on the provider anyway.
      const sources = entry ? sourcesOf(entry, command) : [];
      current = await decideAgain(this.policy, request, questionOf(plan), sources);
      const changed = changedDecision(user, request, current);
      if (changed) {
        // No click can make it run now: it ends here, once, so neither a later click nor expiry records it again.
        const ended = await this.deps.store.pending.fail<PendingPayload>(request.id, changed.ended, now);
        if (!ended) return { kind: 'lost', request: await this.deps.store.pending.get(requestId) };
        await this.record({ ...this.attemptOf(request), decision: current }, 'denied', changed.detail);
        return { kind: 'refused', request: ended, reason: changed.reason, ended: true };
      }
      if (
        current.effect === 'approve' &&
        !(await this.policy.mayApprove(user, request.requester, current.approvers))
      )
        return {
          kind: 'refused',
          request,
          reason: `Only ${approverList(current.approvers)} can approve this request now (rule “${current.rule}”).`,
        };
    }
    const state = {
      confirm: 'confirmed',
      approve: 'approved',
      cancel: 'cancelled',
      reject: 'rejected',
    } as const;
    const decided = await this.deps.store.pending.decide<PendingPayload>(requestId, state[action], user, now);
    if (!decided.won) return { kind: 'lost', request: decided.request };
    const won = decided.request;
    if (action === 'cancel' || action === 'reject') {
      const outcome = action === 'cancel' ? 'cancelled' : 'rejected';
      await this.recordEnded(won, outcome);
      return { kind: 'ended', request: won, outcome };
    }
    return this.resume(won, current);
  }

  /**
   * Ends a request nobody can click (its prompt could not be posted), with
   * why, and records it; false when it was decided or ended meanwhile.
   */
  async abandon(request: Pending, reason: string): Promise<boolean> {
    const ended = await this.deps.store.pending.fail<PendingPayload>(request.id, reason, this.now());
    if (ended) await this.record(this.attemptOf(ended), 'failed', `${reason}; nothing was done`);
    return ended !== undefined;
  }

  /** Expires what nobody clicked in time; each one is returned (and recorded) by exactly one replica. */
  async sweep(): Promise<Pending[]> {
    const expired = await this.deps.store.pending.expire<PendingPayload>(this.now());
    for (const request of expired) await this.recordEnded(request, 'expired');
    return expired;
  }

  /** The audit log as `audit` asks for it (newest first). */
  auditRecords(command: AuditCommand): Promise<AuditRecord[]> {
    return this.deps.store.audit.query({
      limit: command.limit,
      ...(command.user ? { userId: command.user } : {}),
      ...(command.sinceMs !== undefined ? { since: this.now() - command.sinceMs } : {}),
      ...(command.verbFilter ? { verb: command.verbFilter } : {}),
    });
  }

  /**
   * Records the end of a mutation that ran; undefined once written, else the
   * log reference under which the record that could not be written is kept.
   */
  finish(attempt: Attempt, outcome: OperationOutcome, jobId?: string): Promise<string | undefined> {
    const problem =
      outcome.error === undefined ? undefined : describeError(outcome.error, this.deps.log).message;
    return this.record(
      attempt,
      auditOutcomeOf(outcome),
      problem ?? outcome.last?.step,
      outcome.ref?.operationId,
      jobId,
    );
  }

  /**
   * A confirmed change that could not even start (its job or its audit
   * cannot be written): recorded as failed where the store still lets it,
   * else kept in the log like any refused record.
   */
  async notStarted(attempt: Attempt, plan: OperationPlan, error: unknown): Promise<OperationOutcome> {
    const outcome: OperationOutcome = { kind: 'operation', plan, end: 'failed', error, elapsedMs: 0 };
    await this.finish(attempt, outcome);
    return outcome;
  }

  /**
   * Records an attempt; undefined once written. A record the store refuses is
   * kept in the log, and the reference to that line is returned, so that a
   * change that ran can say it is not in the audit log.
   */
  async record(
    attempt: Attempt,
    outcome: AuditOutcome,
    detail?: string,
    requestId?: string,
    /** The job whose end this is: its record is written once, however many processes finish it. */
    jobId?: string,
  ): Promise<string | undefined> {
    const { redactor } = this.deps;
    const record = auditRecord(attempt, {
      outcome,
      at: this.now(),
      ...(detail ? { detail: redactor.text(detail) } : {}),
      ...(requestId ? { requestId } : {}),
    });
    try {
      await this.deps.store.audit.append(
        redactor.deep({ ...record, rawText: redactor.text(record.rawText) }),
        jobId === undefined ? undefined : { id: jobId, at: this.now() },
      );
      return undefined;
    } catch (error) {
      // The attempt happened whether or not it could be written: the log keeps it then.
      const reference = logReference();
      this.deps.log.error({ err: error, audit: record, reference }, 'could not write an audit record');
      return reference;
    }
  }

  /** The attempt a stored request stands for. */
  attemptOf(request: Pending): Attempt {
    const { payload } = request;
    const signoff =
      request.decidedBy && request.decidedAt ? { user: request.decidedBy, at: request.decidedAt } : undefined;
    return {
      origin: {
        user: request.requester,
        channel: request.channel ?? 'unknown',
        entry: request.entry,
        rawText: request.rawText,
        ...(payload.fixed ? { fixed: payload.fixed } : {}),
      },
      requestedAt: payload.requestedAt,
      command: payload.command,
      decision: payload.decision,
      plan: payload.plan,
      ...(signoff && request.state === 'confirmed' ? { confirmed: signoff } : {}),
      ...(signoff && request.state === 'approved' ? { approved: signoff } : {}),
      requestId: request.id,
    };
  }

  private recordEnded(request: Pending, outcome: AuditOutcome): Promise<string | undefined> {
    const detail =
      outcome === 'expired'
        ? `nobody ${request.kind === 'approve' ? 'approved' : 'confirmed'} in time; nothing was done`
        : `${outcome} by ${request.decidedBy ?? 'unknown'}; nothing was done`;
    return this.record(this.attemptOf(request), outcome, detail);
  }

  /** Why `user` may not click `action` on `request`, or undefined when they may. */
  private async refusal(user: string, request: Pending, action: ClickAction): Promise<string | undefined> {
    const requester = `<@${request.requester}>`;
    if (request.kind === 'confirm') {
      if (action === 'approve' || action === 'reject') return 'This request needs no approval.';
      return user === request.requester ? undefined : `Only ${requester} can ${action} this request.`;
    }
    if (action === 'confirm') return `This request needs an approver’s Approve, not a confirmation.`;
    if (action === 'cancel')
      return user === request.requester ? undefined : `Only ${requester} can withdraw this request.`;
    if (user === request.requester) return 'You asked for it, so someone else must approve or reject it.';
    if (this.policy.ownerOf(request.requester) === user)
      return `You stand behind ${request.requester}, which asked for it, so someone else must approve or reject it.`;
    return (await this.policy.mayApprove(user, request.requester, request.approvers))
      ? undefined
      : `Only ${approverList(request.approvers)} can ${action} this request.`;
  }

  /**
   * Confirmed or approved: look the target up again, pinned to the same
   * provider, and go on only if it is still the one that was shown. The
   * audit credits the rule that allows it now.
   */
  private async resume(request: Pending, current: Decision | undefined): Promise<ClickOutcome> {
    const stored = this.attemptOf(request);
    const attempt: Attempt = current ? { ...stored, decision: current } : stored;
    const { command, plan } = request.payload;
    try {
      const prepared = await this.deps.dispatcher.prepare(
        { ...command, provider: plan.provider.id },
        this.context(attempt.origin),
      );
      if (plan.target.id !== undefined && prepared.plan.target.id !== plan.target.id) {
        throw new CloudmasterError(
          ErrorCode.InvalidState,
          `${plan.target.name} on ${plan.provider.id} is no longer the one that was confirmed (id ${plan.target.id}, now ${prepared.plan.target.id ?? 'none'}); nothing was done.`,
          { provider: plan.provider.id, hint: 'Ask again to act on the machine that has the name now.' },
        );
      }
      attempt.plan = prepared.plan;
      return { kind: 'run', request, attempt, prepared };
    } catch (error) {
      await this.record(attempt, 'failed', describeError(error, this.deps.log).message);
      return { kind: 'failed', request, attempt, error };
    }
  }
}

export function approverList(approvers: readonly string[]): string {
  const shown = approvers.map((ref) =>
    /^[UW][A-Z0-9]+$/.test(ref)
      ? `<@${ref}>`
      : /^S[A-Z0-9]+$/.test(ref)
        ? `<!subteam^${ref}>`
        : `the ${ref} group`,
  );
  return shown.length <= 1 ? (shown[0] ?? 'nobody') : `${shown.slice(0, -1).join(', ')} or ${shown.at(-1)}`;
}

/** What the policy needs to know of a planned mutation. */
export function questionOf(plan: OperationPlan): Omit<PolicyQuestion, 'user' | 'channel' | 'verb'> {
  const environment =
    plan.resource?.kind === 'stack'
      ? plan.resource.environment
      : typeof plan.options.environment === 'string'
        ? plan.options.environment
        : undefined;
  return {
    provider: { id: plan.provider.id, type: plan.provider.type },
    target: plan.target.name,
    ...(environment === undefined ? {} : { environment }),
  };
}
