import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/errors.ts';
import { AzureDevopsTicketSystem } from '../../../src/watch/tickets/azure-devops.ts';
import type { AzureDevopsTickets, GithubTickets } from '../../../src/watch/tickets/config.ts';
import { ticketFromIncident } from '../../../src/watch/tickets/content.ts';
import { GithubTicketSystem } from '../../../src/watch/tickets/github.ts';
import { ticketSystemFor } from '../../../src/watch/tickets/index.ts';
import { memoryLedger, TicketOpener } from '../../../src/watch/tickets/ticket-once.ts';
import type { TrackedIncident } from '../../../src/watch/tracked.ts';
import { AzureDevopsDouble } from '../../support/doubles/azure-devops.ts';
import { GithubDouble } from '../../support/doubles/github.ts';
import { TestServer } from '../../support/http-server.ts';
import { rejection } from '../../support/provider-kit.ts';

const log = pino({ level: 'silent' });
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

const incident: TrackedIncident = {
  key: '9yk7qwd5x3zl#1',
  id: '9yk7qwd5x3zl',
  occurrence: 1,
  title: 'Disruption with some GitHub services',
  status: 'identified',
  sourceStatus: 'identified',
  impact: 'major',
  url: 'https://stspg.io/pkw0rdnx5hgc',
  startedAt: '2025-03-18T14:02:11.867Z',
  latestUpdate: 'We have identified the cause & are rolling back.',
  components: ['Actions', 'Pull Requests'],
  firstSeenAt: '2025-03-18T14:04:00.000Z',
  missedReadings: 0,
};
const content = ticketFromIncident(incident, {
  platform: 'GitHub',
  source: 'github',
  noticeLink: 'https://acme.slack.com/archives/C0123ABCD/p1742306640000100',
});

async function github(
  settings: Partial<GithubTickets> = {},
  options: Parameters<typeof GithubDouble.start>[0] = {},
) {
  const double = await GithubDouble.start(options);
  stops.push(() => double.stop());
  const system = new GithubTicketSystem(
    {
      system: 'github',
      owner: 'acme',
      repo: 'ops',
      token: double.token,
      labels: ['outage', 'watch'],
      endpoint: double.url,
      tokenVariable: 'GITHUB_TOKEN',
      ...settings,
    },
    { log, timeoutMs: 2_000 },
  );
  return { double, system };
}

async function azure(settings: Partial<AzureDevopsTickets> = {}) {
  const double = await AzureDevopsDouble.start({
    projects: { Operations: ['Issue', 'Bug'], 'Platform Ops': ['Task'] },
  });
  stops.push(() => double.stop());
  const system = new AzureDevopsTicketSystem(
    {
      system: 'azure-devops',
      organization: double.url,
      project: 'Operations',
      workItemType: 'Issue',
      token: double.pat,
      tags: ['outage', 'github'],
      tokenVariable: 'AZURE_DEVOPS_PAT',
      ...settings,
    },
    { log, timeoutMs: 2_000 },
  );
  return { double, system };
}

describe('ticket content', () => {
  it('states the incident in the title and body, with the links and the incident key', () => {
    expect(content.title).toBe('[Outage] GitHub: Disruption with some GitHub services');
    expect(content.markdown).toContain('| Impact | major |');
    expect(content.markdown).toContain('| Affected | Actions, Pull Requests |');
    expect(content.markdown).toContain('Status page: https://stspg.io/pkw0rdnx5hgc');
    expect(content.markdown).toContain(
      'Slack thread: https://acme.slack.com/archives/C0123ABCD/p1742306640000100',
    );
    expect(content.markdown).toContain('> We have identified the cause & are rolling back.');
    expect(content.marker).toBe('cloudmaster:github/9yk7qwd5x3zl#1');
    expect(content.html).toContain(
      '<blockquote>We have identified the cause &#38; are rolling back.</blockquote>',
    );
  });

  it('keeps what a status page wrote from becoming mentions, links or markup in the ticket', () => {
    const hostile = ticketFromIncident(
      {
        ...incident,
        title: '@here <script>x</script> [click](https://evil.example)',
        resolvedAt: '2025-03-18T15:14:27.841Z',
      },
      { platform: 'GitHub', source: 'github' },
    );
    expect(hostile.markdown).toContain(
      '\\@here \\<script\\>x\\</script\\> \\[click\\](https://evil.example)',
    );
    expect(hostile.html).not.toContain('<script>');
    expect(hostile.markdown).toContain('| Resolved | 2025-03-18T15:14:27.841Z (after 1 h 12 min) |');
  });
});

