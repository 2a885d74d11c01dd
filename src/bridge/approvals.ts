/**
 * `POST /v1/approvals` and `GET /v1/approvals/{id}`: a second factor for
 * work outside cloudmaster. The request is posted with Approve and Reject;
 * only the approvers it lists count — never the client itself (nor the
 * Slack user standing behind it, `user:` in its config) — and it is decided
 * once (bridge-approvals.ts), by a Reject or by `min_approvals` Approves.
 * The message shows who decided. A GET with `?wait=30s` holds the answer
 * until the request is decided or the wait ends; a `callback_url` gets the
 * decision as a signed webhook delivery.
 */
import { EventEmitter } from 'node:events';
import type { App, BlockButtonAction } from '@slack/bolt';
import type { Logger } from 'pino';
import { z } from 'zod';
import { parseDuration } from '../config/duration.ts';
import type { DeliveryClaim } from '../conversation/handle-text.ts';
import type { Redactor } from '../log/redact.ts';
import type { Policy } from '../policy/policy.ts';
import { BRIDGE_APPROVAL_ACTIONS, renderBridgeApproval } from '../replies/slack/bridge-approval.ts';
import { approverList } from '../safety/gatekeeper.ts';
import type { BridgeApproval, Vote } from '../store/bridge-approvals.ts';
import type { Store } from '../store/store.ts';
import type { ClientDirectory } from './clients.ts';
import type { ApiAnswer, ApiCall } from './http-api.ts';
import { channelInScope, permalink, readBody } from './messages.ts';
import { ApiProblem, outOfScope } from './problem.ts';

const MAX_EXPIRY_MS = 7 * 86_400_000;
const MIN_EXPIRY_MS = 10_000;
const MAX_WAIT_MS = 60_000;
/** How often a long poll looks at the store for a decision made on another replica. */
const POLL_MS = 500;

/** "30m", "45s", or a number of seconds. */
function durationMs(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value * 1000 : undefined;
  return /^\d+$/.test(value) ? Number(value) * 1000 : parseDuration(value);
}

const durationField = (min: number, max: number) =>
  z.union([z.number().positive(), z.string().min(1).max(20)]).transform((value, ctx) => {
    const ms = durationMs(value);
    if (ms === undefined || ms < min || ms > max) {
      ctx.addIssue({
        code: 'custom',
        message: `takes a duration from ${min / 1000}s to ${max / 86_400_000}d, e.g. "30m" or a number of seconds`,
      });
      return z.NEVER;
    }
    return ms;
  });

const approvalSchema = z.strictObject({
  channel: z.string().min(1).max(100),
  title: z.string().min(1).max(150),
  details: z.string().min(1).max(2_500).optional(),
  approvers: z.array(z.string().min(1).max(100)).min(1).max(20),
  min_approvals: z.number().int().min(1).max(20).optional(),
  expires_in: durationField(MIN_EXPIRY_MS, MAX_EXPIRY_MS),
  callback_url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
});

export interface ApprovalsDeps {
  readonly store: Store;
  readonly clients: ClientDirectory;
  readonly policy: Policy;
  /** Posts and updates the request's message (the bot's Web API client). */
  readonly slack: App['client'];
  readonly redactor: Redactor;
  readonly log: Logger;
  readonly workspaceUrl: () => string | undefined;
  readonly now: () => number;
}

function view(approval: BridgeApproval, workspaceUrl: string | undefined): Record<string, unknown> {
  const who = (vote: Vote) => approval.votes.filter((v) => v.vote === vote).map((v) => v.user);
  const link = approval.message
    ? permalink(workspaceUrl, approval.message.channel, approval.message.ts)
    : undefined;
  return {
    id: approval.id,
    state: approval.state,
    title: approval.title,
    channel: approval.channel,
    approvers: approval.approvers,
    min_approvals: approval.minApprovals,
    approved_by: who('approve'),
    rejected_by: who('reject'),
    ...(approval.decidedBy ? { decided_by: approval.decidedBy } : {}),
    ...(approval.decidedAt === undefined ? {} : { decided_at: new Date(approval.decidedAt).toISOString() }),
    created_at: new Date(approval.createdAt).toISOString(),
    expires_at: new Date(approval.expiresAt).toISOString(),
    ...(link ? { permalink: link } : {}),
  };
}

