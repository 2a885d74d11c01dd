/**
 * Ack latency, seen on the Socket Mode client itself: from an envelope's
 * arrival (`slack_event`) to its ack going out (`outgoing_message` with the
 * same envelope id). Listeners need no change; an envelope never acked is
 * forgotten once too many are waiting.
 */
import type { BotMetrics } from './metrics.ts';

interface SocketModeEvents {
  // biome-ignore lint/suspicious/noExplicitAny: the Socket Mode client's emitter is untyped
  on(event: string, listener: (...args: any[]) => void): unknown;
}

const MAX_WAITING = 1_000;

export function timeAcks(client: SocketModeEvents, metrics: BotMetrics): void {
  const waiting = new Map<string, { type: string; at: number }>();
  client.on('slack_event', (event: { envelope_id?: string; type?: string }) => {
    if (typeof event.envelope_id !== 'string') return;
    if (waiting.size >= MAX_WAITING) {
      const oldest = waiting.keys().next();
      if (!oldest.done) waiting.delete(oldest.value);
    }
    waiting.set(event.envelope_id, { type: String(event.type), at: performance.now() });
  });
  client.on('outgoing_message', (message: { envelope_id?: string }) => {
    const id = message.envelope_id;
    const arrived = id === undefined ? undefined : waiting.get(id);
    if (!arrived || id === undefined) return;
    waiting.delete(id);
    metrics.acked(arrived.type, (performance.now() - arrived.at) / 1000);
  });
}
