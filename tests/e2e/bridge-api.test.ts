/**
 * The bridge API end to end: the real bot on its HTTP listener, the fake
 * Slack, a DigitalOcean double. Every request and answer is checked against
 * the OpenAPI document (tests/support/bridge.ts).
 */

import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verify } from '../../src/bridge/signature.ts';
import { type Harness, startBot } from '../support/bot-harness.ts';
import { BridgeClient, Receiver } from '../support/bridge.ts';
import { DigitalOceanDouble } from '../support/doubles/digitalocean.ts';
import { eventually } from '../support/eventually.ts';
import { latest } from '../support/fake-slack/index.ts';

const CI_TOKEN = 'ci-token-0123456789abcdefghijklmnop';
const LIMITED_TOKEN = 'limited-token-0123456789abcdefghij';
const DO_TOKEN = 'do-bridge-token-0123456789';

let harness: Harness;
let digitalocean: DigitalOceanDouble;
let receiver: Receiver;
let ci: BridgeClient;
let limited: BridgeClient;

beforeAll(async () => {
  digitalocean = await DigitalOceanDouble.start({ token: DO_TOKEN, actionMs: 100 });
  receiver = await Receiver.start();
  const yaml = `
settings: { pollInterval: 30ms, http: { port: 0 } }
providers:
  do: { type: digitalocean, token: "\${DO_TOKEN}", endpoint: "${digitalocean.url}" }
policy:
  groups: { leads: [U0LEAD, U0LEAD2] }
  rules:
    - { name: ci-reboots, users: ['client:ci'], verbs: [reboot], effect: allow, confirm: false }
    - { name: everyone-reads, verbs: [read], effect: allow }
bridge:
  channel: C0OPS
  clients:
    - name: ci
      token: \${CI_TOKEN}
      channels: ['#deploys', C0LOGS, C0OPS]
      approvals: { approvers: [U0LEAD, U0LEAD2, leads], callbacks: ['http://127.0.0.1:'] }
      commands: [read, reboot, stop]
      user: U0CIOWNER
    - name: limited
      token: \${LIMITED_TOKEN}
      channels: ['#deploys']
`;
  harness = await startBot(yaml, { env: { DO_TOKEN, CI_TOKEN, LIMITED_TOKEN } });
  const address = harness.bot.http?.address as string;
  ci = new BridgeClient(address, CI_TOKEN);
  limited = new BridgeClient(address, LIMITED_TOKEN);
});

afterAll(async () => {
  await harness?.stop();
  await digitalocean?.stop();
  await receiver?.stop();
});

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document, served as the repo keeps it', async () => {
    const validator = new Validator();
    const result = await validator.validate(
      new URL('../../src/bridge/openapi.json', import.meta.url).pathname,
    );
    expect(result).toEqual({ valid: true });
    expect(validator.version).toBe('3.1');
    const served = await fetch(`${ci.base}/openapi.json`);
    expect(served.status).toBe(200);
    expect(((await served.json()) as { openapi: string }).openapi).toBe('3.1.0');
  });
});

