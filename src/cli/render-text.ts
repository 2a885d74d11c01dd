/** Plain-text answers for the terminal. */

import type { ListOutcome } from '../dispatch/outcome.ts';
import type { Logger } from '../log/logger.ts';
import { auditFacts, isoMinute } from '../replies/audit-words.ts';
import { describeError } from '../replies/describe-error.ts';
import { dryRunSentence } from '../replies/dry-run-words.ts';
import { jobFacts, jobPhrase, jobStateWords } from '../replies/job-words.ts';
import { listingTotals, totalsLine } from '../replies/listing-summary.ts';
import { resourceFacts } from '../replies/resource-facts.ts';
import { canILines, DEFAULT_POLICY_WORDS, rightLines } from '../replies/rights-words.ts';
import { auditFilters } from '../replies/slack/audit.ts';
import { healthLines } from '../replies/slack/health.ts';
import { renderHelp } from '../replies/slack/help.ts';
import { jobCancelWords } from '../replies/slack/jobs.ts';
import { plainText } from '../replies/slack/mrkdwn.ts';
import { outcomeSentence, unauditedWarning } from '../replies/slack/operation.ts';
import {
  renderAcknowledged,
  renderCheck,
  renderOutages,
  renderResolved,
  renderTicket,
} from '../replies/slack/outages.ts';
import { renderError, renderUsage } from '../replies/slack/problem.ts';
import { renderProviders } from '../replies/slack/providers.ts';
import { renderTestmode } from '../replies/slack/testmode.ts';
import { webhookLines } from '../replies/webhook-words.ts';
import { cachedNote, plural, statusWords } from '../replies/wording.ts';
import { plainWriter } from '../replies/writer.ts';
import type { Answer, AuditListing, JobsListing, JobView } from '../safety/answers.ts';

const PREFIX = 'cloudmaster ';

/** A Slack reply's fallback text for the terminal: plain text, mentions as ids. */
function plain(message: { readonly text: string }): string {
  return plainText(message.text);
}

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

function renderAuditText(listing: AuditListing): string {
  const lines = [
    `${plural(listing.records.length, 'record')}, newest first (${auditFilters(listing.command).join(', ')})`,
  ];
  if (listing.records.length === 0) return lines[0] ?? '';
  lines.push(
    '',
    ...table(
      ['TIME', 'USER', 'ENTRY', 'COMMAND', 'DECISION', 'OUTCOME', 'DETAILS'],
      listing.records.map((record) => [
        isoMinute(record.requestedAt),
        record.userId,
        record.entry,
        record.rawText,
        record.decision,
        record.outcome,
        [...auditFacts(record, plainWriter), ...(record.detail ? [record.detail] : [])].join('; '),
      ]),
    ),
  );
  return lines.join('\n');
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

function renderJobsText(listing: JobsListing): string {
  const now = Date.now();
  const lines = [
    `${plural(listing.jobs.length, 'job')}, running ones first${listing.hidden > 0 ? ` (${listing.hidden} not shown: the policy does not let you see them)` : ''}`,
  ];
  if (listing.jobs.length === 0) return lines.join('\n');
  lines.push(
    '',
    ...table(
      ['ID', 'JOB', 'STATE', 'REQUESTED BY', 'STARTED'],
      listing.jobs.map((job) => [
        job.id,
        jobPhrase(job),
        jobStateWords(job, now),
        job.requester,
        isoMinute(job.createdAt),
      ]),
    ),
  );
  return lines.join('\n');
}

function renderJobText(view: JobView): string {
  const { job } = view;
  return [
    `job ${job.id}: ${jobPhrase(job)} — ${jobStateWords(job, Date.now())}${job.detail ? ` (${job.detail})` : ''}`,
    `  ${jobFacts(job, plainWriter).join('; ')}`,
    ...view.steps.map((step) => `  ${new Date(step.at).toISOString().slice(11, 19)}  ${step.text}`),
  ].join('\n');
}

export function renderText(outcome: Answer, log?: Logger): string {
  switch (outcome.kind) {
    case 'jobs':
      return renderJobsText(outcome);
    case 'job':
      return renderJobText(outcome);
    case 'job-cancel':
      return jobCancelWords(outcome.answer, plainWriter);
    case 'denied':
      return `You may not ${outcome.what}: ${outcome.reason}.`;
    case 'audit':
      return renderAuditText(outcome);
    case 'webhooks':
      return webhookLines(outcome).join('\n');
    case 'rights':
      return [
        `You are ${outcome.rights.subject.user}${outcome.rights.groups.length > 0 ? `, in ${outcome.rights.groups.join(', ')}` : ''}.`,
        outcome.rights.configured ? 'What the policy lets you run from the terminal:' : DEFAULT_POLICY_WORDS,
        ...rightLines(outcome.rights).map((line) => `  ${line}`),
      ].join('\n');
    case 'can-i':
      return [
        `can-i ${outcome.answer.command.raw}`,
        ...canILines(outcome.answer).map((line) => `  ${line}`),
      ].join('\n');
    case 'help':
      return plain(renderHelp(outcome, PREFIX));
    case 'usage':
      return plain(renderUsage(outcome, PREFIX));
    case 'error':
      return plain(renderError(outcome, log));
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
      return plain(renderProviders(outcome));
    case 'operation': {
      const sentence = outcomeSentence(outcome, log);
      const warning = unauditedWarning(outcome);
      return [sentence.text, sentence.hint, warning && `! ${warning}`].filter(Boolean).join('\n');
    }
    case 'dry-run': {
      const { text, hint } = dryRunSentence(outcome.plan);
      return `${text}\n${hint.replace(/`/g, '')}`;
    }
    case 'outages':
      return plain(renderOutages(outcome));
    case 'check':
      return plain(renderCheck(outcome));
    case 'resolved':
      return plain(renderResolved(outcome));
    case 'acknowledged':
      return plain(renderAcknowledged(outcome));
    case 'ticket':
      return plain(renderTicket(outcome));
    case 'health':
      return healthLines(outcome.report, plainWriter)
        .map((line) => line.words)
        .join('\n');
    case 'testmode':
      return plain(renderTestmode(outcome)).replace(/`/g, '');
  }
}
