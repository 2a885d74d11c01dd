/**
 * The outbox: events for webhooks, written in the same transaction as the
 * change they report (a job's state, an audit record, an outage's claim, an
 * approval's decision), so an event exists exactly when its change
 * committed — none lost when the process dies after the commit, none
 * invented when the transaction rolls back. Each event gets one delivery row
 * per endpoint that asked for its type; deliveries are claimed (a
 * conditional UPDATE that one replica wins), sent, and marked delivered, or
 * retried later, or dead once their window has passed.
 */
import { randomBytes } from 'node:crypto';
import { eventMatches } from '../bridge/config.ts';
import {
  type Row,
  type SqlDriver,
  type SqlRunner,
  toNumber,
  toOptionalNumber,
  toOptionalString,
} from './sql.ts';

/** A webhook as the outbox routes events to it. */
export interface OutboxRoute {
  readonly name: string;
  readonly events: readonly string[];
  /** `slack.message` comes only from these channels. */
  readonly channels?: readonly string[];
}

export interface NewOutboxEvent {
  /** Deterministic where the change may be met again (an outage event, a Slack event id): written once. */
  readonly id?: string;
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
  /** The Slack channel it comes from (`slack.message` routing). */
  readonly channel?: string;
  /** Also (or only) to this endpoint at this URL: a client's `callback_url`. */
  readonly callback?: { readonly endpoint: string; readonly url: string };
}

export interface DueDelivery {
  readonly id: string;
  readonly eventId: string;
  readonly endpoint: string;
  /** Set for callbacks; webhooks take theirs from the config. */
  readonly url?: string;
  readonly attempts: number;
  /** When its retry window began. */
  readonly createdAt: number;
  readonly type: string;
  readonly body: string;
}

export interface EndpointSummary {
  readonly endpoint: string;
  readonly delivered: number;
  readonly pending: number;
  /** Pending ones that failed at least once. */
  readonly failing: number;
  readonly dead: number;
  readonly lastSuccessAt?: number;
  readonly lastFailureAt?: number;
  readonly lastError?: string;
  /** The newest dead events (ids), for `webhooks retry ID`. */
  readonly deadEvents: readonly string[];
}

export function newEventId(): string {
  return `evt_${Date.now().toString(36)}${randomBytes(8).toString('hex')}`;
}

const DELIVERY_COLUMNS = 'id, event_id, endpoint, url, attempts, created_at';

export class Outbox {
  private readonly db: SqlDriver;
  private routes: readonly OutboxRoute[];
  private readonly listeners = new Set<() => void>();

  constructor(db: SqlDriver, routes: readonly OutboxRoute[] = []) {
    this.db = db;
    this.routes = routes;
  }

  /** The endpoints that asked for `type` (from `channel`, for slack.message). */
  private endpointsFor(type: string, channel?: string): string[] {
    return this.routes
      .filter((route) => route.events.some((pattern) => eventMatches(pattern, type)))
      .filter(
        (route) => type !== 'slack.message' || (channel !== undefined && route.channels?.includes(channel)),
      )
      .map((route) => route.name);
  }

  /** Whether any endpoint wants `type`: changes nobody listens to write no event (and take no transaction). */
  wants(type: string, channel?: string): boolean {
    return this.endpointsFor(type, channel).length > 0;
  }

  /** Whether any endpoint wants a type starting with `prefix` ("job."). */
  wantsAny(prefix: string): boolean {
    return this.routes.some((route) =>
      route.events.some((pattern) => pattern === '*' || pattern.startsWith(prefix)),
    );
  }

