import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startBot } from '../support/bot-harness.ts';
import { Cloud66Double } from '../support/doubles/cloud66.ts';
import { DigitalOceanDouble } from '../support/doubles/digitalocean.ts';
import { VultrDouble } from '../support/doubles/vultr.ts';
import { latest, type MessageRecord } from '../support/fake-slack/index.ts';
import { confirmAndFollow } from '../support/prompts.ts';

let harness: Harness;
let digitalocean: DigitalOceanDouble;
let vultr: VultrDouble;
let cloud66: Cloud66Double;

beforeAll(async () => {
  digitalocean = await DigitalOceanDouble.start({ droplets: 6, actionMs: 150 });
  vultr = await VultrDouble.start({ actionMs: 150 });
  cloud66 = await Cloud66Double.start({ deployMs: 300, cancelMs: 100 });
  harness = await startBot(
    `
settings: { pollInterval: 50ms, admins: [U0ALICE] }
providers:
  do: { type: digitalocean, token: "\${DO_TOKEN}", endpoint: "${digitalocean.url}" }
  do-old: { type: digitalocean, token: "\${DO_OLD_TOKEN}", endpoint: "${digitalocean.url}" }
  vultr: { type: vultr, token: "\${VULTR_KEY}", endpoint: "${vultr.url}", rebootSettle: 0 }
  c66: { type: cloud66, token: "\${C66_TOKEN}", endpoint: "${cloud66.url}", pollInterval: 50ms }
`,
    {
      env: {
        DO_TOKEN: digitalocean.token,
        DO_OLD_TOKEN: 'revoked-token-0123456789',
        VULTR_KEY: vultr.token,
        C66_TOKEN: cloud66.token,
      },
    },
  );
});

afterAll(async () => {
  await harness?.stop();
  await Promise.all([digitalocean?.stop(), vultr?.stop(), cloud66?.stop()]);
});

async function slash(command: string, text: string): Promise<MessageRecord> {
  const { fake } = harness;
  const delivery = await fake.slashCommand({ command, text });
  return fake.waitFor(() => fake.messageFor(delivery.responseUrl), {
    description: `a reply to ${command} ${text}`,
  });
}

function finalOf(question: string, done: (text: string) => boolean): Promise<MessageRecord> {
  return confirmAndFollow(harness.fake, question, done);
}

