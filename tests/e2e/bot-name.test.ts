/**
 * The bot's name: manifest.yml makes its bot user igor, and help and usage
 * show `@igor …`; a workspace that calls it something else sees that name,
 * and its mentions work whatever the name, since Slack sends the bot's user
 * id (`<@W0OPSBOT>`, or `<@W0OPSBOT|opsbot>` from older clients).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startBot } from '../support/bot-harness.ts';
import { latest } from '../support/fake-slack/index.ts';

const CONFIG = 'providers:\n  demo: { type: simulator, machines: 3 }\n';

async function mentionReply(harness: Harness, text: string): Promise<string> {
  const { fake } = harness;
  const { ts } = await fake.mention({ text });
  const reply = await fake.waitFor(() => fake.messages.find((m) => m.threadTs === ts), {
    description: `a threaded reply to ${text}`,
  });
  return latest(reply).text;
}

describe('the bot’s name', () => {
  let igor: Harness;
  let renamed: Harness;
  beforeAll(async () => {
    igor = await startBot(CONFIG);
    renamed = await startBot(CONFIG, { fake: { bot: { userId: 'W0OPSBOT', name: 'opsbot' } } });
  });
  afterAll(async () => {
    await igor?.stop();
    await renamed?.stop();
  });

  it('is @igor in usage lines, as manifest.yml names the bot user', async () => {
    expect(await mentionReply(igor, '<@U0BOT> reboot')).toContain('Usage: @igor reboot NAME [on PROVIDER]');
  });

  it('is the workspace’s own name where it calls the bot something else, and mentions still work', async () => {
    expect(await mentionReply(renamed, '<@W0OPSBOT> status')).toContain(
      'Usage: @opsbot status NAME [on PROVIDER]',
    );
    expect(await mentionReply(renamed, '<@W0OPSBOT|opsbot>: list on demo')).toMatch(/^3 machines/);
  });
});
