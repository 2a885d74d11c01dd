import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.ts';
import { PROVIDER_VERBS } from '../../src/grammar/command.ts';
import { DigitalOceanDouble } from '../../tests/support/doubles/digitalocean.ts';
import {
  callContext,
  connectModule,
  machineNamed,
  pollUntilDone,
  rejection,
} from '../../tests/support/provider-kit.ts';
import type { OperationRef } from '../types.ts';
import { digitalOceanModule } from './index.ts';

let double: DigitalOceanDouble | undefined;
afterEach(async () => {
  await double?.stop();
  double = undefined;
});

async function connect(
  options: {
    droplets?: number;
    names?: string[];
    config?: Record<string, unknown>;
    timeoutMs?: number;
    token?: string;
  } = {},
) {
  double = await DigitalOceanDouble.start({
    droplets: options.droplets ?? 5,
    ...(options.names ? { names: options.names } : {}),
    actionMs: 100,
  });
  const provider = await connectModule(digitalOceanModule, {
    id: 'do',
    config: {
      token: options.token ?? double.token,
      endpoint: double.url,
      ...options.config,
    },
    timeoutMs: options.timeoutMs ?? 5_000,
    secretSources: { token: 'DIGITALOCEAN_TOKEN' },
  });
  return { provider, double };
}

describe('digitalocean: reads', () => {
  it('lists every droplet across pages, the later pages fetched together', async () => {
    const { provider, double } = await connect({ droplets: 450, config: { perPage: 100 } });
    const listing = await provider.list({}, callContext());
    expect(listing.machines).toHaveLength(450);
    expect(listing.warnings).toEqual([]);
    const pages = double.requests.map((r) => r.url.searchParams.get('page'));
    expect(pages[0]).toBe('1');
    expect([...pages].sort()).toEqual(['1', '2', '3', '4', '5']);
    expect(listing.machines[0]).toMatchObject({
      provider: 'do',
      name: 'web-1',
      status: 'running',
      providerStatus: 'active',
      publicIpv4: '203.0.113.2',
      privateIpv4: '10.10.0.2',
      region: 'ams3',
      size: 's-1vcpu-1gb',
      createdAt: '2026-01-01T00:01:00.000Z',
      details: { Image: 'Ubuntu 24.04 (LTS) x64', vCPUs: '1', Memory: '1 GB', Disk: '25 GB' },
    });
  });

  it('warns rather than silently dropping droplets past the page cap', async () => {
    const { provider } = await connect({ droplets: 30, config: { perPage: 10, maxPages: 2 } });
    const listing = await provider.list({}, callContext());
    expect(listing.machines).toHaveLength(20);
    expect(listing.warnings).toEqual([
      'Only the first 2 of 3 pages of droplets were read; narrow the list with a filter.',
    ]);
  });

  it('filters by region and name, and finds a droplet by exact name or by id', async () => {
    const { provider, double } = await connect({ droplets: 9 });
    const inAms = await provider.list({ region: 'ams3' }, callContext());
    expect(inAms.machines.every((m) => m.region === 'ams3')).toBe(true);
    expect((await provider.list({ filter: 'WEB' }, callContext())).machines.map((m) => m.name)).toEqual([
      'web-1',
      'web-2',
    ]);
    const web = await machineNamed(provider, 'WEB-2');
    expect(double.requests.at(-1)?.url.searchParams.get('name')).toBe('WEB-2');
    expect((await provider.status(web.id, callContext())).map((m) => m.name)).toEqual(['web-2']);
    expect(await provider.status('nowhere', callContext())).toEqual([]);
    expect(await provider.status('999999', callContext())).toEqual([]);
  });

  it('keeps only the exact name or id when the API ignores the name filter', async () => {
    const { provider, double } = await connect({
      droplets: 3,
      names: ['example.com', 'assets.example.com', 'stage.example.com'],
    });
    double.ignoreFilters = true;
    const byName = await provider.status('EXAMPLE.com', callContext());
    expect(byName.map((m) => m.name)).toEqual(['example.com']);
    const stage = double.dropletNamed('stage.example.com');
    const byId = await provider.status(String(stage?.id), callContext());
    expect(byId.map((m) => m.name)).toEqual(['stage.example.com']);
    expect(await provider.status('example', callContext())).toEqual([]);
  });
});