describe('REST providers through Slack', () => {
  it('/cloudmaster list on do lists droplets, grouped per account', async () => {
    const message = await slash('/cloudmaster', 'list on do');
    const text = latest(message).text;
    expect(text.split('\n')[0]).toMatch(/^6 machines on 1 provider: /);
    expect(text).toMatch(/^web-1 \(do\): running \(active\), 203\.0\.113\.\d+, \w+, s-1vcpu-1gb$/m);
  });

  it('answers the second list inside the cache TTL from the cache, saying how old it is', async () => {
    const before = digitalocean.requests.length;
    const message = await slash('/cloudmaster', 'list on do');
    expect(digitalocean.requests.length).toBe(before);
    expect(JSON.stringify(latest(message).blocks)).toMatch(/_cached \d+ (ms|s) ago_/);
    const fresh = await slash('/cloudmaster', 'list on do --fresh');
    expect(digitalocean.requests.length).toBeGreaterThan(before);
    expect(JSON.stringify(latest(fresh).blocks)).not.toMatch(/cached/);
  });

  it('refuses an answer from DigitalOcean larger than the cap, naming the provider', async () => {
    digitalocean.failNext({ oversizeBytes: 20 * 1024 * 1024, matching: /^GET \/v2\/droplets$/ });
    const message = await slash('/cloudmaster', 'list on do --fresh');
    expect(latest(message).text).toContain(
      'DigitalOcean (provider `do`) answered GET /v2/droplets with more than 16 MB; cloudmaster refused to read it.',
    );
  });

  it('/dostat droplets answers as the DigitalOcean status bot did, DigitalOcean accounts only', async () => {
    const message = await slash('/dostat', 'droplets');
    const text = latest(message).text;
    expect(text).toContain('web-1 (do)');
    expect(text).not.toMatch(/\(vultr\)|\(c66\)/);
    // The revoked account fails inline, naming its variable and never the token.
    expect(text).toContain(
      'do-old: DigitalOcean rejected the token of provider `do-old` (check DO_OLD_TOKEN).',
    );
    expect(JSON.stringify(message)).not.toContain('revoked-token-0123456789');
  });

  it('a reboot DigitalOcean accepted (201) but whose answer broke off mid-body may or may not have started — never "nothing changed"', async () => {
    const droplet = digitalocean.dropletNamed('web-2');
    digitalocean.failNext({ truncate: true, matching: /^POST \/v2\/droplets\/\d+\/actions$/ });
    await harness.fake.slashCommand({ command: '/cloudmaster', text: 'reboot web-2 on do' });
    const message = await finalOf('Reboot web-2 on do?', (text) => !text.startsWith('Rebooting'));
    const text = latest(message).text;
    expect(text).toMatch(
      /^<@U0ALICE> The reboot of web-2 on do may or may not have started: DigitalOcean accepted POST \/v2\/droplets\/\d+\/actions \(HTTP 201\), but its answer could not be read: the connection broke off/,
    );
    expect(text).toContain('Check with status web-2 on do before asking again.');
    expect(text).not.toMatch(/Nothing was changed|failed/);
    expect(digitalocean.actionRequests('web-2', 'reboot')).toBe(1);
    expect(droplet?.locked).toBe(true);
    const [record] = await harness.bot.store.audit.query({ limit: 1, verb: 'reboot' });
    expect(record).toMatchObject({ target: 'web-2', outcome: 'unknown' });
    const [job] = await harness.bot.store.jobs.recent(1);
    expect(job).toMatchObject({ targetName: 'web-2', state: 'unknown' });
  });

  it('/vustat reboot NAME reboots on Vultr and updates the message to the outcome', async () => {
    await harness.fake.slashCommand({ command: '/vustat', text: 'reboot vu-web-1' });
    const message = await finalOf('Reboot vu-web-1 on vultr?', (text) => !text.startsWith('Rebooting'));
    expect(latest(message).text).toMatch(
      /^<@U0ALICE> vu-web-1 on vultr rebooted: running again \(took \d+ ms\)\.$/,
    );
    expect(message.versions.map((v) => v.text)).toContain(
      'Rebooting vu-web-1 on vultr… Vultr accepted the reboot',
    );
  });

  it('@igor deploy -s shop -e production -v web deploys on Cloud 66, in the thread', async () => {
    const { ts } = await harness.fake.mention({ text: '<@U0BOT> deploy -s shop -e production -v web' });
    const message = await finalOf(
      'Deploy shop (production) on c66?',
      (text) => !text.startsWith('Deploying'),
    );
    expect(message.threadTs).toBe(ts);
    expect(latest(message).text).toMatch(
      /^<@U0ALICE> shop \(production\) on c66 deployed: Completed successfully \(took \d+ ms\)\.$/,
    );
    expect(message.versions.map((v) => v.text)).toContain(
      'Deploying shop (production) on c66… deployment started (web)',
    );
    const posted = cloud66.requests.find((r) => r.method === 'POST');
    expect(posted?.body).toEqual({ services: ['web'], user_reference: 'cloudmaster' });
  });

  it('@igor cancel -s shop cancels the running deployment', async () => {
    const running = cloud66.startDeploymentElsewhere('shop', 'production', 60_000);
    const { ts } = await harness.fake.mention({ text: '<@U0BOT> cancel -s shop' });
    const message = await finalOf(
      'Cancel the deployment of shop (production) on c66?',
      (text) => !text.startsWith('Cancelling'),
    );
    expect(message.threadTs).toBe(ts);
    expect(latest(message).text).toBe(
      `<@U0ALICE> shop (production) on c66 deployment cancelled: deployment ${running.id} cancelled (took ${/took (\d+ ms)/.exec(latest(message).text)?.[1]}).`,
    );
  });

  it('@igor cancel on a stack with nothing deploying says so', async () => {
    await harness.fake.mention({ text: '<@U0BOT> cancel -s blog' });
    const message = await finalOf(
      'Cancel the deployment of blog (production) on c66?',
      (text) => !text.startsWith('Cancelling'),
    );
    expect(latest(message).text).toBe(
      '<@U0ALICE> The cancellation of blog (production) on c66 failed: Nothing is deploying on blog (production).',
    );
  });
});
