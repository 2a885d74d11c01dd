/**
 * Every reply builder, fed outside strings that are hostile and huge: the
 * one escape covers `text` and blocks alike, our own mentions and links
 * stay, and what comes out is a message the fake Slack's validator (the
 * same one that refuses payloads end to end) takes.
 */
import { describe, expect, it } from 'vitest';
import type { Machine } from '../../providers/types.ts';
import type { OperationPlan } from '../../src/dispatch/outcome.ts';
import { CloudmasterError, ErrorCode } from '../../src/errors.ts';
import { renderDenied, renderEndedPrompt, renderPrompt } from '../../src/replies/slack/confirmation.ts';
import { renderHelp } from '../../src/replies/slack/help.ts';
import { clip } from '../../src/replies/slack/limits.ts';
import { renderListing } from '../../src/replies/slack/listing.ts';
import type { SlackMessage } from '../../src/replies/slack/message.ts';
import {
  clipMrkdwn,
  code,
  escapeMrkdwn,
  link,
  md,
  mention,
  mrkdwnText,
  plainText,
  withMentions,
} from '../../src/replies/slack/mrkdwn.ts';
import { renderOperation } from '../../src/replies/slack/operation.ts';
import { renderNotice, renderUpdate } from '../../src/replies/slack/outage-notice.ts';
import { renderError, renderUsage } from '../../src/replies/slack/problem.ts';
import { renderResource } from '../../src/replies/slack/resource.ts';
import type { Pending } from '../../src/safety/gatekeeper.ts';
import type { NoticeState } from '../../src/watch/notifier.ts';
import { refusal } from '../support/fake-slack/block-kit.ts';

const PING = '<!channel> <!here> <@U0BOSS> <https://evil.example|web-1> & co';
/** Live mrkdwn an outside string must never become. */
const LIVE = /<!channel>|<!here>|<@U0BOSS>|<https:\/\/evil/;
const HUGE = `${PING} ${'<'.repeat(5000)} ${'x'.repeat(5000)} end`;

/** Every mrkdwn text in the blocks (plain_text, as in headers and buttons, is shown as written). */
function mrkdwnTexts(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(mrkdwnTexts);
  if (typeof value !== 'object' || value === null) return [];
  const object = value as Record<string, unknown>;
  if (object.type === 'mrkdwn' && typeof object.text === 'string') return [object.text];
  return Object.values(object).flatMap(mrkdwnTexts);
}

function expectSafe(message: SlackMessage): void {
  expect(refusal({ text: message.text, blocks: message.blocks })).toBeUndefined();
  expect(message.text).not.toMatch(LIVE);
  for (const text of mrkdwnTexts(message.blocks)) expect(text).not.toMatch(LIVE);
}

const provider = { id: 'demo', type: 'simulator', label: 'Simulated cloud' };

function plan(name: string): OperationPlan {
  return {
    verb: 'reboot',
    provider,
    target: { kind: 'machine', name, id: name },
    resource: machine(name),
    options: { note: name },
  };
}

function machine(name: string): Machine {
  return {
    kind: 'machine',
    provider: 'demo',
    id: name,
    name,
    status: 'running',
    providerStatus: name,
    region: name,
    size: name,
  };
}

function pending(name: string): Pending {
  return {
    id: 'req-1',
    kind: 'approve',
    state: 'pending',
    requester: 'U0ALICE',
    entry: 'slash',
    rawText: `reboot ${name}`,
    payload: {
      command: { verb: 'reboot', name, raw: `reboot ${name}` } as never,
      plan: plan(name),
      requestedAt: 0,
      decision: { effect: 'allow', rule: name } as never,
    },
    decision: 'approve',
    rule: name,
    approvers: ['U0BOB', name],
    createdAt: 0,
    expiresAt: 60_000,
  };
}

function notice(text: string, key = 'abc#1'): NoticeState {
  return {
    platform: { name: 'github', label: text },
    incident: {
      key,
      id: 'abc',
      occurrence: 1,
      title: text,
      status: 'investigating',
      sourceStatus: text,
      impact: 'major',
      url: 'https://status.example/incidents/abc',
      startedAt: '2025-03-18T14:02:00.000Z',
      latestUpdate: text,
      components: [text, text],
      firstSeenAt: '2025-03-18T14:02:00.000Z',
      missedReadings: 0,
    },
    ref: 'github-3f9a2c',
    path: `github/${key}`,
    acknowledged: { by: 'U0ALICE', at: 0 },
  };
}

