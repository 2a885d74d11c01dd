/**
 * One line of text from any Slack surface, answered: parse → authorise →
 * dispatch → render → deliver. Mutations go through the gatekeeper
 * (confirm or approve, then execute, then record); see mutation.ts.
 */
import type { Logger } from 'pino';
import type { Settings } from '../config/settings.ts';
import type { Dispatcher } from '../dispatch/dispatcher.ts';
import type { MutationCommand } from '../dispatch/request.ts';
import type { FixedProvider } from '../entry-points.ts';
import { CloudmasterError, ErrorCode } from '../errors.ts';
import {
  type BotVerb,
  type Command,
  isBotVerb,
  isMutatingVerb,
  isWatchVerb,
  type WatchCommand,
} from '../grammar/command.ts';
import { parse } from '../grammar/parse.ts';
import type { JobRunner } from '../jobs/runner.ts';
import { CommandTally } from '../ops/command-tally.ts';
import type { BotMetrics } from '../ops/metrics.ts';
import { renderHelp } from '../replies/slack/help.ts';
import { renderJob, renderJobCancel, renderJobs } from '../replies/slack/jobs.ts';
import { renderListing } from '../replies/slack/listing.ts';
import { renderError, renderNotice, renderUsage } from '../replies/slack/problem.ts';
import { renderProviders } from '../replies/slack/providers.ts';
import { renderResource } from '../replies/slack/resource.ts';
import { type Answer, answerBotCommand, governedRead } from '../safety/answers.ts';
import type { Origin } from '../safety/attempt.ts';
import type { Gatekeeper } from '../safety/gatekeeper.ts';
import type { TestMode } from '../safety/testmode.ts';
import { answerWatchCommand, type WatchDeps } from '../safety/watch-answers.ts';
import type { JobMessagesDeps } from './job-reporter.ts';
import { requestMutation } from './mutation.ts';
import { renderPersonal } from './personal.ts';
import type { Replier } from './replier.ts';
import { renderWatchAnswer } from './watch-replies.ts';
import type { WorkTracker } from './work-tracker.ts';

export interface ConversationDeps {
  readonly dispatcher: Dispatcher;
  readonly gatekeeper: Gatekeeper;
  readonly jobs: JobRunner;
  readonly jobMessages: JobMessagesDeps;
  /** The workspace's address (from auth.test), for links to messages; unknown until connected. */
  workspaceUrl?: string;
  readonly testmode: TestMode;
  /** The outage watch and the bot's health. */
  readonly watch: WatchDeps;
  readonly settings: Settings;
  readonly log: Logger;
  readonly work: WorkTracker;
  /** Counts commands, replies, confirmations (absent: nothing is counted). */
  readonly metrics?: BotMetrics;
}

/**
 * What claiming a Slack delivery in the store found: the first delivery, a
 * repeat of one already answered, or no answer from the store (the log
 * keeps the error under `reference`).
 */
export type DeliveryClaim =
  | { readonly kind: 'first' }
  | { readonly kind: 'repeat' }
  | { readonly kind: 'unclaimed'; readonly reference: string };

/** A conversation's mark of a delivery the store could not claim. */
export function unclaimed(claimed: DeliveryClaim): { readonly unclaimed?: string } {
  return claimed.kind === 'unclaimed' ? { unclaimed: claimed.reference } : {};
}

export interface Conversation {
  readonly text: string;
  readonly userId: string;
  readonly channelId: string;
  /** Where it came from, for the audit: "/cloudmaster", "mention", "dm". */
  readonly surface: string;
  /** How commands are typed here, for help and usage: "/cloudmaster ", "@igor ", "". */
  readonly prefix: string;
  /** The slash command, for page buttons to re-run under the same entry point. */
  readonly entry?: string;
  readonly fixed?: FixedProvider;
  readonly replier: Replier;
  /** Its delivery could not be claimed (the log reference): a redelivery could not be told apart. */
  readonly unclaimed?: string;
}

const RESTARTING =
  'cloudmaster is restarting and is not taking new commands; nothing was done. Try again in a minute.';

