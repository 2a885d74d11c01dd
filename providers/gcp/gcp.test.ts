import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.ts';
import { PROVIDER_VERBS } from '../../src/grammar/command.ts';
import { GceDouble } from '../../tests/support/doubles/gce.ts';
import {
  callContext,
  connectModule,
  machineNamed,
  pollUntilDone,
  rejection,
} from '../../tests/support/provider-kit.ts';
import { gcpModule } from './index.ts';

let double: GceDouble | undefined;
let provider: Awaited<ReturnType<typeof gcpModule.connect>> | undefined;
afterEach(async () => {
  await provider?.close?.();
  await double?.stop();
  double = undefined;
  provider = undefined;
});

async function connect(
  options: { zones?: Record<string, number>; config?: Record<string, unknown>; keyFile?: string } = {},
) {
  double = await GceDouble.start(mkdtempSync(join(tmpdir(), 'cloudmaster-gce-')), {
    ...(options.zones ? { zones: options.zones } : {}),
    transitionMs: 120,
  });
  provider = await connectModule(gcpModule, {
    id: 'gcp',
    config: {
      project: double.project,
      keyFilename: options.keyFile ?? double.keyFile,
      scopes: [],
      ...double.endpoint,
      protocol: 'http',
      zone: 'us-central1-a',
      ...options.config,
    },
  });
  return { provider, double };
}

