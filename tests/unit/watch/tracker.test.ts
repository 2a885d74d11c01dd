import { describe, expect, it } from 'vitest';
import type { ObservedIncident } from '../../../src/watch/incident.ts';
import type { SourceReading } from '../../../src/watch/source.ts';
import {
  emptySnapshot,
  type IncidentEvent,
  resolvedAfter,
  type SourceSnapshot,
  sourceSnapshotSchema,
} from '../../../src/watch/tracked.ts';
import { resolveByHand, type TrackOptions, trackReading } from '../../../src/watch/tracker.ts';

const T0 = Date.parse('2025-03-18T14:00:00.000Z');
const minutes = (n: number): string => new Date(T0 + n * 60_000).toISOString();

/** An incident as a source reports it; `at` is its last update, in minutes after T0. */
function seen(id: string, at: number, facts: Partial<ObservedIncident> = {}): ObservedIncident {
  return {
    id,
    title: `Incident ${id}`,
    status: 'investigating',
    sourceStatus: 'investigating',
    impact: 'minor',
    startedAt: minutes(0),
    updatedAt: minutes(at),
    url: `https://status.example.com/incidents/${id}`,
    latestUpdate: 'We are investigating.',
    components: ['API'],
    ...facts,
  };
}

type Step = {
  /** Minutes after T0 at which the poll ends. */
  readonly at: number;
  /** What the poll read; `failed` for a poll that could not read the source. */
  readonly reads: readonly ObservedIncident[] | 'failed';
  /** The events, in words: "opened a#1", "updated a#1 status,latestUpdate", "resolved a#1 after 1 h 12 min by absence". */
  readonly expect: readonly string[];
};

function words(event: IncidentEvent): string {
  const key = event.incident.key;
  if (event.kind === 'opened') return `${event.reopened ? 'reopened' : 'opened'} ${key}`;
  if (event.kind === 'updated') return `updated ${key} ${event.changes.join(',')}`;
  return `${event.summary.replace('resolved', `resolved ${key}`)} by ${event.by}`;
}

function reading(step: Step): SourceReading {
  const base = { source: 'example', at: minutes(step.at), latencyMs: 40 };
  return step.reads === 'failed'
    ? { ...base, ok: false, reason: 'Example status did not answer in 10 s.' }
    : { ...base, ok: true, incidents: step.reads, notModified: false };
}

/** Runs the steps in order, saving and reloading the snapshot between polls as the store would. */
function run(steps: readonly Step[], options: Omit<TrackOptions, 'now'> = {}): SourceSnapshot {
  let snapshot = emptySnapshot('example');
  for (const [index, step] of steps.entries()) {
    const result = trackReading(snapshot, reading(step), { ...options, now: new Date(minutes(step.at)) });
    expect(result.events.map(words), `step ${index + 1} at +${step.at} min`).toEqual(step.expect);
    // Through JSON and the schema, as a restart would load it.
    snapshot = sourceSnapshotSchema.parse(JSON.parse(JSON.stringify(result.snapshot)));
  }
  return snapshot;
}

