/**
 * The tickets opened for incidents. Opening one starts with a claim — one
 * INSERT of the incident's row — so of two clicks (here or on a replica)
 * one calls the ticket system and the other finds its claim, then its
 * ticket. A claim whose opener died before recording a ticket may be taken
 * over once it is stale; a failed opening releases its claim.
 */
import { type Row, type SqlDriver, toNumber, toOptionalNumber, toOptionalString } from './sql.ts';

export interface StoredTicket {
  readonly system: string;
  readonly id: string;
  readonly url: string;
}

export interface TicketClaim {
  readonly incident: string;
  /** Who clicked (a Slack user id). */
  readonly claimedBy: string;
  readonly claimedAt: number;
  /** Set once the ticket system answered. */
  readonly ticket?: StoredTicket;
  readonly openedAt?: number;
}

function fromRow(row: Row): TicketClaim {
  const system = toOptionalString(row.system);
  const id = toOptionalString(row.ticket_id);
  const url = toOptionalString(row.url);
  const openedAt = toOptionalNumber(row.opened_at);
  return {
    incident: String(row.incident),
    claimedBy: String(row.claimed_by),
    claimedAt: toNumber(row.claimed_at),
    ...(system && id && url ? { ticket: { system, id, url } } : {}),
    ...(openedAt === undefined ? {} : { openedAt }),
  };
}

export class WatchTickets {
  private readonly db: SqlDriver;

  constructor(db: SqlDriver) {
    this.db = db;
  }

  /**
   * True for the one caller that may open the incident's ticket now: the
   * first, or the first after a claim without a ticket went stale. `claim`
   * is the caller's own token (one per attempt), `by` the person.
   */
  async claim(incident: string, claim: string, by: string, now: number, staleMs: number): Promise<boolean> {
    const changed = await this.db.run(
      `INSERT INTO watch_tickets (incident, claim, claimed_by, claimed_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (incident) DO UPDATE SET claim = excluded.claim, claimed_by = excluded.claimed_by,
         claimed_at = excluded.claimed_at
       WHERE watch_tickets.url IS NULL AND watch_tickets.claimed_at <= $5`,
      [incident, claim, by, now, now - staleMs],
    );
    return changed > 0;
  }

  async find(incident: string): Promise<TicketClaim | undefined> {
    const [row] = await this.db.all(
      'SELECT incident, claimed_by, claimed_at, system, ticket_id, url, opened_at FROM watch_tickets WHERE incident = $1',
      [incident],
    );
    return row ? fromRow(row) : undefined;
  }

  /** The ticket the claim's holder opened. */
  async record(incident: string, claim: string, ticket: StoredTicket, now: number): Promise<void> {
    await this.db.run(
      `UPDATE watch_tickets SET system = $3, ticket_id = $4, url = $5, opened_at = $6
       WHERE incident = $1 AND claim = $2`,
      [incident, claim, ticket.system, ticket.id, ticket.url, now],
    );
  }

  /** Gives up a claim that opened nothing, so a later click may try again. */
  async release(incident: string, claim: string): Promise<void> {
    await this.db.run('DELETE FROM watch_tickets WHERE incident = $1 AND claim = $2 AND url IS NULL', [
      incident,
      claim,
    ]);
  }

  /** Forgets the ticket of an incident key that now names a new outage. */
  async forget(incident: string): Promise<void> {
    await this.db.run('DELETE FROM watch_tickets WHERE incident = $1', [incident]);
  }
}
