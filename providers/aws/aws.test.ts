import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.ts';
import { PROVIDER_VERBS } from '../../src/grammar/command.ts';
import { Ec2Double, type Ec2DoubleOptions } from '../../tests/support/doubles/ec2.ts';
import {
  callContext,
  connectModule,
  machineNamed,
  pollUntilDone,
  rejection,
} from '../../tests/support/provider-kit.ts';
import { awsModule } from './index.ts';

let double: Ec2Double | undefined;
let provider: Awaited<ReturnType<typeof awsModule.connect>> | undefined;
afterEach(async () => {
  await provider?.close?.();
  await double?.stop();
  double = undefined;
  provider = undefined;
});

async function connect(
  options: { regions?: Ec2DoubleOptions['regions']; config?: Record<string, unknown> } = {},
) {
  double = await Ec2Double.start({
    ...(options.regions ? { regions: options.regions } : {}),
    transitionMs: 120,
  });
  provider = await connectModule(awsModule, {
    id: 'aws',
    config: {
      region: 'us-east-1',
      regions: ['us-east-1', 'eu-west-1'],
      endpoint: double.url,
      accessKeyId: 'AKIDTEST',
      secretAccessKey: 'test-secret-key',
      maxAttempts: 3,
      ...options.config,
    },
  });
  return { provider, double };
}

describe('aws: reads', () => {
  it('lists instances in every region at once, with EC2’s fields', async () => {
    const { provider, double } = await connect();
    const listing = await provider.list({}, callContext());
    expect(listing.machines.map((m) => `${m.name}@${m.details?.Region}`).sort()).toEqual([
      'eu-web-1@eu-west-1',
      'eu-web-2@eu-west-1',
      'us-web-1@us-east-1',
      'us-web-2@us-east-1',
      'us-web-3@us-east-1',
    ]);
    expect(new Set(double.callsOf('DescribeInstances').map((c) => c.region))).toEqual(
      new Set(['us-east-1', 'eu-west-1']),
    );
    expect(listing.machines.find((m) => m.name === 'us-web-1')).toMatchObject({
      provider: 'aws',
      id: 'i-00000000000000001',
      status: 'running',
      providerStatus: 'running',
      publicIpv4: '54.0.0.1',
      privateIpv4: '172.31.0.1',
      region: 'us-east-1a',
      size: 't3.micro',
      createdAt: '2026-04-01T01:00:00.000Z',
      details: { Region: 'us-east-1', Image: 'ami-0123456789abcdef0', Platform: 'Linux/UNIX' },
    });
    expect(listing.machines.find((m) => m.name === 'us-web-2')).toMatchObject({
      status: 'stopped',
      providerStatus: 'stopped',
    });
  });

  it('pages with NextToken, and asks DescribeRegions when no regions are configured', async () => {
    const { provider, double } = await connect({
      regions: { 'us-east-1': 12, 'eu-west-1': 1, 'ap-south-1': 1 },
      config: { regions: undefined, pageSize: 5 },
    });
    const listing = await provider.list({}, callContext());
    expect(listing.machines).toHaveLength(14);
    expect(double.callsOf('DescribeRegions')).toHaveLength(1);
    const pages = double.callsOf('DescribeInstances').filter((c) => c.region === 'us-east-1');
    expect(pages.map((c) => c.params.NextToken === undefined)).toEqual([true, false, false]);
    await provider.list({}, callContext());
    expect(double.callsOf('DescribeRegions')).toHaveLength(1);
  });

  it('narrows to a region or an availability zone, and finds by Name tag or instance id', async () => {
    const { provider } = await connect();
    expect(
      (await provider.list({ region: 'eu-west-1' }, callContext())).machines.map((m) => m.name).sort(),
    ).toEqual(['eu-web-1', 'eu-web-2']);
    expect(
      (await provider.list({ region: 'us-east-1b' }, callContext())).machines.map((m) => m.name),
    ).toEqual(['us-web-2']);
    const eu = await machineNamed(provider, 'eu-web-2');
    expect((await provider.status(eu.id, callContext())).map((m) => m.name)).toEqual(['eu-web-2']);
    expect(await provider.status('i-0000000000000ffff', callContext())).toEqual([]);
  });

  it('keeps only the exact Name tag or id, whatever the filter lets through', async () => {
    const { provider, double } = await connect({
      regions: {
        'us-east-1': [{ name: 'example.com' }, { name: 'assets.example.com' }],
        'eu-west-1': [{ name: 'stage.example.com' }],
      },
    });
    const names = async (nameOrId: string) =>
      (await provider.status(nameOrId, callContext())).map((m) => m.name).sort();
    // EC2 filter values are patterns: `*` and `?` are wildcards there, not here.
    expect(await names('*example.com')).toEqual([]);
    expect(await names('example.co?')).toEqual([]);
    // Tags are case-sensitive.
    expect(await names('Example.com')).toEqual([]);
    double.ignoreFilters = true;
    expect(await names('example.com')).toEqual(['example.com']);
    const stage = double.named('stage.example.com');
    expect(await names(stage?.id ?? '')).toEqual(['stage.example.com']);
  });
});