describe('POST /v1/messages', () => {
  it('posts, answers with ts and permalink, and updates the message its key names', async () => {
    const first = await ci.post('/messages', {
      channel: '#deploys',
      text: 'Deploy 42: *building*',
      key: 'deploy-42',
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ state: 'posted', channel: '#deploys', key: 'deploy-42' });
    expect(first.body.permalink).toMatch(/^https:\/\/fake\.slack\.test\/archives\/.+\/p\d+$/);
    const posted = harness.fake.message(first.body.channel_id, first.body.ts);
    expect(posted?.text).toBe('Deploy 42: *building*');

    const again = await ci.post('/messages', {
      channel: '#deploys',
      text: 'Deploy 42: done',
      key: 'deploy-42',
    });
    expect([200, 202]).toContain(again.status);
    expect(again.body.id).toBe(first.body.id);
    await harness.fake.waitFor(() => posted && latest(posted).text === 'Deploy 42: done', {
      description: 'the keyed message updated',
    });
    const shown = await ci.get(`/messages/${first.body.id}`);
    expect(shown.body).toMatchObject({ state: 'posted', ts: first.body.ts });
    expect(
      harness.fake.callsOf('chat.postMessage').filter((c) => c.args.channel === '#deploys'),
    ).toHaveLength(1);
  });

  it('puts messages with one thread_key in one thread, at Slack’s pace', async () => {
    const answers = [];
    for (const line of ['job 7 started', 'step 1 ok', 'step 2 ok'])
      answers.push(await ci.post('/messages', { channel: 'C0LOGS', text: line, thread_key: 'job-7' }));
    expect(answers[0]?.status).toBe(200);
    expect(answers.slice(1).map((a) => a.status)).toEqual([202, 202]);
    const parent = answers[0]?.body.ts as string;
    const replies = await harness.fake.waitFor(
      () => harness.fake.repliesTo(parent).length === 2 && harness.fake.repliesTo(parent),
      {
        description: 'two replies in the job’s thread',
      },
    );
    expect(replies.map((r) => r.text)).toEqual(['step 1 ok', 'step 2 ok']);
    const calls = harness.fake.callsOf('chat.postMessage').filter((c) => c.args.channel === 'C0LOGS');
    for (let i = 1; i < calls.length; i++)
      expect((calls[i]?.at ?? 0) - (calls[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(900);
  });

  it('waits a 429 out instead of failing', async () => {
    harness.fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const answer = await ci.post('/messages', { channel: 'C0OPS', text: 'after the rate limit' });
    expect([200, 202]).toContain(answer.status);
    await harness.fake.waitForMessage((m) => m.text === 'after the rate limit', { timeoutMs: 10_000 });
    expect((await ci.get(`/messages/${answer.body.id}`)).body.state).toBe('posted');
  });

  it('answers 401, 403, 400 and 413 with what is wrong, and audits each call', async () => {
    const unknown = await ci.post(
      '/messages',
      { channel: '#deploys', text: 'x' },
      { token: 'not-a-token-at-all' },
    );
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.code).toBe('unauthorized');

    const elsewhere = await limited.post('/messages', { channel: 'C0OPS', text: 'x' });
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body.error).toMatchObject({ code: 'forbidden', missing: 'channel C0OPS' });

    const broadcast = await ci.post('/messages', { channel: '#deploys', text: 'hey <!channel>' });
    expect(broadcast.status).toBe(403);
    expect(broadcast.body.error.missing).toBe('broadcast');

    const malformed = await ci.post('/messages', undefined, { raw: '{"channel": "#deploys", "text": }' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatchObject({ code: 'invalid_json', path: '$' });

    const badField = await ci.call('POST', '/messages', undefined, {
      raw: JSON.stringify({
        channel: '#deploys',
        text: 'x',
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '' } }],
      }),
    });
    expect(badField.status).toBe(400);
    expect(badField.body.error).toMatchObject({ code: 'invalid_blocks', path: '$.blocks[0].text.text' });

    const wrongType = await ci.call('POST', '/messages', undefined, {
      raw: JSON.stringify({ channel: '#deploys', text: 5 }),
    });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error.path).toBe('$.text');

    const big = await ci.call('POST', '/messages', undefined, {
      raw: JSON.stringify({ channel: '#deploys', text: 'x'.repeat(70 * 1024) }),
    });
    expect(big.status).toBe(413);

    const records = await harness.bot.store.audit.query({ limit: 200 });
    const api = records.filter((r) => r.entry === 'api');
    expect(api.some((r) => r.userId === 'client:unknown' && r.outcome === 'denied')).toBe(true);
    expect(api.some((r) => r.userId === 'client:limited' && r.outcome === 'denied')).toBe(true);
    expect(api.filter((r) => r.outcome === 'failed').length).toBeGreaterThanOrEqual(4);
    expect(JSON.stringify(records)).not.toContain(CI_TOKEN);
  });

  it('answers a repeated POST with the same Idempotency-Key once', async () => {
    const headers = { 'idempotency-key': 'release-99' };
    const first = await ci.post('/messages', { channel: '#deploys', text: 'release 99 out' }, { headers });
    const repeat = await ci.post('/messages', { channel: '#deploys', text: 'release 99 out' }, { headers });
    expect(repeat.status).toBe(first.status);
    expect(repeat.body).toEqual(first.body);
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');
    const other = await ci.post('/messages', { channel: '#deploys', text: 'something else' }, { headers });
    expect(other.status).toBe(422);
    await harness.fake.waitForMessage((m) => m.text === 'release 99 out');
    expect(harness.fake.messages.filter((m) => m.text === 'release 99 out')).toHaveLength(1);
  });
});

