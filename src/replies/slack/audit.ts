/** The `audit` reply: records newest first, each with who, what, the decision and the outcome. */
import type { KnownBlock } from '@slack/types';
import { formatDuration } from '../../config/duration.ts';
import type { AuditCommand } from '../../grammar/command.ts';
import type { AuditRecord } from '../../store/audit-log.ts';
import { auditFacts, isoMinute, OUTCOME_EMOJI } from '../audit-words.ts';
import { plural } from '../wording.ts';
import { plainWriter, slackWriter } from '../writer.ts';
import { context, header, message, packLines, type SlackMessage } from './message.ts';
import { code, joinMd, md, mention } from './mrkdwn.ts';
import { slackTime } from './time.ts';

const MAX_BODY_BLOCKS = 46;

export function auditFilters(command: AuditCommand): string[] {
  return [
    ...(command.user ? [`user ${command.user}`] : []),
    ...(command.sinceMs !== undefined ? [`last ${formatDuration(command.sinceMs)}`] : []),
    ...(command.verbFilter ? [`verb ${command.verbFilter}`] : []),
    `at most ${command.limit}`,
  ];
}

export function renderAudit(command: AuditCommand, records: readonly AuditRecord[]): SlackMessage {
  const filters = auditFilters(command);
  const title = `Audit: ${plural(records.length, 'record')}, newest first`;
  const lines = records.map((record) => {
    const detail = record.detail ? md` — ${record.detail}` : md``;
    const facts = joinMd(auditFacts(record, slackWriter), ' · ');
    return md`${OUTCOME_EMOJI[record.outcome]} ${slackTime(record.requestedAt)} ${mention(record.userId)} ${code(record.rawText)} → *${record.outcome.replace('_', ' ')}*${detail}\n      ${facts} · ${record.entry}`;
  });
  let body = packLines(lines.length > 0 ? lines : [md`_Nothing matches._`]);
  const notes = [md`${filters.join(', ')} · \`audit --limit N --since 7d --verb V --user @x\``];
  if (body.length > MAX_BODY_BLOCKS) {
    // Said, not silent: the CLI (`cloudmaster audit --json`) has no message limit.
    body = body.slice(0, MAX_BODY_BLOCKS);
    notes.unshift(
      md`:warning: Not every record fits in one Slack message: narrow it with --since or --limit, or use \`cloudmaster audit --json\`.`,
    );
  }
  const blocks: KnownBlock[] = [header(title), ...body, context(notes)];
  const text = joinMd(
    [
      md`${title} (${filters.join(', ')})`,
      ...records.map(
        (record) =>
          md`${isoMinute(record.requestedAt)} ${record.userId} "${record.rawText}" ${record.outcome}${record.detail ? `: ${record.detail}` : ''} (${joinMd(auditFacts(record, plainWriter), ', ')})`,
      ),
    ],
    '\n',
  );
  return message(text, blocks);
}
