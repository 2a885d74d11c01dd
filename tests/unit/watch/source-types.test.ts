import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceFetcher } from '../../../src/watch/fetch-source.ts';
import type { ObservedIncident } from '../../../src/watch/incident.ts';
import type { SourceReading } from '../../../src/watch/source.ts';
import { SOURCE_TYPES, sourceType } from '../../../src/watch/types/index.ts';
import { fixture, StatusFixtureServer } from '../../support/status-fixtures.ts';

let server: StatusFixtureServer;
beforeAll(async () => {
  server = await StatusFixtureServer.start();
});
afterAll(async () => {
  await server.stop();
});

const fetcher = new SourceFetcher({ log: pino({ level: 'silent' }), baseDelayMs: 5 });

/** Serves one fixture at a path of its own and polls it, as the watch would. */
async function poll(type: string, file: string, path = `/${type}/${file}`): Promise<SourceReading> {
  server.serve(path, `${type === 'feed' ? 'feed' : type}/${file}`);
  return fetcher.read({
    name: `${type}-${file}`,
    label: 'Test',
    type,
    url: server.url(path),
    intervalMs: 60_000,
    timeoutMs: 2_000,
  });
}

async function incidents(type: string, file: string, path?: string): Promise<readonly ObservedIncident[]> {
  const reading = await poll(type, file, path);
  if (!reading.ok) throw new Error(`expected a reading, got: ${reading.reason}`);
  return reading.incidents;
}

async function reason(type: string, file: string): Promise<string> {
  const reading = await poll(type, file);
  if (reading.ok) throw new Error('expected a failed reading');
  return reading.reason;
}

describe('statuspage', () => {
  it('reads an open incident from incidents/unresolved.json', async () => {
    expect(await incidents('statuspage', 'open.json', '/api/v2/incidents/unresolved.json')).toEqual([
      {
        id: '9yk7qwd5x3zl',
        title: 'Disruption with some GitHub services',
        status: 'investigating',
        sourceStatus: 'investigating',
        impact: 'minor',
        startedAt: '2025-03-18T14:02:11.867Z',
        updatedAt: '2025-03-18T14:02:12.417Z',
        url: 'https://stspg.io/pkw0rdnx5hgc',
        latestUpdate: 'We are investigating reports of degraded performance for Actions and Pull Requests.',
        components: ['Actions'],
      },
    ]);
  });

  it('takes the newest update, as plain text, and the new status and impact', async () => {
    const [incident] = await incidents('statuspage', 'updated.json');
    expect(incident).toMatchObject({
      status: 'identified',
      impact: 'major',
      latestUpdate:
        'We have identified the cause: a configuration change to our job queue. Actions runs are delayed & some Pull Request checks do not start. We are rolling the change back.',
      components: ['Actions', 'Pull Requests'],
    });
  });

  it('reads resolved and postmortem incidents of incidents.json as resolved, with their end', async () => {
    const found = await incidents('statuspage', 'resolved.json');
    expect(found.map((i) => [i.id, i.status, i.sourceStatus, i.resolvedAt])).toEqual([
      ['9yk7qwd5x3zl', 'resolved', 'resolved', '2025-03-18T15:14:27.841Z'],
      ['2m8kq1c0wn7b', 'resolved', 'postmortem', '2025-03-12T10:06:02.550Z'],
    ]);
  });

  it('reads summary.json: incidents and maintenance under way, not maintenance still ahead', async () => {
    const found = await incidents('statuspage', 'summary.json', '/api/v2/summary.json');
    expect(found.map((i) => [i.title, i.status, i.impact])).toEqual([
      ['Droplet Event Processing in NYC3', 'monitoring', 'minor'],
      ['Spaces Maintenance in AMS3', 'maintenance', 'maintenance'],
    ]);
  });

  it('reads a page with no incidents as none', async () => {
    expect(await incidents('statuspage', 'empty.json')).toEqual([]);
  });

  it('fails a truncated answer and another shape with one line each', async () => {
    expect(await reason('statuspage', 'malformed.json')).toMatch(
      /^the answer is not JSON \("\{"page".*…"\), not a Statuspage v2 answer$/,
    );
    expect(await reason('statuspage', 'wrong-shape.json')).toBe(
      'not a Statuspage v2 answer: incidents: Invalid input: expected array, received undefined',
    );
  });
});

