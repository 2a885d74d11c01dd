import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { CloudmasterError, ErrorCode } from '../../src/errors.ts';
import { MUTATING_VERBS, PROVIDER_VERBS } from '../../src/grammar/command.ts';
import type { CallContext, Machine, OperationRef, Stack } from '../types.ts';
import { forgetWorld, simulatedWorld } from './cloud.ts';
import { simulatorModule } from './index.ts';

class FakeClock {
  time = Date.UTC(2026, 10, 24, 12, 0, 0);
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

const ctx = (signal: AbortSignal = new AbortController().signal): CallContext => ({
  signal,
  fresh: false,
  log: pino({ level: 'silent' }),
});

async function connect(config: Record<string, unknown> = {}, clock = new FakeClock(), id = 'demo') {
  const parsed = simulatorModule.configSchema.parse(config);
  const provider = await simulatorModule.connect({
    id,
    label: 'Simulated cloud',
    config: parsed,
    timeoutMs: 10_000,
    secretSources: {},
    log: pino({ level: 'silent' }),
    clock,
  });
  return { provider, clock };
}

async function machineNamed(
  provider: Awaited<ReturnType<typeof connect>>['provider'],
  name: string,
): Promise<Machine> {
  const [found] = await provider.status(name, ctx());
  if (found?.kind !== 'machine') throw new Error(`no machine ${name}`);
  return found;
}

async function stackIn(
  provider: Awaited<ReturnType<typeof connect>>['provider'],
  name: string,
  environment: string,
): Promise<Stack> {
  const found = (await provider.status(name, ctx())).find(
    (r): r is Stack => r.kind === 'stack' && r.environment === environment,
  );
  if (!found) throw new Error(`no stack ${name} ${environment}`);
  return found;
}

async function expectError(
  promise: Promise<unknown>,
  code: string,
  message?: RegExp,
): Promise<CloudmasterError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CloudmasterError);
  expect((error as CloudmasterError).code).toBe(code);
  if (message) expect((error as CloudmasterError).message).toMatch(message);
  return error as CloudmasterError;
}

describe('simulator: inventory', () => {
  it('builds the same cloud from the same seed, and another from another', async () => {
    const a = await (await connect({ seed: 7 })).provider.list({}, ctx());
    const b = await (await connect({ seed: 7 })).provider.list({}, ctx());
    const c = await (await connect({ seed: 8 })).provider.list({}, ctx());
    const shape = (l: typeof a) =>
      l.machines.map((m) => [m.id, m.name, m.status, m.region, m.size, m.publicIpv4]);
    expect(shape(a)).toEqual(shape(b));
    expect(shape(a)).not.toEqual(shape(c));
  });

  it('has mixed states, private-only databases, and stacks in two environments', async () => {
    const { provider } = await connect();
    const listing = await provider.list({}, ctx());
    expect(listing.machines).toHaveLength(12);
    expect(new Set(listing.machines.map((m) => m.status))).toEqual(new Set(['running', 'stopped', 'error']));
    expect(listing.machines[0]).toMatchObject({
      name: 'web-1',
      status: 'running',
      providerStatus: 'active',
      provider: 'demo',
    });
    expect(
      listing.machines.filter((m) => m.name.startsWith('db-')).every((m) => m.publicIpv4 === undefined),
    ).toBe(true);
    expect(listing.stacks.map((s) => `${s.name}/${s.environment}/${s.status}`)).toEqual([
      'shop/production/deployed',
      'shop/staging/deployed',
      'blog/production/failed',
    ]);
  });

  it('scales to 5,000 machines with unique names and ids', async () => {
    const { provider } = await connect({ machines: 5000 });
    const { machines } = await provider.list({}, ctx());
    expect(machines).toHaveLength(5000);
    expect(new Set(machines.map((m) => m.name)).size).toBe(5000);
    expect(new Set(machines.map((m) => m.id)).size).toBe(5000);
  });

  it('filters by region, name and stack; finds by name (any case) or id', async () => {
    const { provider } = await connect();
    const all = await provider.list({}, ctx());
    const region = all.machines[0]?.region as string;
    const inRegion = await provider.list({ region }, ctx());
    expect(inRegion.machines.length).toBeGreaterThan(0);
    expect(inRegion.machines.every((m) => m.region === region)).toBe(true);
    expect(inRegion.stacks).toEqual([]);
    expect((await provider.list({ filter: 'WEB' }, ctx())).machines.map((m) => m.name)).toEqual([
      'web-1',
      'web-2',
    ]);
    const shop = await provider.list({ stack: 'shop' }, ctx());
    expect(shop.machines).toEqual([]);
    expect(shop.stacks.map((s) => s.environment)).toEqual(['production', 'staging']);
    const web = await machineNamed(provider, 'WEB-1');
    expect((await provider.status(web.id, ctx())).map((r) => r.name)).toEqual(['web-1']);
    expect(await provider.status('nope', ctx())).toEqual([]);
    expect(await provider.status('web', ctx())).toEqual([]);
    expect((await provider.status('SHOP', ctx())).map((r) => r.kind)).toEqual(['stack', 'stack']);
  });
});

