/** The ticket system the config names, ready for **Create ticket**. */
import type { Logger } from 'pino';
import { AzureDevopsTicketSystem } from './azure-devops.ts';
import type { TicketSettings } from './config.ts';
import { GithubTicketSystem } from './github.ts';
import type { TicketSystem } from './ticket-system.ts';

export function ticketSystemFor(
  settings: TicketSettings,
  options: { readonly log: Logger; readonly timeoutMs?: number },
): TicketSystem {
  return settings.system === 'github'
    ? new GithubTicketSystem(settings, options)
    : new AzureDevopsTicketSystem(settings, options);
}