export async function answer(received: Conversation, deps: ConversationDeps): Promise<void> {
  const tally = new CommandTally(received.surface, deps.metrics);
  const conversation = { ...received, replier: tally.timing(received.replier) };
  const { replier, prefix } = conversation;
  const log = deps.log.child({ user: conversation.userId });
  try {
    if (!deps.work.accepting) {
      tally.outcome = 'restarting';
      await replier.private(renderNotice(':double_vertical_bar:', RESTARTING));
      return;
    }
    const parsed = parse(conversation.text);
    if (!parsed.ok) {
      log.info({ code: parsed.error.code, verb: parsed.error.verb }, 'usage error');
      tally.verb = parsed.error.verb ?? 'unknown';
      tally.outcome = 'usage';
      await replier.private(renderUsage({ kind: 'usage', error: parsed.error }, prefix));
      return;
    }
    tally.verb = parsed.command.verb;
    await route(parsed.command, conversation, deps, log, tally);
  } catch (error) {
    tally.outcome = 'error';
    // Something failed on the way (the store, say): tell the user, with a reference to the log.
    try {
      await replier.private(renderError({ kind: 'error', error }, log));
    } catch (deliveryError) {
      // Delivery itself failed (Slack down, channel gone): nothing left to tell the user through.
      log.error({ err: deliveryError, cause: error }, 'could not answer');
    }
  } finally {
    tally.end();
  }
}

export function originOf(conversation: Conversation, rawText: string): Origin {
  return {
    user: conversation.userId,
    channel: conversation.channelId,
    entry: conversation.surface,
    rawText,
    ...(conversation.fixed ? { fixed: conversation.fixed } : {}),
  };
}

async function route(
  command: Command,
  conversation: Conversation,
  deps: ConversationDeps,
  log: Logger,
  tally: CommandTally,
): Promise<void> {
  const { replier, prefix } = conversation;
  if (isMutatingVerb(command.verb)) {
    if (conversation.unclaimed !== undefined) {
      // Reads may answer twice; a change must not run twice: without the claim it does not run.
      log.warn(
        { verb: command.verb, reference: conversation.unclaimed },
        'a change not run: delivery unclaimed',
      );
      return replier.private(
        renderError({ kind: 'error', error: unclaimedChange(conversation.unclaimed) }, log),
      );
    }
    await requestMutation(command as MutationCommand, conversation, deps, log, tally);
    return;
  }
  const origin = originOf(conversation, command.raw);
  if (isWatchVerb(command.verb)) {
    const answered = await answerWatchCommand(deps.watch, origin, command as WatchCommand);
    log.info({ verb: command.verb, outcome: answered.kind }, 'answered');
    tally.answered(answered.kind);
    const { message, audience } = renderWatchAnswer(answered, log);
    return audience === 'public' ? replier.public(message) : replier.ephemeral(message);
  }
  const ctx = { ...(conversation.fixed ? { fixed: conversation.fixed } : {}), signal: deps.work.signal };
  const answered: Answer = isBotVerb(command.verb)
    ? await answerBotCommand(
        { ...deps, store: deps.watch.store },
        origin,
        command as Extract<Command, { verb: BotVerb }>,
      )
    : await governedRead(deps.gatekeeper, deps.dispatcher, origin, command as ReadCommand, ctx);
  log.info({ verb: command.verb, outcome: answered.kind }, 'answered');
  tally.answered(answered.kind);
  const personal = renderPersonal(answered);
  if (personal) return replier.ephemeral(personal);
  switch (answered.kind) {
    case 'usage':
      return replier.private(renderUsage(answered, prefix));
    case 'error':
      return replier.private(renderError(answered, log));
    case 'help':
      return replier.private(renderHelp(answered, prefix));
    case 'listing':
      return replier.public(
        renderListing(answered, {
          page: 1,
          pageSize: deps.settings.pageSize,
          request: {
            command: command.raw,
            ...(conversation.entry ? { entry: conversation.entry } : {}),
            requester: conversation.userId,
          },
        }),
      );
    case 'resource':
      return replier.public(renderResource(answered));
    case 'providers':
      return replier.public(renderProviders(answered));
    case 'jobs':
      return replier.public(renderJobs(answered.jobs, answered.hidden, Date.now(), deps.workspaceUrl));
    case 'job':
      return replier.public(renderJob(answered.job, answered.steps, Date.now(), deps.workspaceUrl));
    case 'job-cancel':
      return replier.ephemeral(renderJobCancel(answered.answer));
    default:
      // Mutations never come this way; the gatekeeper runs them.
      log.error({ verb: command.verb, outcome: answered.kind }, 'an answer with no reply');
  }
}

type ReadCommand = Extract<Command, { verb: 'help' | 'list' | 'status' | 'providers' }>;

function unclaimedChange(reference: string): CloudmasterError {
  return new CloudmasterError(
    ErrorCode.StoreUnavailable,
    `This change was not run: cloudmaster could not record that it received your message, so a redelivery of it could run the change twice (reference ${reference}).`,
    {
      hint: 'Nothing was changed. Try again in a minute; the details are in the bot’s log under that reference.',
    },
  );
}
