/**
 * Opens an outage ticket as an Azure DevOps work item ("Work Items - Create",
 * REST 7.1): a JSON Patch document of fields, Basic auth with a personal
 * access token, through the project's shared HTTP client. There is no
 * maintained Node SDK that is not a thin wrapper of this one call.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import { HttpClient } from '../../../providers/http/client.ts';
import { HttpError } from '../../../providers/http/errors.ts';
import { CloudmasterError, ErrorCode } from '../../errors.ts';
import type { AzureDevopsTickets } from './config.ts';
import type { TicketContent } from './content.ts';
import { type TicketTarget, ticketStatusError } from './ticket-errors.ts';
import type { CreatedTicket, TicketSystem } from './ticket-system.ts';

export const AZURE_DEVOPS_API_VERSION = '7.1';

const workItemSchema = z.object({
  id: z.number().int(),
  rev: z.number().int().optional(),
  _links: z.object({ html: z.object({ href: z.string() }) }),
  url: z.string().optional(),
});

/**
 * Azure DevOps answers a request it could not authenticate with 203 and its
 * sign-in page rather than a 401; that text, not a work item, is what comes.
 */
const answerSchema = z.union([workItemSchema, z.string()]);

export interface JsonPatchOperation {
  readonly op: 'add';
  readonly path: string;
  readonly value: string;
}

/** The work item's fields, as the JSON Patch document that creates it. */
export function workItemPatch(ticket: TicketContent, settings: AzureDevopsTickets): JsonPatchOperation[] {
  const patch: JsonPatchOperation[] = [
    { op: 'add', path: '/fields/System.Title', value: ticket.title },
    { op: 'add', path: '/fields/System.Description', value: ticket.html },
    { op: 'add', path: '/fields/System.Tags', value: settings.tags.join('; ') },
  ];
  // A Bug's form shows Repro Steps, not Description (Agile, Scrum and CMMI processes).
  if (settings.workItemType.toLowerCase() === 'bug')
    patch.push({ op: 'add', path: '/fields/Microsoft.VSTS.TCM.ReproSteps', value: ticket.html });
  if (settings.areaPath) patch.push({ op: 'add', path: '/fields/System.AreaPath', value: settings.areaPath });
  return patch;
}

export interface AzureDevopsTicketOptions {
  readonly log: Logger;
  readonly timeoutMs?: number;
  readonly userAgent?: string;
}

export class AzureDevopsTicketSystem implements TicketSystem {
  readonly system = 'azure-devops';
  private readonly settings: AzureDevopsTickets;
  private readonly client: HttpClient;
  private readonly target: TicketTarget;

  constructor(settings: AzureDevopsTickets, options: AzureDevopsTicketOptions) {
    this.settings = settings;
    this.target = {
      system: 'Azure DevOps',
      where: `project ${settings.project} (work item type ${settings.workItemType})`,
      ...(settings.tokenVariable ? { tokenVariable: settings.tokenVariable } : {}),
      scope: 'the Work Items (Read & write) scope',
    };
    this.client = new HttpClient({
      baseUrl: settings.organization,
      headers: {
        // A PAT goes as the password of Basic auth; the user name is ignored.
        Authorization: `Basic ${Buffer.from(`:${settings.token}`).toString('base64')}`,
        'User-Agent': options.userAgent ?? 'cloudmaster',
      },
      provider: {
        id: 'tickets',
        label: 'Azure DevOps',
        ...(settings.tokenVariable ? { tokenVariable: settings.tokenVariable } : {}),
      },
      budgetMs: options.timeoutMs ?? 15_000,
      errorMessage: (body) => (body as { message?: unknown } | undefined)?.message as string | undefined,
      log: options.log.child({ component: 'azure-devops-tickets' }),
    });
  }

  async create(
    ticket: TicketContent,
    signal: AbortSignal = new AbortController().signal,
  ): Promise<CreatedTicket> {
    const path = `/${encodeURIComponent(this.settings.project)}/_apis/wit/workitems/$${encodeURIComponent(this.settings.workItemType)}`;
    let answer: Awaited<ReturnType<typeof this.client.request<z.infer<typeof answerSchema>>>>;
    try {
      answer = await this.client.request({
        method: 'POST',
        path,
        query: { 'api-version': AZURE_DEVOPS_API_VERSION },
        body: workItemPatch(ticket, this.settings),
        contentType: 'application/json-patch+json',
        schema: answerSchema,
        signal,
      });
    } catch (error) {
      throw this.failure(error);
    }
    if (typeof answer.data === 'string' || answer.status === 203)
      throw ticketStatusError(this.target, 401, undefined);
    return { system: 'azure-devops', id: String(answer.data.id), url: answer.data._links.html.href };
  }

  private failure(error: unknown): unknown {
    if (!(error instanceof HttpError)) return error;
    if (error.status !== undefined)
      return ticketStatusError(this.target, error.status, error.providerMessage);
    // Timeouts, unreachable hosts and odd answers keep the shared client's words.
    const mayExist = error.code === ErrorCode.ProviderTimeout || error.code === ErrorCode.ProviderUnexpected;
    return new CloudmasterError(error.code, error.message, {
      hint: mayExist
        ? `The work item may still have been created: look in ${this.target.where} before clicking again.`
        : 'Check the network and tickets.azureDevops.organization in cloudmaster.yml.',
    });
  }
}
