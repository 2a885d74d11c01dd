/**
 * The gatekeeper's clicks in this process: the real store, the real policy
 * and a DigitalOcean API double whose droplets the tests replace and delete
 * between the prompt and the click. What the Slack suites show through
 * buttons (tests/e2e/safety.test.ts), pinned here at the gatekeeper's edge:
 * who may click what, what the audit says, and that a target which is not
 * the one shown never runs.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PROVIDER_MODULES } from '../../providers/modules.ts';
import { loadConfig } from '../../src/config/load.ts';
import { type Core, openCore } from '../../src/core.ts';
import type { MutationCommand } from '../../src/dispatch/request.ts';
import { isMutatingVerb } from '../../src/grammar/command.ts';
import { parse } from '../../src/grammar/parse.ts';
import { Redactor } from '../../src/log/redact.ts';
import { NO_SLACK_GROUPS } from '../../src/policy/directory.ts';
import { describeError } from '../../src/replies/describe-error.ts';
import type { Origin } from '../../src/safety/attempt.ts';
import type { ClickOutcome, Pending } from '../../src/safety/gatekeeper.ts';
import type { AuditRecord } from '../../src/store/audit-log.ts';
import { writeConfig } from '../support/dispatcher.ts';
import { DigitalOceanDouble } from '../support/doubles/digitalocean.ts';

const TOKEN = 'do-gatekeeper-token-0123456789';
const ALICE = 'U0ALICE';
const BOB = 'U0BOB';
const SRE = 'U0SRE';

function config(endpoint: string): string {
  return `
settings: { confirmTimeout: 60s }
providers:
  do: { type: digitalocean, token: "\${DO_TOKEN}", endpoint: "${endpoint}" }
policy:
  groups: { sre: [${SRE}] }
  rules:
    - { name: web-2-needs-approval, verbs: [reboot, stop], targets: [web-2], effect: approve, approvers: [sre] }
    - { name: reboots, verbs: [reboot, stop], effect: allow }
    - { name: reads, verbs: [read], effect: allow }
`;
}

let digitalocean: DigitalOceanDouble;
let core: Core;
let now: number;

beforeAll(async () => {
  digitalocean = await DigitalOceanDouble.start({ token: TOKEN, actionMs: 50, names: ['web-1', 'web-2'] });
});
afterAll(async () => {
  await digitalocean?.stop();
});

beforeEach(async () => {
  now = Date.UTC(2026, 3, 1, 12);
  const env = {
    CLOUDMASTER_CONFIG: writeConfig(config(digitalocean.url)),
    CLOUDMASTER_DATA_DIR: mkdtempSync(join(tmpdir(), 'cloudmaster-gatekeeper-')),
    DO_TOKEN: TOKEN,
  };
  core = await openCore({
    env,
    config: loadConfig({ env, modules: PROVIDER_MODULES }),
    log: pino({ level: 'silent' }),
    redactor: new Redactor([TOKEN]),
    clock: { now: () => now },
    groups: NO_SLACK_GROUPS,
  });
});
afterEach(async () => {
  await core?.close();
});

function mutation(text: string): MutationCommand {
  const parsed = parse(text);
  if (!parsed.ok || !isMutatingVerb(parsed.command.verb)) throw new Error(`not a mutation: ${text}`);
  return parsed.command as MutationCommand;
}

function origin(user: string, rawText: string): Origin {
  return { user, channel: 'C0OPS', entry: '/cloudmaster', rawText };
}

/** Admits `text` for `user` and keeps it waiting for its click, as a prompt in Slack does. */
async function prompted(text: string, user = ALICE): Promise<Pending> {
  const admission = await core.gatekeeper.admit(origin(user, text), mutation(text));
  if (admission.kind !== 'ready') throw new Error(`${text}: ${admission.kind}`);
  return core.gatekeeper.hold(admission);
}

async function audit(): Promise<AuditRecord[]> {
  return core.store.audit.query({ limit: 50 });
}

type Droplet = NonNullable<ReturnType<DigitalOceanDouble['dropletNamed']>>;

function droplet(name: string): Droplet {
  const found = digitalocean.dropletNamed(name);
  if (!found) throw new Error(`no droplet ${name}`);
  return found;
}

/** Puts `original` back in place of whatever has its name now. */
function restore(original: Droplet): void {
  const current = digitalocean.dropletNamed(original.name);
  if (current) digitalocean.droplets.delete(current.id);
  digitalocean.droplets.set(original.id, original);
}

function actionsSent(): number {
  return digitalocean.requests.filter((r) => r.method === 'POST' && r.url.pathname.endsWith('/actions'))
    .length;
}