  /**
   * Writes the event and its deliveries inside `tx`, the transaction of the
   * change it reports; an event whose id exists already is not written
   * again. Returns its id, or undefined when nobody wants it.
   */
  async add(tx: SqlRunner, event: NewOutboxEvent, now: number): Promise<string | undefined> {
    const endpoints = this.endpointsFor(event.type, event.channel).map((endpoint) => ({
      endpoint,
      url: null,
    }));
    if (event.callback)
      endpoints.push({ endpoint: event.callback.endpoint, url: event.callback.url as never });
    if (endpoints.length === 0) return undefined;
    const id = event.id ?? newEventId();
    const body = JSON.stringify({
      id,
      type: event.type,
      occurred_at: new Date(now).toISOString(),
      data: event.data,
    });
    const written = await tx.run(
      'INSERT INTO outbox_events (id, type, occurred_at, body) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING',
      [id, event.type, now, body],
    );
    if (written === 0) return id;
    for (const { endpoint, url } of endpoints) {
      await tx.run(
        `INSERT INTO webhook_deliveries (id, event_id, endpoint, url, state, attempts, next_attempt_at, claimed_until, created_at)
         VALUES ($1, $2, $3, $4, 'pending', 0, $5, 0, $5)`,
        [`${id}/${endpoint}`, id, endpoint, url, now],
      );
    }
    return id;
  }

  /** Writes an event on its own (a change that is not itself in the store, e.g. a Slack message seen). */
  async publish(event: NewOutboxEvent, now: number): Promise<string | undefined> {
    if (!event.callback && !this.wants(event.type, event.channel)) return undefined;
    const id = await this.db.transaction((tx) => this.add(tx, event, now));
    this.committed();
    return id;
  }

  /** Runs `work` and writes `event(result)` in one transaction (when someone wants events like it). */
  async withEvent<T>(
    work: (tx: SqlRunner) => Promise<T>,
    event: (result: T) => NewOutboxEvent | undefined,
    now: number,
  ): Promise<T> {
    const result = await this.db.transaction(async (tx) => {
      const done = await work(tx);
      const wanted = event(done);
      if (wanted) await this.add(tx, wanted, now);
      return done;
    });
    this.committed();
    return result;
  }

  /** Called once a transaction holding events committed: the dispatcher goes at once. */
  committed(): void {
    for (const listener of this.listeners) listener();
  }

