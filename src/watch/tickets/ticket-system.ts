/** What every ticket system offers the **Create ticket** button: open one ticket, say where. */
import type { TicketContent } from './content.ts';

export interface CreatedTicket {
  readonly system: 'github' | 'azure-devops';
  /** How people refer to it: "#128" on GitHub, "4711" in Azure DevOps. */
  readonly id: string;
  /** Its page, for the link in the thread. */
  readonly url: string;
}

export interface TicketSystem {
  readonly system: CreatedTicket['system'];
  /** Opens one ticket; failures are CloudmasterErrors worded for the person who clicked. */
  create(ticket: TicketContent, signal?: AbortSignal): Promise<CreatedTicket>;
}
