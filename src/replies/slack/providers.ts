/** The `providers` reply: each configured account, what it can do, whether it answers. */
import type { ProvidersOutcome } from '../../dispatch/outcome.ts';
import { describeError } from '../describe-error.ts';
import { message, mrkdwnEscape, packLines, type SlackMessage, section } from './message.ts';

export function renderProviders(outcome: ProvidersOutcome): SlackMessage {
  if (outcome.reports.length === 0) {
    const text =
      'No providers are configured. See docs/configuration.md: cloudmaster.yml or environment variables.';
    return message(text, [section(text)]);
  }
  const lines: string[] = [];
  const textLines: string[] = [];
  for (const report of outcome.reports) {
    const { provider } = report;
    const reach = report.reachable
      ? `answered in ${Math.round(report.latencyMs ?? 0)} ms`
      : `not reachable: ${describeError(report.error).message}`;
    const emoji = report.reachable ? ':white_check_mark:' : ':x:';
    lines.push(
      `${emoji} *${mrkdwnEscape(provider.id)}* — ${mrkdwnEscape(provider.label)} (\`${mrkdwnEscape(provider.type)}\`) · ${mrkdwnEscape(reach)}\n      can ${mrkdwnEscape(report.verbs.join(', '))}`,
    );
    textLines.push(
      `${provider.id} (${provider.label}, ${provider.type}): ${reach}; can ${report.verbs.join(', ')}`,
    );
  }
  const reachable = outcome.reports.filter((report) => report.reachable).length;
  const summary = `*${outcome.reports.length} provider${outcome.reports.length === 1 ? '' : 's'} configured*, ${reachable} reachable`;
  return message([summary.replace(/\*/g, ''), ...textLines].join('\n'), [
    section(summary),
    ...packLines(lines),
  ]);
}