  onCommitted(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Claims up to `limit` deliveries that are due; a replica claiming at the
   * same moment skips them (the claim is rechecked on each row it updates).
   */
  async claimDue(owner: string, now: number, leaseMs: number, limit: number): Promise<DueDelivery[]> {
    const rows = await this.db.all(
      `UPDATE webhook_deliveries SET claimed_by = $1, claimed_until = $2
       WHERE id IN (SELECT id FROM webhook_deliveries
                    WHERE state = 'pending' AND next_attempt_at <= $3 AND claimed_until <= $3
                    ORDER BY next_attempt_at LIMIT $4)
         AND state = 'pending' AND claimed_until <= $3
       RETURNING ${DELIVERY_COLUMNS}`,
      [owner, now + leaseMs, now, limit],
    );
    if (rows.length === 0) return [];
    const eventIds = [...new Set(rows.map((row) => String(row.event_id)))];
    const events = await this.db.all(
      `SELECT id, type, body FROM outbox_events WHERE id IN (${eventIds.map((_, i) => `$${i + 1}`).join(', ')})`,
      eventIds,
    );
    const byId = new Map(events.map((event) => [String(event.id), event]));
    return rows.flatMap((row) => {
      const event = byId.get(String(row.event_id));
      if (!event) return [];
      const url = toOptionalString(row.url);
      return [
        {
          id: String(row.id),
          eventId: String(row.event_id),
          endpoint: String(row.endpoint),
          ...(url ? { url } : {}),
          attempts: toNumber(row.attempts),
          createdAt: toNumber(row.created_at),
          type: String(event.type),
          body: String(event.body),
        },
      ];
    });
  }

  async delivered(id: string, owner: string, now: number, status: number): Promise<boolean> {
    const changed = await this.db.run(
      `UPDATE webhook_deliveries SET state = 'delivered', attempts = attempts + 1, delivered_at = $3,
         last_attempt_at = $3, last_status = $4, last_error = NULL, claimed_by = NULL, claimed_until = 0
       WHERE id = $1 AND claimed_by = $2`,
      [id, owner, now, status],
    );
    return changed > 0;
  }

  /** A failed try: tried again at `nextAttemptAt`, or dead when that is undefined. */
  async failed(
    id: string,
    owner: string,
    now: number,
    failure: { readonly status?: number; readonly error: string; readonly nextAttemptAt?: number },
  ): Promise<boolean> {
    const changed = await this.db.run(
      `UPDATE webhook_deliveries SET state = $3, attempts = attempts + 1, next_attempt_at = $4,
         last_attempt_at = $5, last_status = $6, last_error = $7, claimed_by = NULL, claimed_until = 0
       WHERE id = $1 AND claimed_by = $2`,
      [
        id,
        owner,
        failure.nextAttemptAt === undefined ? 'dead' : 'pending',
        failure.nextAttemptAt ?? now,
        now,
        failure.status ?? null,
        failure.error.slice(0, 500),
      ],
    );
    return changed > 0;
  }

  /** Sends an event again to each of its endpoints, whatever came of it before; its retry window starts anew. */
  async retry(eventId: string, now: number): Promise<number> {
    const changed = await this.db.run(
      `UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = $2, created_at = $2,
         claimed_by = NULL, claimed_until = 0
       WHERE event_id = $1 AND (state <> 'pending' OR claimed_until <= $2)`,
      [eventId, now],
    );
    if (changed > 0) this.committed();
    return changed;
  }

  /** Deliveries not delivered yet (the metrics' outbox depth). */
  async depth(): Promise<number> {
    const [row] = await this.db.all("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE state = 'pending'");
    return toNumber(row?.n ?? 0);
  }

  /** Each endpoint's deliveries, for `webhooks`. */
  async summary(): Promise<EndpointSummary[]> {
    const counts = await this.db.all(
      `SELECT endpoint, state, COUNT(*) AS n, MAX(delivered_at) AS last_success,
         SUM(CASE WHEN attempts > 0 THEN 1 ELSE 0 END) AS tried
       FROM webhook_deliveries GROUP BY endpoint, state`,
    );
    const failures = await this.db.all(
      `SELECT endpoint, last_attempt_at, last_error FROM webhook_deliveries
       WHERE last_error IS NOT NULL ORDER BY last_attempt_at DESC LIMIT 200`,
    );
    const dead = await this.db.all(
      `SELECT endpoint, event_id FROM webhook_deliveries WHERE state = 'dead'
       ORDER BY last_attempt_at DESC LIMIT 200`,
    );
    const endpoints = new Map<string, { -readonly [K in keyof EndpointSummary]: EndpointSummary[K] }>();
    const entry = (endpoint: string) => {
      let found = endpoints.get(endpoint);
      if (!found) {
        found = { endpoint, delivered: 0, pending: 0, failing: 0, dead: 0, deadEvents: [] };
        endpoints.set(endpoint, found);
      }
      return found;
    };
    for (const row of counts) {
      const summary = entry(String(row.endpoint));
      const n = toNumber(row.n);
      if (row.state === 'delivered') {
        summary.delivered = n;
        const last = toOptionalNumber(row.last_success);
        if (last !== undefined) summary.lastSuccessAt = last;
      } else if (row.state === 'pending') {
        summary.pending = n;
        summary.failing = toNumber(row.tried ?? 0);
      } else if (row.state === 'dead') summary.dead = n;
    }
    for (const row of failures) {
      const summary = entry(String(row.endpoint));
      if (summary.lastFailureAt !== undefined) continue;
      const at = toOptionalNumber(row.last_attempt_at);
      if (at !== undefined) summary.lastFailureAt = at;
      const error = toOptionalString(row.last_error);
      if (error !== undefined) summary.lastError = error;
    }
    for (const row of dead) {
      const summary = entry(String(row.endpoint));
      if (summary.deadEvents.length < 5) summary.deadEvents = [...summary.deadEvents, String(row.event_id)];
    }
    return [...endpoints.values()].sort((a, b) => a.endpoint.localeCompare(b.endpoint));
  }

  /** Removes deliveries settled (delivered or dead) before `before`, and events left with none. */
  async prune(before: number): Promise<number> {
    const removed = await this.db.run(
      `DELETE FROM webhook_deliveries WHERE state <> 'pending' AND COALESCE(last_attempt_at, created_at) < $1`,
      [before],
    );
    await this.db.run(
      'DELETE FROM outbox_events WHERE occurred_at < $1 AND id NOT IN (SELECT event_id FROM webhook_deliveries)',
      [before],
    );
    return removed;
  }
}

/** The body of one stored event, parsed (tests, `webhooks`). */
export function parseEventBody(row: Row): unknown {
  return JSON.parse(String(row.body));
}
