import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { type MessageTransport, ThrottledMessage } from '../../src/jobs/throttled-message.ts';
import type { SlackMessage } from '../../src/replies/slack/message.ts';
import { ManualTimers } from '../support/manual-timers.ts';

const text = (t: string): SlackMessage => ({ text: t, blocks: [] });
const settle = async () => {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
};

/** A transport as chat.update behaves: it records what reached Slack, and fails on demand with Slack's errors. */
function slack() {
  const sent: { at: number; text: string; via: 'update' | 'repost' }[] = [];
  const failures: unknown[] = [];
  let timers: ManualTimers | undefined;
  const transport: MessageTransport = {
    update: async (message) => {
      const failure = failures.shift();
      if (failure) throw failure;
      sent.push({ at: timers?.now() ?? 0, text: message.text, via: 'update' });
    },
    repost: async (message) => {
      sent.push({ at: timers?.now() ?? 0, text: message.text, via: 'repost' });
    },
  };
  return {
    sent,
    failures,
    transport,
    use(t: ManualTimers) {
      timers = t;
    },
  };
}

function start() {
  const timers = new ManualTimers(0);
  const fake = slack();
  fake.use(timers);
  return { timers, fake, message: new ThrottledMessage(fake.transport, timers, pino({ level: 'silent' })) };
}

describe('a job message', () => {
  it('is updated at once, then at most once a second, always with the newest state', async () => {
    const { timers, fake, message } = start();
    message.show(text('accepted'));
    await settle();
    message.show(text('step 1'));
    message.show(text('step 2'));
    timers.advance(500);
    message.show(text('step 3'));
    await settle();
    expect(fake.sent.map((s) => s.text)).toEqual(['accepted']);
    timers.advance(500);
    await settle();
    expect(fake.sent).toEqual([
      { at: 0, text: 'accepted', via: 'update' },
      { at: 1_000, text: 'step 3', via: 'update' },
    ]);
    message.show(text('done'));
    const settled = message.settle();
    timers.advance(1_000);
    await settled;
    expect(fake.sent.at(-1)).toEqual({ at: 2_000, text: 'done', via: 'update' });
  });

  it('waits out a 429 for as long as Slack asks, then sends the latest state, not the refused one', async () => {
    const { timers, fake, message } = start();
    fake.failures.push(
      Object.assign(new Error('rate limited'), { code: 'slack_webapi_rate_limited_error', retryAfter: 3 }),
    );
    message.show(text('accepted'));
    await settle();
    message.show(text('rebooting'));
    timers.advance(2_900);
    await settle();
    expect(fake.sent).toEqual([]);
    timers.advance(100);
    await settle();
    expect(fake.sent).toEqual([{ at: 3_000, text: 'rebooting', via: 'update' }]);
  });

  it('posts itself again when someone deleted it, with the newest state', async () => {
    const { fake, message } = start();
    fake.failures.push(Object.assign(new Error('gone'), { data: { ok: false, error: 'message_not_found' } }));
    message.show(text('rebooting'));
    await settle();
    expect(fake.sent).toEqual([{ at: 0, text: 'rebooting', via: 'repost' }]);
  });

  it('gives up one version on any other error and goes on with the next', async () => {
    const { timers, fake, message } = start();
    fake.failures.push(Object.assign(new Error('boom'), { data: { ok: false, error: 'fatal_error' } }));
    message.show(text('accepted'));
    await settle();
    message.show(text('rebooting'));
    timers.advance(1_000);
    await settle();
    expect(fake.sent.map((s) => s.text)).toEqual(['rebooting']);
    await message.settle();
  });
});