describe('a click on a target that is not the one shown', () => {
  it('runs nothing on a machine replaced since the prompt: the Confirm fails, saying so, and the audit records it', async () => {
    const original = droplet('web-1');
    const request = await prompted('reboot web-1 on do');
    // Deleted and created again under the same name: a new id.
    digitalocean.droplets.delete(original.id);
    digitalocean.droplets.set(original.id + 1_000_000, { ...original, id: original.id + 1_000_000 });
    try {
      const sent = actionsSent();
      const outcome = await core.gatekeeper.click(ALICE, request.id, 'confirm');
      expect(outcome.kind).toBe('failed');
      const message = describeError((outcome as Extract<ClickOutcome, { kind: 'failed' }>).error).message;
      expect(message).toContain(
        `web-1 on do is no longer the one that was confirmed (id ${original.id}, now ${original.id + 1_000_000})`,
      );
      expect(actionsSent()).toBe(sent);
      const [record] = await audit();
      expect(record).toMatchObject({
        outcome: 'failed',
        userId: ALICE,
        confirmedBy: ALICE,
        target: 'web-1',
        provider: 'do',
      });
      expect(record?.detail).toContain('no longer the one that was confirmed');
    } finally {
      restore(original);
    }
  });

  it('answers a Confirm on a machine deleted since the prompt with the failure, and records it', async () => {
    const original = droplet('web-1');
    const request = await prompted('reboot web-1 on do');
    digitalocean.droplets.delete(original.id);
    try {
      const outcome = await core.gatekeeper.click(ALICE, request.id, 'confirm');
      expect(outcome.kind).toBe('failed');
      const message = describeError((outcome as Extract<ClickOutcome, { kind: 'failed' }>).error).message;
      expect(message).toBe('No machine named "web-1" on do.');
      const [record] = await audit();
      expect(record).toMatchObject({ outcome: 'failed', userId: ALICE, confirmedBy: ALICE, target: 'web-1' });
      expect(record?.detail).toBe(message);
    } finally {
      restore(original);
    }
  });

  it('runs a confirmed change on the machine shown when it is still there, crediting the confirmer', async () => {
    const request = await prompted('reboot web-1 on do');
    const outcome = await core.gatekeeper.click(ALICE, request.id, 'confirm');
    expect(outcome.kind).toBe('run');
    const run = outcome as Extract<ClickOutcome, { kind: 'run' }>;
    expect(run.attempt.confirmed).toEqual({ user: ALICE, at: now });
    expect(run.attempt.approved).toBeUndefined();
    expect(run.prepared.plan.target.id).toBe(String(droplet('web-1').id));
    expect(run.attempt.decision).toMatchObject({ effect: 'allow', rule: 'reboots' });
  });
});