describe('aws: verbs', () => {
  it('reboots with one RebootInstances in the instance’s region', async () => {
    const { provider, double } = await connect();
    const ref = await provider.reboot(await machineNamed(provider, 'eu-web-1'), callContext());
    expect(double.callsOf('RebootInstances').map((c) => [c.region, c.params['InstanceId.1']])).toEqual([
      ['eu-west-1', ref.target.id],
    ]);
    expect((await pollUntilDone(() => provider.poll(ref, callContext()))).at(-1)).toMatchObject({
      state: 'succeeded',
      resource: { status: 'running' },
    });
    expect(double.named('eu-web-1')?.reboots).toBe(1);
  });

  it('stops (forced when asked), starts, and follows the state to its target', async () => {
    const { provider, double } = await connect();
    const stop = await provider.stop(
      await machineNamed(provider, 'us-web-1'),
      { force: true, deallocate: false },
      callContext(),
    );
    expect(double.callsOf('StopInstances')[0]?.params.Force).toBe('true');
    const stopping = await pollUntilDone(() => provider.poll(stop, callContext()));
    expect(stopping[0]).toMatchObject({ state: 'running', step: 'stopping' });
    expect(stopping.at(-1)).toMatchObject({ state: 'succeeded', step: 'stopped' });
    const start = await provider.start(await machineNamed(provider, 'us-web-1'), callContext());
    expect((await pollUntilDone(() => provider.poll(start, callContext()))).at(-1)).toMatchObject({
      state: 'succeeded',
      step: 'running',
    });
  });

  it('launches with RunInstances and a Name tag, then terminates', async () => {
    const { provider, double } = await connect({
      config: { imageId: 'ami-0abcdef1234567890', keyName: 'ops', securityGroupIds: ['sg-1'] },
    });
    const ref = await provider.create(
      { name: 'vmtest01', params: { size: 't3.small', region: 'eu-west-1', subnet: 'subnet-9' } },
      callContext(),
    );
    const run = double.callsOf('RunInstances')[0];
    expect(run?.region).toBe('eu-west-1');
    expect(run?.params).toMatchObject({
      ImageId: 'ami-0abcdef1234567890',
      InstanceType: 't3.small',
      MinCount: '1',
      MaxCount: '1',
      KeyName: 'ops',
      SubnetId: 'subnet-9',
      'SecurityGroupId.1': 'sg-1',
      'TagSpecification.1.ResourceType': 'instance',
      'TagSpecification.1.Tag.1.Key': 'Name',
      'TagSpecification.1.Tag.1.Value': 'vmtest01',
    });
    const end = (await pollUntilDone(() => provider.poll(ref, callContext()))).at(-1);
    expect(end).toMatchObject({
      state: 'succeeded',
      resource: { name: 'vmtest01', status: 'running', size: 't3.small' },
    });
    expect(end?.step).toMatch(/^running at 54\./);
    const terminate = await provider.destroy(await machineNamed(provider, 'vmtest01'), callContext());
    expect((await pollUntilDone(() => provider.poll(terminate, callContext()))).at(-1)).toEqual({
      state: 'succeeded',
      step: 'terminated',
    });
  });

  it('says which parameter create is missing', async () => {
    const { provider } = await connect();
    const error = await rejection(
      provider.create({ name: 'x', params: { size: 't3.micro' } }, callContext()),
    );
    expect(error.message).toBe('create on aws needs image=…');
  });
});

