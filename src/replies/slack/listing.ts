/**
 * The `list` reply: machines and stacks grouped per provider, a failing
 * provider's error inline, a total line, and pages behind Prev/Next buttons
 * when there are more rows than one message may hold. The buttons carry the
 * command itself, so any replica can render any page.
 */
import type { KnownBlock } from '@slack/types';
import type { ListQuery, Machine, Stack } from '../../../providers/types.ts';
import type { ListOutcome, ListSection } from '../../dispatch/outcome.ts';
import { describeError } from '../describe-error.ts';
import { listingTotals, totalsLine } from '../listing-summary.ts';
import { cachedNote, MACHINE_STATUS_EMOJI, plural, STACK_STATUS_EMOJI, statusWords } from '../wording.ts';
import {
  actions,
  button,
  context,
  LIMITS,
  message,
  packedSize,
  packLines,
  type SlackMessage,
  section,
} from './message.ts';
import { joinMd, type Mrkdwn, md, mrkdwnText } from './mrkdwn.ts';

export const LIST_PAGE_ACTIONS = { next: 'list_page_next', previous: 'list_page_previous' } as const;

/** What a page button carries: the command to run again and the page to show. */
export interface PageRequest {
  /** The command text as parsed (e.g. "list web on do"). */
  readonly command: string;
  /** The slash command it came from, when the provider type was fixed (/dostat). */
  readonly entry?: string;
  /** Who the listing was made for: anyone else's click is answered to them alone. */
  readonly requester?: string;
  readonly page: number;
}

export function encodePageRequest(request: PageRequest): string {
  return JSON.stringify({ c: request.command, e: request.entry, u: request.requester, p: request.page });
}

export function decodePageRequest(value: string): PageRequest | undefined {
  try {
    const data = JSON.parse(value) as { c?: unknown; e?: unknown; u?: unknown; p?: unknown };
    if (typeof data.c !== 'string' || typeof data.p !== 'number' || !Number.isInteger(data.p) || data.p < 1) {
      return undefined;
    }
    return {
      command: data.c,
      page: data.p,
      ...(typeof data.e === 'string' ? { entry: data.e } : {}),
      ...(typeof data.u === 'string' ? { requester: data.u } : {}),
    };
  } catch {
    return undefined;
  }
}

interface Row {
  readonly provider: string;
  /** Line in the blocks. */
  readonly block: Mrkdwn;
  /** Line in the fallback text. */
  readonly text: Mrkdwn;
}

function machineRow(machine: Machine): Row {
  const status = statusWords(machine.status, machine.providerStatus);
  const facts = [machine.publicIpv4 ?? 'no public IP', machine.region, machine.size].filter(
    (fact): fact is string => fact !== undefined && fact !== '',
  );
  return {
    provider: machine.provider,
    block: md`${MACHINE_STATUS_EMOJI[machine.status]} *${machine.name}* · ${status} · ${facts.join(' · ')}`,
    text: md`${machine.name} (${machine.provider}): ${status}, ${facts.join(', ')}`,
  };
}

function stackRow(stack: Stack): Row {
  const status = statusWords(stack.status, stack.providerStatus);
  const last = stack.lastDeployment;
  const deployment = last
    ? `last deployment ${last.outcome ?? 'running'}${(last.finishedAt ?? last.startedAt) ? ` ${(last.finishedAt ?? last.startedAt ?? '').slice(0, 16).replace('T', ' ')}` : ''}`
    : 'never deployed';
  return {
    provider: stack.provider,
    block: md`${STACK_STATUS_EMOJI[stack.status]} *${stack.name}* (${stack.environment}) · ${status} · ${deployment}`,
    text: md`${stack.name} ${stack.environment} (${stack.provider}): ${status}, ${deployment}`,
  };
}

function sectionHeading(section: ListSection): Mrkdwn {
  const listing = section.listing;
  const counts = listing
    ? [
        plural(listing.machines.length, 'machine'),
        ...(listing.stacks.length > 0 ? [plural(listing.stacks.length, 'stack')] : []),
      ].join(', ')
    : '';
  const cached = cachedNote(section.cachedAgeMs);
  return md`*${section.provider.id}* — ${section.provider.label}${counts ? ` · ${counts}` : ''}${cached ? ` · _${cached}_` : ''}`;
}

/** Pages as [start, end) row ranges, within the row count and the size budgets. */
function paginate(rows: readonly Row[], pageSize: number): [number, number][] {
  const blockBudget = (LIMITS.blocks - 10) * (LIMITS.sectionText - 100);
  const textBudget = LIMITS.fallbackText - 2000;
  const pages: [number, number][] = [];
  let start = 0;
  while (start < rows.length) {
    let end = start;
    let blockSize = 0;
    let textSize = 0;
    while (end < rows.length && end - start < pageSize) {
      const row = rows[end] as Row;
      const nextBlock = blockSize + packedSize([row.block]);
      const nextText = textSize + mrkdwnText(row.text).length + 1;
      if (end > start && (nextBlock > blockBudget || nextText > textBudget)) break;
      blockSize = nextBlock;
      textSize = nextText;
      end += 1;
    }
    pages.push([start, end]);
    start = end;
  }
  return pages.length > 0 ? pages : [[0, 0]];
}

