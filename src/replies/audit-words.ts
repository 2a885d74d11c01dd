/** One audit record in words, shared by the Slack reply and the CLI. */
import { formatDuration } from '../config/duration.ts';
import type { AuditOutcome, AuditRecord } from '../store/audit-log.ts';

export const OUTCOME_EMOJI: Record<AuditOutcome, string> = {
  succeeded: ':white_check_mark:',
  failed: ':x:',
  denied: ':no_entry:',
  cancelled: ':no_entry_sign:',
  rejected: ':no_entry:',
  expired: ':hourglass:',
  timed_out: ':warning:',
  interrupted: ':double_vertical_bar:',
  dry_run: ':test_tube:',
  unknown: ':grey_question:',
};

/**
 * "demo · web-1 (sim-1) · confirmed by U0ALICE · 12 s · rule on-call":
 * `user` names a user (a mention in Slack), `safe` makes other text safe.
 */
export function auditFacts(
  record: AuditRecord,
  user: (id: string) => string,
  safe: (text: string) => string = (text) => text,
): string[] {
  return [
    ...(record.provider ? [safe(record.provider)] : []),
    ...(record.target ? [safe(`${record.target}${record.targetId ? ` (${record.targetId})` : ''}`)] : []),
    ...(record.confirmedBy ? [`confirmed by ${user(record.confirmedBy)}`] : []),
    ...(record.approvedBy ? [`approved by ${user(record.approvedBy)}`] : []),
    ...(record.requestId ? [safe(`operation ${record.requestId}`)] : []),
    ...(record.durationMs !== undefined ? [formatDuration(record.durationMs)] : []),
    ...(record.rule ? [safe(`rule ${record.rule}`)] : []),
  ];
}

export function isoMinute(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
