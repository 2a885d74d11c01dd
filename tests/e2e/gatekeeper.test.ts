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
import { CloudmasterError, ErrorCode } from '../../src/errors.ts';
import { isMutatingVerb } from '../../src/grammar/command.ts';
import { parse } from '../../src/grammar/parse.ts';
import { Redactor } from '../../src/log/redact.ts';
import { NO_SLACK_GROUPS } from '../../src/policy/directory.ts';
import { NO_RULE } from '../../src/policy/policy.ts';
import { describeError } from '../../src/replies/describe-error.ts';
import type { Origin } from '../../src/safety/attempt.ts';
import { approverList, type ClickOutcome, type Pending } from '../../src/safety/gatekeeper.ts';
import type { AuditRecord } from '../../src/store/audit-log.ts';
import { writeConfig } from '../support/dispatcher.ts';
import { DigitalOceanDouble } from '../support/doubles/digitalocean.ts';

const TOKEN = 'do-gatekeeper-token-0123456789';
const ALICE = 'U0ALICE';
const BOB = 'U0BOB';
const SRE = 'U0SRE';

const RULES = `
    - { name: nobody-destroys, verbs: [destroy], effect: deny }
    - name: web-1-stops-need-approval
      verbs: [stop]
      targets: [web-1]
      effect: approve
      approvers: [sre, U0LEAD, S0LEADS, U2-team, team-U2, team-S2, S2-team]
    - { name: web-2-needs-approval, verbs: [reboot, stop], targets: [web-2], effect: approve, approvers: [sre] }
    - { name: ops-starts-on-do, verbs: [start], channels: [C0OPS], providers: [do], effect: allow, confirm: false }
    - { name: ops-stops-nodes, verbs: [stop], targets: [node-*], channels: [C0OPS], effect: allow }
    - { name: production-deploys, verbs: [deploy], environments: [production], effect: approve, approvers: [sre] }
    - { name: staging-deploys, verbs: [deploy], environments: [staging], effect: allow }
    - { name: reboots, verbs: [reboot, stop], effect: allow }
    - { name: reads, verbs: [read], effect: allow }
    - { name: auditors, users: [${SRE}], verbs: [audit], effect: allow }
`;

/** The same rules after a change: web-1's reboots need approval now, web-2's are denied. */
const CHANGED_RULES = `
    - { name: web-1-now-approved, verbs: [reboot], targets: [web-1], effect: approve, approvers: [sre] }
    - { name: web-2-now-denied, verbs: [reboot], targets: [web-2], effect: deny }
    - { name: reads, verbs: [read], effect: allow }
`;

