/**
 * The bridge's approvals end to end — a client's change under `effect:
 * approve`, approved in the fake Slack and run on the simulator; who may not
 * approve it; approvals whose message Slack refuses; and the API while the
 * bot shuts down. The real bot on its HTTP listener; every request and
 * answer is checked against the OpenAPI document.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startBot } from '../support/bot-harness.ts';
import { BridgeClient } from '../support/bridge.ts';
import { eventually } from '../support/eventually.ts';
import { click, noticeTo, prompt } from '../support/prompts.ts';

const CI_TOKEN = 'ci-token-0123456789abcdefghijklmnop';
const OWNER = 'U0CIOWNER';
const LEAD = 'U0LEAD';

function config(stateFile: string, rebootDelay: string, rule: string): string {
  return `
settings: { pollInterval: 30ms, http: { port: 0 } }
providers:
  demo: { type: simulator, stateFile: "${stateFile}", delays: { reboot: ${rebootDelay} } }
policy:
  groups: { leads: [${LEAD}, ${OWNER}] }
  rules:
    - ${rule}
    - { name: everyone-reads, verbs: [read], effect: allow }
bridge:
  channel: C0OPS
  clients:
    - name: ci
      token: \${CI_TOKEN}
      channels: [C0OPS]
      approvals: { approvers: [leads] }
      commands: [read, reboot]
      user: ${OWNER}
`;
}

/** The reboots the simulator ran on `name`, from the state it keeps in its file (written on its first change). */
function reboots(stateFile: string, name: string): number {
  if (!existsSync(stateFile)) return 0;
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as {
    snapshot: { operations: { verb: string; targetName: string }[] };
  };
  return state.snapshot.operations.filter((op) => op.verb === 'reboot' && op.targetName === name).length;
}

