/**
 * One ticket per incident, however often **Create ticket** is clicked: a
 * click while the ticket is being opened in this process waits for that
 * one, and a click after it gets the same ticket back. Across processes the
 * ledger decides: an opener first claims the incident (in the store: one
 * INSERT), and only the claim's winner calls the ticket system — so a
 * second click on another replica finds the claim, then the ticket. What
 * fails to open releases its claim, so a later click may try again.
 */
import { randomUUID } from 'node:crypto';
import { CloudmasterError, ErrorCode } from '../../errors.ts';
import type { TicketContent } from './content.ts';
import type { CreatedTicket, TicketSystem } from './ticket-system.ts';

export interface LedgerEntry {
  /** Set once opened; absent while the claim's holder is still opening it. */
  readonly ticket?: CreatedTicket;
  /** Who asked for it. */
  readonly by: string;
  /** When it was opened (or, while opening, claimed). */
  readonly at: number;
}

export interface TicketLedger {
  find(incidentKey: string): Promise<LedgerEntry | undefined>;
  /** True for the one caller that may open the incident's ticket; `claim` is that caller's token. */
  claim(incidentKey: string, claim: string, by: string): Promise<boolean>;
  record(incidentKey: string, claim: string, ticket: CreatedTicket): Promise<void>;
  release(incidentKey: string, claim: string): Promise<void>;
}

/** A ledger for one process (tests, and where no store is at hand). */
export function memoryLedger(now: () => number = Date.now): TicketLedger {
  const entries = new Map<string, LedgerEntry & { readonly claim: string }>();
  return {
    find: async (key) => entries.get(key),
    claim: async (key, claim, by) => {
      if (entries.has(key)) return false;
      entries.set(key, { claim, by, at: now() });
      return true;
    },
    record: async (key, claim, ticket) => {
      const entry = entries.get(key);
      if (entry?.claim === claim) entries.set(key, { ...entry, ticket, at: now() });
    },
    release: async (key, claim) => {
      if (entries.get(key)?.claim === claim && !entries.get(key)?.ticket) entries.delete(key);
    },
  };
}

export interface OpenedTicket {
  readonly ticket: CreatedTicket;
  /** False when the incident already had this ticket (a second click). */
  readonly created: boolean;
  /** Who asked for it, and when it was opened. */
  readonly by: string;
  readonly at: number;
}

export interface OpenOptions {
  /** Who asks (a Slack user id). */
  readonly by?: string;
  readonly signal?: AbortSignal;
}

export class TicketOpener {
  private readonly system: TicketSystem;
  private readonly ledger: TicketLedger;
  private readonly opening = new Map<string, Promise<OpenedTicket>>();

  constructor(system: TicketSystem, ledger: TicketLedger = memoryLedger()) {
    this.system = system;
    this.ledger = ledger;
  }

  /** The incident's ticket: opened now, or the one it already has. */
  open(incidentKey: string, content: TicketContent, options: OpenOptions = {}): Promise<OpenedTicket> {
    const pending = this.opening.get(incidentKey);
    if (pending) return pending.then((opened) => ({ ...opened, created: false }));
    const run = this.openOnce(incidentKey, content, options).finally(() => this.opening.delete(incidentKey));
    this.opening.set(incidentKey, run);
    return run;
  }

  private async openOnce(
    incidentKey: string,
    content: TicketContent,
    options: OpenOptions,
  ): Promise<OpenedTicket> {
    const by = options.by ?? 'cloudmaster';
    const existing = await this.ledger.find(incidentKey);
    if (existing?.ticket)
      return { ticket: existing.ticket, created: false, by: existing.by, at: existing.at };
    const claim = randomUUID();
    if (!(await this.ledger.claim(incidentKey, claim, by))) {
      const now = await this.ledger.find(incidentKey);
      if (now?.ticket) return { ticket: now.ticket, created: false, by: now.by, at: now.at };
      throw new CloudmasterError(
        ErrorCode.InvalidState,
        'A ticket for this incident is being opened right now; its link will be posted in the thread.',
      );
    }
    let ticket: CreatedTicket;
    try {
      ticket = await this.system.create(content, options.signal);
    } catch (error) {
      await this.ledger.release(incidentKey, claim);
      throw error;
    }
    await this.ledger.record(incidentKey, claim, ticket);
    const recorded = await this.ledger.find(incidentKey);
    return { ticket, created: true, by, at: recorded?.at ?? Date.now() };
  }
}
