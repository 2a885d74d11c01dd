import { describe, expect, it } from 'vitest';
import type { Machine, Stack } from '../../providers/types.ts';
import type { ListOutcome } from '../../src/dispatch/outcome.ts';
import { CloudmasterError, ErrorCode } from '../../src/errors.ts';
import { describeError, hintWithCandidates } from '../../src/replies/describe-error.ts';
import { decodePageRequest, LIST_PAGE_ACTIONS, renderListing } from '../../src/replies/slack/listing.ts';
import { LIMITS, type SlackMessage } from '../../src/replies/slack/message.ts';
import { renderError } from '../../src/replies/slack/problem.ts';

const STATUSES = ['running', 'stopped', 'rebooting', 'error'] as const;

function machines(
  provider: string,
  count: number,
  name = (i: number) => `node-${String(i).padStart(5, '0')}`,
): Machine[] {
  return Array.from({ length: count }, (_, i) => ({
    kind: 'machine',
    provider,
    id: `${provider}-${i}`,
    name: name(i),
    status: STATUSES[i % STATUSES.length] ?? 'unknown',
    providerStatus: 'x',
    publicIpv4: `203.0.113.${i % 250}`,
    region: 'sim-nyc1',
    size: 'sim-small',
  }));
}

function listing(
  sections: { id: string; machines?: Machine[]; stacks?: Stack[]; error?: unknown }[],
): ListOutcome {
  return {
    kind: 'listing',
    query: {},
    skipped: [],
    sections: sections.map((s) => ({
      provider: { id: s.id, type: 'simulator', label: 'Simulated cloud' },
      elapsedMs: 1,
      ...(s.error
        ? { error: s.error }
        : { listing: { machines: s.machines ?? [], stacks: s.stacks ?? [], warnings: [] } }),
    })),
  };
}

function checkLimits(message: SlackMessage): void {
  expect(message.blocks.length).toBeLessThanOrEqual(LIMITS.blocks);
  expect(message.text.length).toBeLessThanOrEqual(LIMITS.fallbackText);
  for (const block of message.blocks) {
    if (block.type === 'section' && block.text)
      expect(block.text.text.length).toBeLessThanOrEqual(LIMITS.sectionText);
  }
}

function pageButtons(message: SlackMessage): Map<string, string> {
  const buttons = new Map<string, string>();
  for (const block of message.blocks) {
    if (block.type !== 'actions') continue;
    for (const element of block.elements) {
      if (element.type === 'button') buttons.set(element.action_id ?? '', element.value ?? '');
    }
  }
  return buttons;
}

