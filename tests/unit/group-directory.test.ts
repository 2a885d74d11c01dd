/**
 * Slack user groups as the policy reads them: kept for a while, read once
 * however many ask at the same time, and a failing read told once in the
 * log, not on every question.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { NO_SLACK_GROUPS, SlackGroupDirectory } from '../../src/policy/directory.ts';

/** `usergroups.users.list` as Slack answers it; `failing` makes it throw; `gate` holds answers back. */
function slackApi() {
  const state = {
    calls: 0,
    failing: false,
    users: ['U0SRE1'] as string[] | undefined,
    gate: undefined as Promise<void> | undefined,
  };
  const api = {
    usergroups: {
      users: {
        list: async (_args: { usergroup: string }) => {
          state.calls += 1;
          if (state.gate) await state.gate;
          if (state.failing) throw new Error('ratelimited');
          return { ok: true, ...(state.users ? { users: state.users } : {}) };
        },
      },
    },
  };
  return { api, state };
}

function logged(): { log: pino.Logger; lines: () => { level: number; msg: string; group?: string }[] } {
  const written: string[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => written.push(line) });
  return { log, lines: () => written.map((line) => JSON.parse(line)) };
}

describe('Slack user groups', () => {
  it('keeps an answer for its time to live, not a millisecond longer', async () => {
    const { api, state } = slackApi();
    let now = 1_000_000;
    const directory = new SlackGroupDirectory(api, pino({ level: 'silent' }), { now: () => now }, 60_000);
    await directory.members('S0SRE');
    now += 59_999;
    await directory.members('S0SRE');
    expect(state.calls).toBe(1);
    now += 1;
    await directory.members('S0SRE');
    expect(state.calls).toBe(2);
  });

  it('keeps an answer five minutes by default', async () => {
    const { api, state } = slackApi();
    let now = 1_000_000;
    const directory = new SlackGroupDirectory(api, pino({ level: 'silent' }), { now: () => now });
    await directory.members('S0SRE');
    now += 5 * 60_000 - 1;
    await directory.members('S0SRE');
    expect(state.calls).toBe(1);
    now += 1;
    await directory.members('S0SRE');
    expect(state.calls).toBe(2);
  });

  it('reads a group once for questions asked while its read is under way', async () => {
    const { api, state } = slackApi();
    let release = () => {};
    state.gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const directory = new SlackGroupDirectory(api, pino({ level: 'silent' }), { now: () => 0 });
    const asked = [directory.members('S0SRE'), directory.members('S0SRE'), directory.members('S0SRE')];
    release();
    for (const members of await Promise.all(asked)) expect(members).toEqual(new Set(['U0SRE1']));
    expect(state.calls).toBe(1);
  });

  it('takes an answer without users as an empty group', async () => {
    const { api, state } = slackApi();
    state.users = undefined;
    const directory = new SlackGroupDirectory(api, pino({ level: 'silent' }), { now: () => 0 });
    expect(await directory.members('S0EMPTY')).toEqual(new Set());
  });

  it('warns once while a group cannot be read, and says when it can be again', async () => {
    const { api, state } = slackApi();
    const { log, lines } = logged();
    let now = 0;
    const directory = new SlackGroupDirectory(api, log, { now: () => now }, 1_000);
    state.failing = true;
    expect(await directory.members('S0SRE')).toBeUndefined();
    now += 1_000;
    expect(await directory.members('S0SRE')).toBeUndefined();
    expect(lines()).toEqual([
      expect.objectContaining({
        level: 40,
        group: 'S0SRE',
        msg: 'cannot read a Slack user group (the app needs the usergroups:read scope); its rules grant nothing until it can',
      }),
    ]);
    state.failing = false;
    now += 1_000;
    expect(await directory.members('S0SRE')).toEqual(new Set(['U0SRE1']));
    now += 1_000;
    await directory.members('S0SRE');
    expect(lines().slice(1)).toEqual([
      expect.objectContaining({ level: 30, group: 'S0SRE', msg: 'user group readable again' }),
    ]);
  });

  it('are never readable without Slack (the CLI without a token)', async () => {
    expect(await NO_SLACK_GROUPS.members('S0SRE')).toBeUndefined();
  });
});
