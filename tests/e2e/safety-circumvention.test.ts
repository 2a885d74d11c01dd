/**
 * The safety promise against a user who tries to get around it, through the
 * real bot on the fake Slack: an old Confirm clicked after the policy
 * changed, lookups that would name hidden machines, page clicks on someone
 * else's listing, and input made to keep the bot busy.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startBot } from '../support/bot-harness.ts';
import { eventually } from '../support/eventually.ts';
import { FakeSlack, latest, type MessageRecord } from '../support/fake-slack/index.ts';
import { click, noticeTo, prompt, until } from '../support/prompts.ts';

const ALICE = 'U0ALICE';
const BOB = 'U0BOB';
const SRE = 'U0SRE';
const LEAD = 'U0LEAD2';
const NOBODY = 'U0NOBODY';

/** Sends a slash command and waits for the message its response_url produced. */
async function slash(fake: FakeSlack, text: string, userId: string): Promise<MessageRecord> {
  const delivery = await fake.slashCommand({ command: '/cloudmaster', text, userId });
  return fake.waitFor(() => fake.messageFor(delivery.responseUrl), { description: `the answer to ${text}` });
}

describe('a Confirm or Approve clicked after the bot restarted with another policy', () => {
  const world = `policy-change-${Date.now()}`;
  const providers = `
settings: { confirmTimeout: 10m, pollInterval: 30ms }
providers:
  demo: { type: simulator, world: ${world}, delays: { reboot: 100ms, stop: 100ms, destroy: 100ms, deploy: 100ms } }
`;
  const before = `${providers}
policy:
  groups: { sre: [${SRE}] }
  rules:
    - { name: prod-deploy-approval, verbs: [deploy], environments: [production], effect: approve, approvers: [sre, S0LEADS] }
    - { name: ops-may-change, verbs: [mutate], effect: allow }
    - { name: everyone-reads, verbs: [read], effect: allow }
`;
  const after = `${providers}
policy:
  groups: { sre: [${SRE}] }
  rules:
    - { name: nobody-destroys, verbs: [destroy], effect: deny }
    - { name: images-are-private, verbs: [read], targets: ['ubuntu-*'], effect: deny }
    - { name: creates-allowed, verbs: [create], effect: allow }
    - { name: stops-need-a-lead, verbs: [stop], effect: approve, approvers: [S0LEADS] }
    - { name: prod-deploy-approval, verbs: [deploy], environments: [production], effect: approve, approvers: [S0LEADS] }
    - { name: reboots-allowed, verbs: [reboot], effect: allow }
    - { name: everyone-reads, verbs: [read], effect: allow }
`;
  let fake: FakeSlack;
  let harness: Harness | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'cloudmaster-policy-change-'));

  beforeAll(async () => {
    fake = await FakeSlack.start();
    fake.setUserGroup('S0LEADS', [LEAD]);
  });
  afterAll(async () => {
    await harness?.stop();
    await fake?.stop();
  });

  it('asks the current policy again: refuses what it now denies or now wants approved, naming the rule, and records it', async () => {
    harness = await startBot(before, { slack: fake, env: { CLOUDMASTER_DATA_DIR: dataDir } });
    const ask = async (text: string, question: string, userId = ALICE): Promise<MessageRecord> => {
      const since = fake.messages.length;
      await fake.slashCommand({ command: '/cloudmaster', text, userId });
      return prompt(fake, question, since);
    };
    const destroy = await ask('destroy db-1 on demo', 'Destroy db-1 on demo?');
    const stop = await ask('stop web-1 on demo', 'Stop web-1 on demo?');
    const reboot = await ask('reboot web-1 on demo', 'Reboot web-1 on demo?');
    const create = await ask('create dev-9 on demo image=ubuntu-24-04', 'Create dev-9 on demo?');
    const deploy = await ask(
      'deploy -s shop -e production on demo',
      'Deploy shop (production) on demo?',
      BOB,
    );
    await harness.stop();
    harness = await startBot(after, { slack: fake, env: { CLOUDMASTER_DATA_DIR: dataDir } });
    const store = harness.bot.store;

    expect(await noticeTo(fake, await click(fake, destroy, 'confirm'))).toBe(
      'The policy no longer allows this: denied by rule “nobody-destroys”. Nothing was done.',
    );
    expect(await noticeTo(fake, await click(fake, stop, 'confirm'))).toBe(
      'The policy has changed: it now needs an approver’s Approve (rule “stops-need-a-lead”). Nothing was done; ask again to request the approval.',
    );
    // What a create copies is read again too: the image became private.
    expect(await noticeTo(fake, await click(fake, create, 'confirm'))).toBe(
      'The policy no longer allows this: it copies ubuntu-24-04 (image=), which you may not read: denied by rule “images-are-private”. Nothing was done.',
    );
    // The sre group may approve no longer: only the leads the rule names now.
    expect(await noticeTo(fake, await click(fake, deploy, 'approve', SRE))).toBe(
      'Only <!subteam^S0LEADS> can approve this request now (rule “prod-deploy-approval”).',
    );
    // A request the policy now refuses has ended for everyone: its prompt says why, a later click is told so.
    await until(
      fake,
      destroy,
      /^Destroy db-1 on demo\? Ended \(the policy no longer allows it \(denied by rule “nobody-destroys”\)\)/,
    );
    expect(await noticeTo(fake, await click(fake, destroy, 'confirm'))).toMatch(
      /^This request ended at \d\d:\d\d UTC: the policy no longer allows it \(denied by rule “nobody-destroys”\); nothing was done\.$/,
    );
    await until(fake, stop, /Ended \(the policy changed: it now needs an approver’s Approve/);
    const status = await slash(fake, 'status db-1 on demo', ALICE);
    expect(status.text).toMatch(/^db-1 on demo: status running/);
    const denied = await store.audit.query({ limit: 10, verb: 'destroy' });
    expect(denied.map((r) => [r.outcome, r.decision, r.rule, r.target])).toEqual([
      ['denied', 'deny', 'nobody-destroys', 'db-1'],
    ]);
    expect(denied[0]?.detail).toBe(
      'confirmed by U0ALICE, but the policy no longer allows it: denied by rule “nobody-destroys”; nothing was done',
    );
    const stopped = await store.audit.query({ limit: 10, verb: 'stop' });
    expect(stopped.map((r) => [r.outcome, r.decision, r.rule])).toEqual([
      ['denied', 'approve', 'stops-need-a-lead'],
    ]);
    expect(await store.jobs.recent(10)).toEqual([]);

    // What the policy still allows runs, and the audit credits the rule that allows it now.
    await click(fake, reboot, 'confirm');
    await until(fake, reboot, /rebooted/);
    await click(fake, deploy, 'approve', LEAD);
    await until(fake, deploy, /deployed/);
    // The audit is written once the job ends, just after its message says so.
    await eventually(
      async () =>
        (await store.audit.query({ limit: 10 })).filter((r) => r.outcome === 'succeeded').length === 2,
      'both runs recorded',
    );
    const ran = await store.audit.query({ limit: 10 });
    expect(ran.find((r) => r.verb === 'reboot')).toMatchObject({
      outcome: 'succeeded',
      rule: 'reboots-allowed',
    });
    expect(ran.find((r) => r.verb === 'deploy')).toMatchObject({
      outcome: 'succeeded',
      rule: 'prod-deploy-approval',
      approvedBy: LEAD,
    });
  });
});

