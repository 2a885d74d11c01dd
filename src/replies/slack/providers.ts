/** The `providers` reply: each configured account, what it can do, whether it answers. */
import type { ProvidersOutcome } from '../../dispatch/outcome.ts';
import { describeError } from '../describe-error.ts';
import { message, packLines, type SlackMessage, section } from './message.ts';
import { code, joinMd, type Mrkdwn, md } from './mrkdwn.ts';

export function renderProviders(outcome: ProvidersOutcome): SlackMessage {
  if (outcome.reports.length === 0) {
    const text = md`No providers are configured. See docs/configuration.md: cloudmaster.yml or environment variables.`;
    return message(text, [section(text)]);
  }
  const lines: Mrkdwn[] = [];
  const textLines: Mrkdwn[] = [];
  for (const report of outcome.reports) {
    const { provider } = report;
    const reach = report.reachable
      ? `answered in ${Math.round(report.latencyMs ?? 0)} ms`
      : `not reachable: ${describeError(report.error).message}`;
    const emoji = report.reachable ? ':white_check_mark:' : ':x:';
    lines.push(
      md`${emoji} *${provider.id}* — ${provider.label} (${code(provider.type)}) · ${reach}\n      can ${report.verbs.join(', ')}`,
    );
    textLines.push(
      md`${provider.id} (${provider.label}, ${provider.type}): ${reach}; can ${report.verbs.join(', ')}`,
    );
  }
  const reachable = outcome.reports.filter((report) => report.reachable).length;
  const configured = `${outcome.reports.length} provider${outcome.reports.length === 1 ? '' : 's'} configured`;
  return message(joinMd([md`${configured}, ${reachable} reachable`, ...textLines], '\n'), [
    section(md`*${configured}*, ${reachable} reachable`),
    ...packLines(lines),
  ]);
}