describe('digitalocean: actions', () => {
  it('reboots through a droplet action and follows it to completion', async () => {
    const { provider, double } = await connect();
    const web = await machineNamed(provider, 'web-1');
    const ref = await provider.reboot(web, callContext());
    expect(double.requests.at(-1)).toMatchObject({ method: 'POST', body: { type: 'reboot' } });
    expect(ref).toMatchObject({ verb: 'reboot', provider: 'do', target: { id: web.id, name: 'web-1' } });
    expect(ref.operationId).toMatch(/^\d+$/);
    const steps = await pollUntilDone(() => provider.poll(ref, callContext()));
    expect(steps[0]).toMatchObject({ state: 'running', step: 'rebooting' });
    expect(steps.at(-1)).toMatchObject({
      state: 'succeeded',
      step: 'running again',
      resource: { status: 'running' },
    });
  });

  it('shuts down gracefully, powers off with --force, powers on', async () => {
    const { provider, double } = await connect();
    const web = await machineNamed(provider, 'web-1');
    const stop = await provider.stop(web, { force: false, deallocate: false }, callContext());
    expect(double.requests.at(-1)?.body).toEqual({ type: 'shutdown' });
    expect((await pollUntilDone(() => provider.poll(stop, callContext()))).at(-1)).toMatchObject({
      state: 'succeeded',
      step: 'off',
    });
    const start = await provider.start(await machineNamed(provider, 'web-1'), callContext());
    expect(double.requests.at(-1)?.body).toEqual({ type: 'power_on' });
    await pollUntilDone(() => provider.poll(start, callContext()));
    await provider.stop(
      await machineNamed(provider, 'web-2'),
      { force: true, deallocate: false },
      callContext(),
    );
    expect(double.requests.at(-1)?.body).toEqual({ type: 'power_off' });
  });

  it('reports the provider’s words when it refuses an action, and an errored action as failed', async () => {
    const { provider, double } = await connect();
    const web = await machineNamed(provider, 'web-1');
    await provider.reboot(web, callContext());
    const busy = await rejection(provider.reboot(web, callContext()));
    expect(busy.code).toBe(ErrorCode.ProviderRejected);
    expect(busy.message).toBe('DigitalOcean refused: Droplet already has a pending event.');
    double.erroring.add('reboot');
    const ref = await provider.reboot(await machineNamed(provider, 'web-2'), callContext());
    expect((await pollUntilDone(() => provider.poll(ref, callContext()))).at(-1)).toMatchObject({
      state: 'failed',
      reason: `DigitalOcean reports that the reboot action (${ref.operationId}) errored`,
    });
  });

  it('creates with parameters over config defaults, and follows the create action', async () => {
    const { provider, double } = await connect({
      config: { region: 'fra1', size: 's-2vcpu-2gb', image: 'debian-12-x64', tags: ['bot'] },
    });
    const ref = await provider.create(
      { name: 'vmtest01', params: { size: 's-1vcpu-1gb', ssh_keys: '123, ab:cd' } },
      callContext(),
    );
    expect(double.requests.at(-1)?.body).toEqual({
      name: 'vmtest01',
      region: 'fra1',
      size: 's-1vcpu-1gb',
      image: 'debian-12-x64',
      ssh_keys: [123, 'ab:cd'],
      tags: ['bot'],
    });
    const end = (await pollUntilDone(() => provider.poll(ref, callContext()))).at(-1);
    expect(end).toMatchObject({
      state: 'succeeded',
      resource: { name: 'vmtest01', status: 'running', region: 'fra1' },
    });
    expect(end?.step).toMatch(/^running at 203\.0\.113\.\d+$/);
  });

  it('says which parameter create is missing, and how to give it', async () => {
    const { provider } = await connect();
    const error = await rejection(
      provider.create({ name: 'x', params: { region: 'nyc3', image: 'u' } }, callContext()),
    );
    expect(error.code).toBe(ErrorCode.BadParameter);
    expect(error.message).toBe('create on do needs size=…');
    expect(error.hint).toBe('Add size=s-1vcpu-1gb, or set `size:` for provider do in cloudmaster.yml.');
  });

  it('destroys a droplet and sees it gone', async () => {
    const { provider, double } = await connect();
    const web = await machineNamed(provider, 'web-2');
    const ref: OperationRef = await provider.destroy(web, callContext());
    expect(double.requests.at(-1)).toMatchObject({ method: 'DELETE' });
    expect(await provider.poll(ref, callContext())).toEqual({ state: 'succeeded', step: 'deleted' });
  });
});

describe('digitalocean: faults', () => {
  it('waits out a 429 with Retry-After, then answers', async () => {
    const { provider, double } = await connect();
    double.failNext({ status: 429, retryAfter: 1, matching: /^GET \/v2\/droplets$/ });
    const listing = await provider.list({}, callContext());
    expect(listing.machines).toHaveLength(5);
    expect(double.requests.filter((r) => r.url.pathname === '/v2/droplets')).toHaveLength(2);
  });

  it('retries a 500 on a read', async () => {
    const { provider, double } = await connect();
    double.failNext({ status: 500, matching: /^GET/ });
    double.failNext({ status: 502, matching: /^GET/ });
    expect((await provider.list({}, callContext())).machines).toHaveLength(5);
  });

  it('gives up on a silent API at the deadline, saying so', async () => {
    const { provider, double } = await connect({ timeoutMs: 400 });
    double.failNext({ hang: true });
    const error = await rejection(provider.list({}, callContext()));
    expect(error.code).toBe(ErrorCode.ProviderTimeout);
    expect(error.message).toBe('DigitalOcean did not answer in 400 ms.');
  });

  it('names the variable of a rejected token', async () => {
    const { provider } = await connect({ token: 'not-the-right-token' });
    const error = await rejection(provider.list({}, callContext()));
    expect(error.code).toBe(ErrorCode.ProviderAuth);
    expect(error.message).toBe(
      'DigitalOcean rejected the token of provider `do` (check DIGITALOCEAN_TOKEN).',
    );
  });
});

describe('digitalocean: declaration', () => {
  it('implements what it declares', async () => {
    const { provider } = await connect();
    for (const verb of PROVIDER_VERBS) {
      expect(typeof provider[verb], verb).toBe(
        verb in digitalOceanModule.capabilities ? 'function' : 'undefined',
      );
    }
    expect(typeof provider.poll).toBe('function');
  });

  it('is enabled by DIGITALOCEAN_TOKEN or the status bot’s DIGITAL_OCEAN_TOKEN', () => {
    expect(digitalOceanModule.fromEnvironment?.({ DIGITALOCEAN_TOKEN: 't1' })).toEqual({
      id: 'do',
      config: { token: 't1' },
      sources: { token: 'DIGITALOCEAN_TOKEN' },
    });
    expect(digitalOceanModule.fromEnvironment?.({ DIGITAL_OCEAN_TOKEN: 't2' })?.sources).toEqual({
      token: 'DIGITAL_OCEAN_TOKEN',
    });
    expect(digitalOceanModule.fromEnvironment?.({})).toBeUndefined();
  });
});
