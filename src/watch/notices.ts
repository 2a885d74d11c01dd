/**
 * The tracker's events, told once: each event's deterministic key is
 * claimed in the store before anything is posted, so whichever replica or
 * restart meets the event again finds it claimed and stays quiet. An
 * `opened` event posts the notice and records where it is; `updated` and
 * `resolved` reply in that notice's thread and redraw it. When the one
 * post an event is for fails, its claim is given back, so the next poll
 * (which meets the same event again: the snapshot was not saved) tries
 * again; what fails after that post is logged, never posted twice.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Store } from '../store/store.ts';
import type { IncidentRecord } from '../store/watch-incidents.ts';
import { incidentPath, incidentRef } from './incident-ref.ts';
import type { NoticePlatform, NoticeState, NoticeTicket, OutageNotifier } from './notifier.ts';
import { type IncidentEvent, resolvedAfter, type TrackedIncident, trackedIncidentSchema } from './tracked.ts';

/** As long as the tracker remembers a resolved incident: a key is never met again before it forgets. */
export const EVENT_CLAIM_TTL_MS = 30 * 86_400_000;

export interface IncidentNoticesOptions {
  readonly store: Store;
  /** Absent in the CLI: notices can be read, not posted. */
  readonly notifier?: OutageNotifier;
  readonly log: Logger;
  /** This process's name on its claims. */
  readonly owner: string;
  readonly now: () => number;
}

export class IncidentNotices {
  private readonly options: IncidentNoticesOptions;

  constructor(options: IncidentNoticesOptions) {
    this.options = options;
  }

  private get notifier(): OutageNotifier {
    if (!this.options.notifier) throw new Error('outage notices are posted by the bot, not the CLI');
    return this.options.notifier;
  }

  /** The notice as it stands now: the incident's newest facts, acknowledgement and ticket. */
  async state(
    platform: NoticePlatform,
    incident: TrackedIncident,
    by?: string,
    options: { readonly fresh?: boolean } = {},
  ): Promise<NoticeState> {
    const { store } = this.options;
    const path = incidentPath(platform.name, incident.key);
    // A new incident has nothing yet, whatever an outage long forgotten under its key left behind.
    const [record, claim] = options.fresh
      ? [undefined, undefined]
      : await Promise.all([
          store.watch.incidents.get(platform.name, incident.key),
          store.watch.tickets.find(path),
        ]);
    const ticket: NoticeTicket | undefined = claim?.ticket
      ? {
          system: claim.ticket.system as NoticeTicket['system'],
          id: claim.ticket.id,
          url: claim.ticket.url,
          by: claim.claimedBy,
          at: claim.openedAt ?? claim.claimedAt,
        }
      : undefined;
    const lastedMs =
      incident.resolvedAt === undefined
        ? undefined
        : Math.max(0, Date.parse(incident.resolvedAt) - Date.parse(incident.startedAt));
    return {
      platform: { name: platform.name, label: platform.label },
      incident,
      ref: incidentRef(platform.name, incident.key),
      path,
      ...(record?.acknowledged ? { acknowledged: record.acknowledged } : {}),
      ...(ticket ? { ticket } : {}),
      ...(lastedMs === undefined
        ? {}
        : { resolution: { summary: resolvedAfter(lastedMs), ...(by ? { by } : {}) } }),
    };
  }

  /** The stored record of an incident, with its incident validated. */
  async record(
    source: string,
    key: string,
  ): Promise<{ record: IncidentRecord; incident: TrackedIncident } | undefined> {
    const record = await this.options.store.watch.incidents.get(source, key);
    if (!record) return undefined;
    const incident = trackedIncidentSchema.safeParse(record.incident);
    return incident.success ? { record, incident: incident.data } : undefined;
  }

  /** Redraws an incident's notice from what is stored; a failure is logged. */
  async redraw(platform: NoticePlatform, key: string): Promise<void> {
    const found = await this.record(platform.name, key);
    if (!found?.record.notice) return;
    await this.quietly('could not redraw an outage notice', async () =>
      this.notifier.redrawNotice(
        found.record.notice as NonNullable<IncidentRecord['notice']>,
        await this.state(platform, found.incident),
      ),
    );
  }