describe('gcp', () => {
  it('lists every zone in one aggregated call, paging through, signed by the service account', async () => {
    const { provider, double } = await connect({
      zones: { 'us-central1-a': 4, 'europe-west1-b': 3 },
      config: { maxResults: 3 },
    });
    const listing = await provider.list({}, callContext());
    expect(listing.machines).toHaveLength(7);
    expect(double.requests.filter((r) => r.url.pathname.endsWith('/aggregated/instances'))).toHaveLength(3);
    expect(listing.machines[0]).toMatchObject({
      provider: 'gcp',
      name: 'us-vm-1',
      status: 'running',
      providerStatus: 'RUNNING',
      publicIpv4: '34.1.0.1',
      privateIpv4: '10.128.0.2',
      region: 'us-central1-a',
      size: 'e2-small',
      details: { Zone: 'us-central1-a' },
    });
    expect(listing.machines.find((m) => m.name === 'us-vm-2')).toMatchObject({
      status: 'stopped',
      providerStatus: 'TERMINATED',
    });
    expect(
      (await provider.list({ region: 'europe-west1' }, callContext())).machines.map((m) => m.name),
    ).toEqual(['europe-vm-1', 'europe-vm-2', 'europe-vm-3']);
  });

  it('finds an instance by name or numeric id', async () => {
    const { provider } = await connect();
    const vm = await machineNamed(provider, 'europe-vm-1');
    expect(vm.region).toBe('europe-west1-b');
    expect((await provider.status(vm.id, callContext())).map((m) => m.name)).toEqual(['europe-vm-1']);
    expect(await provider.status('nowhere', callContext())).toEqual([]);
  });

  it('keeps only the exact name or id when the API ignores the filter', async () => {
    const { provider, double } = await connect();
    double.ignoreFilters = true;
    expect((await provider.status('us-vm-1', callContext())).map((m) => m.name)).toEqual(['us-vm-1']);
    const vm = double.named('europe-vm-2');
    expect((await provider.status(vm?.id ?? '', callContext())).map((m) => m.name)).toEqual(['europe-vm-2']);
    expect(await provider.status('us-vm', callContext())).toEqual([]);
  });

  it('resets (a hard reset, and says so), starts, stops — each followed through its zone operation', async () => {
    const { provider, double } = await connect();
    const reset = await provider.reboot(await machineNamed(provider, 'us-vm-1'), callContext());
    expect(reset.accepted).toMatch(/hard reset/);
    expect(reset.operationId).toMatch(/^operation-/);
    const steps = await pollUntilDone(() => provider.poll(reset, callContext()));
    expect(steps[0]).toMatchObject({ state: 'running', step: 'running' });
    expect(steps.at(-1)).toMatchObject({
      state: 'succeeded',
      step: 'reset done',
      resource: { status: 'running' },
    });
    const start = await provider.start(await machineNamed(provider, 'us-vm-2'), callContext());
    expect((await pollUntilDone(() => provider.poll(start, callContext()))).at(-1)).toMatchObject({
      state: 'succeeded',
      resource: { status: 'running' },
    });
    const stop = await provider.stop(
      await machineNamed(provider, 'us-vm-1'),
      { force: false, deallocate: false },
      callContext(),
    );
    expect((await pollUntilDone(() => provider.poll(stop, callContext()))).at(-1)).toMatchObject({
      state: 'succeeded',
      step: 'terminated',
    });
    expect(
      double.requests.filter((r) => r.method === 'POST').map((r) => r.url.pathname.split('/').pop()),
    ).toEqual(['reset', 'start', 'stop']);
  });

  it('a reset Google took in but whose answer broke off or was unreadable may or may not have started, sent once', async () => {
    const { provider, double } = await connect();
    const vm = await machineNamed(provider, 'us-vm-1');
    const resets = () =>
      double.requests.filter((r) => r.method === 'POST' && r.url.pathname.endsWith('/reset'));
    double.failNext({ truncate: true, matching: /^POST .*\/reset$/ });
    const broken = await rejection(provider.reboot(vm, callContext()));
    expect(broken.code).toBe(ErrorCode.OutcomeUnknown);
    expect(broken.message).toBe(
      'Compute Engine accepted reset us-vm-1, but its answer could not be read: the connection broke off (aborted).',
    );
    expect(resets()).toHaveLength(1);
    double.failNext({ oversizeBytes: 1_000, matching: /^POST .*\/reset$/ });
    const unreadable = await rejection(provider.reboot(vm, callContext()));
    expect(unreadable.code).toBe(ErrorCode.OutcomeUnknown);
    expect(unreadable.message).toBe(
      'Compute Engine accepted reset us-vm-1, but its answer could not be read: it is not the JSON Google sends.',
    );
    expect(resets()).toHaveLength(2);
  });

  it('creates with a machine type, image, network and labels, and deletes', async () => {
    const { provider, double } = await connect({ config: { labels: { team: 'ops' } } });
    const ref = await provider.create(
      { name: 'vmtest01', params: { size: 'e2-medium', labels: 'env:test' } },
      callContext(),
    );
    const body = double.requests.at(-1)?.body as {
      name: string;
      machineType: string;
      disks: { boot: boolean; autoDelete: boolean; initializeParams: { sourceImage: string } }[];
      networkInterfaces: { network: string; accessConfigs: { type: string }[] }[];
      labels: Record<string, string>;
    };
    expect(body.name).toBe('vmtest01');
    expect(body.machineType).toBe('zones/us-central1-a/machineTypes/e2-medium');
    expect(body.disks[0]).toMatchObject({
      boot: true,
      autoDelete: true,
      initializeParams: { sourceImage: 'projects/debian-cloud/global/images/family/debian-12' },
    });
    expect(body.networkInterfaces[0]).toMatchObject({
      network: 'global/networks/default',
      accessConfigs: [{ type: 'ONE_TO_ONE_NAT' }],
    });
    expect(body.labels).toEqual({ team: 'ops', env: 'test', 'created-by': 'cloudmaster' });
    const end = (await pollUntilDone(() => provider.poll(ref, callContext()))).at(-1);
    expect(end?.state).toBe('succeeded');
    expect(end?.step).toMatch(/^running at 34\.1\.0\.\d+$/);
    const destroy = await provider.destroy(await machineNamed(provider, 'vmtest01'), callContext());
    expect((await pollUntilDone(() => provider.poll(destroy, callContext()))).at(-1)).toEqual({
      state: 'succeeded',
      step: 'deleted',
    });
    expect(await provider.status('vmtest01', callContext())).toEqual([]);
  });

  it('turns Google’s 403, 404 and 400 into clear errors', async () => {
    const { provider, double } = await connect();
    double.failNext({ status: 403 });
    const denied = await rejection(provider.list({}, callContext()));
    expect(denied.code).toBe(ErrorCode.ProviderAuth);
    expect(denied.message).toMatch(
      /^The service account of provider `gcp` may not list instances in project test-project/,
    );
    const gone = { ...(await machineNamed(provider, 'us-vm-1')), name: 'vanished' };
    expect((await rejection(provider.reboot(gone, callContext()))).code).toBe(ErrorCode.NotFound);
    const stopped = await machineNamed(provider, 'us-vm-2');
    const refused = await rejection(provider.reboot(stopped, callContext()));
    expect(refused.code).toBe(ErrorCode.ProviderRejected);
    expect(refused.message).toMatch(/is not ready/);
  });

  it('is refused when the key is not the one the service account holds', async () => {
    const other = await GceDouble.start(mkdtempSync(join(tmpdir(), 'cloudmaster-gce-other-')));
    try {
      const { provider } = await connect({ keyFile: other.keyFile });
      expect((await rejection(provider.list({}, callContext()))).code).toBe(ErrorCode.ProviderAuth);
    } finally {
      await other.stop();
    }
  });

  it('implements what it declares, and is enabled by GOOGLE_CLOUD_PROJECT', async () => {
    const { provider } = await connect();
    for (const verb of PROVIDER_VERBS) {
      expect(typeof provider[verb], verb).toBe(verb in gcpModule.capabilities ? 'function' : 'undefined');
    }
    expect(gcpModule.fromEnvironment?.({ GOOGLE_CLOUD_PROJECT: 'p1' })).toEqual({
      id: 'gcp',
      config: { project: 'p1' },
    });
  });
});
