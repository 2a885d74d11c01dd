/**
 * The state of the bot's Socket Mode connection, as `health` reports it:
 * connecting, connected, reconnecting or disconnected, and since when. It
 * listens to the Socket Mode client's own state events.
 */
export type SlackSocketState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

export interface SlackConnectionState {
  readonly state: SlackSocketState;
  readonly since: number;
  /** Connections opened so far; more than one means it reconnected. */
  readonly connections: number;
}

const STATES: readonly SlackSocketState[] = ['connecting', 'connected', 'reconnecting', 'disconnected'];

export class SlackConnection {
  private current: SlackConnectionState;
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
    this.current = { state: 'disconnected', since: now(), connections: 0 };
  }

  /** Follows a Socket Mode client from now on. */
  follow(client: { on(event: string, listener: () => void): unknown }): void {
    for (const state of STATES) {
      client.on(state, () => {
        if (state === this.current.state) return;
        const connections = this.current.connections + (state === 'connected' ? 1 : 0);
        this.current = { state, since: this.now(), connections };
      });
    }
  }

  snapshot(): SlackConnectionState {
    return this.current;
  }
}