describe('slack-status', () => {
  it('reads an active incident with its services and newest note', async () => {
    expect(await incidents('slack-status', 'open.json', '/api/v2.0.0/current')).toEqual([
      {
        id: '1548',
        title: 'Some users may have trouble loading messages',
        status: 'ongoing',
        sourceStatus: 'active',
        impact: 'minor',
        startedAt: '2025-04-02T13:12:44.000Z',
        updatedAt: '2025-04-02T13:12:44.000Z',
        url: 'https://slack-status.com/2025-04/5f1c0b7e9a2d4c83',
        latestUpdate:
          "We're investigating reports of users having trouble loading messages and channels. We'll share an update as soon as we have more information.",
        components: ['Messaging', 'Connectivity'],
      },
    ]);
  });

  it('follows a note and an incident that became an outage', async () => {
    const [incident] = await incidents('slack-status', 'updated.json');
    expect(incident).toMatchObject({
      impact: 'major',
      updatedAt: '2025-04-02T14:05:31.000Z',
      latestUpdate:
        "We've identified the cause of the issue and are working on a fix. Users may also see delays sending messages.",
    });
  });

  it('reads "ok" as no incidents, and fails other shapes', async () => {
    expect(await incidents('slack-status', 'resolved.json')).toEqual([]);
    expect(await incidents('slack-status', 'empty.json')).toEqual([]);
    expect(await reason('slack-status', 'wrong-shape.json')).toBe(
      "not Slack's current status: status: Invalid input: expected string, received undefined",
    );
    expect(await reason('slack-status', 'malformed.json')).toMatch(/^the answer is not JSON/);
  });
});

describe('gcp-incidents', () => {
  it('reads an incident without `end` as ongoing and a past one as resolved', async () => {
    const found = await incidents('gcp-incidents', 'open.json', '/incidents.json');
    expect(found[0]).toEqual({
      id: 'Xb4dCqZ8yrw2u1oNpLs7',
      title: 'Elevated error rates for Compute Engine API in us-central1',
      status: 'ongoing',
      sourceStatus: 'SERVICE_DISRUPTION',
      impact: 'minor',
      startedAt: '2025-05-06T16:47:00.000Z',
      updatedAt: '2025-05-06T17:09:12.000Z',
      url: server.url('/incidents/Xb4dCqZ8yrw2u1oNpLs7'),
      latestUpdate: expect.stringMatching(
        /^Summary: Elevated error rates .* Workaround: Retry failed requests/,
      ),
      components: ['Google Compute Engine'],
    });
    expect(found[1]).toMatchObject({ status: 'resolved', resolvedAt: '2025-04-29T10:02:00.000Z' });
  });

  it('follows an update to an outage, then the end', async () => {
    const [updated] = await incidents('gcp-incidents', 'updated.json');
    expect(updated).toMatchObject({ status: 'ongoing', sourceStatus: 'SERVICE_OUTAGE', impact: 'critical' });
    const [resolved] = await incidents('gcp-incidents', 'resolved.json');
    expect(resolved).toMatchObject({
      status: 'resolved',
      sourceStatus: 'AVAILABLE',
      resolvedAt: '2025-05-06T18:19:00.000Z',
    });
  });

  it('reads [] as none and fails an error object', async () => {
    expect(await incidents('gcp-incidents', 'empty.json')).toEqual([]);
    expect(await reason('gcp-incidents', 'wrong-shape.json')).toBe(
      "not Google Cloud's incidents.json: (top level): Invalid input: expected array, received object",
    );
    expect(await reason('gcp-incidents', 'malformed.json')).toMatch(/^the answer is not JSON/);
  });
});

describe('feed', () => {
  it('groups the posts of one AWS event, keeps another event apart', async () => {
    const found = await incidents('feed', 'aws-open.rss', '/rss/all.rss');
    expect(found.map((i) => [i.title, i.status, i.impact, i.components])).toEqual([
      ['Increased API Error Rates', 'ongoing', 'minor', ['ec2-us-east-1']],
      ['SMS Delivery Delays', 'resolved', 'minor', ['sns-us-east-1']],
    ]);
    expect(found[0]).toMatchObject({
      id: 'https://status.aws.amazon.com/#ec2-us-east-1|Increased API Error Rates',
      startedAt: '2025-07-08T16:12:00.000Z',
      url: 'https://status.aws.amazon.com/',
    });
    expect(found[1]).toMatchObject({
      startedAt: '2025-07-07T12:20:00.000Z',
      resolvedAt: '2025-07-07T21:44:00.000Z',
    });
  });

  it('reads the newest post of an event: a disruption, then "[RESOLVED]"', async () => {
    const [updated] = await incidents('feed', 'aws-updated.rss');
    expect(updated).toMatchObject({
      status: 'ongoing',
      impact: 'major',
      startedAt: '2025-07-08T16:12:00.000Z',
      updatedAt: '2025-07-08T16:58:00.000Z',
      latestUpdate: expect.stringMatching(/^We have identified the root cause/),
    });
    const [resolved] = await incidents('feed', 'aws-resolved.rss');
    expect(resolved).toMatchObject({
      id: updated?.id,
      status: 'resolved',
      resolvedAt: '2025-07-08T17:24:00.000Z',
      startedAt: '2025-07-08T16:12:00.000Z',
    });
  });

  it('reads Azure items while they are listed, and an empty channel as none', async () => {
    expect(await incidents('feed', 'azure-open.rss')).toEqual([
      {
        id: 'LT9X-PQ8',
        title: 'Virtual Machines - West Europe - Connectivity issues',
        status: 'ongoing',
        sourceStatus: 'posted',
        impact: 'unknown',
        startedAt: '2025-07-16T11:32:08.000Z',
        updatedAt: '2025-07-16T11:32:08.000Z',
        url: 'https://azure.status.microsoft/en-us/status',
        latestUpdate: expect.stringMatching(/^Impact Statement: Starting at 10:55 UTC/),
        components: [],
      },
    ]);
    expect(await incidents('feed', 'azure-empty.rss')).toEqual([]);
  });

  it('reads Statuspage history feeds by the label of their newest update', async () => {
    const atom = await incidents('feed', 'history.atom');
    expect(atom.map((i) => [i.title, i.status, i.sourceStatus, i.url])).toEqual([
      [
        'Increased Workers errors in Frankfurt',
        'identified',
        'identified',
        'https://www.cloudflarestatus.com/incidents/r8k2m0q5vztc',
      ],
      [
        'Delayed analytics in the dashboard',
        'resolved',
        'resolved',
        'https://www.cloudflarestatus.com/incidents/6wq1xz3kf9dn',
      ],
    ]);
    expect(atom[0]?.latestUpdate).toBe(
      'Identified - The issue has been identified and a fix is being implemented.',
    );
    expect(atom[1]?.resolvedAt).toBe('2025-07-19T23:15:37.000Z');
    const [rss] = await incidents('feed', 'history.rss');
    expect(rss).toMatchObject({
      status: 'monitoring',
      id: 'https://status.retool.com/incidents/m3v8q2c7xk1d',
    });
  });

  it('fails broken XML with where it broke', async () => {
    expect(await reason('feed', 'malformed.rss')).toMatch(
      /^the answer is not well-formed XML: .* \(line \d+, column \d+\)$/,
    );
  });
});

