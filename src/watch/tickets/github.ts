/**
 * Opens an outage ticket as a GitHub issue, through GitHub's official REST
 * client (@octokit/rest). `endpoint` moves it to GitHub Enterprise Server
 * (https://HOST/api/v3) or a local double.
 */
import { Octokit } from '@octokit/rest';
import type { Logger } from 'pino';
import { z } from 'zod';
import { formatDuration } from '../../config/duration.ts';
import { CloudmasterError, ErrorCode } from '../../errors.ts';
import type { GithubTickets } from './config.ts';
import type { TicketContent } from './content.ts';
import { type TicketTarget, ticketStatusError } from './ticket-errors.ts';
import type { CreatedTicket, TicketSystem } from './ticket-system.ts';

const issueSchema = z.object({ number: z.number().int(), html_url: z.string() });

interface OctokitFailure {
  readonly status?: number;
  readonly name?: string;
  readonly message?: string;
  readonly cause?: { readonly name?: string; readonly code?: string };
  readonly response?: {
    readonly data?: unknown;
    readonly headers?: Readonly<Record<string, string | undefined>>;
  };
}

/** GitHub's own words: its message, and for a 422 what each error names. */
function githubSaid(data: unknown): string | undefined {
  if (data === null || typeof data !== 'object') return undefined;
  const { message, errors } = data as { message?: unknown; errors?: unknown };
  const details = Array.isArray(errors)
    ? errors
        .map(
          (e: { resource?: string; field?: string; code?: string; message?: string }) =>
            e.message ?? [e.resource, e.field, e.code].filter(Boolean).join(' '),
        )
        .filter((text) => text !== '')
    : [];
  const first = typeof message === 'string' ? message.split('\n')[0] : undefined;
  return (
    [first, details.length > 0 ? `(${details.join('; ')})` : undefined].filter(Boolean).join(' ') || undefined
  );
}

export interface GithubTicketOptions {
  readonly log: Logger;
  readonly timeoutMs?: number;
  readonly userAgent?: string;
}

export class GithubTicketSystem implements TicketSystem {
  readonly system = 'github';
  private readonly settings: GithubTickets;
  private readonly octokit: Octokit;
  private readonly timeoutMs: number;
  private readonly target: TicketTarget;

  constructor(settings: GithubTickets, options: GithubTicketOptions) {
    this.settings = settings;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    const log = options.log.child({ component: 'github-tickets' });
    this.octokit = new Octokit({
      auth: settings.token,
      baseUrl: settings.endpoint.replace(/\/+$/, ''),
      userAgent: options.userAgent ?? 'cloudmaster',
      log: {
        debug: (message: string) => log.debug(message),
        info: (message: string) => log.debug(message),
        warn: (message: string) => log.warn(message),
        error: (message: string) => log.error(message),
      },
    });
    this.target = {
      system: 'GitHub',
      where: `${settings.owner}/${settings.repo}`,
      ...(settings.tokenVariable ? { tokenVariable: settings.tokenVariable } : {}),
      scope: 'Issues: write on the repository (fine-grained token), or the repo scope (classic token)',
    };
  }

  async create(
    ticket: TicketContent,
    signal: AbortSignal = new AbortController().signal,
  ): Promise<CreatedTicket> {
    let data: unknown;
    try {
      const answer = await this.octokit.rest.issues.create({
        owner: this.settings.owner,
        repo: this.settings.repo,
        title: ticket.title,
        body: ticket.markdown,
        labels: [...this.settings.labels],
        request: { signal: AbortSignal.any([signal, AbortSignal.timeout(this.timeoutMs)]) },
      });
      data = answer.data;
    } catch (error) {
      throw this.failure(error as OctokitFailure, signal);
    }
    const issue = issueSchema.safeParse(data);
    if (!issue.success) {
      throw new CloudmasterError(
        ErrorCode.ProviderUnexpected,
        'GitHub answered the new issue with a shape cloudmaster does not know.',
        {
          hint: `The issue may have been created: look in ${this.target.where}.`,
        },
      );
    }
    return { system: 'github', id: `#${issue.data.number}`, url: issue.data.html_url };
  }

  private failure(error: OctokitFailure, signal: AbortSignal): CloudmasterError {
    if (signal.aborted)
      return new CloudmasterError(ErrorCode.ShuttingDown, 'Creating the ticket was stopped.');
    const timedOut =
      error.name === 'TimeoutError' || error.cause?.name === 'TimeoutError' || error.name === 'AbortError';
    if (timedOut) {
      return new CloudmasterError(
        ErrorCode.ProviderTimeout,
        `GitHub did not answer in ${formatDuration(this.timeoutMs)}.`,
        {
          hint: `The issue may still have been created: look in ${this.target.where} before clicking again.`,
        },
      );
    }
    if (error.response === undefined || error.status === undefined) {
      const detail = error.cause?.code ?? error.message ?? 'network error';
      return new CloudmasterError(ErrorCode.ProviderUnavailable, `GitHub could not be reached (${detail}).`, {
        hint: 'Check the network and tickets.github.endpoint in cloudmaster.yml.',
      });
    }
    const headers = error.response.headers ?? {};
    if (error.status === 403 && headers['x-ratelimit-remaining'] === '0')
      return ticketStatusError(this.target, 429, undefined);
    return ticketStatusError(this.target, error.status, githubSaid(error.response.data));
  }
}
