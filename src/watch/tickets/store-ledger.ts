/**
 * The ticket ledger the bot uses: the store's ticket claims, so a restart
 * or another replica finds what was opened. A claim whose opener went away
 * before recording a ticket (a crash mid-call) is taken over after a while.
 */
import type { WatchTickets } from '../../store/watch-tickets.ts';
import type { LedgerEntry, TicketLedger } from './ticket-once.ts';
import type { CreatedTicket } from './ticket-system.ts';

/** Longer than any ticket system is given to answer. */
const STALE_CLAIM_MS = 2 * 60_000;

export function storeLedger(tickets: WatchTickets, now: () => number): TicketLedger {
  return {
    async find(key): Promise<LedgerEntry | undefined> {
      const claim = await tickets.find(key);
      if (!claim) return undefined;
      if (!claim.ticket) return { by: claim.claimedBy, at: claim.claimedAt };
      return {
        ticket: {
          system: claim.ticket.system as CreatedTicket['system'],
          id: claim.ticket.id,
          url: claim.ticket.url,
        },
        by: claim.claimedBy,
        at: claim.openedAt ?? claim.claimedAt,
      };
    },
    claim: (key, claim, by) => tickets.claim(key, claim, by, now(), STALE_CLAIM_MS),
    record: (key, claim, ticket) => tickets.record(key, claim, ticket, now()),
    release: (key, claim) => tickets.release(key, claim),
  };
}
