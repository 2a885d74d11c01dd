/**
 * The terminal entry point: the same parser, dispatcher and providers as
 * Slack. Text or `--json` on stdout; problems on stderr; the exit code
 * tells scripts what happened (see EXIT).
 */
import type { Writable } from 'node:stream';
import { PROVIDER_MODULES } from '../../providers/modules.ts';
import { type AnyProviderModule, connectAccounts } from '../../providers/registry.ts';
import { ConfigError, loadConfig } from '../config/load.ts';
import { Dispatcher } from '../dispatch/dispatcher.ts';
import type { Outcome } from '../dispatch/outcome.ts';
import { ProviderSet } from '../dispatch/provider-set.ts';
import { parseWords } from '../grammar/parse.ts';
import { createLogger } from '../log/logger.ts';
import { Redactor } from '../log/redact.ts';
import { acceptedWords } from '../replies/slack/operation.ts';
import { verbWords } from '../replies/wording.ts';
import { toJson } from './render-json.ts';
import { renderText } from './render-text.ts';

export const EXIT = {
  ok: 0,
  /** The command failed: an error, a failed operation, no provider answered. */
  failed: 1,
  /** The command or the configuration could not be read. */
  usage: 2,
  /** Some providers answered and some did not. */
  partial: 3,
} as const;

export interface CliIo {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signal?: AbortSignal;
  readonly modules?: readonly AnyProviderModule[];
}

function exitCode(outcome: Outcome): number {
  switch (outcome.kind) {
    case 'usage':
      return EXIT.usage;
    case 'error':
      return EXIT.failed;
    case 'operation':
      return outcome.end === 'succeeded' ? EXIT.ok : EXIT.failed;
    case 'listing': {
      const failed = outcome.sections.filter((section) => !section.listing).length;
      if (failed === 0) return EXIT.ok;
      return failed === outcome.sections.length ? EXIT.failed : EXIT.partial;
    }
    case 'resource':
      return outcome.unanswered.length > 0 ? EXIT.partial : EXIT.ok;
    case 'providers':
      return outcome.reports.every((report) => report.reachable) ? EXIT.ok : EXIT.partial;
    case 'help':
      return EXIT.ok;
  }
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const modules = io.modules ?? PROVIDER_MODULES;
  const parsed = parseWords(argv);
  const json = argv.includes('--json');
  const redactor = new Redactor();
  const write = (stream: Writable, text: string): void => {
    stream.write(`${redactor.text(text)}\n`);
  };
  const emit = (outcome: Outcome, log?: ReturnType<typeof createLogger>): number => {
    const code = exitCode(outcome);
    const target = code === EXIT.ok || code === EXIT.partial ? io.stdout : io.stderr;
    if (json) write(target, JSON.stringify(redactor.deep(toJson(outcome, log)), null, 2));
    else write(target, renderText(outcome, log));
    return code;
  };

  if (!parsed.ok) return emit({ kind: 'usage', error: parsed.error });

  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig({ env: io.env, modules });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    write(io.stderr, error.message);
    return EXIT.usage;
  }
  redactor.add(config.secrets);
  // Logs go to stderr, quiet unless asked: stdout belongs to the answer.
  const log = createLogger({
    level: io.env.LOG_LEVEL ?? 'warn',
    redactor,
    destination: { write: (line: string) => io.stderr.write(line) },
  });
  const connected = await connectAccounts(config.accounts, { log, clock: Date });
  try {
    const dispatcher = new Dispatcher({
      providers: new ProviderSet(connected),
      settings: config.settings,
      log,
    });
    const outcome = await dispatcher.run(parsed.command, io.signal ? { signal: io.signal } : {}, {
      planned: (plan) => {
        if (!json) write(io.stdout, `${verbWords(plan).doing} ${plan.target.name} on ${plan.provider.id}…`);
      },
      accepted: (_plan, ref) => {
        if (!json)
          write(
            io.stdout,
            `  ${acceptedWords(ref)}${ref.operationId ? ` (operation ${ref.operationId})` : ''}`,
          );
      },
      progressed: (_plan, progress) => {
        if (!json) write(io.stdout, `  ${progress.step}`);
      },
    });
    return emit(outcome, log);
  } finally {
    await Promise.allSettled(connected.map((entry) => entry.instance?.close?.()));
    log.flush();
  }
}
