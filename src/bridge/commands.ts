/**
 * `POST /v1/commands` and `GET /v1/jobs/{id}`: a client runs a cloudmaster
 * command as the policy subject `client:NAME`, with the same grammar and
 * the same gatekeeper as Slack and the CLI. Reads answer at once with the
 * JSON the CLI prints (`--json`). A change cannot be confirmed by a click,
 * so it runs only under a rule with `confirm: false` (202 and its job) or
 * `effect: approve` (its prompt posted in `bridge.channel`; 202 and the id
 * to poll, which becomes its job once approved). Both are audited as any
 * change is; the client's scope (`commands:`) limits the verbs first.
 */
import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import { z } from 'zod';
import { toJson } from '../cli/render-json.ts';
import type { JobMessagesDeps } from '../conversation/job-reporter.ts';
import { slackJobReporter } from '../conversation/job-reporter.ts';
import { messageHandle } from '../conversation/replier.ts';
import type { MutationCommand } from '../dispatch/request.ts';
import {
  type BotVerb,
  type Command,
  isBotVerb,
  isMutatingVerb,
  isWatchVerb,
  type WatchCommand,
} from '../grammar/command.ts';
import { parse } from '../grammar/parse.ts';
import type { StoredJob } from '../jobs/runner.ts';
import type { Redactor } from '../log/redact.ts';
import { isGoverned } from '../policy/verbs.ts';
import { commandPhrase, renderPrompt } from '../replies/slack/confirmation.ts';
import { renderOperation } from '../replies/slack/operation.ts';
import { type Answer, answerBotCommand, type BotDeps, governedRead } from '../safety/answers.ts';
import type { Origin } from '../safety/attempt.ts';
import type { PendingPayload } from '../safety/gatekeeper.ts';
import type { TestMode } from '../safety/testmode.ts';
import { answerWatchCommand, type WatchDeps } from '../safety/watch-answers.ts';
import type { Job } from '../store/jobs.ts';
import type { Store } from '../store/store.ts';
import type { ApiAnswer, ApiCall } from './http-api.ts';
import { readBody } from './messages.ts';
import { ApiProblem, approvalNotPosted, outOfScope } from './problem.ts';

const commandSchema = z.strictObject({ text: z.string().min(1).max(1_000) });

export interface CommandsDeps extends BotDeps {
  readonly store: Store;
  readonly testmode: TestMode;
  readonly watch: WatchDeps;
  readonly jobMessages: JobMessagesDeps;
  /** `bridge.channel`: where clients' changes are shown (approval prompts, job messages). */
  readonly channel?: string;
  readonly slack: App['client'];
  readonly redactor: Redactor;
  readonly log: Logger;
  readonly signal: AbortSignal;
  /** Counts a job started here as work in flight (shutdown waits for it). */
  readonly adopt: (work: Promise<unknown>) => void;
}

function statusOf(answer: Answer): number {
  switch (answer.kind) {
    case 'usage':
      return 400;
    case 'denied':
      return 403;
    case 'error':
      return 422;
    default:
      return 200;
  }
}

function jobView(job: Job, steps: readonly { at: number; text: string }[], approvalId?: string) {
  const at = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
  return {
    id: job.id,
    state: job.state,
    verb: job.verb,
    provider: job.provider,
    target: job.targetName,
    ...(job.detail ? { detail: job.detail } : {}),
    ...(approvalId ? { approval_id: approvalId } : {}),
    created_at: at(job.createdAt),
    ...(job.startedAt === undefined ? {} : { started_at: at(job.startedAt) }),
    ...(job.endedAt === undefined ? {} : { ended_at: at(job.endedAt) }),
    steps: steps.map((step) => ({ at: at(step.at), text: step.text })),
  };
}