describe('GitHub tickets', () => {
  it('opens an issue with title, body and labels, authenticated with the token, and returns its link', async () => {
    const { double, system } = await github();
    expect(await system.create(content)).toEqual({
      system: 'github',
      id: '#128',
      url: 'https://github.com/acme/ops/issues/128',
    });
    const [request] = double.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url.pathname).toBe('/repos/acme/ops/issues');
    expect(request?.headers.authorization).toBe(`token ${double.token}`);
    expect(request?.headers['content-type']).toMatch(/^application\/json/);
    expect(request?.headers['user-agent']).toMatch(/^cloudmaster /);
    expect(request?.body).toEqual({
      title: content.title,
      body: content.markdown,
      labels: ['outage', 'watch'],
    });
  });

  it('works against GitHub Enterprise Server’s /api/v3', async () => {
    const double = await GithubDouble.start();
    stops.push(() => double.stop());
    const system = ticketSystemFor(
      {
        system: 'github',
        owner: 'acme',
        repo: 'ops',
        token: double.token,
        labels: [],
        endpoint: double.enterpriseUrl,
      },
      { log },
    );
    expect((await system.create(content)).id).toBe('#128');
    expect(double.requests[0]?.url.pathname).toBe('/api/v3/repos/acme/ops/issues');
  });

  it('words each refusal, naming the token variable and never the token', async () => {
    const { system: revoked, double } = await github({ token: 'github_pat_revoked_0000000000000000' });
    const bad = await rejection(revoked.create(content));
    expect(bad).toMatchObject({
      code: ErrorCode.ProviderAuth,
      message: 'GitHub rejected the ticket token (check GITHUB_TOKEN).',
    });
    expect(JSON.stringify({ ...bad, message: bad.message, hint: bad.hint })).not.toContain(
      'github_pat_revoked',
    );
    expect(double.issues).toHaveLength(0);

    const { system: readOnly } = await github({}, { readOnly: ['acme/ops'] });
    expect(await rejection(readOnly.create(content))).toMatchObject({
      code: ErrorCode.ProviderAuth,
      message:
        'GitHub refused to create a ticket in acme/ops: Resource not accessible by personal access token.',
      hint: expect.stringMatching(/Issues: write/),
    });
    const { system: missing } = await github({ repo: 'nope' });
    expect((await rejection(missing.create(content))).message).toBe(
      'GitHub has no acme/nope, or the token cannot see it: Not Found.',
    );
    const { system: disabled } = await github({}, { issuesDisabled: ['acme/ops'] });
    expect((await rejection(disabled.create(content))).message).toBe(
      'GitHub does not take tickets in acme/ops: Issues are disabled for this repo.',
    );
    const { system: labels } = await github(
      { labels: ['outage', 'bad,label'] },
      { badLabels: ['bad,label'] },
    );
    expect(await rejection(labels.create(content))).toMatchObject({
      code: ErrorCode.ProviderRejected,
      message: 'GitHub refused the ticket: Validation Failed (Label name invalid).',
    });
  });

  it('says when GitHub fails, hangs or cannot be reached — and that the issue may exist after a hang', async () => {
    const { system, double } = await github();
    double.failNext({ status: 502 });
    expect(await rejection(system.create(content))).toMatchObject({
      code: ErrorCode.ProviderUnavailable,
      message: 'GitHub failed with HTTP 502: Server Error.',
    });
    expect(double.requests).toHaveLength(1);

    const { double: hanging } = await github();
    const quick = new GithubTicketSystem(
      {
        system: 'github',
        owner: 'acme',
        repo: 'ops',
        token: hanging.token,
        labels: [],
        endpoint: hanging.url,
      },
      { log, timeoutMs: 300 },
    );
    hanging.failNext({ hang: true });
    expect(await rejection(quick.create(content))).toMatchObject({
      code: ErrorCode.ProviderTimeout,
      message: 'GitHub did not answer in 300 ms.',
      hint: 'The issue may still have been created: look in acme/ops before clicking again.',
    });

    const gone = await TestServer.start(() => {});
    const endpoint = gone.url;
    await gone.stop();
    const unreachable = new GithubTicketSystem(
      { system: 'github', owner: 'acme', repo: 'ops', token: 'x', labels: [], endpoint },
      { log },
    );
    expect((await rejection(unreachable.create(content))).message).toMatch(
      /^GitHub could not be reached \(.*ECONNREFUSED.*\)\.$/,
    );
  });
});

