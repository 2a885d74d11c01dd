/**
 * A configured secret pasted into a command: refused with a clear answer,
 * nothing run, and nowhere in the store — nor in the log.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startBot } from '../support/bot-harness.ts';

const SECRET = 'ghp-configured-secret-4711';
const CONFIG = `
providers:
  demo: { type: simulator }
tickets:
  github:
    owner: acme
    repo: ops
    token: \${TICKET_TOKEN}
`;

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

describe('a configured secret pasted into a command', () => {
  it.each([
    ['as a name', `create ${SECRET} on demo`],
    ['as a parameter', `create web-9 on demo image=${SECRET}`],
  ])('is refused %s: nothing runs and the store keeps no trace of it', async (_what, text) => {
    harness = await startBot(CONFIG, { env: { TICKET_TOKEN: SECRET } });
    const { fake, bot } = harness;
    const delivery = await fake.slashCommand({ command: '/cloudmaster', text });
    const answer = await fake.waitFor(
      () => fake.messages.find((m) => m.responseUrl === delivery.responseUrl && /secret/.test(m.text)),
      { description: 'the refusal' },
    );
    expect(answer.text).toContain('configured secrets');
    expect(answer.text).not.toContain(SECRET);
    expect(await bot.store.jobs.recent(10)).toEqual([]);
    const kept = JSON.stringify([
      await bot.store.sql.all('SELECT * FROM pending_requests'),
      await bot.store.sql.all('SELECT * FROM jobs'),
      await bot.store.sql.all('SELECT * FROM audit'),
    ]);
    expect(kept).not.toContain(SECRET);
    expect(harness.logs.join('\n')).not.toContain(SECRET);
  });
});