describe('list replies', () => {
  it('pages 5,000 machines within Slack limits, every machine on exactly one page', () => {
    const outcome = listing([{ id: 'demo', machines: machines('demo', 5000) }]);
    const seen: string[] = [];
    let page = 1;
    let pages = 0;
    while (page > 0) {
      const message = renderListing(outcome, { page, pageSize: 50, request: { command: 'list' } });
      checkLimits(message);
      const names = message.text
        .split('\n')
        .slice(1)
        .map((line) => line.split(' ')[0] ?? '');
      seen.push(...names);
      pages += 1;
      const next = pageButtons(message).get(LIST_PAGE_ACTIONS.next);
      page = next ? (decodePageRequest(next)?.page ?? -1) : 0;
      if (page > 0)
        expect(message.blocks[0]).toMatchObject({
          text: { text: expect.stringContaining(`page ${page - 1} of 100`) },
        });
    }
    expect(pages).toBe(100);
    expect(seen).toHaveLength(5000);
    expect(new Set(seen).size).toBe(5000);
  });

  it('keeps long names within the limits by making pages smaller, not by cutting rows', () => {
    const long = (i: number) => `${'x'.repeat(240)}-${i}`;
    const outcome = listing([{ id: 'demo', machines: machines('demo', 400, long) }]);
    const first = renderListing(outcome, { page: 1, pageSize: 200, request: { command: 'list' } });
    checkLimits(first);
    expect(pageButtons(first).has(LIST_PAGE_ACTIONS.next)).toBe(true);
  });

  it('shows a failing provider inline, first, with the others below', () => {
    const outcome = listing([
      { id: 'demo', machines: machines('demo', 3) },
      {
        id: 'aws',
        error: new CloudmasterError(ErrorCode.ProviderTimeout, 'AWS EC2 (aws) did not answer in 10 s.'),
      },
    ]);
    const message = renderListing(outcome, { page: 1, pageSize: 50, request: { command: 'list' } });
    expect(message.text.split('\n')).toEqual([
      '3 machines on 2 providers (1 provider did not answer): 1 rebooting, 1 running, 1 stopped',
      'aws: AWS EC2 (aws) did not answer in 10 s.',
      'node-00000 (demo): running (x), 203.0.113.0, sim-nyc1, sim-small',
      'node-00001 (demo): stopped (x), 203.0.113.1, sim-nyc1, sim-small',
      'node-00002 (demo): rebooting (x), 203.0.113.2, sim-nyc1, sim-small',
    ]);
    expect(JSON.stringify(message.blocks)).toMatch(/:warning: \*aws\*/);
    expect(pageButtons(message).size).toBe(0);
  });

  it('says what matched nothing when a provider has no rows', () => {
    const outcome: ListOutcome = {
      ...listing([{ id: 'demo', machines: [] }]),
      query: { filter: 'zzz', region: 'sim-fra1' },
    };
    const message = renderListing(outcome, {
      page: 1,
      pageSize: 50,
      request: { command: 'list zzz -r sim-fra1' },
    });
    expect(message.text.split('\n')).toEqual([
      '0 machines on 1 provider',
      'demo: nothing matching "zzz" in sim-fra1',
    ]);
  });

  it('escapes Slack control characters in names', () => {
    const outcome = listing([{ id: 'demo', machines: machines('demo', 1, () => '<!channel> & co') }]);
    const message = renderListing(outcome, { page: 1, pageSize: 50, request: { command: 'list' } });
    const blocksText = JSON.stringify(message.blocks);
    expect(blocksText).toContain('&lt;!channel&gt; &amp; co');
    expect(blocksText).not.toContain('<!channel>');
  });
});

describe('error replies', () => {
  it('never shows a stack trace for an unexpected error, and gives a reference', () => {
    const error = new TypeError("Cannot read properties of undefined (reading 'x')");
    const described = describeError(error);
    expect(described.code).toBe(ErrorCode.Internal);
    expect(described.message).toMatch(
      /^Something went wrong inside cloudmaster \(reference [0-9a-f]{8}\)\.$/,
    );
    const message = renderError({ kind: 'error', error });
    expect(JSON.stringify(message)).not.toMatch(/TypeError|at .*\.ts:\d+/);
  });

  it('lists candidates and the hint under the message', () => {
    const error = new CloudmasterError(ErrorCode.UnknownProvider, 'There is no provider "dmeo".', {
      hint: 'Did you mean `demo`?',
      candidates: ['demo (Simulated cloud)'],
    });
    expect(renderError({ kind: 'error', error }).text).toBe(
      'There is no provider "dmeo".\nDid you mean `demo`?\ndemo (Simulated cloud)',
    );
  });

  it('folds the candidates into the hint where a problem is one sentence, and says when there are none', () => {
    const hint = (hintText: string | undefined, candidates: string[]) =>
      hintWithCandidates(
        describeError(
          new CloudmasterError(ErrorCode.BadParameter, 'bad', {
            ...(hintText === undefined ? {} : { hint: hintText }),
            candidates,
          }),
        ),
      );
    expect(hint('Known sizes:', ['small', 'large'])).toBe('Known sizes: small, large.');
    expect(hint('Known sizes:', [])).toBe('Known sizes: none.');
    expect(hint('Did you mean host=esx-1?', ['esx-1', 'esx-2'])).toBe(
      'Did you mean host=esx-1? (esx-1, esx-2)',
    );
    expect(hint(undefined, ['a'])).toBe('a.');
    expect(hint(undefined, [])).toBeUndefined();
    const many = Array.from({ length: 14 }, (_, i) => `s${i}`);
    expect(hint('Known sizes:', many)).toBe(
      'Known sizes: s0, s1, s2, s3, s4, s5, s6, s7, s8, s9 and 4 more.',
    );
  });
});