describe('POST /v1/approvals', () => {
  it('is decided by a listed approver, not by the client’s own user nor anyone else; long poll and callback hear it', async () => {
    const asked = await ci.post('/approvals', {
      channel: 'C0OPS',
      title: 'Run the database migration 0042',
      details: 'Adds an index; <!channel> is shown as text',
      approvers: ['leads'],
      expires_in: '10m',
      callback_url: receiver.url,
    });
    expect(asked.status).toBe(201);
    const id = asked.body.id as string;
    const message = await harness.fake.waitForMessage((m) =>
      m.text.includes('Run the database migration 0042'),
    );
    expect(JSON.stringify(message.blocks)).toContain('&lt;!channel&gt;');

    const refusedOwner = await harness.fake.clickButton({
      message,
      actionId: 'bridge_approve',
      userId: 'U0CIOWNER',
    });
    const refusedOther = await harness.fake.clickButton({
      message,
      actionId: 'bridge_approve',
      userId: 'U0BOB',
    });
    const notices = await harness.fake.waitFor(() => {
      const texts = harness.fake.responses
        .filter(
          (r) => r.responseUrl === refusedOwner.responseUrl || r.responseUrl === refusedOther.responseUrl,
        )
        .map((r) => String(r.body.text));
      return texts.length === 2 && texts;
    });
    expect(notices.join('\n')).toMatch(/stand behind the client ci/);
    expect(notices.join('\n')).toMatch(/Only the leads group can decide/);
    expect((await ci.get(`/approvals/${id}`)).body.state).toBe('pending');

    const waiting = ci.get(`/approvals/${id}?wait=20s`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await harness.fake.clickButton({ message, actionId: 'bridge_approve', userId: 'U0LEAD' });
    const decided = await waiting;
    expect(decided.body).toMatchObject({ state: 'approved', decided_by: 'U0LEAD', approved_by: ['U0LEAD'] });
    await harness.fake.waitFor(() => /Approved by <@U0LEAD>/.test(JSON.stringify(latest(message).blocks)));
    expect(JSON.stringify(latest(message).blocks)).not.toContain('bridge_approve');

    await eventually(
      async () => receiver.delivered().some((e) => e.type === 'approval.decided'),
      'the callback',
    );
    const callback = receiver.received.find((r) => r.body.includes('approval.decided'));
    expect(callback?.headers['cloudmaster-event-type']).toBe('approval.decided');
    expect(
      verify(
        CI_TOKEN,
        callback?.body ?? '',
        String(callback?.headers['cloudmaster-signature']),
        Date.now() / 1000,
      ),
    ).toBe(true);
    expect(JSON.parse(callback?.body ?? '{}').data.approval).toMatchObject({
      id,
      state: 'approved',
      decided_by: 'U0LEAD',
    });
  });

  it('refuses approvers outside the client’s scope and the client’s own user', async () => {
    const outside = await ci.post('/approvals', {
      channel: 'C0OPS',
      title: 't',
      approvers: ['U0MALLORY'],
      expires_in: 60,
    });
    expect(outside.status).toBe(403);
    expect(outside.body.error.missing).toBe('approvers U0MALLORY');
    const none = await limited.post('/approvals', {
      channel: '#deploys',
      title: 't',
      approvers: ['U0LEAD'],
      expires_in: 60,
    });
    expect(none.status).toBe(403);
    expect(none.body.error.missing).toBe('approvals');
  });
});

describe('POST /v1/commands', () => {
  it('answers reads at once, runs a change the policy lets client:ci run without confirming, and refuses the rest', async () => {
    const list = await ci.post('/commands', { text: 'list on do' });
    expect(list.status).toBe(200);
    expect(list.body.kind).toBe('listing');

    const reboot = await ci.post('/commands', { text: 'reboot web-1 on do' });
    expect(reboot.status).toBe(202);
    const jobId = reboot.body.job_id as string;
    await eventually(
      async () => (await ci.get(`/jobs/${jobId}`)).body.state === 'succeeded',
      'the reboot job',
    );
    expect(digitalocean.actionRequests('web-1', 'reboot')).toBe(1);
    const job = (await ci.get(`/jobs/${jobId}`)).body;
    expect(job).toMatchObject({ verb: 'reboot', provider: 'do', target: 'web-1' });
    const records = await harness.bot.store.audit.query({ limit: 50, verb: 'reboot' });
    expect(records[0]).toMatchObject({
      userId: 'client:ci',
      entry: 'api',
      outcome: 'succeeded',
      rule: 'ci-reboots',
    });

    const stop = await ci.post('/commands', { text: 'stop web-1 on do' });
    expect(stop.status).toBe(403);
    expect(stop.body.kind).toBe('denied');

    const outOfScope = await limited.post('/commands', { text: 'list' });
    expect(outOfScope.status).toBe(403);
    expect(outOfScope.body.error.missing).toBe('command list');

    const unknownJob = await limited.get(`/jobs/${jobId}`);
    expect(unknownJob.status).toBe(404);
  });
});