describe('vultr-alerts', () => {
  it('reads ongoing alerts, skips scheduled ones, and ends resolved ones', async () => {
    expect(await incidents('vultr-alerts', 'open.json', '/alerts.json')).toEqual([
      {
        id: '67f3a2c91b0e4',
        title: 'Network connectivity issues in New Jersey',
        status: 'ongoing',
        sourceStatus: 'ongoing',
        impact: 'unknown',
        startedAt: '2025-06-11T13:05:00.000Z',
        updatedAt: '2025-06-11T13:22:41.000Z',
        url: 'https://status.vultr.com/',
        latestUpdate:
          'Our network engineers are investigating packet loss affecting some instances in New Jersey.',
        components: ['ewr'],
      },
    ]);
    const [resolved] = await incidents('vultr-alerts', 'resolved.json');
    expect(resolved).toMatchObject({
      status: 'resolved',
      resolvedAt: '2025-06-11T14:02:17.000Z',
      latestUpdate: 'A faulty line card has been replaced and connectivity has been restored.',
    });
    expect(await incidents('vultr-alerts', 'empty.json')).toEqual([]);
  });
});

describe('every source type', () => {
  const context = { url: 'https://status.example.com/x', receivedAt: new Date('2025-01-01T00:00:00Z') };
  const garbage: readonly [string, string, string | undefined][] = [
    ['an empty body', '', undefined],
    ['white space', ' \n\t ', undefined],
    ['an HTML error page', fixture('html-error.html'), 'text/html'],
    ['an HTML page sent as JSON', fixture('html-error.html'), 'application/json'],
    ['plain text', 'upstream connect error or disconnect/reset before headers', 'text/plain'],
    ['binary noise', '\u0000\u0001\u0002\uFFFD\uFFFD', undefined],
    ['a JSON number', '42', 'application/json'],
    ['JSON null', 'null', 'application/json'],
    ['a deep JSON array', `${'['.repeat(5000)}${']'.repeat(5000)}`, 'application/json'],
    ['XML of another kind', '<?xml version="1.0"?><sitemap><url>x</url></sitemap>', 'application/xml'],
    [
      'entities past Unicode',
      '<rss><channel><item><title>&#99999999;</title></item></channel></rss>',
      'application/xml',
    ],
  ];

  for (const type of SOURCE_TYPES) {
    it(`${type.type}: fails garbage with a one-line reason, never a throw`, () => {
      for (const [what, body, contentType] of garbage) {
        const result = type.parse(body, { ...context, ...(contentType ? { contentType } : {}) });
        if (type.type === 'feed' && what === 'entities past Unicode') {
          // Well-formed XML whose text is odd is a feed all the same; its text is kept as written.
          expect(result.ok, what).toBe(true);
          continue;
        }
        expect(result.ok, what).toBe(false);
        if (!result.ok) {
          expect(result.reason, what).not.toContain('\n');
          expect(result.reason.length, what).toBeLessThan(240);
        }
      }
    });
  }

  it('names each type once, and finds none for a typo', () => {
    expect(SOURCE_TYPES.map((type) => type.type)).toEqual([
      'statuspage',
      'slack-status',
      'feed',
      'gcp-incidents',
      'vultr-alerts',
    ]);
    expect(sourceType('statuspag')).toBeUndefined();
  });
});
