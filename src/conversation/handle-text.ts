/**
 * One line of text from any Slack surface, answered: parse → dispatch →
 * render → deliver. Mutations post their message when the target is
 * resolved and update it in place to the outcome (one path; the safety and
 * jobs layers slot in front of the provider call, not beside it).
 */
import type { Logger } from 'pino';
import type { Settings } from '../config/settings.ts';
import type { Dispatcher } from '../dispatch/dispatcher.ts';
import type { OperationPlan, Outcome } from '../dispatch/outcome.ts';
import type { FixedProvider } from '../entry-points.ts';
import type { Command } from '../grammar/command.ts';
import { parse } from '../grammar/parse.ts';
import { renderHelp } from '../replies/slack/help.ts';
import { renderListing } from '../replies/slack/listing.ts';
import { renderOperation } from '../replies/slack/operation.ts';
import { renderError, renderNotice, renderUsage } from '../replies/slack/problem.ts';
import { renderProviders } from '../replies/slack/providers.ts';
import { renderResource } from '../replies/slack/resource.ts';
import type { MessageHandle, Replier } from './replier.ts';
import type { WorkTracker } from './work-tracker.ts';

export interface ConversationDeps {
  readonly dispatcher: Dispatcher;
  readonly settings: Settings;
  readonly log: Logger;
  readonly work: WorkTracker;
}

export interface Conversation {
  readonly text: string;
  readonly userId: string;
  /** How commands are typed here, for help and usage: "/cloudmaster ", "@igor ", "". */
  readonly prefix: string;
  /** The slash command, for page buttons to re-run under the same entry point. */
  readonly entry?: string;
  readonly fixed?: FixedProvider;
  readonly replier: Replier;
}

const RESTARTING =
  'cloudmaster is restarting and is not taking new commands; nothing was done. Try again in a minute.';

export async function answer(conversation: Conversation, deps: ConversationDeps): Promise<void> {
  const { replier, prefix } = conversation;
  const log = deps.log.child({ user: conversation.userId });
  try {
    if (!deps.work.accepting) {
      await replier.private(renderNotice(':double_vertical_bar:', RESTARTING));
      return;
    }
    const parsed = parse(conversation.text);
    if (!parsed.ok) {
      log.info({ code: parsed.error.code, verb: parsed.error.verb }, 'usage error');
      await replier.private(renderUsage({ kind: 'usage', error: parsed.error }, prefix));
      return;
    }
    await run(parsed.command, conversation, deps, log);
  } catch (error) {
    // Delivery itself failed (Slack down, channel gone): nothing left to tell the user through.
    log.error({ err: error }, 'could not answer');
  }
}

async function run(
  command: Command,
  conversation: Conversation,
  deps: ConversationDeps,
  log: Logger,
): Promise<void> {
  const { replier, userId } = conversation;
  let handle: MessageHandle | undefined;
  let plan: OperationPlan | undefined;
  const outcome: Outcome = await deps.dispatcher.run(
    command,
    { ...(conversation.fixed ? { fixed: conversation.fixed } : {}), signal: deps.work.signal },
    {
      planned: async (planned) => {
        plan = planned;
        handle = await replier.open(renderOperation(planned, { stage: 'planned' }, userId));
      },
      accepted: (planned, ref) =>
        handle?.update(renderOperation(planned, { stage: 'accepted', ref }, userId)),
      progressed: (planned, progress) =>
        handle?.update(renderOperation(planned, { stage: 'progress', progress }, userId)),
    },
  );
  log.info(
    {
      verb: command.verb,
      outcome: outcome.kind,
      ...(outcome.kind === 'operation' ? { end: outcome.end } : {}),
    },
    'answered',
  );

  switch (outcome.kind) {
    case 'help':
      return replier.private(renderHelp(outcome, conversation.prefix));
    case 'usage':
      return replier.private(renderUsage(outcome, conversation.prefix));
    case 'error':
      return replier.private(renderError(outcome, log));
    case 'listing':
      return replier.public(
        renderListing(outcome, {
          page: 1,
          pageSize: deps.settings.pageSize,
          request: { command: command.raw, ...(conversation.entry ? { entry: conversation.entry } : {}) },
        }),
      );
    case 'resource':
      return replier.public(renderResource(outcome));
    case 'providers':
      return replier.public(renderProviders(outcome));
    case 'operation': {
      const final = renderOperation(outcome.plan, { stage: 'final', outcome }, userId, log);
      if (handle && plan) return handle.update(final);
      return replier.public(final);
    }
  }
}
