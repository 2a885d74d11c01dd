import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Machine } from '../../providers/types.ts';
import { vultrModule } from '../../providers/vultr/index.ts';
import { contractFile, Prism } from '../support/prism.ts';
import { callContext, connectModule } from '../support/provider-kit.ts';

const file = contractFile('vultr/vultr.v2.prefixed.json');

describe.skipIf(!file)('Vultr contract (Prism)', () => {
  let prism: Prism;
  let provider: Awaited<ReturnType<typeof vultrModule.connect>>;

  beforeAll(async () => {
    prism = await Prism.start(file as string);
    provider = await connectModule(vultrModule, {
      id: 'vultr',
      config: {
        token: 'contract-key',
        endpoint: `${prism.url}/v2`,
        region: 'ewr',
        plan: 'vc2-1c-1gb',
        osId: 215,
        rebootSettle: 0,
      },
      timeoutMs: 20_000,
      secretSources: { token: 'VULTR_TOKEN' },
    });
  }, 90_000);

  afterAll(async () => {
    await prism?.stop();
  });

  it('lists instances in the described shape and reads them', async () => {
    // Prism answers the described example, an instance in atl; the module keeps only the region asked for.
    const listing = await provider.list({ region: 'atl' }, callContext());
    expect(listing.machines.length).toBeGreaterThan(0);
    const [first] = listing.machines;
    expect(first).toMatchObject({ kind: 'machine', provider: 'vultr' });
    expect(typeof first?.id).toBe('string');
    expect(first?.providerStatus).toMatch(/\//);
    expect(prism.violations()).toEqual([]);
  });

  it('looks an instance up by label and by id', async () => {
    await provider.status('vu-web-1', callContext());
    const found = await provider.status('cb676a46-66fd-4dfb-b839-443f2e6c0b60', callContext());
    expect(found.length).toBeGreaterThan(0);
    expect(
      prism.exchanges.some(
        (e) => e.path === '/v2/instances/cb676a46-66fd-4dfb-b839-443f2e6c0b60' && e.status === 200,
      ),
    ).toBe(true);
    expect(prism.violations()).toEqual([]);
  });

  it('sends reboot, start, halt, create and delete as described', async () => {
    const target: Machine = {
      kind: 'machine',
      provider: 'vultr',
      id: 'cb676a46-66fd-4dfb-b839-443f2e6c0b60',
      name: 'x',
      status: 'running',
      providerStatus: '',
    };
    const reboot = await provider.reboot(target, callContext());
    await provider.start(target, callContext());
    await provider.stop(target, { force: false, deallocate: false }, callContext());
    const created = await provider.create({ name: 'bot-test', params: {} }, callContext());
    expect(created.target.id.length).toBeGreaterThan(0);
    await provider.destroy(target, callContext());
    expect((await provider.poll(reboot, callContext())).state).toMatch(/running|succeeded/);
    const statuses = prism.exchanges
      .filter((e) => e.method !== 'GET')
      .map((e) => `${e.method} ${e.path.replace(target.id, 'ID')} ${e.status}`);
    expect(statuses).toEqual([
      'POST /v2/instances/ID/reboot 204',
      'POST /v2/instances/ID/start 204',
      'POST /v2/instances/ID/halt 204',
      'POST /v2/instances 202',
      'DELETE /v2/instances/ID 204',
    ]);
    expect(prism.violations()).toEqual([]);
  });
});