describe('aws: errors', () => {
  it('names account, region and permission when EC2 refuses', async () => {
    const { provider, double } = await connect();
    const web = await machineNamed(provider, 'us-web-1');
    double.failNext({ status: 403, code: 'UnauthorizedOperation', matching: /^RebootInstances / });
    const denied = await rejection(provider.reboot(web, callContext()));
    expect(denied.code).toBe(ErrorCode.ProviderAuth);
    expect(denied.message).toBe(
      'The credentials of provider `aws` in us-east-1 may not call ec2:RebootInstances.',
    );
    expect(denied.hint).toBe('Grant ec2:RebootInstances to the user or role cloudmaster uses.');
    double.failNext({ status: 401, code: 'AuthFailure' }, 2);
    const rejected = await rejection(provider.list({}, callContext()));
    expect(rejected.message).toMatch(
      /^AWS rejected the credentials of provider `aws` in (us-east-1|eu-west-1) \(AuthFailure\)\.$/,
    );
  });

  it('shows a region that fails as a warning while the others answer', async () => {
    const { provider, double } = await connect();
    double.failNext({ status: 401, code: 'AuthFailure', matching: / eu-west-1$/ });
    const listing = await provider.list({}, callContext());
    expect(listing.machines.every((m) => m.details?.Region === 'us-east-1')).toBe(true);
    expect(listing.warnings).toEqual([
      'eu-west-1: AWS rejected the credentials of provider `aws` in eu-west-1 (AuthFailure).',
    ]);
  });

  it('retries throttling through the SDK, then says so clearly if it persists', async () => {
    const { provider, double } = await connect({ config: { regions: ['us-east-1'] } });
    double.failNext({ status: 503, code: 'RequestLimitExceeded', matching: /^DescribeInstances / }, 2);
    expect((await provider.list({}, callContext())).machines).toHaveLength(3);
    expect(double.callsOf('DescribeInstances')).toHaveLength(3);
    double.failNext({ status: 503, code: 'RequestLimitExceeded', matching: /^DescribeInstances / }, 3);
    const throttled = await rejection(provider.list({}, callContext()));
    expect(throttled.code).toBe(ErrorCode.ProviderUnavailable);
    expect(throttled.message).toBe(
      'AWS is throttling provider `aws` in us-east-1 (RequestLimitExceeded, 3 attempts).',
    );
  });

  it('a change whose 2xx answer broke off or was unreadable may or may not have started: sent once, never retried', async () => {
    const { provider, double } = await connect();
    const vm = await machineNamed(provider, 'eu-web-1');
    double.failNext({ truncate: true, matching: /^RebootInstances / });
    const broken = await rejection(provider.reboot(vm, callContext()));
    expect(broken.code).toBe(ErrorCode.OutcomeUnknown);
    expect(broken.message).toBe(
      'EC2 accepted RebootInstances in eu-west-1 (HTTP 200), but its answer could not be read: the connection broke off (aborted).',
    );
    expect(double.callsOf('RebootInstances')).toHaveLength(1);
    expect(double.named('eu-web-1')?.reboots).toBe(1);
    double.failNext({ oversizeBytes: 1_000, matching: /^StopInstances / });
    const unreadable = await rejection(provider.stop(vm, { force: false, deallocate: false }, callContext()));
    expect(unreadable.code).toBe(ErrorCode.OutcomeUnknown);
    expect(unreadable.message).toMatch(
      /^EC2 accepted StopInstances in eu-west-1 \(HTTP 200\), but its answer could not be read: @aws-sdk XML parse error/,
    );
    expect(double.callsOf('StopInstances')).toHaveLength(1);
    // Throttling is refused before any work: a change is still retried through it.
    double.failNext({ status: 503, code: 'RequestLimitExceeded', matching: /^StartInstances / });
    await provider.start(vm, callContext());
    expect(double.callsOf('StartInstances')).toHaveLength(2);
  });

  it('passes EC2’s words for a state it cannot act from', async () => {
    const { provider } = await connect();
    const stopped = await machineNamed(provider, 'us-web-2');
    const error = await rejection(provider.reboot(stopped, callContext()));
    expect(error.code).toBe(ErrorCode.InvalidState);
    expect(error.message).toBe(
      `EC2 refused: The instance '${stopped.id}' is not in a state from which it can be rebooted.`,
    );
  });

  it('implements what it declares, and is enabled by AWS_REGION', async () => {
    const { provider } = await connect();
    for (const verb of PROVIDER_VERBS) {
      expect(typeof provider[verb], verb).toBe(verb in awsModule.capabilities ? 'function' : 'undefined');
    }
    expect(awsModule.fromEnvironment?.({ AWS_REGION: 'eu-west-1' })).toEqual({
      id: 'aws',
      config: { region: 'eu-west-1' },
    });
    expect(awsModule.configSchema.safeParse({ accessKeyId: 'x' }).success).toBe(false);
  });
});

