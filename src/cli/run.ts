/**
 * The terminal entry point: the same parser, policy, gatekeeper, dispatcher
 * and providers as Slack. Text or `--json` on stdout; problems on stderr;
 * the exit code tells scripts what happened (see EXIT). The CLI acts as the
 * Slack user the policy maps the local OS user to.
 */
import { userInfo } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { PROVIDER_MODULES } from '../../providers/modules.ts';
import type { AnyProviderModule } from '../../providers/registry.ts';
import { ConfigError, type LoadedConfig, loadConfig } from '../config/load.ts';
import { type Core, openCore } from '../core.ts';
import type { MutationCommand } from '../dispatch/request.ts';
import { CloudmasterError, ErrorCode, isCloudmasterError } from '../errors.ts';
import {
  type BotVerb,
  type Command,
  isBotVerb,
  isMutatingVerb,
  isWatchVerb,
  type WatchCommand,
} from '../grammar/command.ts';
import { parseWords } from '../grammar/parse.ts';
import { createLogger, type Logger, logLevelFrom } from '../log/logger.ts';
import { Redactor } from '../log/redact.ts';
import { NO_SLACK_GROUPS } from '../policy/directory.ts';
import { commandPhrase, currentState, question } from '../replies/slack/confirmation.ts';
import { acceptedWords } from '../replies/slack/operation.ts';
import { verbWords } from '../replies/wording.ts';
import { type Answer, answerBotCommand, governedRead } from '../safety/answers.ts';
import type { Origin } from '../safety/attempt.ts';
import { approverList } from '../safety/gatekeeper.ts';
import { answerWatchCommand, type WatchAnswer } from '../safety/watch-answers.ts';
import { IncidentDesk } from '../watch/incident-desk.ts';
import { WatchService } from '../watch/service.ts';
import { askToConfirm } from './confirm.ts';
import { readableLogDestination } from './log-lines.ts';
import { toJson } from './render-json.ts';
import { renderText } from './render-text.ts';
import { terminalSafe } from './terminal-safe.ts';

export const EXIT = {
  ok: 0,
  /** The command failed: an error, a failed operation, no provider answered. */
  failed: 1,
  /** The command or the configuration could not be read. */
  usage: 2,
  /** Some providers answered and some did not. */
  partial: 3,
  /** Nothing was done for safety: the policy denied it, it needs approval, or it was not confirmed. */
  refused: 4,
  /** A change was sent but its answer was lost: it may or may not have started. */
  unknown: 5,
  /** A change ran (see the output), but its audit record could not be written. */
  unaudited: 6,
} as const;