describe('simulator: transitions', () => {
  it('reboots: rebooting until the delay has passed, then running; poll follows it', async () => {
    const { provider, clock } = await connect({ delays: { reboot: '3s' } });
    const web = await machineNamed(provider, 'web-1');
    const ref = await provider.reboot(web, ctx());
    expect(ref).toMatchObject({
      verb: 'reboot',
      provider: 'demo',
      target: { kind: 'machine', id: web.id, name: 'web-1' },
    });
    expect(ref.operationId).toMatch(/^sim-op-\d+$/);
    expect((await machineNamed(provider, 'web-1')).status).toBe('rebooting');
    expect(await provider.poll(ref, ctx())).toMatchObject({ state: 'running', step: 'rebooting' });
    clock.advance(2_999);
    expect((await provider.poll(ref, ctx())).state).toBe('running');
    clock.advance(1);
    expect(await provider.poll(ref, ctx())).toMatchObject({
      state: 'succeeded',
      step: 'running again after 3 s',
      resource: { status: 'running', providerStatus: 'active' },
    });
  });

  it('stops gracefully or by force, and starts again', async () => {
    const { provider, clock } = await connect({ delays: { stop: '4s', forceStop: '1s', start: '2s' } });
    const web = await machineNamed(provider, 'web-1');
    const stop = await provider.stop(web, { force: true, deallocate: false }, ctx());
    expect((await machineNamed(provider, 'web-1')).providerStatus).toBe('powering-off');
    clock.advance(1_000);
    expect(await provider.poll(stop, ctx())).toMatchObject({ state: 'succeeded', step: 'powered off' });
    expect((await machineNamed(provider, 'web-1')).status).toBe('stopped');
    const start = await provider.start(await machineNamed(provider, 'web-1'), ctx());
    expect((await machineNamed(provider, 'web-1')).status).toBe('starting');
    clock.advance(2_000);
    expect((await provider.poll(start, ctx())).state).toBe('succeeded');
  });

  it('creates and destroys machines', async () => {
    const { provider, clock } = await connect({ delays: { create: '8s', destroy: '3s' } });
    const ref = await provider.create(
      { name: 'vmtest01', params: { size: 'sim-large', region: 'sim-fra1' } },
      ctx(),
    );
    expect(await machineNamed(provider, 'vmtest01')).toMatchObject({
      status: 'provisioning',
      size: 'sim-large',
      region: 'sim-fra1',
    });
    clock.advance(8_000);
    const done = await provider.poll(ref, ctx());
    expect(done.state).toBe('succeeded');
    expect(done.step).toMatch(/^running at 203\.0\.113\.\d+$/);
    const destroy = await provider.destroy(await machineNamed(provider, 'vmtest01'), ctx());
    expect((await machineNamed(provider, 'vmtest01')).status).toBe('deleting');
    clock.advance(3_000);
    expect(await provider.poll(destroy, ctx())).toMatchObject({ state: 'succeeded', step: 'deleted' });
    expect(await provider.status('vmtest01', ctx())).toEqual([]);
  });

  it('refuses what a real cloud would refuse, saying why', async () => {
    const { provider } = await connect();
    const listing = await provider.list({}, ctx());
    const stopped = listing.machines.find((m) => m.status === 'stopped') as Machine;
    const running = await machineNamed(provider, 'web-1');
    const rebootStopped = await expectError(
      provider.reboot(stopped, ctx()),
      ErrorCode.InvalidState,
      /is stopped, so it cannot reboot/,
    );
    expect(rebootStopped.hint).toBe(`Start it first: \`start ${stopped.name}\`.`);
    await expectError(
      provider.stop(stopped, { force: false, deallocate: false }, ctx()),
      ErrorCode.InvalidState,
    );
    const startRunning = await expectError(provider.start(running, ctx()), ErrorCode.InvalidState);
    expect(startRunning.hint).toBe('It is already running.');
    await provider.reboot(running, ctx());
    await expectError(
      provider.reboot(running, ctx()),
      ErrorCode.InvalidState,
      /web-1 is rebooting; try again when it has finished/,
    );
    await expectError(
      provider.create({ name: 'WEB-2', params: {} }, ctx()),
      ErrorCode.BadParameter,
      /already exists/,
    );
    const badSize = await expectError(
      provider.create({ name: 'x', params: { size: 'huge' } }, ctx()),
      ErrorCode.BadParameter,
    );
    expect(badSize.candidates).toEqual(['sim-small', 'sim-medium', 'sim-large', 'sim-xlarge']);
    await expectError(
      provider.create({ name: 'x', params: { region: 'mars-1' } }, ctx()),
      ErrorCode.BadParameter,
      /not a region/,
    );
  });
});

