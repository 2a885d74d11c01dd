/**
 * A mutation asked for in Slack: admitted by the gatekeeper, shown as a
 * prompt with Confirm/Cancel (or Approve/Reject) buttons, run once someone
 * entitled clicks, and recorded. The prompt becomes the operation's
 * message and is updated in place to the outcome.
 */
import type { Logger } from 'pino';
import type { PreparedMutation } from '../dispatch/dispatcher.ts';
import type { OperationOutcome } from '../dispatch/outcome.ts';
import type { MutationCommand } from '../dispatch/request.ts';
import type { CommandTally } from '../ops/command-tally.ts';
import { confirmationOutcome } from '../ops/metrics.ts';
import {
  clickNotice,
  commandPhrase,
  renderDenied,
  renderEndedPrompt,
  renderPrompt,
} from '../replies/slack/confirmation.ts';
import { renderDryRun } from '../replies/slack/dry-run.ts';
import { type Attribution, renderOperation } from '../replies/slack/operation.ts';
import { renderError } from '../replies/slack/problem.ts';
import type { Attempt } from '../safety/attempt.ts';
import type { ClickAction } from '../safety/gatekeeper.ts';
import type { Conversation, ConversationDeps } from './handle-text.ts';
import { originOf } from './handle-text.ts';
import { type SlackJobReporter, slackJobReporter } from './job-reporter.ts';
import type { MessageHandle } from './replier.ts';

export function attributionOf(attempt: Attempt): Attribution {
  return {
    requester: attempt.origin.user,
    ...(attempt.confirmed ? { confirmed: attempt.confirmed } : {}),
    ...(attempt.approved ? { approved: attempt.approved } : {}),
  };
}

export async function requestMutation(
  command: MutationCommand,
  conversation: Conversation,
  deps: ConversationDeps,
  log: Logger,
  tally?: CommandTally,
): Promise<void> {
  const { replier } = conversation;
  const admission = await deps.gatekeeper.admit(originOf(conversation, command.raw), command);
  tally?.answered(admission.kind);
  log.info(
    {
      verb: command.verb,
      admission: admission.kind,
      ...(admission.kind === 'ready' ? { gate: admission.gate.kind } : {}),
    },
    'mutation requested',
  );
  switch (admission.kind) {
    case 'denied':
      return replier.ephemeral(
        renderDenied(admission.reason, commandPhrase(admission.attempt.plan, command)),
      );
    case 'failed':
      return replier.private(renderError({ kind: 'error', error: admission.error, verb: command.verb }, log));
    case 'ready': {
      const { attempt, prepared, gate } = admission;
      if (gate.kind === 'none') {
        const handle = await replier.open(
          renderOperation(prepared.plan, { stage: 'planned' }, attributionOf(attempt)),
        );
        await executeMutation(prepared, attempt, handle, deps, log);
        return;
      }
      if (gate.kind === 'approve' && conversation.channelId.startsWith('D')) {
        // Approvers cannot see a DM with the bot: the request must be made where they can.
        tally?.answered('denied');
        await deps.gatekeeper.record(
          attempt,
          'denied',
          'needs approval, which a direct message cannot collect',
        );
        return replier.ephemeral(
          renderDenied(
            'it needs an approver’s click, and approvers cannot see this DM; ask in a channel they are in',
            commandPhrase(prepared.plan, command),
          ),
        );
      }
      const request = await deps.gatekeeper.hold(admission);
      const handle = await replier.open(renderPrompt(prepared.plan, request, gate));
      if (handle.location) await deps.gatekeeper.attach(request, handle.location);
      return;
    }
  }
}

/**
 * Runs it as a job: sent once, followed with its message updated in place,
 * recorded at the end. Resolves when the job ends here (undefined when this
 * process stopped following it: another goes on).
 */
export async function executeMutation(
  prepared: PreparedMutation,
  attempt: Attempt,
  handle: MessageHandle,
  deps: ConversationDeps,
  log: Logger,
): Promise<OperationOutcome | undefined> {
  // Test mode: say what would be done, record it, send nothing (src/safety/testmode.ts).
  if (await deps.testmode.isOn()) {
    await handle.update(renderDryRun(await deps.testmode.dryRun(prepared, attempt)));
    return undefined;
  }
  let reporter: SlackJobReporter | undefined;
  let started: Awaited<ReturnType<typeof deps.jobs.run>>;
  try {
    started = await deps.jobs.run(
      prepared,
      attempt,
      (created) => {
        reporter = slackJobReporter(deps.jobMessages, created, handle);
        return reporter;
      },
      handle.location,
    );
  } catch (error) {
    // The job could not even be recorded, or its audit cannot be written: nothing was sent; the message says so.
    const outcome = await deps.gatekeeper.notStarted(attempt, prepared.plan, error);
    await handle.update(
      renderOperation(prepared.plan, { stage: 'final', outcome }, attributionOf(attempt), log),
    );
    return outcome;
  }
  const { job, done } = started;
  log.info({ job: job.id, verb: prepared.plan.verb }, 'job started');
  const outcome = await done;
  await reporter?.settle();
  log.info({ job: job.id, end: outcome?.end ?? 'paused' }, 'job left this process');
  return outcome;
}

export interface RequestClick {
  readonly user: string;
  readonly requestId: string;
  readonly action: ClickAction;
  /** The prompt's message. */
  readonly handle: MessageHandle;
  /** Tells the clicker alone. */
  notify(text: string): Promise<void>;
}

/** A click on a prompt's button: exactly one click decides; the rest are told who did. */
export async function onRequestClick(
  click: RequestClick,
  deps: ConversationDeps,
  log: Logger,
): Promise<void> {
  const result = await deps.gatekeeper.click(click.user, click.requestId, click.action);
  log.info({ request: click.requestId, action: click.action, result: result.kind }, 'request clicked');
  deps.metrics?.confirmation(confirmationOutcome(click.action, result));
  switch (result.kind) {
    case 'refused':
      // A request the policy now refuses has ended: its prompt says so to everyone, not only to the clicker.
      if (result.ended)
        await click.handle.update(renderEndedPrompt(result.request.payload.plan, result.request, 'failed'));
      return click.notify(clickNotice('refused', result.request, result.reason));
    case 'lost':
      return click.notify(clickNotice('lost', result.request));
    case 'ended':
      return click.handle.update(
        renderEndedPrompt(result.request.payload.plan, result.request, result.outcome),
      );
    case 'failed': {
      const outcome: OperationOutcome = {
        kind: 'operation',
        plan: result.request.payload.plan,
        end: 'failed',
        error: result.error,
        elapsedMs: 0,
      };
      return click.handle.update(
        renderOperation(outcome.plan, { stage: 'final', outcome }, attributionOf(result.attempt), log),
      );
    }
    case 'run': {
      await click.handle.update(
        renderOperation(result.prepared.plan, { stage: 'planned' }, attributionOf(result.attempt)),
      );
      await executeMutation(result.prepared, result.attempt, click.handle, deps, log);
      return;
    }
  }
}
