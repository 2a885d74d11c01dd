/**
 * The Azure module's compute calls against Microsoft's own Compute
 * description (azure-rest-api-specs, api-version 2024-03-01), served by
 * Prism behind an HTTPS proxy (the SDK refuses HTTP). Tokens come from the
 * module's Entra ID double, and the network listings (another API, not in
 * this description) from its ARM double.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { azureModule } from '../../providers/azure/index.ts';
import type { Machine } from '../../providers/types.ts';
import { AzureDouble, CLIENT_ID, SUBSCRIPTION, TENANT } from '../support/doubles/azure.ts';
import { contractFile, Prism } from '../support/prism.ts';
import { callContext, connectModule } from '../support/provider-kit.ts';
import { testTls } from '../support/tls.ts';

const file = contractFile(
  'azure/specification/compute/resource-manager/Microsoft.Compute/ComputeRP/stable/2024-03-01/virtualMachine.prism.json',
);

describe.skipIf(!file)('Azure Compute contract (Prism)', () => {
  let prism: Prism;
  let identity: AzureDouble;
  let provider: Awaited<ReturnType<typeof azureModule.connect>>;

  beforeAll(async () => {
    identity = await AzureDouble.start();
    const { cert, key } = testTls();
    prism = await Prism.start(file as string, {
      tls: { cert, key },
      elsewhere: { matching: /\/providers\/Microsoft\.Network\//, url: identity.url },
    });
    provider = await connectModule(azureModule, {
      id: 'azure',
      config: {
        subscriptionId: SUBSCRIPTION,
        tenantId: TENANT,
        clientId: CLIENT_ID,
        clientSecret: identity.clientSecret,
        authorityHost: identity.url,
        endpoint: prism.url,
        disableInstanceDiscovery: true,
        resourceGroup: 'rg1',
        location: 'westus',
        subnetId: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/vnet/subnets/default`,
        sshPublicKey: 'ssh-ed25519 AAAAC3 ops@example',
      },
      timeoutMs: 20_000,
    });
  }, 90_000);

  afterAll(async () => {
    await prism?.stop();
    await identity?.stop();
  });

  beforeAll(() => {
    // Microsoft's list example carries a placeholder nextLink ("a"); a module that pages would follow it.
    prism.rewrite = (method, path, body) =>
      method === 'GET' && path.endsWith('/virtualMachines')
        ? { ...(body as object), nextLink: undefined }
        : body;
  });

  const compute = () => prism.exchanges.filter((e) => e.path.includes('/Microsoft.Compute/'));

  it('lists every VM with power states in the described shape', async () => {
    const listing = await provider.list({}, callContext());
    expect(listing.machines.length).toBeGreaterThan(0);
    expect(listing.machines[0]).toMatchObject({ kind: 'machine', provider: 'azure' });
    expect(listing.machines[0]?.id).toMatch(/^[^/]+\/[^/]+$/);
    expect(compute().map((e) => `${e.method} ${e.status}`)).toEqual(['GET 200']);
    expect(prism.violations()).toEqual([]);
  });

  it('sends restart, start, powerOff, deallocate and delete as described', async () => {
    const vm: Machine = {
      kind: 'machine',
      provider: 'azure',
      id: 'rg1/vm1',
      name: 'vm1',
      status: 'running',
      providerStatus: 'running',
      details: {},
    };
    for (const ref of [
      await provider.reboot(vm, callContext()),
      await provider.start(vm, callContext()),
      await provider.stop(vm, { force: false, deallocate: false }, callContext()),
      await provider.stop(vm, { force: false, deallocate: true }, callContext()),
      await provider.destroy(vm, callContext()),
    ]) {
      expect(ref.operationId).toBeDefined();
    }
    const actions = compute()
      .filter((e) => e.method !== 'GET')
      .map((e) => `${e.method} ${e.path.split('/virtualMachines/')[1]} ${e.status}`);
    expect(actions).toEqual([
      'POST vm1/restart 200',
      'POST vm1/start 200',
      'POST vm1/powerOff 200',
      'POST vm1/deallocate 200',
      'DELETE vm1 200',
    ]);
    expect(prism.violations()).toEqual([]);
  });

  it('creates a VM with a body the description accepts', async () => {
    const ref = await provider.create({ name: 'vmtest01', params: {} }, callContext());
    expect(ref.target.id).toBe('rg1/vmtest01');
    const put = compute().find((e) => e.method === 'PUT');
    expect(put?.status).toBe(200);
    expect(prism.violations()).toEqual([]);
  });
});
