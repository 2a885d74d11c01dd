/** `webhooks` in words, the same for Slack and the terminal: one line per endpoint, then its dead events. */
import type { WebhooksOutcome } from '../safety/answers.ts';

function when(ms: number | undefined): string {
  return ms === undefined ? 'never' : `${new Date(ms).toISOString().replace('T', ' ').slice(0, 19)} UTC`;
}

export function webhookLines(answer: WebhooksOutcome): string[] {
  const lines: string[] = [];
  if (answer.retried)
    lines.push(
      answer.retried.deliveries > 0
        ? `Event ${answer.retried.eventId} will be sent again to ${answer.retried.deliveries} endpoint(s).`
        : `There is no event ${answer.retried.eventId} in the outbox.`,
    );
  if (answer.endpoints.length === 0) lines.push('No webhook has had an event to deliver yet.');
  for (const endpoint of answer.endpoints) {
    lines.push(
      `${endpoint.endpoint}: last success ${when(endpoint.lastSuccessAt)}; ${endpoint.delivered} delivered, ` +
        `${endpoint.pending} waiting (${endpoint.failing} failing), ${endpoint.dead} dead` +
        (endpoint.lastError ? `; last failure ${when(endpoint.lastFailureAt)}: ${endpoint.lastError}` : ''),
    );
    if (endpoint.deadEvents.length > 0)
      lines.push(`  dead: ${endpoint.deadEvents.join(', ')} (webhooks retry ID sends one again)`);
  }
  return lines;
}
