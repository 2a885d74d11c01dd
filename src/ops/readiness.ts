/**
 * `/readyz`: ready when the Socket Mode connection is up, the store answers
 * and the bot is taking commands. Otherwise each reason, in words an
 * operator can act on ("Slack: not connected (Socket Mode disconnected
 * since …): cannot reach https://slack.com/api/apps.connections.open:
 * getaddrinfo ENOTFOUND slack.com").
 */
import type { Redactor } from '../log/redact.ts';
import type { SlackConnectionState } from '../slack-connection.ts';
import type { Store } from '../store/store.ts';
import { innermostMessage } from './error-text.ts';
import type { SlackUnreachable } from './slack-reachability.ts';
import { within } from './within.ts';

export interface Readiness {
  readonly ready: boolean;
  /** Why not, one sentence each; empty when ready. */
  readonly reasons: readonly string[];
}

export interface ReadinessDeps {
  readonly slack: () => SlackConnectionState;
  readonly slackProblem: () => SlackUnreachable | undefined;
  readonly store: Pick<Store, 'ping' | 'dialect' | 'location'>;
  /** False while shutting down. */
  readonly accepting: () => boolean;
  readonly redactor: Redactor;
  /** How long the store may take to answer the ping (default 2 s). */
  readonly storeTimeoutMs?: number;
}

export async function readiness(deps: ReadinessDeps): Promise<Readiness> {
  const reasons: string[] = [];
  const slack = deps.slack();
  if (slack.state !== 'connected') {
    const problem = deps.slackProblem();
    const why = problem
      ? `: cannot reach ${problem.url}: ${problem.error} (${problem.attempts} failed attempt${problem.attempts === 1 ? '' : 's'} since ${new Date(problem.since).toISOString()})`
      : '';
    reasons.push(
      `Slack: not connected (Socket Mode ${slack.state} since ${new Date(slack.since).toISOString()})${why}`,
    );
  }
  const { store } = deps;
  try {
    await within(store.ping(), deps.storeTimeoutMs ?? 2_000);
  } catch (error) {
    reasons.push(`store: ${store.dialect} at ${store.location} did not answer: ${innermostMessage(error)}`);
  }
  if (!deps.accepting()) reasons.push('shutting down: not taking new commands');
  return { ready: reasons.length === 0, reasons: reasons.map((reason) => deps.redactor.text(reason)) };
}