describe('lookups name only what the caller may see', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startBot(`
providers:
  demo: { type: simulator }
  lab: { type: simulator, seed: 7 }
policy:
  rules:
    - { name: bob-sees-web, users: [${BOB}], verbs: [read], targets: ['web-*'], effect: allow }
    - { name: bob-reboots, users: [${BOB}], verbs: [reboot], effect: allow }
    - { name: alice-does-all, users: [${ALICE}], verbs: ['*'], effect: allow }
`);
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('suggests no hidden near names, and lists no hidden machine among several of one name', async () => {
    const { fake } = harness;
    const near = await slash(fake, 'status db', BOB);
    expect(near.text).toBe('No machine or stack named "db".');
    expect((await slash(fake, 'status web', BOB)).text).toBe(
      'No machine or stack named "web".\nDid you mean `web-1` or `web-2`?',
    );
    const ambiguous = await slash(fake, 'reboot db-1 --yes', BOB);
    expect(ambiguous.ephemeral).toBe(true);
    expect(ambiguous.text).toMatch(/^"db-1" matches 2 machines\./);
    expect(ambiguous.text).toContain('2 more that the policy does not let you see');
    expect(JSON.stringify(latest(ambiguous))).not.toMatch(/sim-[0-9a-f]{8}|running|stopped/);
    // Someone who may see them gets the full list.
    const full = await slash(fake, 'reboot db-1', ALICE);
    expect(full.text).toMatch(/db-1 on demo — id sim-[0-9a-f]{8}/);
    expect(full.text).toMatch(/db-1 on lab — id sim-[0-9a-f]{8}/);
  });

  it('names only the environments the caller may see of a stack that lacks the one asked for', async () => {
    const { fake } = harness;
    // Bob may see web-* only: the shop stack is as absent to him as any other hidden name.
    expect((await slash(fake, 'status -s shop -e nope on demo', BOB)).text).toBe(
      'No stack named "shop" on demo.',
    );
    expect((await slash(fake, 'status -s shop -e nope on demo', ALICE)).text).toBe(
      'Stack "shop" has no environment "nope".\nIt has: production, staging.',
    );
  });

  it('answers an error in a channel thread to the one who asked, ephemerally', async () => {
    const { fake } = harness;
    const { ts } = await fake.mention({ text: 'reboot db-1', userId: BOB });
    const reply = await fake.waitFor(() => fake.messages.find((m) => m.threadTs === ts), {
      description: 'the answer in the thread',
    });
    expect(reply.text).toMatch(/^"db-1" matches 2 machines\./);
    expect(reply.ephemeral).toBe(true);
    expect(reply.visibleTo).toBe(BOB);
  });
});

