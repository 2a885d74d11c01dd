/**
 * The job runner on a fake clock, with the simulator (whose transitions
 * follow the same clock): steps in order, the time limit, a failure at the
 * provider mid-way, cancellation, and a job taken over after its process
 * stopped following it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { PROVIDER_MODULES } from '../../providers/modules.ts';
import type { OperationProgress } from '../../providers/types.ts';
import { loadConfig } from '../../src/config/load.ts';
import { type Core, openCore } from '../../src/core.ts';
import type { MutationCommand } from '../../src/dispatch/request.ts';
import { parse } from '../../src/grammar/parse.ts';
import type { JobReporter } from '../../src/jobs/runner.ts';
import { Redactor } from '../../src/log/redact.ts';
import { NO_SLACK_GROUPS } from '../../src/policy/directory.ts';
import { writeConfig } from '../support/dispatcher.ts';
import { DigitalOceanDouble } from '../support/doubles/digitalocean.ts';
import { eventually } from '../support/eventually.ts';
import { ManualTimers } from '../support/manual-timers.ts';

const ORIGIN = { user: 'U0ALICE', channel: 'C0OPS', entry: '/cloudmaster' };
const cores: Core[] = [];
afterEach(async () => {
  await Promise.all(cores.splice(0).map((core) => core.close()));
});

/** Lets the store and the provider answer before time moves on. */
async function settle(): Promise<void> {
  for (let i = 0; i < 30; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Lets `ms` of fake time pass in small steps, the work due at each step done before the next. */
async function pass(timers: ManualTimers, ms: number, stepMs = 250): Promise<void> {
  for (let passed = 0; passed < ms; passed += stepMs) {
    await settle();
    await timers.advanceSettling(stepMs, settle);
  }
  await settle();
}

async function coreFor(
  yaml: string,
  timers: ManualTimers,
  dataDir: string,
  options: { signal?: AbortSignal; reporterFor?: () => JobReporter; env?: Record<string, string> } = {},
): Promise<Core> {
  const env = { CLOUDMASTER_CONFIG: writeConfig(yaml), CLOUDMASTER_DATA_DIR: dataDir, ...options.env };
  const config = loadConfig({ env, modules: PROVIDER_MODULES });
  const core = await openCore({
    env,
    config,
    log: pino({ level: 'silent' }),
    redactor: new Redactor(),
    clock: timers,
    timers,
    groups: NO_SLACK_GROUPS,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.reporterFor ? { reporterFor: options.reporterFor } : {}),
  });
  cores.push(core);
  return core;
}

/** Everything a reporter hears, in order. */
function recorder(): { events: string[]; reporter: JobReporter } {
  const events: string[] = [];
  const step = (progress: OperationProgress) => `${progress.state}: ${progress.step}`;
  return {
    events,
    reporter: {
      accepted: (_job, ref) => void events.push(`accepted: ${ref.accepted ?? ''}`),
      progressed: (_job, progress) => void events.push(step(progress)),
      cancelling: (_job, by) => void events.push(`cancelling (${by})`),
      paused: () => void events.push('paused'),
      ended: (job, outcome) => void events.push(`ended ${job.state}: ${outcome.end}`),
    },
  };
}

async function start(core: Core, text: string, reporter: JobReporter) {
  const parsed = parse(text);
  if (!parsed.ok) throw new Error(parsed.error.message);
  const admission = await core.gatekeeper.admit(
    { ...ORIGIN, rawText: text },
    parsed.command as MutationCommand,
  );
  if (admission.kind !== 'ready') throw new Error(`not admitted: ${admission.kind}`);
  return core.jobs.run(admission.prepared, admission.attempt, () => reporter);
}

const SIM = (extra = '') => `
settings: { pollInterval: 1s, timeLimits: { reboot: 20s } }
providers:
  demo: { type: simulator, world: ${'w'}${Math.random().toString(36).slice(2, 8)}, delays: { reboot: 3s, deploy: 30s, cancel: 2s }${extra} }
`;

describe('jobs on a fake clock', () => {
  it('record and report every step in order, once each, and the outcome in the audit', async () => {
    const timers = new ManualTimers();
    const core = await coreFor(SIM(), timers, mkdtempSync(join(tmpdir(), 'cm-jobs-')));
    const { events, reporter } = recorder();
    const { job, done } = await start(core, 'reboot web-1 on demo', reporter);
    await pass(timers, 10_000);
    const outcome = await done;
    expect(outcome?.end).toBe('succeeded');
    expect(events).toEqual([
      'accepted: reboot requested',
      'running: rebooting',
      'succeeded: running again after 3 s',
      'ended succeeded: succeeded',
    ]);
    expect((await core.store.jobs.steps(job.id)).map((s) => s.text)).toEqual([
      'reboot requested',
      'rebooting',
      'running again after 3 s',
    ]);
    expect(await core.store.jobs.get(job.id)).toMatchObject({
      state: 'succeeded',
      operation: { operationId: 'sim-op-1' },
      requester: 'U0ALICE',
      targetName: 'web-1',
      startedAt: expect.any(Number),
      endedAt: expect.any(Number),
    });
    const [record] = await core.store.audit.query({ limit: 1 });
    expect(record).toMatchObject({ verb: 'reboot', outcome: 'succeeded', requestId: 'sim-op-1' });
  });

  it('end timed out at the verb’s time limit, saying what state the machine was last seen in', async () => {
    const timers = new ManualTimers();
    const core = await coreFor(
      SIM().replace('reboot: 3s', 'reboot: 5m'),
      timers,
      mkdtempSync(join(tmpdir(), 'cm-jobs-')),
    );
    const { events, reporter } = recorder();
    const { job, done } = await start(core, 'reboot web-1 on demo', reporter);
    await pass(timers, 25_000);
    expect((await done)?.end).toBe('timed_out');
    expect(events.at(-1)).toBe('ended timed_out: timed_out');
    expect(await core.store.jobs.get(job.id)).toMatchObject({ state: 'timed_out', detail: 'rebooting' });
    expect((await core.store.jobs.steps(job.id)).map((s) => s.text)).toEqual([
      'reboot requested',
      'rebooting',
      'timed out',
    ]);
    expect((await core.store.audit.query({ limit: 1 }))[0]?.outcome).toBe('timed_out');
  });

  it('end failed with the provider’s reason when it fails mid-way', async () => {
    const timers = new ManualTimers();
    const core = await coreFor(
      SIM(', failures: { reboot: "the hypervisor lost the VM" }'),
      timers,
      mkdtempSync(join(tmpdir(), 'cm-jobs-')),
    );
    const { reporter } = recorder();
    const { job, done } = await start(core, 'reboot web-1 on demo', reporter);
    await pass(timers, 10_000);
    const outcome = await done;
    expect(outcome?.end).toBe('failed');
    expect(await core.store.jobs.get(job.id)).toMatchObject({
      state: 'failed',
      detail: 'the hypervisor lost the VM',
    });
    const steps = (await core.store.jobs.steps(job.id)).map((s) => s.text);
    expect(steps.filter((text) => text === steps.at(-1))).toHaveLength(1);
  });

  it('cancel where the provider can (a deployment), and say where it cannot', async () => {
    const timers = new ManualTimers();
    const core = await coreFor(SIM(), timers, mkdtempSync(join(tmpdir(), 'cm-jobs-')));
    const { events, reporter } = recorder();
    const deploy = await start(core, 'deploy -s shop -e production on demo', reporter);
    await pass(timers, 2_000);
    expect(await core.jobs.cancel(deploy.job.id, 'U0BOB')).toMatchObject({ kind: 'requested' });
    expect(await core.jobs.cancel(deploy.job.id, 'U0CAROL')).toMatchObject({ kind: 'already' });
    await pass(timers, 10_000);
    expect((await deploy.done)?.end).toBe('cancelled');
    expect(events).toContain('cancelling (U0BOB)');
    expect((await core.store.jobs.steps(deploy.job.id)).map((s) => s.text)).toContain(
      'cancellation requested by <@U0BOB>',
    );
    expect(await core.jobs.cancel(deploy.job.id, 'U0BOB')).toMatchObject({ kind: 'ended' });
    const reboot = await start(core, 'reboot web-1 on demo', recorder().reporter);
    expect(await core.jobs.cancel(reboot.job.id, 'U0BOB')).toEqual({
      kind: 'not_cancellable',
      job: expect.objectContaining({ id: reboot.job.id }),
      reason: 'Simulated cloud cannot cancel a reboot once it has started',
    });
    expect(await core.jobs.cancel('NOSUCH', 'U0BOB')).toEqual({ kind: 'unknown' });
    await pass(timers, 10_000);
  });

  it('pause when their process stops, and are taken over and finished elsewhere without being sent again', async () => {
    const timers = new ManualTimers();
    const dataDir = mkdtempSync(join(tmpdir(), 'cm-jobs-'));
    const yaml = SIM();
    const stopping = new AbortController();
    const first = await coreFor(yaml, timers, dataDir, { signal: stopping.signal });
    const { events, reporter } = recorder();
    const { job, done } = await start(first, 'reboot web-1 on demo', reporter);
    await pass(timers, 1_500);
    stopping.abort(new Error('shutting down'));
    await pass(timers, 1_000);
    expect(await done).toBeUndefined();
    expect(events.at(-1)).toBe('paused');
    expect(await first.store.jobs.get(job.id)).toMatchObject({ state: 'running', leaseUntil: 0 });
    // Another process on the same store (and the same simulated world) goes on with it.
    const resumed = recorder();
    const second = await coreFor(yaml, timers, dataDir, { reporterFor: () => resumed.reporter });
    expect(await second.jobs.resumeOrphans()).toBe(1);
    await pass(timers, 10_000);
    await second.jobs.idle();
    expect(await second.store.jobs.get(job.id)).toMatchObject({ state: 'succeeded' });
    expect(resumed.events).toEqual(['succeeded: running again after 3 s', 'ended succeeded: succeeded']);
    expect(await second.jobs.resumeOrphans()).toBe(0);
  });

  it('keep their lease while a request slower than the lease is being sent: no replica takes them over meanwhile', async () => {
    const digitalocean = await DigitalOceanDouble.start({ token: 'do-jobs-lease-token-1234', actionMs: 100 });
    try {
      const timers = new ManualTimers();
      const dataDir = mkdtempSync(join(tmpdir(), 'cm-jobs-'));
      // The provider may take 20 s to answer; a job's lease is 2 s.
      const yaml = `settings: { pollInterval: 1s, jobLease: 2s, admins: [${ORIGIN.user}] }\nproviders:\n  do: { type: digitalocean, token: "\${DO_TOKEN}", endpoint: "${digitalocean.url}", timeout: 20s }\n`;
      const env = { DO_TOKEN: 'do-jobs-lease-token-1234' };
      const sender = await coreFor(yaml, timers, dataDir, { env });
      const replica = await coreFor(yaml, timers, dataDir, { env });
      digitalocean.failNext({ delayMs: 1_500, matching: /^POST \/v2\/droplets\/\d+\/actions$/ });
      const { events, reporter } = recorder();
      const { job, done } = await start(sender, 'reboot web-1 on do', reporter);
      await eventually(
        async () => (await sender.store.jobs.get(job.id))?.state === 'sending',
        'the request to be on its way',
      );
      // Ten seconds of the job's clock pass while the provider has not answered yet.
      let taken = 0;
      for (let step = 0; step < 20 && (await sender.store.jobs.get(job.id))?.state === 'sending'; step++) {
        await pass(timers, 500);
        taken += await replica.jobs.resumeOrphans();
      }
      expect(taken).toBe(0);
      await eventually(
        async () => (await sender.store.jobs.get(job.id))?.state !== 'sending',
        'the provider to answer',
      );
      expect(await sender.store.jobs.get(job.id)).toMatchObject({
        state: 'running',
        leaseOwner: sender.jobs.owner,
      });
      expect(events[0]).toMatch(/^accepted: /);
      // Time passes until the reboot is done and told (however slowly the double answers on a busy machine).
      await eventually(async () => {
        await pass(timers, 500);
        return (await sender.store.jobs.get(job.id))?.toldAt !== undefined;
      }, 'the end');
      expect((await done)?.end).toBe('succeeded');
      expect(digitalocean.actionRequests('web-1', 'reboot')).toBe(1);
    } finally {
      await digitalocean.stop();
    }
  });

  it('end failed, with the reason, when the provider cannot tell their state any more — never hang', async () => {
    const digitalocean = await DigitalOceanDouble.start({
      token: 'do-jobs-runner-token-123',
      actionMs: 60_000,
    });
    try {
      const core = await coreWithRealTime(
        `settings: { pollInterval: 20ms, admins: [${ORIGIN.user}] }\nproviders:\n  do: { type: digitalocean, token: "\${DO_TOKEN}", endpoint: "${digitalocean.url}", timeout: 2s }\n`,
        { DO_TOKEN: 'do-jobs-runner-token-123' },
      );
      const { reporter } = recorder();
      const { job, done } = await start(core, 'reboot web-1 on do', reporter);
      await eventually(
        async () => (await core.store.jobs.get(job.id))?.state === 'running',
        'the job to run',
      );
      digitalocean.failNext({ status: 500 }, 50);
      const outcome = await done;
      expect(outcome?.end).toBe('failed');
      expect((await core.store.jobs.get(job.id))?.detail).toMatch(
        /^The state of web-1 could not be read from do 5 times in a row: /,
      );
    } finally {
      await digitalocean.stop();
    }
  });
});

async function coreWithRealTime(yaml: string, env: Record<string, string>): Promise<Core> {
  const all = {
    CLOUDMASTER_CONFIG: writeConfig(yaml),
    CLOUDMASTER_DATA_DIR: mkdtempSync(join(tmpdir(), 'cm-jobs-')),
    ...env,
  };
  const config = loadConfig({ env: all, modules: PROVIDER_MODULES });
  const core = await openCore({
    env: all,
    config,
    log: pino({ level: 'silent' }),
    redactor: new Redactor(config.secrets),
    clock: Date,
    groups: NO_SLACK_GROUPS,
  });
  cores.push(core);
  return core;
}
