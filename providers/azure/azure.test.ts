import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.ts';
import { PROVIDER_VERBS } from '../../src/grammar/command.ts';
import { AzureDouble, CLIENT_ID, SUBSCRIPTION, TENANT } from '../../tests/support/doubles/azure.ts';
import {
  callContext,
  connectModule,
  machineNamed,
  pollUntilDone,
  rejection,
} from '../../tests/support/provider-kit.ts';
import { azureModule } from './index.ts';

let double: AzureDouble | undefined;
afterEach(async () => {
  await double?.stop();
  double = undefined;
});

async function connect(options: { secret?: string; config?: Record<string, unknown> } = {}) {
  double = await AzureDouble.start({ operationMs: 120 });
  const provider = await connectModule(azureModule, {
    id: 'azure',
    config: {
      subscriptionId: SUBSCRIPTION,
      tenantId: TENANT,
      clientId: CLIENT_ID,
      clientSecret: options.secret ?? double.clientSecret,
      authorityHost: double.url,
      endpoint: double.url,
      disableInstanceDiscovery: true,
      ...options.config,
    },
    secretSources: { clientSecret: 'AZURE_CLIENT_SECRET' },
  });
  return { provider, double };
}

describe('azure: reads', () => {
  it('lists every VM with its power state, joining IPs from one listing of NICs and one of public IPs', async () => {
    const { provider, double } = await connect();
    const listing = await provider.list({}, callContext());
    expect(listing.machines.map((m) => `${m.id}:${m.status}`)).toEqual([
      'web/web-vm-1:running',
      'web/web-vm-2:stopped',
      'data/data-vm-1:running',
    ]);
    expect(listing.machines[0]).toMatchObject({
      provider: 'azure',
      name: 'web-vm-1',
      providerStatus: 'running',
      publicIpv4: '20.0.0.1',
      privateIpv4: '10.1.0.4',
      region: 'westeurope',
      size: 'Standard_B1s',
      createdAt: '2026-05-01T01:00:00.000Z',
      details: { 'Resource group': 'web', Image: 'Canonical:ubuntu-24_04-lts:server', OS: 'Linux' },
    });
    expect(listing.machines[1]?.providerStatus).toBe('deallocated');
    expect(listing.machines[2]?.publicIpv4).toBeUndefined();
    const arm = double.requests.filter((r) => r.url.pathname.startsWith('/subscriptions/'));
    expect(arm.map((r) => r.url.pathname.split('/').pop()).sort()).toEqual([
      'networkInterfaces',
      'publicIPAddresses',
      'virtualMachines',
    ]);
    expect(
      arm.find((r) => r.url.pathname.endsWith('virtualMachines'))?.url.searchParams.get('statusOnly'),
    ).toBe('true');
  });

  it('filters by resource group and region, and finds by name or group/name', async () => {
    const { provider } = await connect({ config: { resourceGroups: ['data'] } });
    expect((await provider.list({}, callContext())).machines.map((m) => m.name)).toEqual(['data-vm-1']);
    expect((await provider.status('DATA/data-vm-1', callContext())).map((m) => m.name)).toEqual([
      'data-vm-1',
    ]);
    expect(await provider.status('web-vm-1', callContext())).toEqual([]);
    expect(await provider.status('data-vm', callContext())).toEqual([]);
    expect(await provider.status('data', callContext())).toEqual([]);
  });
});

