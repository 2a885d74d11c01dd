/**
 * The safe default end to end: no `policy:` section, one admin. The real
 * Bolt app on a fake Slack, a DigitalOcean API double that counts what
 * reaches it, and a simulator account.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '../../src/policy/default.ts';
import { type Harness, startBot } from '../support/bot-harness.ts';
import { DigitalOceanDouble } from '../support/doubles/digitalocean.ts';
import type { MessageRecord } from '../support/fake-slack/index.ts';
import { click, prompt, until } from '../support/prompts.ts';

const TOKEN = 'do-default-token-0123456789';
const ADMIN = 'U0ADMIN';
const BOB = 'U0BOB';
const REFUSAL =
  'You may not reboot web-1 on do: changes are limited to admins until a policy is written — add your Slack id (U0BOB) to settings.admins, or write a policy: section (docs/safety.md).';

describe('the safe default through Slack (no policy section)', () => {
  let harness: Harness;
  let digitalocean: DigitalOceanDouble;

  beforeAll(async () => {
    digitalocean = await DigitalOceanDouble.start({ token: TOKEN, actionMs: 100 });
    harness = await startBot(
      `
settings: { pollInterval: 30ms, admins: [${ADMIN}] }
providers:
  do: { type: digitalocean, token: "\${DO_TOKEN}", endpoint: "${digitalocean.url}" }
  demo: { type: simulator, delays: { reboot: 100ms } }
`,
      { env: { DO_TOKEN: TOKEN } },
    );
  });
  afterAll(async () => {
    await harness?.stop();
    await digitalocean?.stop();
  });

  /** What the bot told `userId` alone in answer to a slash command. */
  async function privately(text: string, userId: string): Promise<MessageRecord> {
    const { fake } = harness;
    const delivery = await fake.slashCommand({ command: '/cloudmaster', text, userId });
    return fake.waitFor(() => fake.messages.find((m) => m.responseUrl === delivery.responseUrl), {
      description: `the answer to ${text}`,
    });
  }

  /** Asks for a reboot and confirms it as the requester; resolves with the final message. */
  async function rebootConfirmed(name: string, provider: string, userId: string) {
    const { fake } = harness;
    const since = fake.messages.length;
    await fake.slashCommand({ command: '/cloudmaster', text: `reboot ${name} on ${provider}`, userId });
    const message = await prompt(fake, `Reboot ${name} on ${provider}?`, since);
    await click(fake, message, 'confirm', userId);
    return until(fake, message, /rebooted/);
  }

  it('says at start-up which default is in force, and how many admins it has', () => {
    const line = harness.logs.find((entry) => entry.includes('cloudmaster is connected to Slack'));
    expect(JSON.parse(line ?? '{}').policy).toBe(
      'default (no policy rules): everyone reads; changes only on simulator accounts and by settings.admins (1 admin)',
    );
  });

  it('refuses a non-admin’s reboot on a real cloud in one sentence saying how to allow it, and records it', async () => {
    const answer = await privately('reboot web-1 on do', BOB);
    expect(answer.ephemeral).toBe(true);
    expect(answer.text).toBe(REFUSAL);
    expect(digitalocean.actionRequests('web-1', 'reboot')).toBe(0);
    const [record] = await harness.bot.store.audit.query({ limit: 1, userId: BOB });
    expect(record).toMatchObject({ verb: 'reboot', outcome: 'denied', rule: DEFAULT_RULES.others });
  });

  it('lets an admin reboot on a real cloud after Confirm', async () => {
    const final = await rebootConfirmed('web-1', 'do', ADMIN);
    expect(final.text).toMatch(/^<@U0ADMIN> web-1 on do rebooted/);
    expect(digitalocean.actionRequests('web-1', 'reboot')).toBe(1);
    const [record] = await harness.bot.store.audit.query({ limit: 1, userId: ADMIN });
    expect(record).toMatchObject({ outcome: 'succeeded', rule: DEFAULT_RULES.admins, confirmedBy: ADMIN });
  });

  it('lets anyone reboot on a simulator account after Confirm', async () => {
    const final = await rebootConfirmed('web-2', 'demo', BOB);
    expect(final.text).toMatch(/^<@U0BOB> web-2 on demo rebooted/);
    const [record] = await harness.bot.store.audit.query({ limit: 1, userId: BOB });
    expect(record).toMatchObject({ outcome: 'succeeded', rule: DEFAULT_RULES.simulator });
  });

  it('lets everyone read, but keeps the audit log for admins', async () => {
    const listing = await privately('list', BOB);
    expect(listing.text).toMatch(/^17 machines and 3 stacks on 2 providers/);
    expect(listing.text).toMatch(/^web-1 \(do\): running/m);
    expect((await privately('status web-1 on do', BOB)).text).toMatch(/^web-1 on do/);
    expect((await privately('audit', BOB)).text).toMatch(
      /^You may not read the audit log: audit is limited to admins until a policy is written — add your Slack id \(U0BOB\) to settings\.admins/,
    );
    expect((await privately('audit', ADMIN)).text).toMatch(/^Audit: \d+ records/);
  });

  it('shows the default in help, whoami and can-i', async () => {
    const help = await privately('help', BOB);
    expect(help.text).toContain('reboot NAME [on PROVIDER]: reboot a machine (demo)');
    expect(help.text).not.toContain('audit [');
    expect((await privately('help', ADMIN)).text).toContain(
      'reboot NAME [on PROVIDER]: reboot a machine (do, demo)',
    );
    const whoami = await privately('whoami', BOB);
    expect(whoami.text).toContain('There is no policy yet, so the safe default holds');
    expect(whoami.text).toContain(
      `reboot: no on do; yes on demo (rules: ${DEFAULT_RULES.others}; ${DEFAULT_RULES.simulator})`,
    );
    expect(whoami.text).toContain(`list: yes on do, demo (rule: ${DEFAULT_RULES.reads})`);
    expect((await privately('whoami', ADMIN)).text).toContain(
      `reboot: yes on do, demo (rule: ${DEFAULT_RULES.admins})`,
    );
    const canI = await privately('can-i reboot web-1 on do', BOB);
    expect(canI.text).toBe(
      'can-i reboot web-1 on do\non do: no (changes are limited to admins until a policy is written — add your Slack id (U0BOB) to settings.admins, or write a policy: section (docs/safety.md))',
    );
  });
});
