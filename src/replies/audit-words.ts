/** One audit record in words, shared by the Slack reply and the CLI. */
import { formatDuration } from '../config/duration.ts';
import type { AuditOutcome, AuditRecord } from '../store/audit-log.ts';
import type { Writer } from './writer.ts';

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

/** "demo · web-1 (sim-1) · confirmed by U0ALICE · 12 s · rule on-call", users as mentions in Slack. */
export function auditFacts<T>(record: AuditRecord, w: Writer<T>): T[] {
  return [
    ...(record.provider ? [w`${record.provider}`] : []),
    ...(record.target ? [w`${record.target}${record.targetId ? ` (${record.targetId})` : ''}`] : []),
    ...(record.confirmedBy ? [w`confirmed by ${w.user(record.confirmedBy)}`] : []),
    ...(record.approvedBy ? [w`approved by ${w.user(record.approvedBy)}`] : []),
    ...(record.requestId ? [w`operation ${record.requestId}`] : []),
    ...(record.durationMs !== undefined ? [w`${formatDuration(record.durationMs)}`] : []),
    ...(record.rule ? [w`rule ${record.rule}`] : []),
  ];
}

export function isoMinute(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