describe('azure: verbs through long-running operations', () => {
  it('restarts, following Azure-AsyncOperation to the end', async () => {
    const { provider, double } = await connect();
    const ref = await provider.reboot(await machineNamed(provider, 'web-vm-1'), callContext());
    expect(
      double.requests.filter((r) => r.method === 'POST' && r.url.pathname.endsWith('/restart')),
    ).toHaveLength(1);
    const steps = await pollUntilDone(() => provider.poll(ref, callContext()));
    expect(steps[0]).toMatchObject({ state: 'running', step: 'restarting' });
    expect(steps.at(-1)).toMatchObject({
      state: 'succeeded',
      step: 'running',
      resource: { status: 'running' },
    });
  });

  it('a restart Azure took in but whose answer broke off or was unreadable may or may not have started, sent once', async () => {
    const { provider, double } = await connect();
    const vm = await machineNamed(provider, 'web-vm-1');
    const restarts = () =>
      double.requests.filter((r) => r.method === 'POST' && r.url.pathname.endsWith('/restart')).length;
    double.failNext({ truncate: true, matching: /^POST .*\/restart$/ });
    const broken = await rejection(provider.reboot(vm, callContext()));
    expect(broken.code).toBe(ErrorCode.OutcomeUnknown);
    expect(broken.message).toBe(
      'Azure accepted restart web-vm-1, but its answer could not be read: the connection broke off (aborted).',
    );
    expect(restarts()).toBe(1);
    double.failNext({ oversizeBytes: 1_000, matching: /^POST .*\/restart$/ });
    const unreadable = await rejection(provider.reboot(vm, callContext()));
    expect(unreadable.code).toBe(ErrorCode.OutcomeUnknown);
    expect(unreadable.message).toBe(
      'Azure accepted restart web-vm-1 (HTTP 200), but its answer could not be read: it is not the JSON Azure sends.',
    );
    expect(restarts()).toBe(2);
  });

  it('powers off by default and deallocates with --deallocate, saying which', async () => {
    const { provider } = await connect();
    const off = await provider.stop(
      await machineNamed(provider, 'web-vm-1'),
      { force: false, deallocate: false },
      callContext(),
    );
    expect(off.accepted).toBe(
      'Azure is powering the VM off: it stays allocated and billed (--deallocate stops billing)',
    );
    expect((await pollUntilDone(() => provider.poll(off, callContext()))).at(-1)).toMatchObject({
      state: 'succeeded',
      step: 'stopped',
    });
    const dealloc = await provider.stop(
      await machineNamed(provider, 'data-vm-1'),
      { force: false, deallocate: true },
      callContext(),
    );
    expect(dealloc.accepted).toBe('Azure is deallocating the VM: billing for its compute stops');
    expect((await pollUntilDone(() => provider.poll(dealloc, callContext()))).at(-1)).toMatchObject({
      state: 'succeeded',
      step: 'deallocated',
    });
  });

  it('resumes following an operation from its serialised poller, without sending it again', async () => {
    const { provider, double } = await connect();
    const ref = await provider.start(await machineNamed(provider, 'web-vm-2'), callContext());
    const restarted = await connectModule(azureModule, {
      id: 'azure',
      config: {
        subscriptionId: SUBSCRIPTION,
        tenantId: TENANT,
        clientId: CLIENT_ID,
        clientSecret: double.clientSecret,
        authorityHost: double.url,
        endpoint: double.url,
        disableInstanceDiscovery: true,
      },
    });
    expect((await pollUntilDone(() => restarted.poll(ref, callContext()))).at(-1)).toMatchObject({
      state: 'succeeded',
      resource: { status: 'running' },
    });
    expect(double.requests.filter((r) => r.url.pathname.endsWith('/start'))).toHaveLength(1);
  });

  it('creates the public IP, the NIC and the VM, and destroys all three', async () => {
    const { provider, double } = await connect({
      config: {
        resourceGroup: 'web',
        location: 'westeurope',
        subnetId: `/subscriptions/${SUBSCRIPTION}/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/default`,
        sshPublicKey: 'ssh-ed25519 AAAAC3 ops@example',
      },
    });
    const ref = await provider.create({ name: 'vmtest01', params: { size: 'Standard_B2s' } }, callContext());
    const put = double.requests.find(
      (r) => r.method === 'PUT' && r.url.pathname.endsWith('/virtualMachines/vmtest01'),
    );
    expect(put?.body).toMatchObject({
      location: 'westeurope',
      tags: { 'created-by': 'cloudmaster' },
      properties: {
        hardwareProfile: { vmSize: 'Standard_B2s' },
        osProfile: {
          adminUsername: 'azureuser',
          linuxConfiguration: { disablePasswordAuthentication: true },
        },
      },
    });
    expect(double.nics.has('vmtest01-nic')).toBe(true);
    const end = (await pollUntilDone(() => provider.poll(ref, callContext()))).at(-1);
    expect(end?.state).toBe('succeeded');
    expect(end?.step).toMatch(/^running at 20\.0\.1\.\d+$/);
    const destroy = await provider.destroy(await machineNamed(provider, 'vmtest01'), callContext());
    expect((await pollUntilDone(() => provider.poll(destroy, callContext()))).at(-1)).toEqual({
      state: 'succeeded',
      step: 'deleted, with the network interface and public IP cloudmaster created for it',
    });
    expect(double.nics.has('vmtest01-nic')).toBe(false);
    expect(double.publicIps.has('vmtest01-ip')).toBe(false);
  });

  it('reports a failed operation with Azure’s reason, and a refused one with Azure’s words', async () => {
    const { provider, double } = await connect();
    double.failing.set(
      'start',
      'Allocation failed. We do not have sufficient capacity for the requested VM size in this region.',
    );
    const ref = await provider.start(await machineNamed(provider, 'web-vm-2'), callContext());
    expect((await pollUntilDone(() => provider.poll(ref, callContext()))).at(-1)).toMatchObject({
      state: 'failed',
      reason: expect.stringMatching(/Allocation failed/),
    });
    const refused = await rejection(provider.reboot(await machineNamed(provider, 'web-vm-2'), callContext()));
    expect(refused.code).toBe(ErrorCode.InvalidState);
    expect(refused.message).toMatch(/^Azure refused: Operation 'restart' is not allowed on VM 'web-vm-2'/);
  });
});

describe('azure: credentials and errors', () => {
  it('says Entra ID refused the secret, naming the variable, not the secret', async () => {
    const { provider } = await connect({ secret: 'wrong-secret-value' });
    const error = await rejection(provider.list({}, callContext()));
    expect(error.code).toBe(ErrorCode.ProviderAuth);
    expect(error.message).toMatch(
      /^Entra ID refused the credentials of provider `azure`: AADSTS7000215: Invalid client secret provided/,
    );
    expect(error.hint).toBe('Check AZURE_CLIENT_SECRET, the tenantId and the clientId.');
    expect(JSON.stringify({ message: error.message, hint: error.hint })).not.toContain('wrong-secret-value');
  });

  it('names the missing permission', async () => {
    const { provider, double } = await connect();
    double.failNext({ status: 403, matching: /virtualMachines$/ });
    const error = await rejection(provider.list({}, callContext()));
    expect(error.code).toBe(ErrorCode.ProviderAuth);
    expect(error.message).toMatch(/^The identity of provider `azure` may not list virtual machines/);
  });

  it('implements what it declares, and is enabled by AZURE_SUBSCRIPTION_ID', async () => {
    const { provider } = await connect();
    for (const verb of PROVIDER_VERBS) {
      expect(typeof provider[verb], verb).toBe(verb in azureModule.capabilities ? 'function' : 'undefined');
    }
    expect(azureModule.fromEnvironment?.({ AZURE_SUBSCRIPTION_ID: 's' })).toEqual({
      id: 'azure',
      config: { subscriptionId: 's' },
    });
    expect(azureModule.configSchema.safeParse({ subscriptionId: 's', clientId: 'c' }).success).toBe(false);
  });
});