describe('the one mrkdwn escape', () => {
  it('escapes &, < and > in every interpolated string, and keeps what we format ourselves', () => {
    const built = md`*${PING}* by ${mention('U0ALICE')} ${link('https://status.example/a?b=1&c=2', PING)} ${code(PING)}`;
    const text = mrkdwnText(built);
    expect(text).toBe(
      '*&lt;!channel&gt; &lt;!here&gt; &lt;@U0BOSS&gt; &lt;https://evil.example|web-1&gt; &amp; co* by <@U0ALICE> ' +
        '<https://status.example/a?b=1&amp;c=2|&lt;!channel&gt; &lt;!here&gt; &lt;@U0BOSS&gt; &lt;https://evil.example|web-1&gt; &amp; co> ' +
        '`&lt;!channel&gt; &lt;!here&gt; &lt;@U0BOSS&gt; &lt;https://evil.example|web-1&gt; &amp; co`',
    );
    expect(escapeMrkdwn('a & <b>')).toBe('a &amp; &lt;b&gt;');
  });

  it('mentions only Slack user ids, links only http(s) addresses', () => {
    expect(mrkdwnText(mention('cli:igor'))).toBe('cli:igor');
    expect(mrkdwnText(mention('<!channel>'))).toBe('&lt;!channel&gt;');
    expect(mrkdwnText(link('javascript:alert(1)', 'status page'))).toBe('status page');
    expect(mrkdwnText(withMentions('Only <@U0BOB> or <!subteam^S0OPS> can; not <!channel>'))).toBe(
      'Only <@U0BOB> or <!subteam^S0OPS> can; not &lt;!channel&gt;',
    );
  });

  it('turns back into the same plain text for the terminal', () => {
    expect(plainText(md`${PING} by ${mention('U0ALICE')}`)).toBe(`${PING} by U0ALICE`);
  });

  it('clips a long outside string in the middle, never inside an entity, a token or a character', () => {
    const text = mrkdwnText(md`No machine named "${`${'<'.repeat(600)}😀${'a'.repeat(600)}`}" on demo.`);
    expect(text.length).toBeLessThan(1100);
    expect(text).toMatch(/^No machine named "(&lt;)+…a+" on demo\.$/);
    const clipped = mrkdwnText(clipMrkdwn(md`${mention('U0ALICE')} ${'&'.repeat(100)}`, 20));
    expect(clipped).toMatch(/^<@U0ALICE> (&amp;)*…$/);
    expect(clip('ab😀', 3)).toBe('ab…');
  });
});

describe('replies built from hostile, oversized input', () => {
  const name = HUGE;
  const error = new CloudmasterError(ErrorCode.NotFound, `No machine named "${HUGE}" on demo.`, {
    hint: HUGE,
    candidates: Array.from({ length: 40 }, () => HUGE),
  });

  it('a usage error and an error, candidates and all', () => {
    expectSafe(
      renderUsage(
        { kind: 'usage', error: { message: HUGE, suggestions: [HUGE, HUGE], verb: 'reboot' } as never },
        HUGE,
      ),
    );
    const message = renderError({ kind: 'error', error });
    expectSafe(message);
    expect(message.text).toMatch(/^No machine named "&lt;!channel&gt; .*…/);
  });

  it('the prompt, its end, a denial and the operation at each stage', () => {
    const request = pending(name);
    const prompt = renderPrompt(plan(name), request, { kind: 'approve', approvers: ['U0BOB', name] });
    expectSafe(prompt);
    expect(prompt.text).toContain(
      'Requested by <@U0ALICE>; needs approval by <@U0BOB> or the &lt;!channel&gt;',
    );
    expectSafe(renderEndedPrompt(plan(name), { ...request, decidedBy: 'U0BOB', decidedAt: 1 }, 'rejected'));
    expectSafe(renderDenied(HUGE, `reboot ${HUGE}`));
    const attribution = { requester: 'U0ALICE', jobId: 'job-1', confirmed: { user: 'U0ALICE', at: 0 } };
    for (const stage of [
      { stage: 'planned' },
      { stage: 'accepted', ref: { operationId: HUGE.slice(0, 200), accepted: HUGE } },
      { stage: 'progress', progress: { step: HUGE } },
      { stage: 'paused', last: { step: HUGE } },
      {
        stage: 'final',
        outcome: { kind: 'operation', plan: plan(name), end: 'failed', error, elapsedMs: 1 },
      },
    ] as const) {
      expectSafe(renderOperation(plan(name), stage as never, attribution));
    }
  });

  it('a listing, a machine’s status and help bound to a provider', () => {
    const machines = Array.from({ length: 60 }, (_, i) => machine(`${i} ${HUGE}`));
    expectSafe(
      renderListing(
        {
          kind: 'listing',
          query: { filter: HUGE },
          skipped: [{ provider, reason: HUGE }],
          sections: [
            { provider, elapsedMs: 1, listing: { machines, stacks: [], warnings: [HUGE] } },
            { provider: { ...provider, id: HUGE, label: HUGE }, elapsedMs: 1, error },
          ],
        },
        { page: 1, pageSize: 50, request: { command: `list ${HUGE}` } },
      ),
    );
    expectSafe(
      renderResource({
        kind: 'resource',
        provider,
        resource: machine(name),
        unanswered: [{ provider, error }],
      }),
    );
    expectSafe(
      renderHelp({ kind: 'help', availability: [], configured: [provider], boundTo: HUGE } as never, HUGE),
    );
  });

  it('an outage notice and its update, a source key too long for a button included', () => {
    const state = notice(HUGE, `${'k'.repeat(3000)}#1`);
    const message = renderNotice(state);
    expectSafe(message);
    expect(JSON.stringify(message.blocks)).toContain('"value":"github-3f9a2c"');
    expectSafe(
      renderUpdate(
        {
          kind: 'updated',
          source: 'github',
          incident: state.incident,
          previous: { ...state.incident, status: 'identified', title: 'before' },
          changes: ['status', 'title', 'latestUpdate'],
        } as never,
        state,
      ),
    );
  });
});