describe('simulator: stacks', () => {
  it('deploys, queues a second deployment behind the first, and refuses to queue with -w false', async () => {
    const { provider, clock } = await connect({ delays: { deploy: '10s' } });
    const shop = await stackIn(provider, 'shop', 'production');
    const first = await provider.deploy(shop, { wait: true, service: 'web' }, ctx());
    expect(await provider.poll(first, ctx())).toMatchObject({
      state: 'running',
      step: 'deploying web',
      resource: { status: 'deploying' },
    });
    const second = await provider.deploy(shop, { wait: true }, ctx());
    expect((await provider.poll(second, ctx())).step).toMatch(/^queued behind deployment \d+$/);
    await expectError(
      provider.deploy(shop, { wait: false }, ctx()),
      ErrorCode.InvalidState,
      /not queued because of -w false/,
    );
    clock.advance(10_000);
    expect(await provider.poll(first, ctx())).toMatchObject({ state: 'succeeded', step: 'deployed web' });
    expect(await provider.poll(second, ctx())).toMatchObject({
      state: 'running',
      step: 'deploying web, worker, docker',
    });
    clock.advance(10_000);
    expect((await provider.poll(second, ctx())).state).toBe('succeeded');
    expect((await stackIn(provider, 'shop', 'production')).lastDeployment).toMatchObject({
      outcome: 'success',
      triggeredBy: 'cloudmaster',
    });
  });

  it('cancels a running deployment, and refuses when nothing runs', async () => {
    const { provider, clock } = await connect({ delays: { deploy: '10s', cancel: '2s' } });
    const staging = await stackIn(provider, 'shop', 'staging');
    await expectError(provider.cancel(staging, {}, ctx()), ErrorCode.InvalidState, /no deployment running/);
    const deploy = await provider.deploy(staging, { wait: true }, ctx());
    clock.advance(1_000);
    const cancel = await provider.cancel(staging, {}, ctx());
    expect(await provider.poll(cancel, ctx())).toMatchObject({
      state: 'running',
      step: 'cancelling',
      resource: { status: 'cancelling' },
    });
    clock.advance(2_000);
    expect((await provider.poll(cancel, ctx())).state).toBe('succeeded');
    expect(await provider.poll(deploy, ctx())).toMatchObject({ state: 'cancelled' });
    expect((await stackIn(provider, 'shop', 'staging')).lastDeployment?.outcome).toBe('cancelled');
  });

  it('rejects an unknown service, naming the stack’s services', async () => {
    const { provider } = await connect();
    const blog = await stackIn(provider, 'blog', 'production');
    const error = await expectError(
      provider.deploy(blog, { wait: true, service: 'docker' }, ctx()),
      ErrorCode.BadParameter,
    );
    expect(error.candidates).toEqual(['web']);
  });
});

