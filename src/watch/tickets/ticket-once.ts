/**
 * One ticket per incident, however often **Create ticket** is clicked: a
 * click while the ticket is being opened waits for that one, and a click
 * after it gets the same ticket back. What was opened is kept in a ledger —
 * in memory by default; the bot gives one backed by its store, so that a
 * restart or another replica finds the ticket too.
 */
import type { TicketContent } from './content.ts';
import type { CreatedTicket, TicketSystem } from './ticket-system.ts';

export interface TicketLedger {
  /** The ticket opened for an incident key, if any. */
  find(incidentKey: string): Promise<CreatedTicket | undefined>;
  record(incidentKey: string, ticket: CreatedTicket): Promise<void>;
}

export function memoryLedger(): TicketLedger {
  const tickets = new Map<string, CreatedTicket>();
  return {
    find: async (key) => tickets.get(key),
    record: async (key, ticket) => {
      tickets.set(key, ticket);
    },
  };
}

export interface OpenedTicket {
  readonly ticket: CreatedTicket;
  /** False when the incident already had this ticket (a second click). */
  readonly created: boolean;
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
  open(incidentKey: string, content: TicketContent, signal?: AbortSignal): Promise<OpenedTicket> {
    const pending = this.opening.get(incidentKey);
    if (pending) return pending.then((opened) => ({ ...opened, created: false }));
    const run = this.openOnce(incidentKey, content, signal).finally(() => this.opening.delete(incidentKey));
    this.opening.set(incidentKey, run);
    return run;
  }

  private async openOnce(
    incidentKey: string,
    content: TicketContent,
    signal?: AbortSignal,
  ): Promise<OpenedTicket> {
    const existing = await this.ledger.find(incidentKey);
    if (existing) return { ticket: existing, created: false };
    const ticket = await this.system.create(content, signal);
    await this.ledger.record(incidentKey, ticket);
    return { ticket, created: true };
  }
}
