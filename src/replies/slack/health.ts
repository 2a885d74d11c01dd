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
import { context, header, message, mrkdwnEscape, packLines, type SlackMessage } from './message.ts';
import { slackTime, utcTime } from './time.ts';

const OK = ':large_green_circle:';
const BAD = ':red_circle:';
const UNSURE = ':white_circle:';

const SOURCE_EMOJI: Record<HealthState, string> = { healthy: OK, unhealthy: BAD, unknown: UNSURE };

interface Line {
  readonly slack: string;
  readonly text: string;
}

function ms(value: number): string {
  return `${Math.round(value)} ms`;
}

/** The report's lines, each in Slack's words and in plain text; `time` formats a moment. */
export function healthLines(report: HealthReport): Line[] {
  const lines: Line[] = [];
  type Words = (time: (at: number) => string, safe: (text: string) => string) => string;
  const both = (emoji: string, words: Words): void => {
    lines.push({ slack: `${emoji} ${words(slackTime, mrkdwnEscape)}`, text: words(utcTime, (text) => text) });
  };
  const { slack, store } = report;
  if (slack) {
    const emoji = slack.state === 'connected' ? OK : BAD;
    const again = slack.connections > 1 ? `, ${slack.connections} connections so far` : '';
    both(emoji, (time) => `Slack: ${slack.state} since ${time(slack.since)} (Socket Mode${again})`);
  } else {
    both(UNSURE, () => 'Slack: not connected from the terminal (the bot connects; the CLI does not)');
  }
  both(store.error === undefined ? OK : BAD, (_time, safe) =>
    store.error === undefined
      ? `Store: ${store.kind} at ${safe(store.location)}, answered in ${ms(store.pingMs ?? 0)}`
      : `Store: ${store.kind} at ${safe(store.location)} did not answer: ${safe(describeError(store.error).message)}`,
  );
  if (report.providers.length === 0) both(UNSURE, () => 'Providers: none configured');
  for (const provider of report.providers) {
    both(provider.reachable ? OK : BAD, (_time, safe) => {
      const name = safe(`${provider.provider.id} (${provider.provider.label})`);
      return provider.reachable
        ? `Provider ${name}: answered in ${ms(provider.latencyMs ?? 0)}`
        : `Provider ${name}: not reachable: ${safe(describeError(provider.error).message)}`;
    });
  }
  if (report.sources.length === 0) both(UNSURE, () => 'Status pages: none watched');
  for (const { source, health, nextPollAt } of report.sources) {
    both(SOURCE_EMOJI[health.state], (time, safe) => {
      const parts = [`Status page ${safe(source.label)}: ${health.state}`];
      if (health.lastSuccessAt) parts.push(`last success ${time(Date.parse(health.lastSuccessAt))}`);
      else parts.push('no successful poll yet');
      if (health.state === 'unhealthy' && health.lastError)
        parts.push(`last error: ${safe(health.lastError)}`);
      if (health.latencyMs !== undefined) parts.push(`last poll took ${ms(health.latencyMs)}`);
      parts.push(
        `every ${formatDuration(source.intervalMs)}${nextPollAt ? `, next ${time(nextPollAt)}` : ''}`,
      );
      return parts.join('; ');
    });
  }
  const { testmode } = report;
  both(testmode.on ? ':test_tube:' : OK, (time) =>
    testmode.on
      ? `Test mode: on${testmode.by ? ` (turned on by ${testmode.by})` : ''}${testmode.at ? ` since ${time(testmode.at)}` : ''}: changes are dry runs`
      : 'Test mode: off',
  );
  both(':information_source:', () => `Version: cloudmaster ${report.version}`);
  const { listener } = report;
  if (listener !== undefined)
    both(':information_source:', (_time, safe) =>
      listener === 'off'
        ? 'Operations listener: off (settings.http.port or PORT turns it on)'
        : `Operations listener: ${safe(listener)} (/healthz, /readyz, /metrics)`,
    );
  return lines;
}

export function renderHealth(answer: HealthAnswer): SlackMessage {
  const lines = healthLines(answer.report);
  const bad = lines.filter((line) => line.slack.startsWith(BAD)).length;
  const title = bad === 0 ? 'cloudmaster is healthy' : `cloudmaster: ${bad} problem${bad === 1 ? '' : 's'}`;
  return message([title, ...lines.map((line) => line.text)].join('\n'), [
    header(title),
    ...packLines(lines.map((line) => line.slack)),
    context(['`providers` says what each provider can do; `outages` lists open incidents.']),
  ]);
}