export class BridgeApprovalDesk {
  private readonly deps: ApprovalsDeps;
  /** Decisions made in this process, for long polls waiting here. */
  private readonly decisions = new EventEmitter();
  private sweeper: ReturnType<typeof setInterval> | undefined;

  constructor(deps: ApprovalsDeps) {
    this.deps = deps;
    this.decisions.setMaxListeners(0);
  }

  readonly post = async ({ client, body }: ApiCall): Promise<ApiAnswer> => {
    const asked = readBody(approvalSchema, body);
    const scope = client.approvals;
    if (!scope)
      throw outOfScope(client.name, 'approvals', 'may not ask for approvals (bridge.clients: approvals)');
    const channel = channelInScope(client, asked.channel);
    const outside = asked.approvers.filter((ref) => !scope.approvers.includes(ref));
    if (outside.length > 0)
      throw outOfScope(
        client.name,
        `approvers ${outside.join(', ')}`,
        `may not ask ${outside.join(', ')} (bridge.clients: approvals.approvers)`,
      );
    if (client.user && asked.approvers.includes(client.user))
      throw new ApiProblem(
        400,
        'invalid_request',
        `$.approvers: ${client.user} stands behind the client ${client.name}, so cannot approve its requests.`,
        {
          path: '$.approvers',
        },
      );
    if (
      asked.callback_url &&
      !scope.callbacks.some((prefix) => (asked.callback_url as string).startsWith(prefix))
    )
      throw outOfScope(
        client.name,
        `callback ${asked.callback_url}`,
        'may not have decisions POSTed there (bridge.clients: approvals.callbacks)',
      );
    const now = this.deps.now();
    const approval = await this.deps.store.bridge.approvals.create({
      client: client.name,
      channel,
      title: asked.title,
      ...(asked.details === undefined ? {} : { details: asked.details }),
      approvers: asked.approvers,
      minApprovals: asked.min_approvals ?? 1,
      ...(asked.callback_url === undefined ? {} : { callbackUrl: asked.callback_url }),
      createdAt: now,
      expiresAt: now + asked.expires_in,
    });
    const summary = `${approval.id} ${channel} approvers=${asked.approvers.join(',')}`;
    try {
      const posted = await this.deps.slack.chat.postMessage({
        channel,
        ...this.deps.redactor.deep(renderBridgeApproval(approval)),
      });
      const message = {
        channel: typeof posted.channel === 'string' ? posted.channel : channel,
        ts: String(posted.ts),
      };
      await this.deps.store.bridge.approvals.setMessage(approval.id, message);
      return { status: 201, body: view({ ...approval, message }, this.deps.workspaceUrl()), summary };
    } catch (error) {
      const slackError = (error as { data?: { error?: unknown } }).data?.error;
      this.deps.log.warn({ err: error, approval: approval.id }, 'could not post an approval request');
      throw new ApiProblem(
        422,
        'slack_refused',
        `The approval request could not be posted${typeof slackError === 'string' ? ` (${slackError})` : ''}; nobody can decide it.`,
        typeof slackError === 'string' ? { slack_error: slackError } : {},
      );
    }
  };

  readonly get = async ({ client, params, query, signal }: ApiCall): Promise<ApiAnswer> => {
    const id = params.id ?? '';
    const waitMs = query.wait === undefined ? 0 : durationMs(query.wait);
    if (waitMs === undefined || waitMs < 0 || waitMs > MAX_WAIT_MS)
      throw new ApiProblem(400, 'invalid_request', 'wait takes a duration up to 60s, e.g. ?wait=30s.', {
        path: 'wait',
      });
    const read = async () => {
      const approval = await this.deps.store.bridge.approvals.get(id);
      if (!approval || approval.client !== client.name)
        throw new ApiProblem(404, 'not_found', `The client ${client.name} has no approval ${id}.`);
      return approval;
    };
    let approval = await read();
    const deadline = this.deps.now() + waitMs;
    while (approval.state === 'pending' && this.deps.now() < deadline && !signal.aborted) {
      await this.decidedOrAfter(id, Math.min(POLL_MS, deadline - this.deps.now()), signal);
      approval = await read();
    }
    return { status: 200, body: view(approval, this.deps.workspaceUrl()), summary: id };
  };