describe('a client’s change under effect: approve', () => {
  let harness: Harness;
  let ci: BridgeClient;
  const stateFile = join(mkdtempSync(join(tmpdir(), 'cloudmaster-bridge-sim-')), 'cloud.json');

  beforeAll(async () => {
    const rule = `{ name: ci-reboots-approved, users: ['client:ci'], verbs: [reboot], effect: approve, approvers: [leads] }`;
    harness = await startBot(config(stateFile, '100ms', rule), { env: { CI_TOKEN } });
    ci = new BridgeClient(harness.bot.http?.address as string, CI_TOKEN);
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('answers 202 with the id to poll; not the client’s owner but an approver approves; the job ends and the reboot ran once', async () => {
    const { fake } = harness;
    const asked = await ci.post('/commands', { text: 'reboot web-1 on demo' });
    expect(asked.status).toBe(202);
    expect(asked.body.state).toBe('awaiting_approval');
    const approvalId = asked.body.approval_id as string;
    expect(asked.body.poll).toBe(`/v1/jobs/${approvalId}`);
    const message = await prompt(fake, 'Reboot web-1 on demo?');
    expect(message.channel).toBe('C0OPS');

    // The person behind the client is in the approvers' group, yet acting for it: refused.
    expect(await noticeTo(fake, await click(fake, message, 'approve', OWNER))).toBe(
      'You stand behind client:ci, which asked for it, so someone else must approve or reject it.',
    );
    // Nor can the client approve through the API: there is no such command.
    expect((await ci.post('/commands', { text: `approve ${approvalId}` })).status).toBe(400);
    expect((await ci.get(`/jobs/${approvalId}`)).body).toEqual({
      state: 'awaiting_approval',
      approval_id: approvalId,
    });
    expect(reboots(stateFile, 'web-1')).toBe(0);

    await click(fake, message, 'approve', LEAD);
    await eventually(
      async () => (await ci.get(`/jobs/${approvalId}`)).body.state === 'succeeded',
      'the approved job to end',
    );
    const ended = (await ci.get(`/jobs/${approvalId}`)).body;
    expect(ended).toMatchObject({
      verb: 'reboot',
      provider: 'demo',
      target: 'web-1',
      approval_id: approvalId,
    });
    const byJobId = await ci.get(`/jobs/${ended.id}`);
    expect(byJobId.body).toMatchObject({ id: ended.id, state: 'succeeded' });
    expect(reboots(stateFile, 'web-1')).toBe(1);
    const records = await harness.bot.store.audit.query({ limit: 20, verb: 'reboot' });
    expect(records.filter((r) => r.outcome === 'succeeded')).toEqual([
      expect.objectContaining({ userId: 'client:ci', approvedBy: LEAD, entry: 'api' }),
    ]);
  });

  it('ends the approval as failed, with why, when its prompt cannot be posted', async () => {
    const { fake } = harness;
    fake.failNext('chat.postMessage', { error: 'channel_not_found' });
    const asked = await ci.post('/commands', { text: 'reboot web-2 on demo' });
    expect(asked.status).toBe(422);
    expect(asked.body.error).toMatchObject({ code: 'slack_refused', slack_error: 'channel_not_found' });
    const approvalId = asked.body.error.approval_id as string;
    const shown = await ci.get(`/jobs/${approvalId}`);
    expect(shown.body).toMatchObject({ state: 'failed', approval_id: approvalId });
    expect(shown.body.reason).toMatch(/could not be posted in Slack \(channel_not_found\)/);
    expect((await harness.bot.store.pending.get(approvalId))?.state).toBe('failed');
    const [record] = await harness.bot.store.audit.query({ limit: 1, verb: 'reboot' });
    expect(record).toMatchObject({ userId: 'client:ci', outcome: 'failed' });
    expect(record?.detail).toMatch(/channel_not_found.*nothing was done/);
    expect(reboots(stateFile, 'web-2')).toBe(0);
  });

  it('ends a POST /v1/approvals request as failed, with why, when its message cannot be posted', async () => {
    harness.fake.failNext('chat.postMessage', { error: 'not_in_channel' });
    const asked = await ci.post('/approvals', {
      channel: 'C0OPS',
      title: 'Rotate the database password',
      approvers: ['leads'],
      expires_in: '1h',
    });
    expect(asked.status).toBe(422);
    expect(asked.body.error).toMatchObject({ code: 'slack_refused', slack_error: 'not_in_channel' });
    const shown = await ci.get(`/approvals/${asked.body.error.approval_id}?wait=5s`);
    expect(shown.body).toMatchObject({ state: 'failed', title: 'Rotate the database password' });
    expect(shown.body.reason).toMatch(/could not be posted in Slack \(not_in_channel\)/);
  });
});

describe('the bridge API while the bot shuts down', () => {
  it('answers 503 with Retry-After once shutdown begins, ends long polls, and never answers from a closed store', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'cloudmaster-bridge-sim-')), 'cloud.json');
    const rule = `{ name: ci-reboots, users: ['client:ci'], verbs: [reboot], effect: allow, confirm: false }`;
    const harness = await startBot(config(stateFile, '3s', rule), { env: { CI_TOKEN } });
    const ci = new BridgeClient(harness.bot.http?.address as string, CI_TOKEN);
    try {
      const asked = await ci.post('/approvals', {
        channel: 'C0OPS',
        title: 'Nobody decides this in time',
        approvers: ['leads'],
        expires_in: '1h',
      });
      expect(asked.status).toBe(201);
      const started = await ci.post('/commands', { text: 'reboot web-1 on demo' });
      expect(started.status).toBe(202);
      const longPoll = ci.get(`/approvals/${asked.body.id}?wait=30s`);
      await new Promise((resolve) => setTimeout(resolve, 300));

      // The reboot takes 3 s: shutdown waits for it, and the API is refused meanwhile.
      const stopped = harness.bot.stop({ graceMs: 20_000, abortMs: 1_000 });
      const refused = await ci.post('/messages', { channel: 'C0OPS', text: 'during shutdown' });
      expect(refused.status).toBe(503);
      expect(refused.body.error.code).toBe('shutting_down');
      expect(refused.headers.get('retry-after')).toBe('5');
      const polled = await longPoll;
      expect(polled.status).toBe(200);
      expect(polled.body.state).toBe('pending');
      const job = await ci.get(`/jobs/${started.body.job_id}`);
      expect(job.status).toBe(503);
      await stopped;
      expect(reboots(stateFile, 'web-1')).toBe(1);
      expect(harness.logs.join('\n')).not.toMatch(/bridge API call failed/);
    } finally {
      await harness.fake.stop();
    }
  });
});