export function commandRoutes(deps: CommandsDeps) {
  const answer = (result: Answer, summary: string): ApiAnswer => ({
    status: statusOf(result),
    body: deps.redactor.deep(toJson(result, deps.log)),
    summary,
  });

  const mutate = async (command: MutationCommand, origin: Origin, summary: string): Promise<ApiAnswer> => {
    const { gatekeeper } = deps;
    const admission = await gatekeeper.admit(origin, command);
    if (admission.kind === 'denied')
      return answer(
        { kind: 'denied', reason: admission.reason, what: commandPhrase(admission.attempt.plan, command) },
        summary,
      );
    if (admission.kind === 'failed')
      return answer({ kind: 'error', error: admission.error, verb: command.verb }, summary);
    const { attempt, prepared, gate } = admission;
    const refuse = async (reason: string, detail: string) => {
      await gatekeeper.record(attempt, 'denied', detail);
      return answer({ kind: 'denied', reason, what: commandPhrase(prepared.plan, command) }, summary);
    };
    if (gate.kind === 'confirm')
      return refuse(
        `a client cannot click Confirm: a change it runs needs a policy rule for client:${origin.user.slice('client:'.length)} with confirm: false or effect: approve (rule “${attempt.decision.rule}” asks for a confirmation)`,
        'needs a confirmation, which a client cannot give',
      );
    if (gate.kind === 'approve') {
      if (!deps.channel)
        return refuse(
          'it needs approval, and bridge.channel (where clients’ approvals are posted) is not set',
          'needs approval; bridge.channel is not set',
        );
      const request = await gatekeeper.hold(admission);
      let posted: Awaited<ReturnType<CommandsDeps['slack']['chat']['postMessage']>>;
      try {
        posted = await deps.slack.chat.postMessage({
          channel: deps.channel,
          ...deps.redactor.deep(renderPrompt(prepared.plan, request, gate)),
        });
      } catch (error) {
        deps.log.warn({ err: error, request: request.id }, 'could not post a client’s approval prompt');
        const { reason, problem } = approvalNotPosted(error, request.id);
        await gatekeeper.abandon(request, reason);
        throw problem;
      }
      await gatekeeper.attach(request, {
        channel: typeof posted.channel === 'string' ? posted.channel : deps.channel,
        ts: String(posted.ts),
      });
      return {
        status: 202,
        body: { state: 'awaiting_approval', approval_id: request.id, poll: `/v1/jobs/${request.id}` },
        summary,
      };
    }
    if (await deps.testmode.isOn()) return answer(await deps.testmode.dryRun(prepared, attempt), summary);
    // Its message, where people see what clients change; without bridge.channel the job runs unseen (audited).
    const handle = deps.channel
      ? await deps.slack.chat
          .postMessage({
            channel: deps.channel,
            ...deps.redactor.deep(
              renderOperation(prepared.plan, { stage: 'planned' }, { requester: origin.user }),
            ),
          })
          .then((posted) =>
            messageHandle(
              { client: deps.slack, redactor: deps.redactor, log: deps.log },
              { channel: String(posted.channel ?? deps.channel), ts: String(posted.ts) },
            ),
          )
      : undefined;
    let started: Awaited<ReturnType<typeof deps.jobs.run>>;
    try {
      started = await deps.jobs.run(
        prepared,
        attempt,
        (job) => (handle ? slackJobReporter(deps.jobMessages, job, handle) : {}),
        handle?.location,
      );
    } catch (error) {
      const outcome = await gatekeeper.notStarted(attempt, prepared.plan, error);
      return answer(outcome, summary);
    }
    deps.adopt(started.done);
    return {
      status: 202,
      body: { state: started.job.state, job_id: started.job.id, poll: `/v1/jobs/${started.job.id}` },
      summary,
    };
  };

  const post = async ({ client, body }: ApiCall): Promise<ApiAnswer> => {
    const { text } = readBody(commandSchema, body);
    const parsed = parse(text);
    if (!parsed.ok) return answer({ kind: 'usage', error: parsed.error }, text.slice(0, 200));
    const command = parsed.command;
    const summary = command.raw.slice(0, 200);
    if (isGoverned(command.verb) && !client.commands.has(command.verb))
      throw outOfScope(
        client.name,
        `command ${command.verb}`,
        `may not run ${command.verb} (bridge.clients: commands)`,
      );
    const origin: Origin = {
      user: `client:${client.name}`,
      channel: 'api',
      entry: 'api',
      rawText: command.raw,
    };
    if (isMutatingVerb(command.verb)) return mutate(command as MutationCommand, origin, summary);
    if (isBotVerb(command.verb))
      return answer(
        await answerBotCommand(deps, origin, command as Extract<Command, { verb: BotVerb }>),
        summary,
      );
    if (isWatchVerb(command.verb))
      return answer(await answerWatchCommand(deps.watch, origin, command as WatchCommand), summary);
    return answer(
      await governedRead(
        deps.gatekeeper,
        deps.dispatcher,
        origin,
        command as Parameters<typeof governedRead>[3],
        { signal: deps.signal },
      ),
      summary,
    );
  };

  /** A job the client started, or the approval it waits behind (its id until approved). */
  const getJob = async ({ client, params }: ApiCall): Promise<ApiAnswer> => {
    const id = params.id ?? '';
    const requester = `client:${client.name}`;
    const notFound = () => new ApiProblem(404, 'not_found', `The client ${client.name} has no job ${id}.`);
    const jobs = deps.store.jobs;
    if (/^[0-9A-Z]{6}$/i.test(id)) {
      const job = await jobs.get<StoredJob['payload']>(id);
      if (!job || job.requester !== requester) throw notFound();
      return { status: 200, body: jobView(job, await jobs.steps(job.id)), summary: job.id };
    }
    const request = await deps.store.pending.get<PendingPayload>(id);
    if (!request || request.requester !== requester) throw notFound();
    const job = request.state === 'approved' ? await jobs.fromRequest(request.id) : undefined;
    if (job) return { status: 200, body: jobView(job, await jobs.steps(job.id), request.id), summary: id };
    const state = request.state === 'pending' ? 'awaiting_approval' : request.state;
    return {
      status: 200,
      body: {
        state,
        approval_id: request.id,
        ...(request.decidedBy ? { decided_by: request.decidedBy } : {}),
        ...(request.endReason ? { reason: request.endReason } : {}),
      },
      summary: id,
    };
  };

  return { post, getJob };
}