  private decidedOrAfter(id: string, ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.decisions.off(id, done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.decisions.on(id, done);
      signal.addEventListener('abort', done);
    });
  }

  /** A click on Approve or Reject; `notify` tells the clicker alone. */
  async click(user: string, id: string, vote: Vote, notify: (text: string) => Promise<void>): Promise<void> {
    const { store, clients, policy } = this.deps;
    const approval = await store.bridge.approvals.get(id);
    if (!approval) return notify('This approval request is not known any more.');
    if (approval.state !== 'pending') return notify(`This request was already ${approval.state}.`);
    const client = clients.byName(approval.client);
    if (client?.user === user)
      return notify(
        `You stand behind the client ${approval.client}, so someone else must decide its request.`,
      );
    if (!(await policy.mayApprove(user, `client:${approval.client}`, approval.approvers)))
      return notify(`Only ${approverList(approval.approvers)} can decide this request.`);
    const result = await store.bridge.approvals.vote(id, user, vote, this.deps.now());
    switch (result.kind) {
      case 'already-voted':
        return notify('You have voted on this request already.');
      case 'closed':
        return notify(`This request was already ${result.approval?.state ?? 'decided'}.`);
      case 'counted':
      case 'decided':
        if (result.kind === 'decided') this.decisions.emit(id);
        this.deps.log.info({ approval: id, vote, result: result.kind }, 'bridge approval voted');
        await this.redraw(result.approval);
        return;
    }
  }

  private async redraw(approval: BridgeApproval): Promise<void> {
    if (!approval.message) return;
    try {
      await this.deps.slack.chat.update({
        ...approval.message,
        ...this.deps.redactor.deep(renderBridgeApproval(approval)),
      });
    } catch (error) {
      this.deps.log.warn({ err: error, approval: approval.id }, 'could not redraw an approval request');
    }
  }

  /** Expires what nobody decided in time (once, whichever replica), and shows it. */
  start(): void {
    const sweep = async () => {
      try {
        for (const approval of await this.deps.store.bridge.approvals.expire(this.deps.now())) {
          this.decisions.emit(approval.id);
          await this.redraw(approval);
        }
      } catch (error) {
        this.deps.log.error({ err: error }, 'could not expire bridge approvals');
      }
    };
    this.sweeper = setInterval(() => void sweep(), 2_000);
    this.sweeper.unref();
  }

  stop(): void {
    clearInterval(this.sweeper);
  }

  /** Approve and Reject on the requests' messages. */
  register(
    app: App,
    claimDelivery: (key: string) => Promise<DeliveryClaim>,
    run: (work: () => Promise<void>) => void,
  ) {
    for (const [vote, actionId] of Object.entries(BRIDGE_APPROVAL_ACTIONS) as [Vote, string][]) {
      app.action<BlockButtonAction>(actionId, async ({ ack, action, body, respond }) => {
        await ack();
        const notify = async (text: string) => {
          await respond({
            response_type: 'ephemeral',
            replace_original: false,
            text: this.deps.redactor.text(text),
          });
        };
        run(async () => {
          try {
            const claimed = await claimDelivery(`click:${actionId}:${action.action_ts}:${body.user.id}`);
            if (claimed.kind === 'repeat') return;
            await this.click(body.user.id, action.value ?? '', vote, notify);
          } catch (error) {
            this.deps.log.error({ err: error }, 'could not handle a click on a bridge approval');
            await notify('That click could not be handled; try again in a moment.').catch(() => undefined);
          }
        });
      });
    }
  }
}