export interface CliIo {
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** A terminal to ask for confirmation on; without one, mutations need `--yes`. */
  readonly stdin?: Readable & { readonly isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signal?: AbortSignal;
  readonly modules?: readonly AnyProviderModule[];
  /** The local OS user (default: the process's), mapped to a Slack user by `policy.cli`. */
  readonly osUser?: string;
}

function exitCode(answer: Answer): number {
  switch (answer.kind) {
    case 'usage':
      return EXIT.usage;
    case 'error':
      return EXIT.failed;
    case 'denied':
      return EXIT.refused;
    case 'operation':
      if (answer.end === 'unknown') return EXIT.unknown;
      if (answer.end !== 'succeeded') return EXIT.failed;
      return answer.unaudited === undefined ? EXIT.ok : EXIT.unaudited;
    case 'listing': {
      const failed = answer.sections.filter((section) => !section.listing).length;
      if (failed === 0) return EXIT.ok;
      return failed === answer.sections.length ? EXIT.failed : EXIT.partial;
    }
    case 'resource':
      return answer.unanswered.length > 0 ? EXIT.partial : EXIT.ok;
    case 'providers':
      return answer.reports.every((report) => report.reachable) ? EXIT.ok : EXIT.partial;
    case 'job-cancel':
      return answer.answer.kind === 'unknown' || answer.answer.kind === 'not_cancellable'
        ? EXIT.failed
        : EXIT.ok;
    case 'check':
    case 'health':
      return watchExitCode(answer);
    default:
      return EXIT.ok;
  }
}

/** A check that some pages failed, or a health report with a problem, is partial; all failed is failed. */
function watchExitCode(answer: Extract<WatchAnswer, { kind: 'check' | 'health' }>): number {
  const results =
    answer.kind === 'check'
      ? answer.results.map(({ reading }) => reading.ok)
      : [
          answer.report.store.error === undefined,
          ...answer.report.providers.map((report) => report.reachable),
          ...answer.report.sources.map(({ health }) => health.state !== 'unhealthy'),
        ];
  if (results.every(Boolean)) return EXIT.ok;
  return answer.kind === 'check' && !results.some(Boolean) ? EXIT.failed : EXIT.partial;
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const modules = io.modules ?? PROVIDER_MODULES;
  const parsed = parseWords(argv);
  const json = argv.includes('--json');
  const redactor = new Redactor();
  const write = (stream: Writable, text: string): void => {
    stream.write(`${terminalSafe(redactor.text(text))}\n`);
  };
  const emit = (answer: Answer, log?: Logger): number => {
    const code = exitCode(answer);
    const target = code === EXIT.ok || code === EXIT.partial ? io.stdout : io.stderr;
    if (json) write(target, JSON.stringify(redactor.deep(toJson(answer, log)), null, 2));
    else write(target, renderText(answer, log));
    return code;
  };

  if (!parsed.ok) return emit({ kind: 'usage', error: parsed.error });

  let config: LoadedConfig;
  try {
    config = loadConfig({ env: io.env, modules });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    write(io.stderr, error.message);
    return EXIT.usage;
  }
  redactor.add(config.secrets);
  // Logs go to stderr, warnings and worse unless LOG_LEVEL asks: stdout belongs to
  // the answer. A person reads one line each; `--json` keeps them JSON for scripts.
  const toStderr = (text: string): void => {
    io.stderr.write(text);
  };
  const log = createLogger({
    level: io.env.LOG_LEVEL === undefined ? 'warn' : logLevelFrom(io.env),
    redactor,
    destination: json ? { write: toStderr } : readableLogDestination(toStderr),
  });
  for (const notice of config.notices) log.warn(notice);
  let core: Core;
  try {
    core = await openCore({
      env: io.env,
      config,
      log,
      redactor,
      clock: Date,
      groups: NO_SLACK_GROUPS,
      modules,
      ...(io.signal ? { signal: io.signal } : {}),
    });
  } catch (error) {
    if (!isCloudmasterError(error)) throw error;
    write(io.stderr, error.message);
    return EXIT.usage;
  }
  try {
    const osUser = io.osUser ?? userInfo().username;
    const origin: Origin = {
      user: core.policy.cliUser(osUser) ?? `cli:${osUser}`,
      channel: 'cli',
      entry: 'cli',
      rawText: parsed.command.raw,
    };
    const answer = await answerCommand(parsed.command, origin, core, { io, config, json, log, write });
    return emit(answer, log);
  } finally {
    await core.close();
    log.flush();
  }
}

interface Session {
  readonly io: CliIo;
  readonly config: LoadedConfig;
  readonly json: boolean;
  readonly log: Logger;
  write(stream: Writable, text: string): void;
}

async function answerCommand(
  command: Command,
  origin: Origin,
  core: Core,
  session: Session,
): Promise<Answer> {
  const ctx = session.io.signal ? { signal: session.io.signal } : {};
  if (isMutatingVerb(command.verb)) return mutate(command as MutationCommand, origin, core, session);
  if (isBotVerb(command.verb))
    return answerBotCommand(core, origin, command as Extract<Command, { verb: BotVerb }>);
  if (isWatchVerb(command.verb)) {
    // The CLI reads the watch from the store and polls for `check`; posting to Slack is the bot's.
    const { config } = session;
    const watch = new WatchService({
      ...(config.watch ? { settings: config.watch } : {}),
      store: core.store,
      log: session.log,
    });
    const desk = new IncidentDesk({ watch, store: core.store, log: session.log });
    const deps = { ...core, watch, desk, clock: Date };
    return answerWatchCommand(deps, origin, command as WatchCommand);
  }
  return governedRead(
    core.gatekeeper,
    core.dispatcher,
    origin,
    command as Parameters<typeof governedRead>[3],
    ctx,
  );
}

const NOT_CONFIRMED = {
  declined: 'not confirmed',
  interrupted: 'not confirmed: interrupted at the question',
  'no-terminal': 'not confirmed: there is no terminal to ask on; add --yes',
} as const;

/** Admitted, confirmed here (a terminal, or `--yes`), run with its steps printed, recorded. */
async function mutate(
  command: MutationCommand,
  origin: Origin,
  core: Core,
  session: Session,
): Promise<Answer> {
  const { io, json, write, log } = session;
  const { gatekeeper } = core;
  const admission = await gatekeeper.admit(origin, command);
  if (admission.kind === 'denied')
    return {
      kind: 'denied',
      reason: admission.reason,
      what: commandPhrase(admission.attempt.plan, command),
    };
  if (admission.kind === 'failed') return { kind: 'error', error: admission.error, verb: command.verb };
  const { attempt, prepared, gate } = admission;
  const plan = prepared.plan;
  if (gate.kind === 'approve') {
    const reason = `it needs approval by ${approverList(gate.approvers).replace(/<@([A-Z0-9]+)>/g, '$1')} (rule ${attempt.decision.rule}), which only Slack can collect: ask there`;
    await gatekeeper.record(attempt, 'denied', 'needs approval, which the terminal cannot collect');
    return { kind: 'denied', reason, what: commandPhrase(plan, command) };
  }
  if (gate.kind === 'confirm') {
    const answer = command.yes
      ? 'confirmed'
      : await askToConfirm(terminalSafe(`${question(plan)} ${currentState(plan)}.`), {
          ...(io.stdin ? { stdin: io.stdin } : {}),
          ...(io.signal ? { signal: io.signal } : {}),
          stderr: io.stderr,
        });
    if (answer !== 'confirmed') {
      const why = NOT_CONFIRMED[answer];
      await gatekeeper.record(attempt, 'cancelled', `${why}; nothing was done`);
      return { kind: 'denied', reason: why, what: commandPhrase(plan, command) };
    }
    attempt.confirmed = { user: origin.user, at: Date.now() };
  }
  // Test mode: say what would be done, record it, send nothing (src/safety/testmode.ts).
  if (await core.testmode.isOn()) return core.testmode.dryRun(prepared, attempt);
  if (!json) write(io.stdout, `${verbWords(plan).doing} ${plan.target.name} on ${plan.provider.id}…`);
  const say = (text: string): void => {
    if (!json) write(io.stdout, text);
  };
  let started: Awaited<ReturnType<typeof core.jobs.run>>;
  try {
    started = await core.jobs.run(prepared, attempt, () => ({
      accepted: (_job, ref) =>
        say(`  ${acceptedWords(ref)}${ref.operationId ? ` (operation ${ref.operationId})` : ''}`),
      progressed: (_job, progress) => say(`  ${progress.step}`),
      cancelling: (_job, by) => say(`  cancellation requested by ${by}`),
      paused: (paused) =>
        say(
          `  stopped following it; job ${paused.id} goes on where cloudmaster runs (\`cloudmaster job ${paused.id}\`)`,
        ),
    }));
  } catch (error) {
    // The job could not even be recorded, or its audit cannot be written: nothing was sent.
    return gatekeeper.notStarted(attempt, plan, error);
  }
  const { job, done } = started;
  log.debug({ job: job.id }, 'job started');
  const outcome = await done;
  if (!outcome) {
    return {
      kind: 'error',
      error: new CloudmasterError(
        ErrorCode.ShuttingDown,
        `Stopped following job ${job.id} before it ended; the provider may still be working.`,
        { hint: `\`cloudmaster job ${job.id}\` shows where it is.` },
      ),
      verb: command.verb,
    };
  }
  return outcome;
}
