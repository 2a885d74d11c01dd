/**
 * Output that cannot be turned against its readers, end to end through the
 * real bot and the fake Slack (which refuses what Slack refuses): strings
 * from outside — a name someone typed, a provider's error, a status page's
 * update — reach Slack escaped in the notification `text` as in the
 * blocks, so they cannot ping a channel or dress a link as a machine; and
 * echoed input however long still gets its answer within Block Kit's
 * limits, never Slack's refusal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startBot } from '../support/bot-harness.ts';
import { DigitalOceanDouble } from '../support/doubles/digitalocean.ts';
import { FakeSlack, latest, type MessageRecord } from '../support/fake-slack/index.ts';
import { ManualTimers } from '../support/manual-timers.ts';
import {
  noticesIn,
  OUTAGE_CHANNEL,
  pageSays,
  STATUS_PATH,
  threadOf,
  watchConfig,
} from '../support/outages.ts';
import { click, prompt, until } from '../support/prompts.ts';
import { fixture, StatusFixtureServer } from '../support/status-fixtures.ts';

/** What a hostile string must never become in a Slack message: live mrkdwn. */
const LIVE = /<!channel>|<!here>|<https:\/\/evil\.example/;

function blocksOf(message: MessageRecord): string {
  return JSON.stringify(latest(message).blocks);
}

/** Every response_url post and Web API call the bot made was taken: Slack refused nothing. */
function nothingRefused(fake: FakeSlack): void {
  expect(fake.responses.filter((response) => response.status !== 200)).toEqual([]);
  expect(fake.calls.filter((call) => call.response.ok !== true && call.method.startsWith('chat.'))).toEqual(
    [],
  );
}

describe('outside strings in Slack messages', () => {
  let harness: Harness;
  let digitalocean: DigitalOceanDouble;

  beforeAll(async () => {
    digitalocean = await DigitalOceanDouble.start({ droplets: 2, actionMs: 100 });
    harness = await startBot(
      `
settings: { pollInterval: 50ms, admins: [U0ALICE] }
providers:
  demo: { type: simulator, machines: 3 }
  do: { type: digitalocean, token: "\${DO_TOKEN}", endpoint: "${digitalocean.url}" }
`,
      { env: { DO_TOKEN: digitalocean.token } },
    );
  });
  afterAll(async () => {
    await harness?.stop();
    await digitalocean?.stop();
  });

  it('escapes a name someone typed in the prompt’s text and blocks, keeping our own mention', async () => {
    const { fake } = harness;
    // Slack sends what people type with &, < and > escaped; the grammar reads them back.
    await fake.slashCommand({
      command: '/cloudmaster',
      text: 'create "&lt;!channel&gt; &lt;https://evil.example|web-1&gt;" on demo',
    });
    const message = await prompt(fake, 'Create ');
    const { text } = latest(message);
    expect(text).toMatch(
      /^Create &lt;!channel&gt; &lt;https:\/\/evil\.example\|web-1&gt; on demo\? .* Requested by <@U0ALICE>; only they can confirm/,
    );
    expect(text).not.toMatch(LIVE);
    expect(blocksOf(message)).toContain('&lt;!channel&gt; &lt;https://evil.example|web-1&gt;');
    expect(blocksOf(message)).not.toMatch(LIVE);
    nothingRefused(fake);
  });

  it('escapes a provider’s error in the failure’s text and blocks', async () => {
    const { fake } = harness;
    digitalocean.failNext({
      status: 403,
      matching: /^POST \/v2\/droplets\/\d+\/actions$/,
      message: '<!here> please re-authenticate at <https://evil.example/login|the AWS console>',
    });
    await fake.slashCommand({ command: '/cloudmaster', text: 'reboot web-1 on do' });
    const message = await prompt(fake, 'Reboot web-1 on do?');
    await click(fake, message, 'confirm');
    const final = await until(fake, message, /failed/);
    expect(final.text).toContain(
      'this request: &lt;!here&gt; please re-authenticate at &lt;https://evil.example/login|the AWS console&gt;',
    );
    expect(final.text).toMatch(/^<@U0ALICE> The reboot of web-1 on do failed: /);
    expect(final.text).not.toMatch(LIVE);
    expect(JSON.stringify(final.blocks)).toContain('&lt;!here&gt; please re-authenticate');
    expect(JSON.stringify(final.blocks)).not.toMatch(LIVE);
    nothingRefused(fake);
  });

  it('answers a mention of a 3,990-character name with “No machine named …”, clipped within Slack’s limits', async () => {
    const { fake } = harness;
    // The longest a command may be (4,000 characters; longer ones are refused unread), mention and verb included.
    const name = 'a'.repeat(3990 - 'status '.length);
    const mention = await fake.mention({ text: `status ${name}` });
    const reply = await fake.waitFor(() => fake.repliesTo(mention.ts)[0], { description: 'the answer' });
    expect(reply.text).toMatch(/^No machine or stack named "?a+…a+/);
    expect(reply.text.length).toBeLessThan(1500);
    expect(reply.text).not.toContain('Something went wrong');
    nothingRefused(fake);
  });

  it('answers /cloudmaster reboot with a 2,990-character name through the response_url, not an HTTP 400', async () => {
    const { fake } = harness;
    const name = `web-${'x'.repeat(2986)}`;
    const delivery = await fake.slashCommand({ command: '/cloudmaster', text: `reboot ${name}` });
    const answer = await fake.waitFor(() => fake.messageFor(delivery.responseUrl), {
      description: 'the answer',
    });
    expect(answer.text).toMatch(/^No machine named "?web-x+…x+/);
    expect(blocksOf(answer)).toContain('…');
    nothingRefused(fake);
  });
});

describe('a status page’s update in the outage watch', () => {
  let fake: FakeSlack;
  let pages: StatusFixtureServer;
  let harness: Harness;
  const timers = new ManualTimers(Date.parse('2025-03-18T14:03:00.000Z'));

  beforeAll(async () => {
    fake = await FakeSlack.start();
    pages = await StatusFixtureServer.start();
    harness = await startBot(watchConfig(pages), {
      slack: fake,
      clock: timers,
      watch: { timers, random: () => 0, fetchDelayMs: 5 },
    });
  });
  afterAll(async () => {
    await harness?.stop();
    await fake?.stop();
    await pages?.stop();
  });

  it('posts an update carrying &lt;!here&gt; escaped in the thread’s text and blocks', async () => {
    const says = (route: Parameters<StatusFixtureServer['serve']>[1], minutes: number) =>
      pageSays(pages, STATUS_PATH, route, minutes, timers, harness.bot);
    await says('statuspage/open.json', 2);
    const hostile = fixture('statuspage/updated.json').replace(
      /We have identified the cause: [^"]*/,
      '&lt;!here&gt; log in again at &lt;https://evil.example/login|githubstatus.com&gt; &amp; now',
    );
    await says({ body: hostile, contentType: 'application/json' }, 2);
    const [notice] = noticesIn(fake, OUTAGE_CHANNEL) as [MessageRecord];
    const [update] = fake.repliesTo(notice.ts);
    expect(threadOf(fake, notice)).toEqual([
      'GitHub: status investigating → identified, impact minor → major. &lt;!here&gt; log in again at &lt;https://evil.example/login|githubstatus.com&gt; &amp; now',
    ]);
    expect(JSON.stringify(update?.blocks)).toContain(
      '"text":"> &lt;!here&gt; log in again at &lt;https://evil.example',
    );
    expect(JSON.stringify(update?.blocks)).not.toMatch(LIVE);
    nothingRefused(fake);
  });
});
