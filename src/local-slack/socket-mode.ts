/**
 * Slack's side of Socket Mode: greets each connection with `hello`, pings
 * it (the client drops a connection that hears no server ping for 30 s),
 * sends envelopes to one open connection at a time, and matches acks to
 * envelopes by id.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { EnvelopeRecord, EnvelopeType } from './messages.ts';

export type DisconnectReason = 'warning' | 'refresh_requested' | 'link_disabled' | 'too_many_websockets';

export interface Ack {
  /** Present when the app acked with content (`ack('text')`, `ack({ … })`); a bare `ack()` sends `{}`. */
  readonly payload?: Record<string, unknown>;
}

export interface Delivery {
  readonly envelopeId: string;
  readonly payload: Record<string, unknown>;
  readonly ack: Ack;
  /** From sending the envelope to receiving its ack. */
  readonly ackMs: number;
}

interface Connection {
  readonly socket: WebSocket;
  /** Told to disconnect: Slack sends it nothing more. */
  draining: boolean;
}

interface PendingAck {
  readonly record: EnvelopeRecord;
  readonly connection: Connection;
  readonly sentAt: number;
  readonly resolve: (delivery: Delivery) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export interface SocketModeOptions {
  readonly appId: string;
  readonly pingIntervalMs: number;
  readonly ackTimeoutMs: number;
  /** Called after every change a test may be waiting for (connection opened or closed, ack). */
  readonly onChange: () => void;
}

export class SocketModeServer {
  /** Connections opened so far (a reconnect adds one). */
  connectionsOpened = 0;

  private readonly server = new WebSocketServer({ noServer: true });
  private readonly connections = new Set<Connection>();
  private readonly pending = new Map<string, PendingAck>();
  private readonly options: SocketModeOptions;
  private readonly pingTimer: NodeJS.Timeout;
  private nextConnection = 0;

  constructor(options: SocketModeOptions) {
    this.options = options;
    this.pingTimer = setInterval(() => {
      for (const { socket } of this.connections) if (socket.readyState === WebSocket.OPEN) socket.ping();
    }, options.pingIntervalMs);
  }

  /** Connections not yet closed, draining ones included. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** Connections open and not told to disconnect. */
  get openConnections(): number {
    let count = 0;
    for (const connection of this.connections) if (this.isUsable(connection)) count += 1;
    return count;
  }

  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.server.handleUpgrade(request, socket, head, (ws) => this.accept(ws));
  }

  private accept(socket: WebSocket): void {
    const connection: Connection = { socket, draining: false };
    this.connectionsOpened += 1;
    this.connections.add(connection);
    socket.on('close', () => this.forget(connection, 'the connection closed'));
    socket.on('error', () => this.forget(connection, 'the connection failed'));
    socket.on('message', (data) => this.onMessage(String(data)));
    socket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.connections.size,
        connection_info: { app_id: this.options.appId },
        debug_info: { host: 'local-slack', approximate_connection_time: 3600 },
      }),
    );
    this.options.onChange();
  }

  private forget(connection: Connection, why: string): void {
    if (!this.connections.delete(connection)) return;
    for (const [envelopeId, pending] of this.pending) {
      if (pending.connection !== connection) continue;
      this.settle(envelopeId, pending);
      pending.reject(
        new Error(`${why} before the app acked envelope ${envelopeId} (${pending.record.type})`),
      );
    }
    this.options.onChange();
  }

  private onMessage(text: string): void {
    let message: { envelope_id?: unknown; payload?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return;
    }
    if (typeof message.envelope_id !== 'string') return;
    const pending = this.pending.get(message.envelope_id);
    if (!pending) return;
    this.settle(message.envelope_id, pending);
    const payload =
      typeof message.payload === 'object' && message.payload !== null
        ? (message.payload as Record<string, unknown>)
        : undefined;
    const ack: Ack = payload && Object.keys(payload).length > 0 ? { payload } : {};
    const ackMs = performance.now() - pending.sentAt;
    pending.record.ack = ack;
    pending.record.ackMs = ackMs;
    pending.resolve({ envelopeId: message.envelope_id, payload: pending.record.payload, ack, ackMs });
    this.options.onChange();
  }

  private settle(envelopeId: string, pending: PendingAck): void {
    this.pending.delete(envelopeId);
    clearTimeout(pending.timer);
  }

  private isUsable(connection: Connection): boolean {
    return !connection.draining && connection.socket.readyState === WebSocket.OPEN;
  }

  /**
   * Sends an envelope to one usable connection (round robin, as Slack
   * spreads envelopes over an app's connections) and resolves with its ack.
   */
  send(record: EnvelopeRecord, extra: Record<string, unknown>): Promise<Delivery> {
    const usable = [...this.connections].filter((connection) => this.isUsable(connection));
    if (usable.length === 0) return Promise.reject(new Error('no open Socket Mode connection'));
    this.nextConnection = (this.nextConnection + 1) % usable.length;
    const connection = usable[this.nextConnection] as Connection;
    return new Promise<Delivery>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(record.envelopeId);
        reject(
          new Error(
            `the app did not ack envelope ${record.envelopeId} (${record.type}) within ${this.options.ackTimeoutMs} ms`,
          ),
        );
      }, this.options.ackTimeoutMs);
      this.pending.set(record.envelopeId, {
        record,
        connection,
        sentAt: performance.now(),
        resolve,
        reject,
        timer,
      });
      connection.socket.send(
        JSON.stringify({
          envelope_id: record.envelopeId,
          type: record.type,
          payload: record.payload,
          accepts_response_payload: acceptsResponsePayload(record.type, record.payload),
          ...extra,
        }),
      );
    });
  }

  /** Closes every connection abruptly: no disconnect message, no close frame. */
  dropConnections(): void {
    for (const connection of [...this.connections]) {
      connection.socket.terminate();
      this.forget(connection, 'the server dropped the connection');
    }
  }

  /** Sends the protocol's disconnect message; the client closes and reconnects. */
  sendDisconnect(reason: DisconnectReason): void {
    for (const connection of this.connections) {
      if (connection.draining) continue;
      connection.draining = true;
      connection.socket.send(
        JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'local-slack' } }),
      );
    }
    this.options.onChange();
  }

  close(): void {
    clearInterval(this.pingTimer);
    for (const [envelopeId, pending] of [...this.pending]) {
      this.settle(envelopeId, pending);
      pending.reject(new Error(`the Slack server stopped before the app acked envelope ${envelopeId}`));
    }
    for (const connection of this.connections) connection.socket.terminate();
    this.connections.clear();
    this.server.close();
  }
}

/** Slack reads a response in the ack of a command, a view submission or an options request. */
function acceptsResponsePayload(type: EnvelopeType, payload: Record<string, unknown>): boolean {
  if (type === 'slash_commands') return true;
  if (type === 'events_api') return false;
  return payload.type === 'view_submission' || payload.type === 'block_suggestion';
}