describe('Azure DevOps tickets', () => {
  it('creates a work item with a JSON Patch document, Basic auth with the PAT, api-version 7.1', async () => {
    const { double, system } = await azure();
    const created = await system.create(content);
    expect(created).toEqual({
      system: 'azure-devops',
      id: '4711',
      url: expect.stringMatching(/\/_workitems\/edit\/4711$/),
    });
    const [request] = double.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url.pathname).toBe('/acme/Operations/_apis/wit/workitems/$Issue');
    expect(request?.url.searchParams.get('api-version')).toBe('7.1');
    expect(request?.headers['content-type']).toBe('application/json-patch+json');
    expect(request?.headers.authorization).toBe(`Basic ${Buffer.from(`:${double.pat}`).toString('base64')}`);
    expect(request?.body).toEqual([
      { op: 'add', path: '/fields/System.Title', value: content.title },
      { op: 'add', path: '/fields/System.Description', value: content.html },
      { op: 'add', path: '/fields/System.Tags', value: 'outage; github' },
    ]);
    expect(double.workItems[0]?.fields['System.Title']).toBe(content.title);
  });

  it('fills a Bug’s Repro Steps and the area path, and escapes a project name with spaces', async () => {
    const { double, system } = await azure({ workItemType: 'Bug', areaPath: 'Operations\\Platform' });
    await system.create(content);
    expect(double.workItems[0]?.fields).toMatchObject({
      'Microsoft.VSTS.TCM.ReproSteps': content.html,
      'System.AreaPath': 'Operations\\Platform',
    });
    const { double: spaced, system: platform } = await azure({
      project: 'Platform Ops',
      workItemType: 'Task',
    });
    await platform.create(content);
    expect(spaced.requests[0]?.url.pathname).toBe('/acme/Platform%20Ops/_apis/wit/workitems/$Task');
  });

  it('words a wrong PAT, an unknown project or type, and a failure, in Azure DevOps’ own words', async () => {
    const { system: wrong } = await azure({ token: 'not-the-pat-0000000000' });
    const bad = await rejection(wrong.create(content));
    expect(bad).toMatchObject({
      code: ErrorCode.ProviderAuth,
      message: 'Azure DevOps rejected the ticket token (check AZURE_DEVOPS_PAT).',
    });
    expect(`${bad.message} ${bad.hint}`).not.toContain('not-the-pat');

    const { system: project } = await azure({ project: 'Nope' });
    expect((await rejection(project.create(content))).message).toBe(
      'Azure DevOps has no project Nope (work item type Issue), or the token cannot see it: TF200016: The following project does not exist: Nope. Verify that the name of the project is correct and that the project exists on the specified Azure DevOps Server.',
    );
    const { system: type } = await azure({ workItemType: 'Incident' });
    expect((await rejection(type.create(content))).message).toMatch(
      /: VS402323: Work item type Incident does not exist in project Operations/,
    );

    const { system, double } = await azure();
    double.failNext({ status: 500 });
    expect(await rejection(system.create(content))).toMatchObject({
      code: ErrorCode.ProviderUnavailable,
      message: expect.stringMatching(
        /^Azure DevOps failed with HTTP 500: TF400898: An Internal Error Occurred/,
      ),
      hint: expect.stringMatching(/may still have been created/),
    });
    // A POST that may have been processed is never repeated.
    expect(double.requests).toHaveLength(1);
  });

  it('reads the sign-in page Azure DevOps sends with 203 as refused credentials', async () => {
    const signIn = await TestServer.start((_request, response) => {
      response
        .writeHead(203, { 'Content-Type': 'text/html' })
        .end('<html><title>Azure DevOps Services | Sign In</title></html>');
    });
    stops.push(() => signIn.stop());
    const system = new AzureDevopsTicketSystem(
      {
        system: 'azure-devops',
        organization: `${signIn.url}/acme`,
        project: 'Operations',
        workItemType: 'Issue',
        token: 'pat-value-123456',
        tags: [],
      },
      { log },
    );
    expect((await rejection(system.create(content))).message).toBe('Azure DevOps rejected the ticket token.');
  });
});

describe('one ticket per incident', () => {
  it('opens one ticket for a double click, and shows it again for a later click', async () => {
    const { double, system } = await github();
    const opener = new TicketOpener(system);
    const [first, second] = await Promise.all([
      opener.open(incident.key, content),
      opener.open(incident.key, content),
    ]);
    expect(first).toMatchObject({
      ticket: { system: 'github', id: '#128', url: 'https://github.com/acme/ops/issues/128' },
      created: true,
      by: 'cloudmaster',
    });
    expect(second).toEqual({ ...first, created: false });
    expect(await opener.open(incident.key, content)).toEqual({ ...first, created: false });
    expect(double.issues).toHaveLength(1);
    expect((await opener.open('other#1', content)).ticket.id).toBe('#129');
  });

  it('opens one ticket when two processes share the ledger: the second finds the claim, then the ticket', async () => {
    const { double, system } = await github();
    const ledger = memoryLedger();
    const here = new TicketOpener(system, ledger);
    const there = new TicketOpener(system, ledger);
    const [first, second] = await Promise.allSettled([
      here.open(incident.key, content, { by: 'U0ALICE' }),
      there.open(incident.key, content, { by: 'U0BOB' }),
    ]);
    expect(first).toMatchObject({ status: 'fulfilled', value: { created: true, by: 'U0ALICE' } });
    // The claim was taken while the ticket was being opened: said so, never a second ticket.
    expect(second).toMatchObject({ status: 'rejected', reason: { message: /being opened right now/ } });
    expect(await there.open(incident.key, content, { by: 'U0BOB' })).toMatchObject({
      created: false,
      by: 'U0ALICE',
      ticket: { id: '#128' },
    });
    expect(double.issues).toHaveLength(1);
  });

  it('lets a click after a failed attempt try again', async () => {
    const { double, system } = await azure();
    const opener = new TicketOpener(system);
    double.failNext({ status: 503 });
    await rejection(opener.open(incident.key, content));
    expect((await opener.open(incident.key, content)).created).toBe(true);
    expect(double.workItems).toHaveLength(1);
  });
});