export interface ListingRenderOptions {
  readonly page: number;
  readonly pageSize: number;
  /** Carried by the page buttons. */
  readonly request: Omit<PageRequest, 'page'>;
}

export function renderListing(outcome: ListOutcome, options: ListingRenderOptions): SlackMessage {
  const ok = outcome.sections.filter((s) => s.listing);
  const failed = outcome.sections.filter((s) => !s.listing);
  const rows: Row[] = ok.flatMap((s) => [
    ...(s.listing?.machines ?? []).map(machineRow),
    ...(s.listing?.stacks ?? []).map(stackRow),
  ]);
  const pages = paginate(rows, options.pageSize);
  const pageNumber = Math.min(Math.max(options.page, 1), pages.length);
  const [start, end] = pages[pageNumber - 1] ?? [0, 0];
  const totals = listingTotals(outcome);

  const summary = md`*${totalsLine(totals)}*${totals.byStatus ? ` · ${totals.byStatus}` : ''}`;
  const pageNote =
    pages.length > 1
      ? ` · page ${pageNumber} of ${pages.length} (${start + 1}–${end} of ${rows.length.toLocaleString('en-US')})`
      : '';
  const blockLines: Mrkdwn[] = [];
  const textLines: Mrkdwn[] = [
    md`${totalsLine(totals)}${totals.byStatus ? `: ${totals.byStatus}` : ''}${pageNote.replace(' · ', ', ')}`,
  ];

  // Failing providers first, on every page: the rest still answer below.
  for (const s of failed) {
    const problem = describeError(s.error);
    blockLines.push(
      md`:warning: ${sectionHeading(s)}: ${problem.message}${problem.hint ? md` ${problem.hint}` : ''}`,
    );
    textLines.push(md`${s.provider.id}: ${problem.message}`);
  }
  let lastProvider: string | undefined;
  for (const row of rows.slice(start, end)) {
    if (row.provider !== lastProvider) {
      const s = ok.find((candidate) => candidate.provider.id === row.provider);
      if (s) {
        blockLines.push(
          md`${sectionHeading(s)}${lastProvider === undefined && start > 0 ? ' (continued)' : ''}`,
        );
        for (const warning of s.listing?.warnings ?? []) blockLines.push(md`:warning: ${warning}`);
      }
      lastProvider = row.provider;
    }
    blockLines.push(row.block);
    textLines.push(row.text);
  }
  // Providers that answered with nothing still say so, on the first page.
  if (pageNumber === 1) {
    for (const s of ok) {
      if ((s.listing?.machines.length ?? 0) + (s.listing?.stacks.length ?? 0) === 0) {
        const what = describeQuery(outcome.query);
        blockLines.push(md`${sectionHeading(s)}: nothing${what}`);
        textLines.push(md`${s.provider.id}: nothing${what}`);
      }
    }
  }

  const blocks: KnownBlock[] = [section(md`${summary}${pageNote}`), ...packLines(blockLines)];
  if (outcome.sections.some((s) => s.cachedAgeMs !== undefined)) {
    blocks.push(
      context([md`Some answers come from the read cache; add \`--fresh\` to ask the providers now.`]),
    );
    textLines.push(md`Some answers come from the read cache; add --fresh to ask the providers now.`);
  }
  if (outcome.skipped.length > 0) {
    blocks.push(
      context([
        md`Skipped: ${joinMd(
          outcome.skipped.map((s) => md`${s.provider.id} (${s.reason})`),
          ', ',
        )}`,
      ]),
    );
  }
  if (pages.length > 1) {
    const previous = encodePageRequest({ ...options.request, page: pageNumber - 1 });
    const next = encodePageRequest({ ...options.request, page: pageNumber + 1 });
    if (Math.max(previous.length, next.length) <= LIMITS.buttonValue) {
      blocks.push(
        actions('list_pages', [
          ...(pageNumber > 1 ? [button('‹ Previous', LIST_PAGE_ACTIONS.previous, previous)] : []),
          ...(pageNumber < pages.length ? [button('Next ›', LIST_PAGE_ACTIONS.next, next, 'primary')] : []),
        ]),
      );
    } else {
      blocks.push(
        context([md`The command is too long to page through: add a filter to see the remaining rows.`]),
      );
    }
  }
  return message(joinMd(textLines, '\n'), blocks);
}

/** " matching `web` in sim-nyc1", or "" for an unfiltered list. */
function describeQuery(query: ListQuery): string {
  const parts = [
    ...(query.filter ? [` matching "${query.filter}"`] : []),
    ...(query.region ? [` in ${query.region}`] : []),
    ...(query.stack ? [` for stack "${query.stack}"`] : []),
  ];
  return parts.join('');
}