describe('who may click which button', () => {
  it('refuses a Confirm on an approval request, an Approve or Reject on a confirm-only one, and changes nothing', async () => {
    const approval = await prompted('reboot web-2 on do');
    const confirmOnly = await prompted('reboot web-1 on do');
    const before = (await audit()).length;
    const refused = async (user: string, id: string, action: 'confirm' | 'approve' | 'reject' | 'cancel') => {
      const outcome = await core.gatekeeper.click(user, id, action);
      expect(outcome.kind).toBe('refused');
      return (outcome as Extract<ClickOutcome, { kind: 'refused' }>).reason;
    };
    expect(await refused(ALICE, approval.id, 'confirm')).toBe(
      'This request needs an approver’s Approve, not a confirmation.',
    );
    expect(await refused(SRE, approval.id, 'confirm')).toBe(
      'This request needs an approver’s Approve, not a confirmation.',
    );
    expect(await refused(ALICE, confirmOnly.id, 'approve')).toBe('This request needs no approval.');
    expect(await refused(SRE, confirmOnly.id, 'reject')).toBe('This request needs no approval.');
    expect((await core.store.pending.get(approval.id))?.state).toBe('pending');
    expect((await core.store.pending.get(confirmOnly.id))?.state).toBe('pending');
    expect(await audit()).toHaveLength(before);
  });

  it('lets only the requester confirm or cancel, and only the requester withdraw an approval request', async () => {
    const approval = await prompted('reboot web-2 on do');
    const confirmOnly = await prompted('reboot web-1 on do');
    const before = (await audit()).length;
    for (const [id, action, reason] of [
      [confirmOnly.id, 'confirm', `Only <@${ALICE}> can confirm this request.`],
      [confirmOnly.id, 'cancel', `Only <@${ALICE}> can cancel this request.`],
      [approval.id, 'cancel', `Only <@${ALICE}> can withdraw this request.`],
    ] as const) {
      expect(await core.gatekeeper.click(BOB, id, action)).toMatchObject({ kind: 'refused', reason });
      expect(await core.gatekeeper.click(SRE, id, action)).toMatchObject({ kind: 'refused', reason });
    }
    expect((await core.store.pending.get(approval.id))?.state).toBe('pending');
    expect(await audit()).toHaveLength(before);
    expect(await core.gatekeeper.click(ALICE, approval.id, 'cancel')).toMatchObject({
      kind: 'ended',
      outcome: 'cancelled',
    });
  });

  it('refuses an Approve or Reject by the requester or by anyone the rule does not name', async () => {
    const approval = await prompted('reboot web-2 on do');
    expect(await core.gatekeeper.click(ALICE, approval.id, 'approve')).toMatchObject({
      kind: 'refused',
      reason: 'You asked for it, so someone else must approve or reject it.',
    });
    expect(await core.gatekeeper.click(ALICE, approval.id, 'reject')).toMatchObject({ kind: 'refused' });
    expect(await core.gatekeeper.click(BOB, approval.id, 'approve')).toMatchObject({
      kind: 'refused',
      reason: 'Only the sre group can approve this request.',
    });
    expect(await core.gatekeeper.click(BOB, approval.id, 'reject')).toMatchObject({
      kind: 'refused',
      reason: 'Only the sre group can reject this request.',
    });
    const outcome = await core.gatekeeper.click(SRE, approval.id, 'approve');
    expect(outcome.kind).toBe('run');
    const run = outcome as Extract<ClickOutcome, { kind: 'run' }>;
    expect(run.attempt.approved).toEqual({ user: SRE, at: now });
    expect(run.attempt.confirmed).toBeUndefined();
  });

  it('tells a second click, and a click on an unknown request, that it was decided already', async () => {
    const request = await prompted('reboot web-1 on do');
    expect((await core.gatekeeper.click(ALICE, request.id, 'cancel')).kind).toBe('ended');
    const again = await core.gatekeeper.click(ALICE, request.id, 'confirm');
    expect(again.kind).toBe('lost');
    expect((again as Extract<ClickOutcome, { kind: 'lost' }>).request).toMatchObject({
      state: 'cancelled',
      decidedBy: ALICE,
    });
    expect(await core.gatekeeper.click(ALICE, 'no-such-request', 'confirm')).toEqual({
      kind: 'lost',
      request: undefined,
    });
  });
});

describe('what the audit says of a request that did not run', () => {
  it('records who cancelled and who rejected, and that nothing was done', async () => {
    const cancelled = await prompted('reboot web-1 on do');
    const rejected = await prompted('reboot web-2 on do');
    await core.gatekeeper.click(ALICE, cancelled.id, 'cancel');
    await core.gatekeeper.click(SRE, rejected.id, 'reject');
    const records = await audit();
    expect(records.find((r) => r.target === 'web-1')).toMatchObject({
      outcome: 'cancelled',
      userId: ALICE,
      detail: `cancelled by ${ALICE}; nothing was done`,
    });
    expect(records.find((r) => r.target === 'web-2')).toMatchObject({
      outcome: 'rejected',
      userId: ALICE,
      detail: `rejected by ${SRE}; nothing was done`,
    });
  });

  it('expires a request clicked too late, saying nobody confirmed or approved in time', async () => {
    const confirmOnly = await prompted('reboot web-1 on do');
    const approval = await prompted('reboot web-2 on do');
    now += 60_000;
    expect(await core.gatekeeper.click(ALICE, confirmOnly.id, 'confirm')).toMatchObject({
      kind: 'ended',
      outcome: 'expired',
    });
    expect(await core.gatekeeper.sweep()).toHaveLength(1);
    const records = await audit();
    expect(records.find((r) => r.target === 'web-1')).toMatchObject({
      outcome: 'expired',
      detail: 'nobody confirmed in time; nothing was done',
    });
    expect(records.find((r) => r.target === 'web-2')).toMatchObject({
      outcome: 'expired',
      detail: 'nobody approved in time; nothing was done',
    });
    expect((await core.store.pending.get(approval.id))?.state).toBe('expired');
  });

  it('keeps a request clicked a moment before it expires', async () => {
    const request = await prompted('reboot web-1 on do');
    now += 59_999;
    expect((await core.gatekeeper.click(ALICE, request.id, 'confirm')).kind).toBe('run');
  });
});