describe('aws: credentials', () => {
  it('assumes the configured role and calls EC2 with the temporary keys STS handed out', async () => {
    double = await Ec2Double.start({ transitionMs: 120 });
    provider = await connectModule(awsModule, {
      id: 'aws',
      config: {
        region: 'us-east-1',
        regions: ['us-east-1'],
        endpoint: double.url,
        stsEndpoint: double.url,
        roleArn: 'arn:aws:iam::123456789012:role/cloudmaster',
        accessKeyId: 'AKIDTEST',
        secretAccessKey: 'test-secret-key',
      },
    });
    expect((await provider.list({}, callContext())).machines).toHaveLength(3);
    expect(double.assumedRoles).toEqual(['arn:aws:iam::123456789012:role/cloudmaster']);
    const signedBy = double.requests
      .filter((r) => String(r.body).includes('Action=DescribeInstances'))
      .map((r) => /Credential=([^/]+)\//.exec(String(r.headers.authorization))?.[1]);
    expect(signedBy).toEqual(['ASIA0000000000000001']);
  });

  it('reads a named profile from the shared credentials file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cloudmaster-aws-'));
    writeFileSync(
      join(dir, 'credentials'),
      '[ops]\naws_access_key_id = AKIDTEST\naws_secret_access_key = profile-secret\n',
    );
    writeFileSync(join(dir, 'config'), '[profile ops]\nregion = us-east-1\n');
    const saved = {
      credentials: process.env.AWS_SHARED_CREDENTIALS_FILE,
      config: process.env.AWS_CONFIG_FILE,
    };
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'credentials');
    process.env.AWS_CONFIG_FILE = join(dir, 'config');
    try {
      double = await Ec2Double.start({ transitionMs: 120 });
      provider = await connectModule(awsModule, {
        id: 'aws',
        config: { region: 'us-east-1', regions: ['us-east-1'], endpoint: double.url, profile: 'ops' },
      });
      expect((await provider.list({}, callContext())).machines).toHaveLength(3);
    } finally {
      process.env.AWS_SHARED_CREDENTIALS_FILE = saved.credentials;
      process.env.AWS_CONFIG_FILE = saved.config;
    }
  });

  it('says plainly when no credentials can be found', async () => {
    double = await Ec2Double.start({ transitionMs: 120 });
    provider = await connectModule(awsModule, {
      id: 'aws',
      config: {
        region: 'us-east-1',
        regions: ['us-east-1'],
        endpoint: double.url,
        profile: 'no-such-profile',
      },
    });
    const error = await rejection(provider.list({}, callContext()));
    expect(error.code).toBe(ErrorCode.ProviderAuth);
    expect(error.message).toBe('No AWS credentials were found for provider `aws`.');
  });
});
