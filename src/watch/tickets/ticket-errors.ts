/**
 * One wording for what goes wrong when a ticket is opened, whichever system
 * answered: what happened, where, and what to check — the token's variable
 * by name, never the token.
 */
import { CloudmasterError, ErrorCode } from '../../errors.ts';

export interface TicketTarget {
  /** "GitHub", "Azure DevOps". */
  readonly system: string;
  /** Where the ticket was to go: "acme/ops", "acme / Operations". */
  readonly where: string;
  readonly tokenVariable?: string;
  /** What the token needs, in the system's words. */
  readonly scope: string;
}

export function ticketStatusError(
  target: TicketTarget,
  status: number,
  said: string | undefined,
): CloudmasterError {
  const { system, where } = target;
  const check = target.tokenVariable ? ` (check ${target.tokenVariable})` : '';
  // Their words end the sentence; ours supplies the full stop.
  const words = said ? `: ${said.replace(/[.\s]+$/, '')}` : '';
  switch (true) {
    case status === 401:
      return new CloudmasterError(ErrorCode.ProviderAuth, `${system} rejected the ticket token${check}.`, {
        hint: 'The token may have expired or been revoked; create a new one and restart cloudmaster.',
      });
    case status === 403:
      return new CloudmasterError(
        ErrorCode.ProviderAuth,
        `${system} refused to create a ticket in ${where}${words}.`,
        {
          hint: `The token works but lacks permission: it needs ${target.scope}.`,
        },
      );
    case status === 404:
      return new CloudmasterError(
        ErrorCode.NotFound,
        `${system} has no ${where}, or the token cannot see it${words}.`,
        {
          hint: 'Check the names under tickets: in cloudmaster.yml and what the token may access.',
        },
      );
    case status === 410:
      return new CloudmasterError(
        ErrorCode.ProviderRejected,
        `${system} does not take tickets in ${where}${words}.`,
      );
    case status === 400 || status === 422:
      return new CloudmasterError(ErrorCode.ProviderRejected, `${system} refused the ticket${words}.`);
    case status === 429:
      return new CloudmasterError(
        ErrorCode.ProviderUnavailable,
        `${system} is rate-limiting ticket creation.`,
        {
          hint: 'Wait a minute and click again.',
        },
      );
    case status >= 500:
      return new CloudmasterError(
        ErrorCode.ProviderUnavailable,
        `${system} failed with HTTP ${status}${words}.`,
        {
          hint: `This is on their side. The ticket may still have been created: look in ${where} before clicking again.`,
        },
      );
    default:
      return new CloudmasterError(
        ErrorCode.ProviderRejected,
        `${system} refused the ticket (HTTP ${status})${words}.`,
      );
  }
}