describe('page clicks on a shared listing', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startBot(`
settings: { pageSize: 10 }
providers:
  demo: { type: simulator, machines: 120 }
policy:
  rules:
    - { name: bob-sees-web, users: [${BOB}], verbs: [read], targets: ['web-*'], effect: allow }
    - { name: sre-sees-all, users: [${SRE}], verbs: [read], effect: allow }
`);
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('answers anyone but the requester with their own page, to them alone; the channel keeps the requester’s', async () => {
    const { fake } = harness;
    const listing = await slash(fake, 'list', SRE);
    expect(listing.ephemeral).toBe(false);
    expect(listing.text.split('\n')[0]).toMatch(/^120 machines and 3 stacks .*page 1 of 13/);
    const since = fake.messages.length;
    await fake.clickButton({ message: listing, actionId: 'list_page_next', userId: BOB });
    const own = await fake.waitFor(() => fake.messages.slice(since).find((m) => m.visibleTo === BOB), {
      description: 'Bob’s own page',
    });
    expect(own.ephemeral).toBe(true);
    expect(own.text.split('\n')[0]).toMatch(/^20 machines on 1 provider.*page 2 of 2/);
    expect(own.text).not.toMatch(/^(db|api|cache|worker|lb)-/m);
    expect(listing.versions).toHaveLength(1);
    // Bob turns the pages of his own copy in place.
    await fake.clickButton({ message: own, actionId: 'list_page_previous', userId: BOB });
    await fake.waitFor(() => (own.versions.length === 2 ? own : undefined), { description: 'Bob’s page 1' });
    expect(own.text.split('\n')[0]).toMatch(/page 1 of 2/);
    expect(listing.versions).toHaveLength(1);
    // The requester's click turns the channel's listing.
    await fake.clickButton({ message: listing, actionId: 'list_page_next', userId: SRE });
    await fake.waitFor(() => (listing.versions.length === 2 ? listing : undefined), {
      description: 'the channel listing at page 2',
    });
    expect(listing.text.split('\n')[0]).toMatch(/^120 machines and 3 stacks .*page 2 of 13/);
  });
});

describe('input made to keep the bot busy', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startBot(`
providers:
  big: { type: simulator, machines: 5000, stacks: false }
policy:
  rules:
    - { name: ops-read, users: [${ALICE}], verbs: [read], effect: allow }
`);
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('refuses a command longer than 4,000 characters at once, from any surface', async () => {
    const { fake } = harness;
    const huge = `status ${'x'.repeat(40_000)}`;
    const answer = await slash(fake, huge, NOBODY);
    expect(answer.ephemeral).toBe(true);
    expect(answer.text).toBe(
      'That command is 40,007 characters long; I read commands of up to 4,000. Nothing was done.',
    );
    const { ts } = await fake.mention({ text: huge, userId: NOBODY });
    const reply = await fake.waitFor(() => fake.messages.find((m) => m.threadTs === ts));
    expect(reply.text).toMatch(/^That command is 40,\d{3} characters long/);
    expect(reply.visibleTo).toBe(NOBODY);
    expect(await harness.bot.store.audit.count()).toBe(0);
  });

  it('asks the policy before any lookup: a user who may see nothing learns nothing of the names', async () => {
    const { fake } = harness;
    const denied = await slash(fake, 'status web', NOBODY);
    expect(denied.text).toBe(
      'You may not see web: no rule allows it (the policy denies what it does not allow).',
    );
    expect(denied.ephemeral).toBe(true);
    const allowed = await slash(fake, 'status web', ALICE);
    expect(allowed.text).toMatch(/^No machine or stack named "web" on big\.\nDid you mean `web-1`/);
  });
});
