/** Plain-text answers for the terminal. */
import type { ListOutcome, Outcome } from '../dispatch/outcome.ts';
import type { Logger } from '../log/logger.ts';
import { describeError } from '../replies/describe-error.ts';
import { listingTotals, totalsLine } from '../replies/listing-summary.ts';
import { resourceFacts } from '../replies/resource-facts.ts';
import { renderHelp } from '../replies/slack/help.ts';
import { outcomeSentence } from '../replies/slack/operation.ts';
import { renderError, renderUsage } from '../replies/slack/problem.ts';
import { renderProviders } from '../replies/slack/providers.ts';
import { cachedNote, statusWords } from '../replies/wording.ts';

const PREFIX = 'cloudmaster ';

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

function renderListingText(outcome: ListOutcome): string {
  const totals = listingTotals(outcome);
  const lines = [`${totalsLine(totals)}${totals.byStatus ? `: ${totals.byStatus}` : ''}`];
  for (const section of outcome.sections) {
    if (!section.listing) {
      const problem = describeError(section.error);
      lines.push(`! ${section.provider.id}: ${problem.message}${problem.hint ? ` ${problem.hint}` : ''}`);
    }
  }
  const machines = outcome.sections.flatMap((section) => section.listing?.machines ?? []);
  if (machines.length > 0) {
    lines.push(
      '',
      ...table(
        ['PROVIDER', 'NAME', 'STATUS', 'PUBLIC IPV4', 'PRIVATE IPV4', 'REGION', 'SIZE', 'ID'],
        machines.map((m) => [
          m.provider,
          m.name,
          statusWords(m.status, m.providerStatus),
          m.publicIpv4 ?? '-',
          m.privateIpv4 ?? '-',
          m.region ?? '-',
          m.size ?? '-',
          m.id,
        ]),
      ),
    );
  }
  const stacks = outcome.sections.flatMap((section) => section.listing?.stacks ?? []);
  if (stacks.length > 0) {
    lines.push(
      '',
      ...table(
        ['PROVIDER', 'STACK', 'ENVIRONMENT', 'STATUS', 'LAST DEPLOYMENT'],
        stacks.map((s) => [
          s.provider,
          s.name,
          s.environment,
          statusWords(s.status, s.providerStatus),
          s.lastDeployment
            ? `${s.lastDeployment.outcome ?? 'running'} ${s.lastDeployment.finishedAt ?? s.lastDeployment.startedAt ?? ''}`.trim()
            : '-',
        ]),
      ),
    );
  }
  for (const section of outcome.sections) {
    for (const warning of section.listing?.warnings ?? []) lines.push(`! ${section.provider.id}: ${warning}`);
    if (section.cachedAgeMs !== undefined)
      lines.push(`(${section.provider.id}: ${cachedNote(section.cachedAgeMs)}; --fresh asks again)`);
  }
  for (const skipped of outcome.skipped) lines.push(`(skipped ${skipped.provider.id}: ${skipped.reason})`);
  return lines.join('\n');
}

export function renderText(outcome: Outcome, log?: Logger): string {
  switch (outcome.kind) {
    case 'help':
      return renderHelp(outcome, PREFIX).text;
    case 'usage':
      return renderUsage(outcome, PREFIX).text;
    case 'error':
      return renderError(outcome, log).text;
    case 'listing':
      return renderListingText(outcome);
    case 'resource': {
      const { resource } = outcome;
      const title = resource.kind === 'stack' ? `${resource.name} (${resource.environment})` : resource.name;
      const facts = resourceFacts(resource).map(([label, value]) => `  ${`${label}:`.padEnd(16)} ${value}`);
      const notes = outcome.unanswered.map(
        ({ provider, error }) => `! ${provider.id} could not be asked: ${describeError(error).message}`,
      );
      return [`${title} on ${outcome.provider.id}`, ...facts, ...notes].join('\n');
    }
    case 'providers':
      return renderProviders(outcome).text;
    case 'operation': {
      const sentence = outcomeSentence(outcome, log);
      return [sentence.text, sentence.hint].filter(Boolean).join('\n');
    }
  }
}
