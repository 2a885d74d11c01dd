/**
 * Delivers the outbox's events to the webhooks (and clients' callbacks): a
 * POST of the event's JSON, signed (signature.ts), claimed first so that of
 * several replicas one sends it. A 2xx answer is delivered; anything else —
 * another status, a timeout, a refused connection, a redirect — is tried
 * again after a backoff that doubles (1 s, 2 s, 4 s… at most an hour) with
 * jitter, until its window (`bridge.retryFor`, 24 h) has passed: then it is
 * dead, shown by `webhooks`, and sent again only by `webhooks retry ID`.
 * Delivery is at least once: a receiver de-duplicates on the event id.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { DueDelivery, Outbox } from '../store/outbox.ts';
import { SIGNATURE_HEADER, sign } from './signature.ts';
import { WebhookPoster } from './webhook-post.ts';

export const DELIVERY_OUTCOMES = ['delivered', 'failed', 'dead'] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

export interface Endpoint {
  readonly url: string;
  readonly secret: string;
}

export interface WebhookDispatcherOptions {
  readonly outbox: Outbox;
  /** The configured webhooks, by name. */
  readonly webhooks: ReadonlyMap<string, Endpoint>;
  /** The secret a callback endpoint (`client:NAME`) is signed with: that client's token. */
  readonly callbackSecret: (endpoint: string) => string | undefined;
  readonly log: Logger;
  readonly timeoutMs: number;
  readonly retryForMs: number;
  readonly now?: () => number;
  readonly random?: () => number;
  /** Deliveries in flight at once, in this process. */
  readonly concurrency?: number;
  /** How often the outbox is looked at for events other replicas (or processes) wrote. */
  readonly pollMs?: number;
  readonly onOutcome?: (outcome: DeliveryOutcome, seconds: number) => void;
}

const FIRST_RETRY_MS = 1_000;
const LONGEST_RETRY_MS = 3_600_000;
const SETTLED_KEPT_MS = 7 * 86_400_000;
/**
 * Commits come in bursts (one per API call) and deliveries end in bursts:
 * the outbox is looked at once per burst, this long after its first, not
 * once per commit — a claim query per event would double an API call's cost.
 */
const BURST_MS = 10;

/** The wait before try `attempts + 1`: doubling from 1 s to an hour, times a jitter of 0.5–1.5. */
export function backoffMs(attempts: number, random: () => number): number {
  const base = Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (0.5 + random()));
}

export class WebhookDispatcher {
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly options: WebhookDispatcherOptions;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly poster = new WebhookPoster();
  private timer: ReturnType<typeof setInterval> | undefined;
  private burst: ReturnType<typeof setTimeout> | undefined;
  private unsubscribe: (() => void) | undefined;
  private pumping = false;
  private again = false;
  private stopped = true;
  private lastPrune = 0;

