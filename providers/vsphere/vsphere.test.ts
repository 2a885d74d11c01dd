/** The vsphere module's reads against VMware's simulator (vcsim): list, status, paging, datacenters, declaration. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { ErrorCode } from '../../src/errors.ts';
import { PROVIDER_VERBS } from '../../src/grammar/command.ts';
import { callContext, machineNamed, rejection } from '../../tests/support/provider-kit.ts';
import { vcsimBinary } from '../../tests/support/vcsim.ts';
import type { Vim25Proxy } from '../../tests/support/vim25-proxy.ts';
import { VsphereLab } from '../../tests/support/vsphere-lab.ts';
import { PROVIDER_MODULES } from '../modules.ts';
import { vsphereModule } from './index.ts';

describe.skipIf(!vcsimBinary())('vsphere: reads against vcsim', () => {
  let sim: VsphereLab;
  let proxy: Vim25Proxy;
  const connect = (extra: Record<string, unknown> = {}, viaProxy = false) => sim.connect(extra, { viaProxy });

  beforeAll(async () => {
    sim = await VsphereLab.start();
    proxy = sim.proxy;
    // vcsim VMs have no guest IPs: give two of them one, as VMware Tools would report.
    await sim.vcsim.setGuest(await sim.idOf('DC0_H0_VM0'), { toolsRunning: true, ip: '203.0.113.10' });
    await sim.vcsim.setGuest(await sim.idOf('DC0_C0_RP0_VM0'), { ip: '10.1.2.3' });
  });

  afterEach(() => sim.closeAccounts());
  afterAll(() => sim?.stop());

  it('lists the DC0 inventory with power state, guest IPs, size, placement and guest OS', async () => {
    const lab = await connect();
    const listing = await lab.list({}, callContext());
    expect(listing.warnings).toEqual([]);
    expect(listing.machines.map((m) => m.name)).toEqual([
      'DC0_C0_RP0_VM0',
      'DC0_C0_RP0_VM1',
      'DC0_H0_VM0',
      'DC0_H0_VM1',
    ]);
    expect(listing.machines.find((m) => m.name === 'DC0_H0_VM0')).toEqual({
      kind: 'machine',
      provider: 'lab',
      id: expect.stringMatching(/^vm-\d+$/),
      name: 'DC0_H0_VM0',
      status: 'running',
      providerStatus: 'poweredOn',
      publicIpv4: '203.0.113.10',
      region: 'DC0/DC0_H0',
      size: '1 vCPU / 32 MiB',
      details: {
        'Guest OS': 'otherGuest',
        Datacenter: 'DC0',
        Host: 'DC0_H0',
        CPUs: '1',
        Memory: '32 MiB',
        Tools: 'running',
      },
    });
    const inCluster = listing.machines.find((m) => m.name === 'DC0_C0_RP0_VM0');
    expect(inCluster).toMatchObject({
      privateIpv4: '10.1.2.3',
      region: 'DC0/DC0_C0',
      details: { Cluster: 'DC0_C0', Host: expect.stringMatching(/^DC0_C0_H[0-2]$/), Tools: 'not running' },
    });
    expect(inCluster?.publicIpv4).toBeUndefined();
  });

  it('reads every page through the property collector: one call per page, never one per VM', async () => {
    proxy.paging = true;
    const lab = await connect({ pageSize: 3 }, true);
    const listing = await lab.list({}, callContext());
    expect(listing.machines).toHaveLength(4);
    expect(listing.warnings).toEqual([]);
    const pages = proxy.count('RetrievePropertiesEx') + proxy.count('ContinueRetrievePropertiesEx');
    expect(proxy.count('RetrievePropertiesEx')).toBe(1);
    // 4 VMs and 11 datacenter, folder, cluster and host objects, 3 a page.
    expect(pages).toBe(5);
    expect(proxy.count('CreateContainerView')).toBe(1);
    expect(proxy.count('DestroyView')).toBe(1);
    expect(proxy.count('Login')).toBe(1);
  });

  it('stops at maxPages with a warning, and frees the rest of the result on the server', async () => {
    proxy.paging = true;
    const lab = await connect({ pageSize: 3, maxPages: 2 }, true);
    const listing = await lab.list({}, callContext());
    expect(listing.warnings).toEqual([
      'Only the first 2 pages of VMs were read (maxPages); narrow the list with a filter or raise maxPages.',
    ]);
    expect(proxy.count('CancelRetrievePropertiesEx')).toBe(1);
  });

  it('filters by datacenter, cluster or host (-r) and by name', async () => {
    const lab = await connect();
    const names = async (query: { region?: string; filter?: string }) =>
      (await lab.list(query, callContext())).machines.map((m) => m.name);
    expect(await names({ region: 'DC0_C0' })).toEqual(['DC0_C0_RP0_VM0', 'DC0_C0_RP0_VM1']);
    expect(await names({ region: 'dc0_h0' })).toEqual(['DC0_H0_VM0', 'DC0_H0_VM1']);
    expect(await names({ region: 'DC0' })).toHaveLength(4);
    expect(await names({ region: 'DC9' })).toEqual([]);
    expect(await names({ filter: 'h0_vm1' })).toEqual(['DC0_H0_VM1']);
  });

  it('finds a VM by name (any case) or managed object id, and nothing for a name that does not exist', async () => {
    const lab = await connect();
    const vm = await machineNamed(lab, 'dc0_h0_vm1');
    expect(vm.name).toBe('DC0_H0_VM1');
    expect((await lab.status(vm.id, callContext())).map((m) => m.name)).toEqual(['DC0_H0_VM1']);
    expect(await lab.status('web-404', callContext())).toEqual([]);
    // The property collector cannot filter: the module compares every name itself.
    expect(await lab.status('DC0_H0_VM', callContext())).toEqual([]);
    expect(await lab.status('H0_VM1', callContext())).toEqual([]);
  });

  it('keeps to the configured datacenter, and names the ones there are when it does not exist', async () => {
    const inDc0 = await connect({ datacenter: 'DC0' });
    const listing = await inDc0.list({}, callContext());
    expect(listing.machines).toHaveLength(4);
    expect(listing.machines[0]?.region).toMatch(/^DC0\//);
    const nowhere = await connect({ datacenter: 'DC9' });
    const error = await rejection(nowhere.list({}, callContext()));
    expect(error.code).toBe(ErrorCode.ConfigInvalid);
    expect(error.message).toBe('vSphere has no datacenter named "DC9".');
    expect(error.hint).toBe('Set `datacenter:` of provider lab to one of: DC0.');
  });

  it('answers ping after logging in, and logs out when closed', async () => {
    const lab = await connect({}, true);
    await lab.ping?.(callContext());
    await lab.close?.();
    expect(proxy.calls.map((c) => c.method)).toEqual(['RetrieveServiceContent', 'Login', 'Logout']);
    expect(proxy.calls.at(-1)?.cookie).toBe(proxy.sessions.at(-1));
  });

  it('implements what it declares', async () => {
    const lab = await connect();
    for (const verb of PROVIDER_VERBS) {
      expect(typeof lab[verb], verb).toBe(verb in vsphereModule.capabilities ? 'function' : 'undefined');
    }
    expect(typeof lab.poll).toBe('function');
  });
});

describe('vsphere: configuration', () => {
  it('takes the password from the environment only', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cloudmaster-vsphere-')), 'cloudmaster.yml');
    const account = (password: string) =>
      `providers:\n  lab:\n    type: vsphere\n    url: https://vc.example.com/sdk\n    username: ops\n    password: ${password}\n`;
    writeFileSync(file, account('literal-password-1'));
    expect(() => loadConfig({ env: { CLOUDMASTER_CONFIG: file }, modules: PROVIDER_MODULES })).toThrow(
      /providers\.lab\.password: write the secret as \$\{ENV_NAME\}/,
    );
    writeFileSync(file, account(`\${VSPHERE_PASSWORD}`));
    const loaded = loadConfig({
      env: { CLOUDMASTER_CONFIG: file, VSPHERE_PASSWORD: 'env-password-1' },
      modules: PROVIDER_MODULES,
    });
    expect(loaded.accounts[0]?.secretSources).toEqual({ password: 'VSPHERE_PASSWORD' });
    expect(loaded.secrets).toEqual(['env-password-1']);
  });

  it('is enabled by VSPHERE_URL, VSPHERE_USER and VSPHERE_PASSWORD, the password named as its source', () => {
    expect(
      vsphereModule.fromEnvironment?.({
        VSPHERE_URL: 'https://vc.example.com/sdk',
        VSPHERE_USER: 'ops@vsphere.local',
        VSPHERE_PASSWORD: 'pw-123456',
      }),
    ).toEqual({
      id: 'vsphere',
      config: { url: 'https://vc.example.com/sdk', username: 'ops@vsphere.local', password: 'pw-123456' },
      sources: { password: 'VSPHERE_PASSWORD' },
    });
    expect(
      vsphereModule.fromEnvironment?.({ VSPHERE_URL: 'https://vc/sdk', VSPHERE_USER: 'u' }),
    ).toBeUndefined();
  });

  it('without a config file, the environment alone makes account `vsphere`, its password a secret', () => {
    const previous = process.cwd();
    process.chdir(mkdtempSync(join(tmpdir(), 'cloudmaster-vsphere-env-')));
    try {
      const loaded = loadConfig({
        env: {
          VSPHERE_URL: 'https://vc.example.com',
          VSPHERE_USER: 'ops',
          VSPHERE_PASSWORD: 'env-password-2',
        },
        modules: PROVIDER_MODULES,
      });
      expect(loaded.accounts.map((a) => [a.id, a.module.type, (a.config as { url: string }).url])).toEqual([
        ['vsphere', 'vsphere', 'https://vc.example.com/sdk'],
      ]);
      expect(loaded.secrets).toEqual(['env-password-2']);
    } finally {
      process.chdir(previous);
    }
  });

  it('takes the SDK url with or without /sdk, verifies TLS by default, and refuses caFile with insecure', () => {
    const base = { username: 'u', password: 'p' };
    const parsed = vsphereModule.configSchema.parse({ ...base, url: 'https://vc.example.com' });
    expect(parsed).toMatchObject({ url: 'https://vc.example.com/sdk', insecure: false, powerOn: true });
    expect(vsphereModule.configSchema.parse({ ...base, url: 'https://vc.example.com/sdk' }).url).toBe(
      'https://vc.example.com/sdk',
    );
    const both = vsphereModule.configSchema.safeParse({
      ...base,
      url: 'https://vc',
      caFile: 'ca.pem',
      insecure: true,
    });
    expect(both.success).toBe(false);
    expect(both.error?.issues[0]?.message).toMatch(/caFile .* or insecure: true .*, not both/);
    expect(vsphereModule.configSchema.safeParse({ ...base, url: 'ftp://vc' }).success).toBe(false);
  });
});
