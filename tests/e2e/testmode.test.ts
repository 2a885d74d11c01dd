/**
 * Test mode end to end: only whom the policy lets may switch it; turning it
 * on posts a test incident through the whole notice path; a confirmed
 * reboot then reaches no provider — a DigitalOcean double counts what
 * arrives — and is recorded as a dry run; turned off, changes run again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startBot } from '../support/bot-harness.ts';
import { type TestLocation, testDatabases } from '../support/databases.ts';
import { DigitalOceanDouble } from '../support/doubles/digitalocean.ts';
import { latest, type MessageRecord } from '../support/fake-slack/index.ts';
import { buttonIds } from '../support/fake-slack/payloads.ts';
import { hasButtons, noticesIn, OUTAGE_CHANNEL, slash, threadOf } from '../support/outages.ts';
import { click, prompt, until } from '../support/prompts.ts';

const TOKEN = 'do-testmode-token-0123456789';
const ADMIN = 'U0ADMIN';
const ALICE = 'U0ALICE';

function config(endpoint: string): string {
  return `
settings: { pollInterval: 30ms }
providers:
  do: { type: digitalocean, token: "\${DO_TOKEN}", endpoint: "${endpoint}" }
watch:
  channel: ${OUTAGE_CHANNEL}
policy:
  groups: { admins: [${ADMIN}] }
  rules:
    - { name: admins-everything, groups: [admins], verbs: ['*'], effect: allow }
    - { name: ops-may-change, verbs: [mutate], effect: allow }
    - { name: everyone-reads, verbs: [read], effect: allow }
`;
}

for (const database of testDatabases()) {
  describe.skipIf(!database.available)(`test mode through Slack, stored on ${database.name}`, () => {
    let harness: Harness;
    let digitalocean: DigitalOceanDouble;
    let where: TestLocation;

    beforeAll(async () => {
      digitalocean = await DigitalOceanDouble.start({ token: TOKEN, actionMs: 100 });
      where = await database.create();
      harness = await startBot(config(digitalocean.url), { env: { DO_TOKEN: TOKEN, ...where.env } });
    });
    afterAll(async () => {
      await harness?.stop();
      await digitalocean?.stop();
      await where?.drop();
    });

    /** Requests that would change something at DigitalOcean. */
    const mutations = () => digitalocean.requests.filter((request) => request.method !== 'GET').length;

    async function rebootConfirmed(): Promise<MessageRecord> {
      const { fake } = harness;
      const since = fake.messages.length;
      await fake.slashCommand({ command: '/cloudmaster', text: 'reboot web-1 on do', userId: ALICE });
      const message = await prompt(fake, 'Reboot web-1 on do?', since);
      await click(fake, message, 'confirm');
      return message;
    }

    it('is the admins’ to switch: anyone else is refused, and nothing changes', async () => {
      const answer = await slash(harness.fake, 'testmode on', ALICE);
      expect(answer.ephemeral).toBe(true);
      expect(latest(answer).text).toBe(
        'You may not switch test mode: no rule allows it (the policy denies what it does not allow).',
      );
      expect(await harness.bot.store.flags.get('testmode')).toBeUndefined();
    });

    it('turned on, says so in the channel and proves the notice path with a test incident and its resolution', async () => {
      const { fake } = harness;
      const answer = await slash(fake, 'testmode on', ADMIN);
      expect(answer.ephemeral).toBe(false);
      expect(latest(answer).text).toMatch(
        /^Test mode is on \(turned on by <@U0ADMIN> at \d\d:\d\d UTC\)\. Every change is a dry run: .* A test incident was posted in C0OUTAGES and resolved, to prove outage notices reach Slack\./,
      );
      const [notice] = noticesIn(fake, OUTAGE_CHANNEL) as [MessageRecord];
      expect(noticesIn(fake, OUTAGE_CHANNEL)).toHaveLength(1);
      expect(notice.versions[0]?.text).toMatch(
        /^Outage — cloudmaster test: Test incident: test mode checks that outage notices reach this channel\./,
      );
      expect(buttonIds(notice.versions[0]?.blocks ?? [])).toEqual(['outage_ticket', 'outage_acknowledge']);
      expect(threadOf(fake, notice)).toEqual([
        'cloudmaster test: resolved after 0 ms — marked resolved by <@U0ADMIN>.',
      ]);
      await fake.waitFor(() => !hasButtons(notice), { description: 'the test notice resolved' });
      expect(latest(notice).text).toMatch(/^Resolved — cloudmaster test: /);
    });

    it('makes a confirmed reboot a dry run: it says what it would do, sends nothing, and is recorded as dry_run', async () => {
      const before = mutations();
      const message = await rebootConfirmed();
      const final = await until(harness.fake, message, /^Dry run/);
      expect(final.text).toMatch(
        /^Dry run — test mode is on\. Would now: Reboot web-1 on do \(web-1 is running \(active\), 203\.0\.113\.\d+, \w+, s-1vcpu-1gb\)\. Nothing was sent to do\. testmode off ends test mode/,
      );
      expect(mutations()).toBe(before);
      expect(mutations()).toBe(0);
      const [record] = await harness.bot.store.audit.query({ verb: 'reboot', limit: 1 });
      expect(record).toMatchObject({
        userId: ALICE,
        outcome: 'dry_run',
        confirmedBy: ALICE,
        provider: 'do',
        target: 'web-1',
        detail: 'test mode: nothing was sent to do',
      });
      const health = latest(await slash(harness.fake, 'health', ALICE)).text;
      expect(health).toMatch(
        /^Test mode: on \(turned on by U0ADMIN\) since \d\d:\d\d UTC: changes are dry runs$/m,
      );
    });

    it('turned off, lets changes reach the provider again', async () => {
      const answer = await slash(harness.fake, 'testmode off', ADMIN);
      expect(latest(answer).text).toBe('Test mode is off: changes run again once confirmed.');
      const message = await rebootConfirmed();
      await until(harness.fake, message, /rebooted/);
      expect(mutations()).toBe(1);
      const outcomes = await harness.bot.store.audit.query({ verb: 'testmode', limit: 5 });
      expect(outcomes.map((record) => [record.userId, record.outcome, record.detail]).sort()).toEqual([
        [ADMIN, 'succeeded', 'test mode off'],
        [ADMIN, 'succeeded', 'test mode on'],
        [ALICE, 'denied', 'no rule allows it (the policy denies what it does not allow)'],
      ]);
    });
  });
}
