/**
 * `health`: the bot's own state, as the seed's /BotStatus showed it — the
 * Slack connection, the store and how fast it answers, each provider's
 * reachability and latency, each status source's health and last success,
 * whether test mode is on, the version and the operations listener.
 */
import { formatDuration } from '../../config/duration.ts';
import type { HealthAnswer, HealthReport } from '../../safety/watch-answers.ts';
import type { HealthState } from '../../watch/source-health.ts';
import { describeError } from '../describe-error.ts';
import { plainWriter, slackWriter, type Writer } from '../writer.ts';
import { context, header, message, packLines, type SlackMessage } from './message.ts';
import { joinMd, md } from './mrkdwn.ts';

type Mark = 'ok' | 'bad' | 'unsure' | 'test' | 'info';

const EMOJI: Record<Mark, string> = {
  ok: ':large_green_circle:',
  bad: ':red_circle:',
  unsure: ':white_circle:',
  test: ':test_tube:',
  info: ':information_source:',
};

const SOURCE_MARK: Record<HealthState, Mark> = { healthy: 'ok', unhealthy: 'bad', unknown: 'unsure' };

export interface HealthLine<T> {
  readonly mark: Mark;
  readonly words: T;
}

function ms(value: number): string {
  return `${Math.round(value)} ms`;
}

/** The report's lines, for Slack or the terminal. */
export function healthLines<T>(report: HealthReport, w: Writer<T>): HealthLine<T>[] {
  const lines: HealthLine<T>[] = [];
  const add = (mark: Mark, words: T): void => {
    lines.push({ mark, words });
  };
  const { slack, store } = report;
  if (slack) {
    const again = slack.connections > 1 ? `, ${slack.connections} connections so far` : '';
    add(
      slack.state === 'connected' ? 'ok' : 'bad',
      w`Slack: ${slack.state} since ${w.time(slack.since)} (Socket Mode${again})`,
    );
  } else {
    add('unsure', w`Slack: not connected from the terminal (the bot connects; the CLI does not)`);
  }
  add(
    store.error === undefined ? 'ok' : 'bad',
    store.error === undefined
      ? w`Store: ${store.kind} at ${store.location}, answered in ${ms(store.pingMs ?? 0)}`
      : w`Store: ${store.kind} at ${store.location} did not answer: ${describeError(store.error).message}`,
  );
  if (report.providers.length === 0) add('unsure', w`Providers: none configured`);
  for (const provider of report.providers) {
    const name = `${provider.provider.id} (${provider.provider.label})`;
    add(
      provider.reachable ? 'ok' : 'bad',
      provider.reachable
        ? w`Provider ${name}: answered in ${ms(provider.latencyMs ?? 0)}`
        : w`Provider ${name}: not reachable: ${describeError(provider.error).message}`,
    );
  }
  if (report.sources.length === 0) add('unsure', w`Status pages: none watched`);
  for (const { source, health, nextPollAt } of report.sources) {
    const parts = [w`Status page ${source.label}: ${health.state}`];
    if (health.lastSuccessAt) parts.push(w`last success ${w.time(Date.parse(health.lastSuccessAt))}`);
    else parts.push(w`no successful poll yet`);
    if (health.state === 'unhealthy' && health.lastError) parts.push(w`last error: ${health.lastError}`);
    if (health.latencyMs !== undefined) parts.push(w`last poll took ${ms(health.latencyMs)}`);
    const every = w`every ${formatDuration(source.intervalMs)}`;
    parts.push(nextPollAt ? w`${every}, next ${w.time(nextPollAt)}` : every);
    add(SOURCE_MARK[health.state], w.join(parts, '; '));
  }
  const { testmode } = report;
  if (testmode.on) {
    const by = testmode.by ? ` (turned on by ${testmode.by})` : '';
    add(
      'test',
      testmode.at
        ? w`Test mode: on${by} since ${w.time(testmode.at)}: changes are dry runs`
        : w`Test mode: on${by}: changes are dry runs`,
    );
  } else {
    add('ok', w`Test mode: off`);
  }
  add('info', w`Version: cloudmaster ${report.version}`);
  const { listener } = report;
  if (listener !== undefined)
    add(
      'info',
      listener === 'off'
        ? w`Operations listener: off (settings.http.port or PORT turns it on)`
        : w`Operations listener: ${listener} (/healthz, /readyz, /metrics)`,
    );
  return lines;
}

export function renderHealth(answer: HealthAnswer): SlackMessage {
  const lines = healthLines(answer.report, slackWriter);
  const bad = lines.filter((line) => line.mark === 'bad').length;
  const title = bad === 0 ? 'cloudmaster is healthy' : `cloudmaster: ${bad} problem${bad === 1 ? '' : 's'}`;
  const text = [md`${title}`, ...healthLines(answer.report, plainWriter).map((line) => md`${line.words}`)];
  return message(joinMd(text, '\n'), [
    header(title),
    ...packLines(lines.map((line) => md`${EMOJI[line.mark]} ${line.words}`)),
    context([md`\`providers\` says what each provider can do; \`outages\` lists open incidents.`]),
  ]);
}
