/** Counts behind a listing's total line, shared by the Slack and CLI replies. */
import type { Machine, Stack } from '../../providers/types.ts';
import type { ListOutcome } from '../dispatch/outcome.ts';
import { plural } from './wording.ts';

export interface ListingTotals {
  readonly machines: number;
  readonly stacks: number;
  readonly providers: number;
  readonly failed: number;
  /** "9 running, 2 stopped, 1 error" in a stable order. */
  readonly byStatus: string;
}

export function listingTotals(outcome: ListOutcome): ListingTotals {
  const machines: Machine[] = [];
  const stacks: Stack[] = [];
  let failed = 0;
  for (const section of outcome.sections) {
    if (section.listing) {
      machines.push(...section.listing.machines);
      stacks.push(...section.listing.stacks);
    } else {
      failed += 1;
    }
  }
  const counts = new Map<string, number>();
  for (const item of [...machines, ...stacks]) counts.set(item.status, (counts.get(item.status) ?? 0) + 1);
  const byStatus = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([status, count]) => `${count.toLocaleString('en-US')} ${status}`)
    .join(', ');
  return {
    machines: machines.length,
    stacks: stacks.length,
    providers: outcome.sections.length,
    failed,
    byStatus,
  };
}

/** "12 machines and 3 stacks on 2 providers". */
export function totalsLine(totals: ListingTotals): string {
  const things = [plural(totals.machines, 'machine')];
  if (totals.stacks > 0) things.push(plural(totals.stacks, 'stack'));
  const failed = totals.failed > 0 ? ` (${plural(totals.failed, 'provider')} did not answer)` : '';
  return `${things.join(' and ')} on ${plural(totals.providers, 'provider')}${failed}`;
}
