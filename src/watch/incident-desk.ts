/**
 * What people do to an incident from its notice (or by typing it):
 * acknowledge it — recorded once, shown on the notice — and open its
 * ticket, once, in the configured system, with the link in its thread.
 */
import type { Logger } from 'pino';
import { CloudmasterError, ErrorCode } from '../errors.ts';
import type { Store } from '../store/store.ts';
import type { Acknowledgement } from '../store/watch-incidents.ts';
import type { WatchedSource } from './config.ts';
import type { FoundIncident } from './find-incident.ts';
import { incidentPath, incidentRef } from './incident-ref.ts';
import type { WatchService } from './service.ts';
import type { TicketSettings } from './tickets/config.ts';
import { ticketFromIncident } from './tickets/content.ts';
import { ticketSystemFor } from './tickets/index.ts';
import { storeLedger } from './tickets/store-ledger.ts';
import { type OpenedTicket, TicketOpener } from './tickets/ticket-once.ts';

export type DeskIncident = FoundIncident & { readonly platform: WatchedSource; readonly ref: string };

export interface Acknowledged {
  readonly found: DeskIncident;
  /** False: someone acknowledged it first (`acknowledged` says who). */
  readonly won: boolean;
  readonly acknowledged: Acknowledgement;
}

export interface Ticketed {
  readonly found: DeskIncident;
  readonly opened: OpenedTicket;
}

export interface IncidentDeskOptions {
  readonly watch: WatchService;
  readonly store: Store;
  readonly tickets?: TicketSettings;
  readonly log: Logger;
}

export class IncidentDesk {
  private readonly options: IncidentDeskOptions;
  private readonly opener: TicketOpener | undefined;

  constructor(options: IncidentDeskOptions) {
    this.options = options;
    const { watch, store, tickets, log } = options;
    this.opener = tickets
      ? new TicketOpener(
          ticketSystemFor(tickets, { log }),
          storeLedger(store.watch.tickets, () => watch.now()),
        )
      : undefined;
  }

  async acknowledge(words: string, by: string): Promise<Acknowledged> {
    const { watch, store } = this.options;
    watch.requireNotices('acknowledge');
    const found = await this.find(words);
    const { won, record } = await store.watch.incidents.acknowledge(
      found.source,
      found.incident.key,
      by,
      watch.now(),
    );
    if (!record?.acknowledged) throw this.noNotice(found);
    if (won) await watch.notices.redraw(found.platform, found.incident.key);
    return { found, won, acknowledged: record.acknowledged };
  }

  async ticket(words: string, by: string): Promise<Ticketed> {
    const { watch } = this.options;
    watch.requireNotices('ticket');
    if (!this.opener) {
      throw new CloudmasterError(
        ErrorCode.Unsupported,
        'No ticket system is configured, so no ticket was opened.',
        {
          hint: 'Add a tickets: section (github or azureDevops) to cloudmaster.yml (docs/outage-watch.md).',
        },
      );
    }
    const found = await this.find(words);
    if (!(await watch.notices.record(found.source, found.incident.key))) throw this.noNotice(found);
    const content = ticketFromIncident(found.incident, {
      platform: found.platform.label,
      source: found.source,
    });
    const opened = await this.opener.open(incidentPath(found.source, found.incident.key), content, { by });
    if (opened.created) await watch.notices.tellTicket(found.platform, found.incident.key);
    return { found, opened };
  }

  private async find(words: string): Promise<DeskIncident> {
    const found = await this.options.watch.find(words);
    return { ...found, ref: incidentRef(found.source, found.incident.key) };
  }

  private noNotice(found: DeskIncident): CloudmasterError {
    return new CloudmasterError(ErrorCode.InvalidState, `${found.ref} has no notice in Slack yet.`, {
      hint: 'Its notice is posted at the next poll; try again then.',
    });
  }
}