const sequences: readonly [string, readonly Step[], Omit<TrackOptions, 'now'>?][] = [
  [
    'open → update → resolved by the source → reopened as a new incident',
    [
      { at: 2, reads: [seen('a', 1)], expect: ['opened a#1'] },
      { at: 4, reads: [seen('a', 1)], expect: [] },
      {
        at: 40,
        reads: [
          seen('a', 39, { status: 'identified', sourceStatus: 'identified', latestUpdate: 'Found it.' }),
        ],
        expect: ['updated a#1 status,latestUpdate'],
      },
      {
        at: 74,
        reads: [seen('a', 72, { status: 'resolved', sourceStatus: 'resolved', resolvedAt: minutes(72) })],
        expect: ['resolved a#1 after 1 h 12 min by source'],
      },
      {
        at: 76,
        reads: [seen('a', 72, { status: 'resolved', sourceStatus: 'resolved', resolvedAt: minutes(72) })],
        expect: [],
      },
      // The source keeps the first start; the new outage is counted from when it reopened.
      { at: 120, reads: [seen('a', 118)], expect: ['reopened a#2'] },
      // Seen again, with the source's first start as ever: the outage still counts from its reopening.
      { at: 130, reads: [seen('a', 118)], expect: [] },
      { at: 150, reads: [], expect: [] },
      { at: 152, reads: [], expect: ['resolved a#2 after 32 min by absence'] },
    ],
  ],
  [
    'an incident that leaves unresolved.json is resolved as of the first poll without it',
    [
      { at: 2, reads: [seen('a', 1)], expect: ['opened a#1'] },
      { at: 72, reads: [], expect: [] },
      { at: 74, reads: [], expect: ['resolved a#1 after 1 h 12 min by absence'] },
      { at: 76, reads: [], expect: [] },
    ],
  ],
  [
    'a failed poll between polls resolves nothing and does not count as an absence',
    [
      { at: 2, reads: [seen('a', 1)], expect: ['opened a#1'] },
      { at: 4, reads: 'failed', expect: [] },
      { at: 6, reads: 'failed', expect: [] },
      { at: 8, reads: [], expect: [] },
      { at: 10, reads: 'failed', expect: [] },
      { at: 12, reads: [seen('a', 1)], expect: [] },
      { at: 14, reads: [], expect: [] },
      { at: 16, reads: [], expect: ['resolved a#1 after 14 min by absence'] },
    ],
  ],
  [
    'flapping: an incident missing from every other answer is neither resolved nor announced again',
    [
      { at: 2, reads: [seen('a', 1)], expect: ['opened a#1'] },
      { at: 4, reads: [], expect: [] },
      { at: 6, reads: [seen('a', 1)], expect: [] },
      { at: 8, reads: [], expect: [] },
      { at: 10, reads: [seen('a', 1)], expect: [] },
    ],
  ],
  [
    'flapping status: resolved, open again, resolved again — each outage has its notice and its resolution',
    [
      { at: 2, reads: [seen('a', 1)], expect: ['opened a#1'] },
      {
        at: 10,
        reads: [seen('a', 9, { status: 'resolved', resolvedAt: minutes(9) })],
        expect: ['resolved a#1 after 9 min by source'],
      },
      { at: 12, reads: [seen('a', 11, { startedAt: minutes(11) })], expect: ['reopened a#2'] },
      {
        at: 14,
        reads: [seen('a', 13, { status: 'resolved', resolvedAt: minutes(13), startedAt: minutes(11) })],
        expect: ['resolved a#2 after 2 min by source'],
      },
    ],
  ],
  [
    'out of order: an older answer (a stale cache) neither updates nor reopens',
    [
      { at: 2, reads: [seen('a', 1)], expect: ['opened a#1'] },
      {
        at: 30,
        reads: [seen('a', 29, { status: 'monitoring', sourceStatus: 'monitoring' })],
        expect: ['updated a#1 status'],
      },
      { at: 32, reads: [seen('a', 1)], expect: [] },
      { at: 34, reads: [seen('a', 29, { status: 'monitoring', sourceStatus: 'monitoring' })], expect: [] },
      {
        at: 40,
        reads: [seen('a', 39, { status: 'resolved', resolvedAt: minutes(39) })],
        expect: ['resolved a#1 after 39 min by source'],
      },
      { at: 42, reads: [seen('a', 29, { status: 'monitoring', sourceStatus: 'monitoring' })], expect: [] },
    ],
  ],
  [
    'an echo of an incident resolved by absence, unchanged, stays quiet; once it changes it is a new outage',
    [
      { at: 2, reads: [seen('a', 1)], expect: ['opened a#1'] },
      { at: 4, reads: [], expect: [] },
      { at: 6, reads: [], expect: ['resolved a#1 after 4 min by absence'] },
      { at: 8, reads: [seen('a', 1)], expect: [] },
      { at: 20, reads: [seen('a', 19, { latestUpdate: 'It is back.' })], expect: ['reopened a#2'] },
    ],
  ],
  [
    'incidents first seen resolved (history) are never announced',
    [
      { at: 2, reads: [seen('old', 1, { status: 'resolved', resolvedAt: minutes(1) })], expect: [] },
      { at: 4, reads: [seen('old', 1, { status: 'resolved', resolvedAt: minutes(1) })], expect: [] },
    ],
  ],
  [
    'several incidents: each on its own',
    [
      {
        at: 2,
        reads: [seen('a', 1), seen('b', 2, { impact: 'major' })],
        expect: ['opened a#1', 'opened b#1'],
      },
      { at: 4, reads: [seen('b', 3, { impact: 'critical' })], expect: ['updated b#1 impact'] },
      {
        at: 6,
        reads: [seen('b', 3, { impact: 'critical' }), seen('c', 5)],
        expect: ['opened c#1', 'resolved a#1 after 4 min by absence'],
      },
    ],
  ],
  [
    'a title change is an update; a newer timestamp alone is not',
    [
      { at: 2, reads: [seen('a', 1)], expect: ['opened a#1'] },
      { at: 4, reads: [seen('a', 3)], expect: [] },
      { at: 6, reads: [seen('a', 5, { title: 'Incident a, in Europe' })], expect: ['updated a#1 title'] },
    ],
  ],
  [
    'one absence is enough when configured so',
    [
      { at: 2, reads: [seen('a', 1)], expect: ['opened a#1'] },
      { at: 4, reads: [], expect: ['resolved a#1 after 4 min by absence'] },
    ],
    { absencesToResolve: 1 },
  ],
  [
    'a feed item older than ignoreOlderThan is history, not news; a fresh one is news',
    [
      {
        at: 3 * 24 * 60,
        reads: [seen('stale', 60), seen('fresh', 3 * 24 * 60 - 5, { startedAt: minutes(3 * 24 * 60 - 5) })],
        expect: ['opened fresh#1'],
      },
    ],
    { ignoreOlderThanMs: 2 * 86_400_000 },
  ],
];

