import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.ts';
import { PROVIDER_VERBS } from '../../src/grammar/command.ts';
import { VultrDouble } from '../../tests/support/doubles/vultr.ts';
import {
  callContext,
  connectModule,
  machineNamed,
  pollUntilDone,
  rejection,
} from '../../tests/support/provider-kit.ts';
import { vultrModule } from './index.ts';

let double: VultrDouble | undefined;
afterEach(async () => {
  await double?.stop();
  double = undefined;
});

async function connect(
  options: {
    instances?: number;
    labels?: string[];
    config?: Record<string, unknown>;
    timeoutMs?: number;
    token?: string;
  } = {},
) {
  double = await VultrDouble.start({
    instances: options.instances ?? 4,
    ...(options.labels ? { labels: options.labels } : {}),
    actionMs: 100,
  });
  const provider = await connectModule(vultrModule, {
    id: 'vultr',
    config: {
      token: options.token ?? double.token,
      endpoint: double.url,
      ...options.config,
    },
    timeoutMs: options.timeoutMs ?? 5_000,
    secretSources: { token: 'VULTR_TOKEN' },
  });
  return { provider, double };
}

describe('vultr', () => {
  it('lists every instance by following cursors, with the three status words folded into one', async () => {
    const { provider, double } = await connect({ instances: 23, config: { perPage: 5 } });
    const listing = await provider.list({}, callContext());
    expect(listing.machines).toHaveLength(23);
    expect(double.requests.filter((r) => r.url.pathname === '/v2/instances')).toHaveLength(5);
    expect(listing.machines[0]).toMatchObject({
      provider: 'vultr',
      name: 'vu-web-1',
      status: 'running',
      providerStatus: 'active/running/ok',
      publicIpv4: '198.51.100.1',
      region: 'ams',
      size: 'vc2-1c-1gb',
      details: { OS: 'Ubuntu 24.04 LTS x64', vCPUs: '1', Memory: '1 GB' },
    });
    expect(listing.machines[2]).toMatchObject({ status: 'stopped', providerStatus: 'active/stopped/none' });
    expect(
      (await provider.list({ region: 'ewr' }, callContext())).machines.every((m) => m.region === 'ewr'),
    ).toBe(true);
  });

  it('finds an instance by label or id', async () => {
    const { provider } = await connect();
    const web = await machineNamed(provider, 'vu-web-2');
    expect((await provider.status(web.id, callContext())).map((m) => m.name)).toEqual(['vu-web-2']);
    expect(await provider.status('vu-web-9', callContext())).toEqual([]);
  });

  it('keeps only the exact label or id, and the asked region, when the API ignores its filters', async () => {
    const { provider, double } = await connect({
      instances: 3,
      labels: ['example.com', 'assets.example.com', 'stage.example.com'],
    });
    double.ignoreFilters = true;
    expect((await provider.status('Example.COM', callContext())).map((m) => m.name)).toEqual(['example.com']);
    const stage = double.named('stage.example.com');
    expect((await provider.status(stage?.id ?? '', callContext())).map((m) => m.name)).toEqual([
      'stage.example.com',
    ]);
    const inAms = await provider.list({ region: 'ams' }, callContext());
    expect(inAms.machines.map((m) => m.region)).toEqual(['ams']);
  });

  it('reboots and counts it done once the instance was busy and runs again', async () => {
    const { provider, double } = await connect();
    const ref = await provider.reboot(await machineNamed(provider, 'vu-web-1'), callContext());
    expect(double.requests.at(-1)).toMatchObject({ method: 'POST' });
    expect(double.requests.at(-1)?.url.pathname).toMatch(/\/reboot$/);
    const steps = await pollUntilDone(() => provider.poll(ref, callContext()));
    expect(steps[0]).toMatchObject({ state: 'running', step: 'rebooting' });
    expect(steps.at(-1)).toMatchObject({
      state: 'succeeded',
      step: 'running again',
      resource: { status: 'running' },
    });
  });

  it('halts for stop and starts again', async () => {
    const { provider } = await connect();
    const halt = await provider.stop(
      await machineNamed(provider, 'vu-web-2'),
      { force: false, deallocate: false },
      callContext(),
    );
    expect((await pollUntilDone(() => provider.poll(halt, callContext()))).at(-1)).toMatchObject({
      state: 'succeeded',
      step: 'halted',
    });
    const start = await provider.start(await machineNamed(provider, 'vu-web-2'), callContext());
    expect((await pollUntilDone(() => provider.poll(start, callContext()))).at(-1)).toMatchObject({
      state: 'succeeded',
      step: 'running',
    });
  });

  it('creates from config defaults and parameters, and follows provisioning', async () => {
    const { provider, double } = await connect({ config: { region: 'ewr', plan: 'vc2-1c-1gb', osId: 2284 } });
    const ref = await provider.create({ name: 'vmtest01', params: { region: 'ams' } }, callContext());
    expect(double.requests.at(-1)?.body).toEqual({
      label: 'vmtest01',
      hostname: 'vmtest01',
      region: 'ams',
      plan: 'vc2-1c-1gb',
      os_id: 2284,
    });
    const end = (await pollUntilDone(() => provider.poll(ref, callContext()))).at(-1);
    expect(end).toMatchObject({ state: 'succeeded', resource: { name: 'vmtest01', status: 'running' } });
    expect(end?.step).toMatch(/^running at 198\.51\.100\.\d+$/);
  });

  it('asks for an os_id or image_id when neither is given', async () => {
    const { provider } = await connect({ config: { region: 'ewr', plan: 'vc2-1c-1gb' } });
    const error = await rejection(provider.create({ name: 'x', params: {} }, callContext()));
    expect(error.message).toBe('create on vultr needs os_id=… or image_id=…');
    expect(
      (await rejection(provider.create({ name: 'x', params: { os_id: 'ubuntu' } }, callContext()))).message,
    ).toBe('os_id must be a number, not "ubuntu".');
  });

  it('destroys an instance', async () => {
    const { provider } = await connect();
    const ref = await provider.destroy(await machineNamed(provider, 'vu-web-1'), callContext());
    expect(await provider.poll(ref, callContext())).toEqual({ state: 'succeeded', step: 'deleted' });
  });

  it('passes Vultr’s words on a refusal, names the key variable on a 401, retries 429 and 500', async () => {
    const { provider, double } = await connect({ config: { region: 'ewr' } });
    const refused = await rejection(
      provider
        .create({ name: 'x', params: { plan: 'nope', os_id: '1', region: '' } }, callContext())
        .catch((e) => Promise.reject(e)),
    );
    expect(refused.code).toBe(ErrorCode.BadParameter);
    double.failNext({ status: 429, retryAfter: 1, matching: /^GET/ });
    double.failNext({ status: 500, matching: /^GET/ });
    expect((await provider.list({}, callContext())).machines).toHaveLength(4);
    const wrong = await connect({ token: 'bad-key' });
    const denied = await rejection(wrong.provider.list({}, callContext()));
    expect(denied.message).toBe('Vultr rejected the token of provider `vultr` (check VULTR_TOKEN).');
  });

  it('gives up at the deadline when Vultr does not answer', async () => {
    const { provider, double } = await connect({ timeoutMs: 300 });
    double.failNext({ hang: true });
    expect((await rejection(provider.list({}, callContext()))).message).toBe(
      'Vultr did not answer in 300 ms.',
    );
  });

  it('implements what it declares and is enabled by VULTR_TOKEN or VULTR_API_KEY', async () => {
    const { provider } = await connect();
    for (const verb of PROVIDER_VERBS) {
      expect(typeof provider[verb], verb).toBe(verb in vultrModule.capabilities ? 'function' : 'undefined');
    }
    expect(vultrModule.fromEnvironment?.({ VULTR_API_KEY: 'k' })).toEqual({
      id: 'vultr',
      config: { token: 'k' },
      sources: { token: 'VULTR_API_KEY' },
    });
    expect(vultrModule.fromEnvironment?.({})).toBeUndefined();
  });
});
