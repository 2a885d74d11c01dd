/**
 * The outage watch's parts of cloudmaster.yml (`watch:` and `tickets:`),
 * validated for the config loader: one line per problem, ticket tokens only
 * from the environment, and their values handed back for redaction.
 */
import type { InterpolationResult } from '../config/interpolate.ts';
import { formatIssues } from '../config/issues.ts';
import { type WatchSettings, watchSectionSchema } from './config.ts';
import { TICKET_SECRET_PATHS, type TicketSettings, ticketsSectionSchema } from './tickets/config.ts';

export interface WatchSections {
  readonly watch?: WatchSettings;
  readonly tickets?: TicketSettings;
  /** Secret values (ticket tokens), for the redactor. */
  readonly secrets: readonly string[];
  readonly problems: readonly string[];
}

export function loadWatchSections(
  data: { readonly watch?: unknown; readonly tickets?: unknown },
  interpolated: Pick<InterpolationResult, 'unresolved' | 'fromEnvironment' | 'variables'>,
  where: string,
): WatchSections {
  const problems: string[] = [];
  const secrets: string[] = [];
  // A section with an unset variable is already reported; validating it too would report it twice.
  const incomplete = (section: string): boolean =>
    interpolated.unresolved.some((path) => path === section || path.startsWith(`${section}.`));

  let watch: WatchSettings | undefined;
  if (data.watch !== undefined && !incomplete('watch')) {
    const parsed = watchSectionSchema.safeParse(data.watch);
    if (parsed.success) watch = parsed.data;
    else problems.push(...formatIssues(parsed.error.issues, where, ['watch'], watchSectionSchema.in));
  }

  let tickets: TicketSettings | undefined;
  if (data.tickets !== undefined && !incomplete('tickets')) {
    const before = problems.length;
    const parsed = ticketsSectionSchema.safeParse(data.tickets);
    if (!parsed.success)
      problems.push(...formatIssues(parsed.error.issues, where, ['tickets'], ticketsSectionSchema.in));
    for (const path of TICKET_SECRET_PATHS) {
      const key = `tickets.${path}`;
      const [system, field] = path.split('.') as [string, string];
      const value = (data.tickets as Record<string, Record<string, unknown> | undefined> | null)?.[system]?.[
        field
      ];
      if (typeof value !== 'string' || value === '') continue;
      secrets.push(value);
      if (!interpolated.fromEnvironment.has(key))
        problems.push(
          `${where}: ${key}: write the secret as \${ENV_NAME}; secrets are not kept in the config file`,
        );
    }
    if (parsed.success && problems.length === before) {
      const variable = interpolated.variables.get(
        `tickets.${parsed.data.system === 'github' ? 'github' : 'azureDevops'}.token`,
      );
      tickets = { ...parsed.data, ...(variable ? { tokenVariable: variable } : {}) };
    }
  }
  return { ...(watch ? { watch } : {}), ...(tickets ? { tickets } : {}), secrets, problems };
}
