/**
 * The safety path end to end: the real Bolt app on a fake Slack, the real
 * store (SQLite, and PostgreSQL when it is there), the policy, and a
 * DigitalOcean API double that counts what reaches the provider.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startBot } from '../support/bot-harness.ts';
import { type TestLocation, testDatabases } from '../support/databases.ts';
import { DigitalOceanDouble } from '../support/doubles/digitalocean.ts';
import { eventually } from '../support/eventually.ts';
import { latest, type MessageRecord } from '../support/fake-slack/index.ts';
import { click, noticeTo, prompt, until } from '../support/prompts.ts';

const TOKEN = 'do-secret-token-0123456789abcdef';
const ALICE = 'U0ALICE';
const BOB = 'U0BOB';
const SRE = 'U0SRE';
const LEAD = 'U0LEAD2';

function config(endpoint: string): string {
  return `
settings: { pollInterval: 30ms, confirmTimeout: 1500ms, admins: [${BOB}] }
providers:
  do: { type: digitalocean, token: "\${DO_TOKEN}", endpoint: "${endpoint}" }
  demo: { type: simulator, delays: { reboot: 100ms, start: 100ms, deploy: 200ms } }
policy:
  groups: { sre: [${SRE}] }
  rules:
    - { name: sre-everything, groups: [sre], verbs: ['*'], effect: allow }
    - name: prod-deploy-approval
      verbs: [deploy]
      environments: [production]
      effect: approve
      approvers: [sre, S0LEADS]
    - { name: start-workers-at-once, verbs: [start], targets: ['worker-*'], effect: allow, confirm: false }
    - { name: only-sre-destroys, verbs: [destroy], effect: deny }
    - { name: ops-may-change, verbs: [reboot, stop, start, create, deploy, cancel], effect: allow }
    - { name: everyone-reads, verbs: [read], effect: allow }
`;
}

for (const database of testDatabases()) {
  describe.skipIf(!database.available)(`safety through Slack, stored on ${database.name}`, () => {
    let harness: Harness;
    let digitalocean: DigitalOceanDouble;
    let where: TestLocation;
    /** Every attempt a test makes at something the audit must record. */
    let attempts = 0;

    beforeAll(async () => {
      digitalocean = await DigitalOceanDouble.start({ token: TOKEN, actionMs: 100 });
      where = await database.create();
      harness = await startBot(config(digitalocean.url), { env: { DO_TOKEN: TOKEN, ...where.env } });
      harness.fake.setUserGroup('S0LEADS', [LEAD]);
    });
    afterAll(async () => {
      await harness?.stop();
      await digitalocean?.stop();
      await where?.drop();
    });

    /** Sends a command that counts as an attempt; resolves with where its answers start. */
    async function ask(text: string, userId = ALICE): Promise<number> {
      attempts += 1;
      const since = harness.fake.messages.length;
      await harness.fake.slashCommand({ command: '/cloudmaster', text, userId });
      return since;
    }

    async function privately(text: string, userId: string): Promise<MessageRecord> {
      const { fake } = harness;
      const delivery = await fake.slashCommand({ command: '/cloudmaster', text, userId });
      return fake.waitFor(() => fake.messages.find((m) => m.responseUrl === delivery.responseUrl), {
        description: `the answer to ${text}`,
      });
    }

    it('runs a confirmed reboot once, however often Confirm is clicked, and tells the second click who confirmed', async () => {
      const { fake } = harness;
      const since = await ask('reboot web-1 on do');
      const message = await prompt(fake, 'Reboot web-1 on do?', since);
      expect(latest(message).text).toMatch(
        /^Reboot web-1 on do\? web-1 is running \(active\), 203\.0\.113\.\d+, \w+, s-1vcpu-1gb\./,
      );
      expect(digitalocean.actionRequests('web-1', 'reboot')).toBe(0);
      const [first, second] = await Promise.all([
        click(fake, message, 'confirm'),
        click(fake, message, 'confirm'),
      ]);
      const final = await until(fake, message, /rebooted/);
      expect(final.text).toMatch(/^<@U0ALICE> web-1 on do rebooted/);
      expect(JSON.stringify(final.blocks)).toMatch(
        /confirmed by <@U0ALICE> <!date\^\d+\^\{time\}\|\d\d:\d\d UTC>/,
      );
      const notices = await Promise.race([noticeTo(fake, first), noticeTo(fake, second)]);
      expect(notices).toMatch(/^Already confirmed by <@U0ALICE> at \d\d:\d\d UTC; it runs once\.$/);
      expect(digitalocean.actionRequests('web-1', 'reboot')).toBe(1);
    });

    it('does nothing when the requester cancels, and says who cancelled', async () => {
      const { fake } = harness;
      const since = await ask('reboot web-2 on do');
      const message = await prompt(fake, 'Reboot web-2 on do?', since);
      await click(fake, message, 'cancel');
      const ended = await until(fake, message, /Cancelled/);
      expect(ended.text).toMatch(
        /^Reboot web-2 on do\? Cancelled by <@U0ALICE> at \d\d:\d\d UTC; nothing was done\.$/,
      );
      expect(await noticeTo(fake, await click(fake, message, 'confirm'))).toMatch(
        /^Already cancelled by <@U0ALICE>/,
      );
      expect(digitalocean.actionRequests('web-2', 'reboot')).toBe(0);
    });

    it('refuses a Confirm from anyone but the requester, who can still confirm', async () => {
      const { fake } = harness;
      const since = await ask('reboot web-2 on do');
      const message = await prompt(fake, 'Reboot web-2 on do?', since);
      const foreign = await click(fake, message, 'confirm', BOB);
      expect(await noticeTo(fake, foreign)).toBe('Only <@U0ALICE> can confirm this request.');
      expect(digitalocean.actionRequests('web-2', 'reboot')).toBe(0);
      await click(fake, message, 'confirm');
      await until(fake, message, /rebooted/);
      expect(digitalocean.actionRequests('web-2', 'reboot')).toBe(1);
    });

    it('expires a prompt nobody confirms: the message says so, and a late click does nothing', async () => {
      const { fake } = harness;
      const before = digitalocean.actionRequests('web-1', 'reboot');
      const since = await ask('reboot web-1 on do', BOB);
      const message = await prompt(fake, 'Reboot web-1 on do?', since);
      const ended = await until(fake, message, /Expired/);
      expect(ended.text).toMatch(
        /^Reboot web-1 on do\? Expired nobody confirmed it in time at \d\d:\d\d UTC; nothing was done\.$/,
      );
      expect(await noticeTo(fake, await click(fake, message, 'confirm', BOB))).toMatch(
        /^This request expired at \d\d:\d\d UTC; nothing was done/,
      );
      expect(digitalocean.actionRequests('web-1', 'reboot')).toBe(before);
    });

    it('needs a second person to approve a production deploy: not the requester, only an approver', async () => {
      const { fake } = harness;
      const since = await ask('deploy -s shop -e production on demo', BOB);
      const message = await prompt(fake, 'Deploy shop (production) on demo?', since);
      expect(latest(message).text).toContain('needs approval by the sre group or <!subteam^S0LEADS>');
      expect(await noticeTo(fake, await click(fake, message, 'approve', BOB))).toBe(
        'You asked for it, so someone else must approve or reject it.',
      );
      expect(await noticeTo(fake, await click(fake, message, 'approve', ALICE))).toBe(
        'Only the sre group or <!subteam^S0LEADS> can approve this request.',
      );
      await click(fake, message, 'approve', LEAD);
      const final = await until(fake, message, /^<@U0BOB> shop \(production\) on demo deployed/);
      expect(JSON.stringify(final.blocks)).toContain('approved by <@U0LEAD2>');
      expect(JSON.stringify(final.blocks)).toContain('requested by <@U0BOB>');
    });

    it('lets an approver reject, and then nothing runs', async () => {
      const { fake } = harness;
      const since = await ask('deploy -s shop -e production on demo', BOB);
      const message = await prompt(fake, 'Deploy shop (production) on demo?', since);
      await click(fake, message, 'reject', SRE);
      expect((await until(fake, message, /Rejected/)).text).toMatch(
        /Rejected by <@U0SRE> at .*; nothing was done\.$/,
      );
    });

    it('refuses what the policy denies, saying which rule, to the requester only', async () => {
      const { fake } = harness;
      await ask('destroy web-1 on do');
      const answer = await fake.waitFor(() =>
        fake.messages.find((m) => m.ephemeral && m.text.startsWith('You may not destroy')),
      );
      expect(answer.text).toBe('You may not destroy web-1 on do: denied by rule “only-sre-destroys”.');
      expect(answer.visibleTo).toBe(ALICE);
      expect(digitalocean.requests.some((r) => r.method === 'DELETE')).toBe(false);
    });

    it('runs without asking where a rule waives the confirmation', async () => {
      const { fake } = harness;
      await ask('start worker-1 on demo');
      const message = await fake.waitFor(() =>
        fake.messages.find((m) => m.versions[0]?.text === 'Starting worker-1 on demo…'),
      );
      expect(JSON.stringify(message.versions[0]?.blocks)).not.toContain('request_confirm');
      expect((await until(fake, message, /started/)).text).toMatch(/^<@U0ALICE> worker-1 on demo started/);
    });

    it('answers a mention Slack redelivers (retry_attempt 1) once', async () => {
      const { fake } = harness;
      attempts += 1;
      const first = await fake.mention({ text: 'start worker-2 on demo' });
      await fake.event(
        {
          type: 'app_mention',
          user: ALICE,
          text: `<@${fake.identity.botUserId}> start worker-2 on demo`,
          ts: first.ts,
          channel: first.channel,
          event_ts: first.ts,
        },
        { eventId: first.eventId, retryAttempt: 1 },
      );
      const message = await fake.waitFor(() =>
        fake.messages.find((m) => m.versions[0]?.text === 'Starting worker-2 on demo…'),
      );
      await until(fake, message, /started/);
      expect(fake.messages.filter((m) => m.versions[0]?.text === 'Starting worker-2 on demo…')).toHaveLength(
        1,
      );
      expect(fake.repliesTo(first.ts)).toHaveLength(1);
    });

    it('gives settings.admins nothing once rules are written, and warns at start-up', async () => {
      expect(harness.logs.some((line) => line.includes('settings.admins grants nothing'))).toBe(true);
      const destroy = await privately('can-i destroy web-1 on do', BOB);
      expect(destroy.text).toBe('can-i destroy web-1 on do\non do: no (denied by rule “only-sre-destroys”)');
    });

    it('shows in help only what the caller may run, and explains rights', async () => {
      const bob = await privately('help', BOB);
      expect(bob.text).toContain('reboot NAME [on PROVIDER]: reboot a machine (do, demo)');
      expect(bob.text).not.toContain('destroy NAME');
      expect(bob.text).not.toContain('audit [');
      // destroy, audit, and the outage watch's resolve, acknowledge, ticket and testmode.
      expect(bob.text).toMatch(/6 verbs are left out: the policy does not let you run them/);
      const sre = await privately('help', SRE);
      expect(sre.text).toContain('destroy NAME [on PROVIDER]: delete a machine for good (do, demo)');
      const whoami = await privately('whoami', BOB);
      expect(whoami.ephemeral).toBe(true);
      expect(whoami.text).toContain('destroy: no on do, demo (rule: only-sre-destroys)');
      expect(whoami.text).toContain('deploy: with approval on demo (rule: prod-deploy-approval)');
      const canI = await privately('can-i reboot web-1 on do', BOB);
      expect(canI.text).toBe('can-i reboot web-1 on do\non do: yes, after you confirm (rule ops-may-change)');
    });

    it('records every attempt once, lets only those allowed read the audit, and keeps secrets out of everything', async () => {
      const { fake } = harness;
      // A secret pasted into a command must not reach the audit, a reply or a log.
      await ask(`reboot ${TOKEN} on do`);
      await fake.waitFor(() => fake.messages.find((m) => m.text.includes('No machine')));
      await eventually(
        async () => (await harness.bot.store.audit.count()) === attempts,
        `${attempts} audit records`,
      );
      const denied = await privately('audit', BOB);
      expect(denied.text).toMatch(/^You may not read the audit log: no rule allows it/);
      attempts += 1;
      const audit = await privately('audit --limit 50', SRE);
      expect(audit.ephemeral).toBe(true);
      const records = await harness.bot.store.audit.query({ limit: 100 });
      expect(records).toHaveLength(attempts);
      const outcomes = records.map((r) => r.outcome).sort();
      expect(outcomes).toEqual(
        [
          ...['cancelled', 'expired', 'rejected', 'failed'],
          ...['denied', 'denied'],
          ...['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded'],
        ].sort(),
      );
      const approved = records.find((r) => r.approvedBy === LEAD);
      expect(approved).toMatchObject({
        userId: BOB,
        verb: 'deploy',
        decision: 'approve',
        rule: 'prod-deploy-approval',
        outcome: 'succeeded',
      });
      const confirmed = records.find((r) => r.target === 'web-1' && r.outcome === 'succeeded');
      expect(confirmed).toMatchObject({
        userId: ALICE,
        confirmedBy: ALICE,
        provider: 'do',
        entry: '/cloudmaster',
        channel: 'C0OPS',
      });
      expect(confirmed?.requestId).toMatch(/^\d+$/);
      expect(audit.text).toMatch(/^Audit: 11 records, newest first/);
      const everything = JSON.stringify([fake.calls, fake.responses, fake.messages, harness.logs, records]);
      expect(everything.split(TOKEN).length - 1).toBe(0);
      // It was there to leak: the reply and the audit show where it was taken out.
      expect(records.find((r) => r.outcome === 'failed')?.rawText).toBe('reboot [redacted] on do');
      expect(fake.messages.some((m) => m.text.includes('No machine') && m.text.includes('[redacted]'))).toBe(
        true,
      );
    });
  });
}
