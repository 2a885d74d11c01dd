import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digitalOceanModule } from '../../providers/digitalocean/index.ts';
import type { Machine } from '../../providers/types.ts';
import { contractFile, Prism } from '../support/prism.ts';
import { callContext, connectModule } from '../support/provider-kit.ts';

const file = contractFile('digitalocean/digitalocean.v2.bundled.yaml');

describe.skipIf(!file)('DigitalOcean contract (Prism)', () => {
  let prism: Prism;
  let provider: Awaited<ReturnType<typeof digitalOceanModule.connect>>;

  beforeAll(async () => {
    prism = await Prism.start(file as string);
    provider = await connectModule(digitalOceanModule, {
      id: 'do',
      config: {
        token: 'contract-token',
        endpoint: prism.url,
        region: 'nyc3',
        size: 's-1vcpu-1gb',
        image: 'ubuntu-24-04-x64',
      },
      timeoutMs: 20_000,
      secretSources: { token: 'DIGITALOCEAN_TOKEN' },
    });
  }, 90_000);

  afterAll(async () => {
    await prism?.stop();
  });

  it('lists droplets and reads the example into the machine fields', async () => {
    const listing = await provider.list({}, callContext());
    expect(listing.machines.length).toBeGreaterThan(0);
    expect(listing.machines[0]).toMatchObject({
      kind: 'machine',
      provider: 'do',
      id: '3164444',
      name: 'example.com',
      status: 'running',
      providerStatus: 'active',
      publicIpv4: '192.241.165.154',
      region: 'nyc3',
      size: 's-1vcpu-1gb',
      createdAt: '2020-07-21T18:37:44Z',
    });
    expect(prism.violations()).toEqual([]);
  });

  it('looks a droplet up by name and by id', async () => {
    const found = await provider.status('3164444', callContext());
    expect(found?.some((resource) => resource.id === '3164444')).toBe(true);
    expect(prism.exchanges.some((e) => e.path === '/v2/droplets/3164444' && e.status === 200)).toBe(true);
    expect(prism.violations()).toEqual([]);
  });

  it('sends every droplet action the module uses in the described shape, and follows the answer', async () => {
    const [machine] = (await provider.status('3164444', callContext())) as Machine[];
    if (!machine) throw new Error('no droplet');
    const refs = [
      await provider.reboot(machine, callContext()),
      await provider.start(machine, callContext()),
      await provider.stop(machine, { force: false, deallocate: false }, callContext()),
      await provider.stop(machine, { force: true, deallocate: false }, callContext()),
    ];
    for (const ref of refs) expect(ref.operationId).toBe('36804636');
    const progress = await provider.poll(refs[0] as (typeof refs)[number], callContext());
    expect(progress).toMatchObject({ state: 'running', step: 'rebooting' });
    expect(
      prism.exchanges.filter((e) => e.method === 'POST' && e.path.endsWith('/actions')).map((e) => e.status),
    ).toEqual([201, 201, 201, 201]);
    expect(prism.violations()).toEqual([]);
  });

  it('creates and destroys in the described shapes', async () => {
    const ref = await provider.create({ name: 'bot-test', params: { tags: 'cloudmaster' } }, callContext());
    expect(ref.target.kind).toBe('machine');
    expect(ref.operationId).toMatch(/^\d+$/);
    const [machine] = (await provider.status('3164444', callContext())) as Machine[];
    const destroy = await provider.destroy(machine as Machine, callContext());
    expect(await provider.poll(destroy, callContext())).toMatchObject({
      state: 'running',
      step: 'deleting',
    });
    expect(prism.exchanges.find((e) => e.method === 'POST' && e.path === '/v2/droplets')?.status).toBe(202);
    expect(prism.exchanges.find((e) => e.method === 'DELETE')?.status).toBe(204);
    expect(prism.violations()).toEqual([]);
  });

  it('is refused by the contract when the token is missing (the check is real)', async () => {
    const response = await fetch(`${prism.url}/v2/droplets`);
    expect(response.status).toBe(401);
  });
});