  /** A ticket just opened: its link goes to the notice's thread (once: only its opener calls this). */
  async tellTicket(platform: NoticePlatform, key: string): Promise<void> {
    const found = await this.record(platform.name, key);
    const at = found?.record.notice;
    if (!found || !at) return;
    const state = await this.state(platform, found.incident);
    if (!state.ticket) return;
    await this.notifier.postTicket(at, { ...state, ticket: state.ticket });
    await this.quietly('could not redraw an outage notice', () => this.notifier.redrawNotice(at, state));
  }

  /**
   * Tells one event, unless it was told before (here, on a replica, before
   * a restart): true when this call told it. Throws when its post failed.
   */
  async publish(
    platform: NoticePlatform & { readonly channel: string },
    event: IncidentEvent,
    by?: string,
  ): Promise<boolean> {
    const { store, owner, now, log } = this.options;
    const claim = `watch-event:${event.eventKey}`;
    // The webhooks' `outage.*` event is written with the claim: once, whichever replica tells it.
    const outboxEvent = {
      id: `outage-${createHash('sha256').update(event.eventKey).digest('hex').slice(0, 32)}`,
      type: `outage.${event.kind}`,
      data: {
        outage: {
          source: platform.name,
          platform: platform.label,
          key: event.incident.key,
          ref: incidentRef(platform.name, event.incident.key),
          title: event.incident.title,
          status: event.incident.status,
          impact: event.incident.impact,
          url: event.incident.url,
          started_at: event.incident.startedAt,
          resolved_at: event.incident.resolvedAt ?? null,
          latest_update: event.incident.latestUpdate ?? null,
        },
      },
    };
    if (!(await store.keys.claim(claim, owner, now(), EVENT_CLAIM_TTL_MS, outboxEvent))) {
      log.debug({ event: event.eventKey }, 'an outage event already told');
      return false;
    }
    let told: () => Promise<void>;
    try {
      told = await this.post(platform, event, by);
    } catch (error) {
      await store.keys.release(claim, owner).catch(() => undefined);
      throw error;
    }
    await this.quietly('could not record an outage notice', told);
    log.info({ source: platform.name, incident: event.incident.key, kind: event.kind }, 'outage event told');
    return true;
  }

  /** Posts what the event is for; returns what is left to do (recording, redrawing) once it is out. */
  private async post(
    platform: NoticePlatform & { readonly channel: string },
    event: IncidentEvent,
    by?: string,
  ): Promise<() => Promise<void>> {
    const { store, now } = this.options;
    const { notifier } = this;
    const { incident } = event;
    const incidents = store.watch.incidents;
    const known = event.kind === 'opened' ? undefined : await incidents.get(platform.name, incident.key);
    if (event.kind === 'opened' || !known?.notice) {
      // A notice of its own: a new incident, or one whose notice was never recorded (a replica's race).
      const fresh = event.kind === 'opened';
      if (fresh) await store.watch.tickets.forget(incidentPath(platform.name, incident.key));
      const at = await notifier.postNotice(
        platform.channel,
        await this.state(platform, incident, by, { fresh }),
      );
      return async () => {
        if (event.kind === 'opened') await incidents.opened(platform.name, incident.key, incident, at, now());
        else await incidents.setNotice(platform.name, incident.key, incident, at, now());
        if (event.kind === 'resolved') await incidents.update(platform.name, incident.key, incident, now());
      };
    }
    const at = known.notice;
    await incidents.update(
      platform.name,
      incident.key,
      incident,
      event.kind === 'resolved' ? now() : undefined,
    );
    const state = await this.state(platform, incident, by);
    if (event.kind === 'updated') await notifier.postUpdate(at, event, state);
    else await notifier.postResolution(at, event, state);
    return () => notifier.redrawNotice(at, state);
  }

  private async quietly(what: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.options.log.warn({ err: error }, what);
    }
  }
}