function config(endpoint: string, rules = RULES): string {
  return `
settings: { confirmTimeout: 60s }
providers:
  do: { type: digitalocean, token: "\${DO_TOKEN}", endpoint: "${endpoint}" }
  do2: { type: digitalocean, token: "\${DO_TOKEN}", endpoint: "${endpoint}" }
  sim: { type: simulator, machines: 2 }
policy:
  groups: { sre: [${SRE}], U2-team: [U0TEAM], team-U2: [U0TEAM], team-S2: [U0TEAM], S2-team: [U0TEAM] }
  rules:${rules}`;
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

let dataDir: string;
const cores: Core[] = [];

/** A core as the bot or the CLI opens it, on the test's store, with `rules` as its policy. */
async function open(rules = RULES): Promise<Core> {
  const env = {
    CLOUDMASTER_CONFIG: writeConfig(config(digitalocean.url, rules)),
    CLOUDMASTER_DATA_DIR: dataDir,
    DO_TOKEN: TOKEN,
  };
  const opened = await openCore({
    env,
    config: loadConfig({ env, modules: PROVIDER_MODULES }),
    log: pino({ level: 'silent' }),
    redactor: new Redactor([TOKEN]),
    clock: { now: () => now },
    groups: NO_SLACK_GROUPS,
  });
  cores.push(opened);
  return opened;
}

beforeEach(async () => {
  now = Date.UTC(2026, 3, 1, 12);
  dataDir = mkdtempSync(join(tmpdir(), 'cloudmaster-gatekeeper-'));
  core = await open();
});
afterEach(async () => {
  for (const opened of cores.splice(0)) await opened.close();
});

function mutation(text: string): MutationCommand {
  const parsed = parse(text);
  if (!parsed.ok || !isMutatingVerb(parsed.command.verb)) throw new Error(`not a mutation: ${text}`);
  return parsed.command as MutationCommand;
}

function origin(user: string, rawText: string, channel = 'C0OPS'): Origin {
  return { user, channel, entry: '/cloudmaster', rawText };
}

function admit(text: string, user = ALICE, channel = 'C0OPS') {
  return core.gatekeeper.admit(origin(user, text, channel), mutation(text));
}

/** Admits `text` for `user` and keeps it waiting for its click, as a prompt in Slack does. */
async function prompted(text: string, user = ALICE, channel = 'C0OPS'): Promise<Pending> {
  const admission = await admit(text, user, channel);
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

describe('admission', () => {
  it('says “no rule allows it” of a verb no rule lets anyone run, and names the rule that denies one', async () => {
    expect(await admit('create web-9 on do')).toMatchObject({ kind: 'denied', reason: NO_RULE });
    now += 1;
    expect(await admit('destroy web-1 on do')).toMatchObject({
      kind: 'denied',
      reason: 'denied by rule “nobody-destroys”',
    });
    expect((await audit()).map((r) => [r.outcome, r.rule])).toEqual([
      ['denied', 'nobody-destroys'],
      ['denied', NO_RULE],
    ]);
  });

  it('records a target that cannot be found as failed, under the rule the outlook named', async () => {
    const admission = await admit('reboot web-404 on do');
    expect(admission.kind).toBe('failed');
    const [record] = await audit();
    expect(record).toMatchObject({
      outcome: 'failed',
      decision: 'allow',
      rule: 'web-2-needs-approval',
      detail: 'No machine named "web-404" on do.',
    });
  });

  it('waits for nothing where a rule waives the confirmation, asking by channel and provider', async () => {
    expect(await admit('start node-0003 on do')).toMatchObject({ kind: 'ready', gate: { kind: 'none' } });
    expect(await admit('start node-0003 on do', ALICE, 'C0GENERAL')).toMatchObject({ kind: 'denied' });
    expect(await admit('start node-0003 on do2')).toMatchObject({ kind: 'denied' });
  });

  it('asks the policy about a stack’s environment', async () => {
    expect(await admit('deploy -s shop -e staging on sim')).toMatchObject({
      kind: 'ready',
      gate: { kind: 'confirm' },
      attempt: { decision: { rule: 'staging-deploys' } },
    });
    expect(await admit('deploy -s shop -e production on sim')).toMatchObject({
      kind: 'ready',
      gate: { kind: 'approve', approvers: ['sre'] },
    });
  });

  it('keeps a confirm request with no approvers, and where its prompt was posted', async () => {
    const request = await prompted('reboot web-1 on do');
    expect(request).toMatchObject({ kind: 'confirm', approvers: [], requester: ALICE, channel: 'C0OPS' });
    await core.gatekeeper.attach(request, { channel: 'C0OPS', ts: '1700000000.000100' });
    expect((await core.store.pending.get(request.id))?.message).toEqual({
      channel: 'C0OPS',
      ts: '1700000000.000100',
    });
  });
});

describe('a command from a provider’s own slash command', () => {
  const SIMULATOR = { type: 'simulator', label: 'Simulator', setup: 'add a simulator account' };

  it('looks only at that provider type, and keeps it for the click', async () => {
    const who = { ...origin(ALICE, 'reboot web-1'), fixed: SIMULATOR };
    // web-1 is on do, do2 and the simulator: only the simulator's is asked about.
    const admission = await core.gatekeeper.admit(who, mutation('reboot web-1'));
    expect(admission).toMatchObject({ kind: 'ready', prepared: { plan: { provider: { id: 'sim' } } } });
    const onDo = { ...origin(ALICE, 'reboot web-1 on do'), fixed: { ...SIMULATOR, type: 'digitalocean' } };
    const ready = await core.gatekeeper.admit(onDo, mutation('reboot web-1 on do'));
    if (ready.kind !== 'ready') throw new Error(ready.kind);
    const request = await core.gatekeeper.hold(ready);
    expect(request.payload.fixed).toEqual(onDo.fixed);
    expect(core.gatekeeper.attemptOf(request).origin).toEqual(onDo);
  });
});

describe('approvers named in refusals', () => {
  it('names each approver as Slack shows it: users, user groups and local groups, whatever their names look like', async () => {
    const request = await prompted('stop web-1 on do');
    expect(await core.gatekeeper.click(BOB, request.id, 'approve')).toMatchObject({
      kind: 'refused',
      reason:
        'Only the sre group, <@U0LEAD>, <!subteam^S0LEADS>, the U2-team group, the team-U2 group, the team-S2 group or the S2-team group can approve this request.',
    });
  });

  it('names one approver alone, and nobody when there is none', () => {
    expect(approverList(['U0LEAD'])).toBe('<@U0LEAD>');
    expect(approverList(['W0LEAD', 'S0LEADS'])).toBe('<@W0LEAD> or <!subteam^S0LEADS>');
    expect(approverList([])).toBe('nobody');
  });
});

describe('clicks under a policy that changed since the prompt', () => {
  it('refuses a Confirm that now needs approval and an Approve now denied, recording who clicked and why', async () => {
    const confirmOnly = await prompted('reboot web-1 on do');
    const approval = await prompted('reboot web-2 on do');
    core = await open(CHANGED_RULES);
    expect(await core.gatekeeper.click(ALICE, confirmOnly.id, 'confirm')).toMatchObject({
      kind: 'refused',
      reason:
        'The policy has changed: it now needs an approver’s Approve (rule “web-1-now-approved”). Nothing was done; ask again to request the approval.',
    });
    expect(await core.gatekeeper.click(SRE, approval.id, 'approve')).toMatchObject({
      kind: 'refused',
      reason: 'The policy no longer allows this: denied by rule “web-2-now-denied”. Nothing was done.',
    });
    const records = await audit();
    expect(records.find((r) => r.target === 'web-1')).toMatchObject({
      outcome: 'denied',
      rule: 'web-1-now-approved',
      channel: 'C0OPS',
      detail: `confirmed by ${ALICE}, but it now needs an approver’s Approve (rule “web-1-now-approved”); nothing was done`,
    });
    expect(records.find((r) => r.target === 'web-2')).toMatchObject({
      outcome: 'denied',
      rule: 'web-2-now-denied',
      detail: `approved by ${SRE}, but the policy no longer allows it: denied by rule “web-2-now-denied”; nothing was done`,
    });
  });

  it('asks the policy again from the channel the request came from, and credits the rule that allows it there', async () => {
    const request = await prompted('stop node-0004 on do');
    const outcome = await core.gatekeeper.click(ALICE, request.id, 'confirm');
    expect(outcome).toMatchObject({ kind: 'run', attempt: { decision: { rule: 'ops-stops-nodes' } } });
  });
});

describe('two clicks at once', () => {
  it('runs one of two Confirms clicked together; the other learns it was decided', async () => {
    const request = await prompted('reboot web-1 on do');
    const outcomes = await Promise.all([
      core.gatekeeper.click(ALICE, request.id, 'confirm'),
      core.gatekeeper.click(ALICE, request.id, 'confirm'),
    ]);
    expect(outcomes.map((o) => o.kind).sort()).toEqual(['lost', 'run']);
  });
});

describe('the audit through the gatekeeper', () => {
  it('records the end of a change: the problem when it failed, else its last step', async () => {
    const admission = await admit('reboot web-1 on do');
    if (admission.kind !== 'ready') throw new Error(admission.kind);
    const { attempt, prepared } = admission;
    const plan = prepared.plan;
    await core.gatekeeper.finish(attempt, {
      kind: 'operation',
      plan,
      end: 'succeeded',
      last: { state: 'succeeded', step: 'running again' },
      ref: { operationId: 'action-77' } as never,
      elapsedMs: 5,
    });
    now += 1;
    await core.gatekeeper.finish(attempt, { kind: 'operation', plan, end: 'succeeded', elapsedMs: 5 });
    now += 1;
    await core.gatekeeper.notStarted(
      attempt,
      plan,
      new CloudmasterError(ErrorCode.InvalidState, 'the job could not be recorded'),
    );
    const records = (await audit()).map((r) => [r.outcome, r.detail, r.requestId]);
    expect(records).toHaveLength(3);
    expect(records).toContainEqual(['succeeded', 'running again', 'action-77']);
    expect(records).toContainEqual(['succeeded', undefined, undefined]);
    expect(records).toContainEqual(['failed', 'the job could not be recorded', undefined]);
  });

  it('filters the audit by user, age and verb', async () => {
    await core.gatekeeper.click(ALICE, (await prompted('reboot web-1 on do')).id, 'cancel');
    now += 2 * 3_600_000;
    await core.gatekeeper.click(BOB, (await prompted('stop web-1 on do', BOB)).id, 'cancel');
    const query = async (text: string) => {
      const parsed = parse(text);
      if (!parsed.ok || parsed.command.verb !== 'audit') throw new Error(text);
      return (await core.gatekeeper.auditRecords(parsed.command)).map((r) => `${r.userId} ${r.verb}`);
    };
    expect(await query('audit')).toEqual([`${BOB} stop`, `${ALICE} reboot`]);
    expect(await query(`audit --user ${ALICE}`)).toEqual([`${ALICE} reboot`]);
    expect(await query('audit --since 1h')).toEqual([`${BOB} stop`]);
    expect(await query('audit --verb reboot')).toEqual([`${ALICE} reboot`]);
  });

  it('lets through what everyone may run, and records a read the policy refuses', async () => {
    const who = origin(BOB, 'audit');
    const help = parse('help');
    const auditCommand = parse('audit');
    if (!help.ok || !auditCommand.ok) throw new Error('parse');
    expect(await core.gatekeeper.authorise(who, help.command)).toEqual({
      effect: 'allow',
      rule: 'everyone may',
      confirm: false,
    });
    expect(await core.gatekeeper.authorise(who, auditCommand.command)).toEqual({
      effect: 'deny',
      rule: NO_RULE,
      reason: NO_RULE,
    });
    expect(await core.gatekeeper.authorise(origin(SRE, 'audit'), auditCommand.command)).toMatchObject({
      effect: 'allow',
      rule: 'auditors',
    });
    const records = await audit();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ outcome: 'denied', userId: BOB, verb: 'audit', rule: NO_RULE });
  });
});

describe('Slack deliveries', () => {
  it('claims a delivery once for a day, here or on a replica, and again once the day is over', async () => {
    const replica = await open();
    expect(await core.gatekeeper.claim('event:Ev0001')).toBe(true);
    expect(await replica.gatekeeper.claim('event:Ev0001')).toBe(false);
    now += 24 * 3_600_000 - 1;
    expect(await core.gatekeeper.claim('event:Ev0001')).toBe(false);
    now += 1;
    expect(await replica.gatekeeper.claim('event:Ev0001')).toBe(true);
    expect(await core.gatekeeper.claim('event:Ev0002')).toBe(true);
  });
});