describe('simulator: faults and worlds', () => {
  it('accepts an operation configured to fail, then reports the failure with its reason', async () => {
    const { provider, clock } = await connect({
      failures: { reboot: 'hypervisor lost the machine' },
      delays: { reboot: '1s' },
    });
    const ref = await provider.reboot(await machineNamed(provider, 'web-1'), ctx());
    clock.advance(1_000);
    expect(await provider.poll(ref, ctx())).toMatchObject({
      state: 'failed',
      reason: 'hypervisor lost the machine',
      resource: { status: 'error' },
    });
  });

  it('is down in an outage, ping included', async () => {
    const { provider } = await connect({ outage: true });
    await expectError(
      provider.list({}, ctx()),
      ErrorCode.ProviderUnavailable,
      /Simulated outage: demo is not answering\./,
    );
    await expectError(provider.ping?.(ctx()) ?? Promise.resolve(), ErrorCode.ProviderUnavailable);
  });

  it('stops waiting out its latency when the call is aborted', async () => {
    const { provider } = await connect({ latency: '60s' });
    const controller = new AbortController();
    const reason = new Error('deadline');
    const call = provider.list({}, ctx(controller.signal));
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
  });

  it('shares one cloud between instances of the same world, and follows an operation from its ref alone', async () => {
    forgetWorld('replicas');
    const clock = new FakeClock();
    const first = (await connect({ world: 'replicas', delays: { reboot: '2s' } }, clock)).provider;
    const second = (await connect({ world: 'replicas', delays: { reboot: '2s' } }, clock)).provider;
    const ref = await first.reboot(await machineNamed(first, 'web-1'), ctx());
    expect((await machineNamed(second, 'web-1')).status).toBe('rebooting');
    clock.advance(2_000);
    expect((await second.poll(ref, ctx())).state).toBe('succeeded');
    expect(simulatedWorld('replicas')?.requests.map((r) => `${r.verb} ${r.target}`)).toEqual([
      'reboot web-1',
    ]);
    // A ref whose operation record is unknown is judged by the machine's state.
    const orphan: OperationRef = { ...ref, operationId: 'sim-op-999' };
    expect(await second.poll(orphan, ctx())).toMatchObject({ state: 'succeeded', step: 'running' });
    forgetWorld('replicas');
  });
});

describe('simulator: declaration', () => {
  it('implements exactly the verbs it declares, and poll because it mutates', async () => {
    const { provider } = await connect();
    for (const verb of PROVIDER_VERBS) {
      expect(typeof provider[verb], verb).toBe(
        verb in simulatorModule.capabilities ? 'function' : 'undefined',
      );
    }
    expect(MUTATING_VERBS.some((verb) => verb in simulatorModule.capabilities)).toBe(true);
    expect(typeof provider.poll).toBe('function');
  });

  it('rejects unknown keys and bad durations with readable issues', () => {
    const result = simulatorModule.configSchema.safeParse({ seed: 1, sead: 2, delays: { reboot: 'soon' } });
    expect(result.success).toBe(false);
    const messages = result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) ?? [];
    expect(messages).toContain(': Unrecognized key: "sead"');
    expect(messages).toContain(
      'delays.reboot: "soon" is not a duration (write e.g. 500ms, 10s, 2m, 1h, 30d)',
    );
  });

  it('is enabled from the environment by CLOUDMASTER_DEMO only', () => {
    expect(simulatorModule.fromEnvironment?.({ CLOUDMASTER_DEMO: 'true' })).toEqual({
      id: 'demo',
      config: { stateFile: join('data', 'demo-cloud.json') },
    });
    expect(
      simulatorModule.fromEnvironment?.({ CLOUDMASTER_DEMO: 'yes', CLOUDMASTER_DATA_DIR: '/var/lib/cm' }),
    ).toEqual({ id: 'demo', config: { stateFile: '/var/lib/cm/demo-cloud.json' } });
    expect(simulatorModule.fromEnvironment?.({ CLOUDMASTER_DEMO: '0' })).toBeUndefined();
    expect(simulatorModule.fromEnvironment?.({})).toBeUndefined();
  });
});