  constructor(options: WebhookDispatcherOptions) {
    this.options = options;
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  start(): void {
    this.stopped = false;
    this.unsubscribe = this.options.outbox.onCommitted(() => this.soon());
    this.timer = setInterval(() => this.kick(), this.options.pollMs ?? 500);
    this.timer.unref();
    this.kick();
  }

  /** Stops claiming; waits for the deliveries in flight (each bounded by the timeout). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.burst);
    this.unsubscribe?.();
    await Promise.allSettled([...this.inFlight]);
    this.poster.close();
  }

  /** Looks for due deliveries now. */
  kick(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    void this.pump();
  }

  /** Looks for due deliveries shortly, with whatever else commits meanwhile. */
  private soon(): void {
    if (this.burst || this.stopped) return;
    this.burst = setTimeout(() => {
      this.burst = undefined;
      this.kick();
    }, BURST_MS);
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    const concurrency = this.options.concurrency ?? 32;
    try {
      do {
        this.again = false;
        for (;;) {
          const room = concurrency - this.inFlight.size;
          if (room <= 0 || this.stopped) break;
          const due = await this.options.outbox.claimDue(this.owner, this.now(), this.leaseMs(), room);
          for (const delivery of due) this.track(this.deliver(delivery));
          if (due.length < room) break;
        }
      } while (this.again && !this.stopped);
      await this.pruneNow();
    } catch (error) {
      this.options.log.error({ err: error }, 'could not read the webhook outbox');
    } finally {
      this.pumping = false;
    }
  }

  /** A claim outlives the longest try, so no other replica sends it meanwhile. */
  private leaseMs(): number {
    return this.options.timeoutMs * 2 + 2_000;
  }

  private track(work: Promise<void>): void {
    const tracked = work.finally(() => {
      this.inFlight.delete(tracked);
      this.soon();
    });
    this.inFlight.add(tracked);
  }

  private endpointOf(delivery: DueDelivery): Endpoint | undefined {
    if (delivery.url) {
      const secret = this.options.callbackSecret(delivery.endpoint);
      return secret === undefined ? undefined : { url: delivery.url, secret };
    }
    return this.options.webhooks.get(delivery.endpoint);
  }

  private async deliver(delivery: DueDelivery): Promise<void> {
    const { outbox, log } = this.options;
    const started = performance.now();
    const endpoint = this.endpointOf(delivery);
    let failure: { status?: number; error: string };
    if (!endpoint) {
      failure = { error: `${delivery.endpoint} is not configured any more` };
    } else {
      try {
        const status = await this.post(endpoint, delivery);
        if (status >= 200 && status < 300) {
          await outbox.delivered(delivery.id, this.owner, this.now(), status);
          this.options.onOutcome?.('delivered', (performance.now() - started) / 1000);
          log.debug({ event: delivery.eventId, endpoint: delivery.endpoint, status }, 'webhook delivered');
          return;
        }
        failure = { status, error: `answered HTTP ${status}` };
      } catch (error) {
        failure = { error: describeFailure(error, this.options.timeoutMs) };
      }
    }
    const now = this.now();
    const windowEnd = delivery.createdAt + this.options.retryForMs;
    const next = now + backoffMs(delivery.attempts + 1, this.options.random ?? Math.random);
    const dead = !endpoint || now >= windowEnd;
    try {
      await outbox.failed(delivery.id, this.owner, now, {
        ...failure,
        ...(dead ? {} : { nextAttemptAt: Math.min(next, windowEnd) }),
      });
    } catch (error) {
      log.error({ err: error, event: delivery.eventId }, 'could not record a webhook delivery’s failure');
    }
    this.options.onOutcome?.(dead ? 'dead' : 'failed', (performance.now() - started) / 1000);
    log.warn(
      {
        event: delivery.eventId,
        endpoint: delivery.endpoint,
        attempts: delivery.attempts + 1,
        dead,
        ...failure,
      },
      dead ? 'a webhook delivery is dead' : 'a webhook delivery failed; it will be tried again',
    );
  }

  private post(endpoint: Endpoint, delivery: DueDelivery): Promise<number> {
    const timestamp = Math.floor(this.now() / 1000);
    return this.poster.post(
      endpoint.url,
      {
        'content-type': 'application/json',
        'user-agent': 'cloudmaster-webhooks',
        'cloudmaster-event-id': delivery.eventId,
        'cloudmaster-event-type': delivery.type,
        'cloudmaster-delivery-attempt': String(delivery.attempts + 1),
        [SIGNATURE_HEADER]: sign(endpoint.secret, delivery.body, timestamp),
      },
      delivery.body,
      this.options.timeoutMs,
    );
  }

  /** Once an hour: settled deliveries older than a week are forgotten (work stays bounded). */
  private async pruneNow(): Promise<void> {
    const now = this.now();
    if (now - this.lastPrune < 3_600_000) return;
    this.lastPrune = now;
    await this.options.outbox.prune(now - SETTLED_KEPT_MS);
  }
}

function describeFailure(error: unknown, timeoutMs: number): string {
  const name = (error as { name?: unknown } | undefined)?.name;
  if (name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && code.startsWith('E')) return `could not connect (${code})`;
  return error instanceof Error ? error.message : String(error);
}
