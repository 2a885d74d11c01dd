/** `--json`: the outcome as data, errors described the same way Slack shows them. */

import type { OperationPlan } from '../dispatch/outcome.ts';
import type { StoredJob } from '../jobs/runner.ts';
import type { Logger } from '../log/logger.ts';
import { describeError } from '../replies/describe-error.ts';
import { dryRunSentence } from '../replies/dry-run-words.ts';
import { auditFilters } from '../replies/slack/audit.ts';
import { jobCancelWords } from '../replies/slack/jobs.ts';
import { outcomeSentence, unauditedWarning } from '../replies/slack/operation.ts';
import { plainWriter } from '../replies/writer.ts';
import type { Answer } from '../safety/answers.ts';
import { watchJson } from './watch-json.ts';

function errorData(error: unknown, log?: Logger): Record<string, unknown> {
  const described = describeError(error, log);
  return {
    code: described.code,
    message: described.message,
    ...(described.hint ? { hint: described.hint } : {}),
    ...(described.candidates.length > 0 ? { candidates: described.candidates } : {}),
  };
}

function jobData(job: StoredJob): Record<string, unknown> {
  const { payload, ...rest } = job;
  return {
    ...rest,
    command: payload.prepared.command.raw,
    confirmedBy: payload.attempt.confirmed?.user,
    approvedBy: payload.attempt.approved?.user,
  };
}

/** What a mutation was to do: the same fields for one that ran and one test mode kept back. */
function planData(plan: OperationPlan): Record<string, unknown> {
  return { verb: plan.verb, provider: plan.provider, target: plan.target, options: plan.options };
}

export function toJson(outcome: Answer, log?: Logger): unknown {
  switch (outcome.kind) {
    case 'jobs':
      return { kind: 'jobs', jobs: outcome.jobs.map(jobData), hidden: outcome.hidden };
    case 'job':
      return { kind: 'job', job: jobData(outcome.job), steps: outcome.steps };
    case 'job-cancel':
      return {
        kind: 'job-cancel',
        result: outcome.answer.kind,
        message: jobCancelWords(outcome.answer, plainWriter),
        ...('job' in outcome.answer ? { job: outcome.answer.job.id } : {}),
      };
    case 'denied':
      return { kind: 'denied', what: outcome.what, reason: outcome.reason };
    case 'audit':
      return { kind: 'audit', filters: auditFilters(outcome.command), records: outcome.records };
    case 'webhooks':
      return {
        kind: 'webhooks',
        endpoints: outcome.endpoints,
        ...(outcome.retried ? { retried: outcome.retried } : {}),
      };
    case 'rights':
      return { kind: 'rights', ...outcome.rights };
    case 'can-i':
      return {
        kind: 'can-i',
        command: outcome.answer.command.raw,
        answers: outcome.answer.answers.map(({ provider, decision, some }) => ({
          ...(provider ? { provider: provider.id } : {}),
          ...decision,
          ...(some ? { forSomeNames: true } : {}),
        })),
      };
    case 'listing':
      return {
        kind: 'listing',
        providers: outcome.sections.map((section) => ({
          provider: section.provider,
          elapsedMs: Math.round(section.elapsedMs),
          ...(section.cachedAgeMs === undefined ? {} : { cachedAgeMs: Math.round(section.cachedAgeMs) }),
          ...(section.listing
            ? {
                machines: section.listing.machines,
                stacks: section.listing.stacks,
                warnings: section.listing.warnings,
              }
            : { error: errorData(section.error, log) }),
        })),
        skipped: outcome.skipped,
      };
    case 'resource':
      return {
        kind: 'resource',
        provider: outcome.provider,
        resource: outcome.resource,
        ...(outcome.cachedAgeMs === undefined ? {} : { cachedAgeMs: Math.round(outcome.cachedAgeMs) }),
        unanswered: outcome.unanswered.map(({ provider, error }) => ({
          provider,
          error: errorData(error, log),
        })),
      };
    case 'error':
      return { kind: 'error', error: errorData(outcome.error, log) };
    case 'usage':
      return { kind: 'usage', error: outcome.error };
    case 'providers':
      return {
        kind: 'providers',
        providers: outcome.reports.map((report) => ({
          ...report.provider,
          verbs: report.verbs,
          reachable: report.reachable,
          ...(report.latencyMs === undefined ? {} : { latencyMs: Math.round(report.latencyMs) }),
          ...(report.error === undefined ? {} : { error: errorData(report.error, log) }),
        })),
      };
    case 'operation':
      return {
        kind: 'operation',
        ...planData(outcome.plan),
        end: outcome.end,
        message: outcomeSentence(outcome, log).text,
        operationId: outcome.ref?.operationId,
        last: outcome.last,
        elapsedMs: Math.round(outcome.elapsedMs),
        ...(outcome.error === undefined ? {} : { error: errorData(outcome.error, log) }),
        ...(outcome.unaudited === undefined
          ? {}
          : { audit: { written: false, reference: outcome.unaudited, message: unauditedWarning(outcome) } }),
      };
    case 'help':
      return outcome;
    case 'dry-run':
      return {
        kind: 'dry-run',
        ...planData(outcome.plan),
        message: dryRunSentence(outcome.plan).text,
      };
    default:
      return watchJson(outcome, (error) => errorData(error, log));
  }
}