describe('incident tracking', () => {
  for (const [name, steps, options] of sequences) it(name, () => void run(steps, options));

  it('keys events so that replaying a poll on a saved snapshot gives the same events', () => {
    const first = trackReading(
      emptySnapshot('example'),
      reading({ at: 2, reads: [seen('a', 1)], expect: [] }),
      {
        now: new Date(minutes(2)),
      },
    );
    const again = trackReading(
      emptySnapshot('example'),
      reading({ at: 2, reads: [seen('a', 1)], expect: [] }),
      {
        now: new Date(minutes(2)),
      },
    );
    expect(again.events.map((e) => e.eventKey)).toEqual(first.events.map((e) => e.eventKey));
    expect(first.events[0]?.eventKey).toBe('example/a#1/opened');
    const update = trackReading(
      first.snapshot,
      reading({ at: 4, reads: [seen('a', 3, { status: 'identified' })], expect: [] }),
      { now: new Date(minutes(4)) },
    );
    expect(update.events[0]?.eventKey).toMatch(/^example\/a#1\/updated\/[0-9a-f]{16}$/);
  });

  it('carries what changed and what it was before', () => {
    const opened = trackReading(
      emptySnapshot('example'),
      reading({ at: 2, reads: [seen('a', 1)], expect: [] }),
      {
        now: new Date(minutes(2)),
      },
    );
    const { events } = trackReading(
      opened.snapshot,
      reading({
        at: 4,
        reads: [seen('a', 3, { status: 'identified', sourceStatus: 'identified' })],
        expect: [],
      }),
      { now: new Date(minutes(4)) },
    );
    expect(events[0]).toMatchObject({
      kind: 'updated',
      previous: { status: 'investigating', latestUpdate: 'We are investigating.' },
      incident: { status: 'identified', key: 'a#1', firstSeenAt: minutes(2) },
    });
  });

  it('forgets resolved incidents after keepResolvedMs, keeps open ones', () => {
    const snapshot = run(
      [
        { at: 2, reads: [seen('a', 1), seen('b', 1)], expect: ['opened a#1', 'opened b#1'] },
        { at: 4, reads: [seen('b', 1)], expect: [] },
        { at: 6, reads: [seen('b', 1)], expect: ['resolved a#1 after 4 min by absence'] },
        { at: 600, reads: [seen('b', 1)], expect: [] },
      ],
      { keepResolvedMs: 60 * 60_000 },
    );
    expect(snapshot.incidents.map((i) => i.key)).toEqual(['b#1']);
  });

  it('resolves by hand, by key or id, once', () => {
    const { snapshot } = trackReading(
      emptySnapshot('example'),
      reading({ at: 2, reads: [seen('a', 1)], expect: [] }),
      {
        now: new Date(minutes(2)),
      },
    );
    const done = resolveByHand(snapshot, 'a', new Date(minutes(30)));
    if (!done.ok) throw new Error(done.reason);
    expect(done.result.events.map(words)).toEqual(['resolved a#1 after 30 min by hand']);
    const twice = resolveByHand(done.result.snapshot, 'a#1', new Date(minutes(31)));
    expect(twice).toEqual({ ok: false, reason: 'a#1 on example is already resolved' });
    expect(resolveByHand(snapshot, 'zzz', new Date())).toEqual({
      ok: false,
      reason: 'no open incident zzz on example',
    });
  });

  it('words a duration once, the way replies do', () => {
    expect(resolvedAfter(72 * 60_000)).toBe('resolved after 1 h 12 min');
    expect(resolvedAfter(45_000)).toBe('resolved after 45 s');
    expect(resolvedAfter(-5)).toBe('resolved after 0 ms');
  });

  it('rejects a snapshot that is not one, with the path of the problem', () => {
    const parsed = sourceSnapshotSchema.safeParse({ source: 'x', incidents: [{ key: 'a#1' }] });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['incidents', 0, 'id']);
  });
});
