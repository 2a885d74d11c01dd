/** The EC2 double driven by the real `@aws-sdk/client-ec2`, as the AWS provider's tests drive it. */
import {
  DescribeInstancesCommand,
  DescribeRegionsCommand,
  EC2Client,
  type EC2ClientConfig,
  type Instance,
  paginateDescribeInstances,
  RebootInstancesCommand,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import { Ec2Double, type Ec2DoubleOptions } from './ec2.ts';

let double: Ec2Double | undefined;
const clients: EC2Client[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await double?.stop();
  double = undefined;
});

/** A double on a clock the test moves (transitions of 1000 ms), and a client per region. */
async function start(options: Ec2DoubleOptions = {}) {
  const clock = { now: Date.UTC(2026, 10, 24) };
  double = await Ec2Double.start({ transitionMs: 1000, now: () => clock.now, ...options });
  const url = double.url;
  const client = (region: string, extra: Partial<EC2ClientConfig> = {}) => {
    const created = new EC2Client({
      region,
      endpoint: url,
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
      ...extra,
    });
    clients.push(created);
    return created;
  };
  const later = (ms: number) => {
    clock.now += ms;
  };
  return { double, client, later };
}

async function instances(
  client: EC2Client,
  input: ConstructorParameters<typeof DescribeInstancesCommand>[0] = {},
) {
  const answer = await client.send(new DescribeInstancesCommand(input));
  return (answer.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? []);
}

const nameOf = (instance: Instance) => instance.Tags?.find((tag) => tag.Key === 'Name')?.Value;

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error as Error & { $metadata: { httpStatusCode?: number; attempts?: number } };
  }
  throw new Error('expected the call to fail');
}

describe('EC2 double: reads', () => {
  it('answers DescribeRegions with its regions', async () => {
    const { client } = await start({ regions: { 'us-east-1': 1, 'eu-west-1': 1, 'ap-south-1': 0 } });
    const answer = await client('us-east-1').send(new DescribeRegionsCommand({}));
    expect(answer.Regions?.map((r) => [r.RegionName, r.Endpoint, r.OptInStatus])).toEqual([
      ['us-east-1', 'ec2.us-east-1.amazonaws.com', 'opt-in-not-required'],
      ['eu-west-1', 'ec2.eu-west-1.amazonaws.com', 'opt-in-not-required'],
      ['ap-south-1', 'ec2.ap-south-1.amazonaws.com', 'opt-in-not-required'],
    ]);
  });

  it('lists each region’s own instances, with EC2’s fields, telling regions apart by the signature', async () => {
    const { double, client } = await start();
    const us = await instances(client('us-east-1'));
    const eu = await instances(client('eu-west-1'));
    expect(us.map((i) => [nameOf(i), i.State?.Name, i.State?.Code])).toEqual([
      ['us-web-1', 'running', 16],
      ['us-web-2', 'stopped', 80],
      ['us-web-3', 'running', 16],
    ]);
    expect(eu.map((i) => [i.InstanceId, nameOf(i), i.Placement?.AvailabilityZone])).toEqual([
      ['i-00000000000000004', 'eu-web-1', 'eu-west-1b'],
      ['i-00000000000000005', 'eu-web-2', 'eu-west-1a'],
    ]);
    expect(us[0]).toMatchObject({
      InstanceId: 'i-00000000000000001',
      ImageId: 'ami-0123456789abcdef0',
      InstanceType: 't3.micro',
      PrivateIpAddress: '172.31.0.1',
      PublicIpAddress: '54.0.0.1',
      PublicDnsName: 'ec2-54-0-0-1.compute-1.amazonaws.com',
      Placement: { AvailabilityZone: 'us-east-1a', Tenancy: 'default' },
      VpcId: 'vpc-0a1b2c3d4e5f67890',
      SecurityGroups: [{ GroupId: 'sg-0123456789abcdef0', GroupName: 'default' }],
      PlatformDetails: 'Linux/UNIX',
      AmiLaunchIndex: 0,
    });
    expect(us[0]?.LaunchTime).toEqual(new Date('2026-04-01T01:00:00.000Z'));
    expect(us[1]?.PublicIpAddress).toBeUndefined();
    expect(double.calls.map((c) => [c.action, c.region])).toEqual([
      ['DescribeInstances', 'us-east-1'],
      ['DescribeInstances', 'eu-west-1'],
    ]);
    expect(double.calls[0]?.params.Version).toBe('2016-11-15');
  });

  it('pages with a NextToken the SDK paginator follows, three pages of five', async () => {
    const { double, client } = await start({ regions: { 'us-east-1': 13 } });
    const pages = [];
    for await (const page of paginateDescribeInstances(
      { client: client('us-east-1'), pageSize: 5 },
      { Filters: [{ Name: 'instance-state-name', Values: ['running', 'stopped'] }] },
    ))
      pages.push((page.Reservations ?? []).flatMap((r) => r.Instances ?? []).map(nameOf));
    expect(pages.map((page) => page.length)).toEqual([5, 5, 3]);
    expect(pages.flat()).toEqual(Array.from({ length: 13 }, (_, i) => `us-web-${i + 1}`));
    const calls = double.callsOf('DescribeInstances');
    expect(calls.map((c) => c.params.MaxResults)).toEqual(['5', '5', '5']);
    expect(calls[0]?.params.NextToken).toBeUndefined();
    expect(calls[1]?.params.NextToken).toMatch(/^[\w-]{20,}$/);
    expect(calls[2]?.params.NextToken).not.toBe(calls[1]?.params.NextToken);
    expect(calls[0]?.params).toMatchObject({
      'Filter.1.Name': 'instance-state-name',
      'Filter.1.Value.1': 'running',
      'Filter.1.Value.2': 'stopped',
    });
  });

  it('keeps EC2’s paging rules: MaxResults from 5, not with ids, and only its own tokens', async () => {
    const { client } = await start();
    const us = client('us-east-1');
    const small = await failure(instances(us, { MaxResults: 2 }));
    expect([small.name, small.message]).toEqual([
      'InvalidParameterValue',
      'Value ( 2 ) for parameter maxResults is invalid. Expecting a value greater than 5.',
    ]);
    const both = await failure(instances(us, { MaxResults: 5, InstanceIds: ['i-00000000000000001'] }));
    expect(both.name).toBe('InvalidParameterCombination');
    const token = await failure(instances(us, { MaxResults: 5, NextToken: 'not-a-token' }));
    expect([token.name, token.$metadata.httpStatusCode]).toEqual(['InvalidPaginationToken', 400]);
  });

  it('filters by Name tag (with wildcards), id and state, and describes ids', async () => {
    const { client } = await start();
    const us = client('us-east-1');
    expect(
      (await instances(us, { Filters: [{ Name: 'tag:Name', Values: ['us-web-3'] }] })).map(
        (i) => i.InstanceId,
      ),
    ).toEqual(['i-00000000000000003']);
    expect(
      (
        await instances(us, {
          Filters: [
            { Name: 'tag:Name', Values: ['us-web-*'] },
            { Name: 'instance-state-name', Values: ['running'] },
          ],
        })
      ).map(nameOf),
    ).toEqual(['us-web-1', 'us-web-3']);
    expect(
      (await instances(us, { Filters: [{ Name: 'instance-id', Values: ['i-00000000000000002'] }] })).map(
        nameOf,
      ),
    ).toEqual(['us-web-2']);
    expect(
      (await instances(us, { InstanceIds: ['i-00000000000000003', 'i-00000000000000001'] })).map(nameOf),
    ).toEqual(['us-web-1', 'us-web-3']);
    // An instance of another region is not found here.
    const elsewhere = await failure(instances(us, { InstanceIds: ['i-00000000000000004'] }));
    expect(elsewhere.name).toBe('InvalidInstanceID.NotFound');
    const badFilter = await failure(instances(us, { Filters: [{ Name: 'colour', Values: ['red'] }] }));
    expect([badFilter.name, badFilter.message]).toEqual([
      'InvalidParameterValue',
      "The filter 'colour' is invalid",
    ]);
  });

  it('answers an unknown id with InvalidInstanceID.NotFound, surfaced as the SDK error of that name', async () => {
    const { client } = await start();
    const error = await failure(instances(client('us-east-1'), { InstanceIds: ['i-0000000000000ffff'] }));
    expect(error.name).toBe('InvalidInstanceID.NotFound');
    expect(error.message).toBe("The instance ID 'i-0000000000000ffff' does not exist");
    expect(error.$metadata.httpStatusCode).toBe(400);
    const two = await failure(
      client('us-east-1').send(
        new RebootInstancesCommand({ InstanceIds: ['i-0000000000000fffe', 'i-0000000000000ffff'] }),
      ),
    );
    expect(two.message).toBe("The instance IDs 'i-0000000000000fffe, i-0000000000000ffff' do not exist");
    const malformed = await failure(instances(client('us-east-1'), { InstanceIds: ['web-1'] }));
    expect([malformed.name, malformed.message]).toEqual([
      'InvalidInstanceID.Malformed',
      'Invalid id: "web-1"',
    ]);
  });
});

describe('EC2 double: mutations and states over time', () => {
  it('reboots a running instance: one RebootInstances, still running, counted', async () => {
    const { double, client } = await start();
    const answer = await client('eu-west-1').send(
      new RebootInstancesCommand({ InstanceIds: ['i-00000000000000004'] }),
    );
    expect(answer.$metadata.httpStatusCode).toBe(200);
    expect(double.callsOf('RebootInstances').map((c) => [c.region, c.params['InstanceId.1']])).toEqual([
      ['eu-west-1', 'i-00000000000000004'],
    ]);
    expect(double.instance('i-00000000000000004')).toMatchObject({ state: 'running', reboots: 1 });
  });

  it('refuses what a state does not allow with IncorrectInstanceState, in EC2’s words', async () => {
    const { client } = await start();
    const us = client('us-east-1');
    const reboot = await failure(
      us.send(new RebootInstancesCommand({ InstanceIds: ['i-00000000000000002'] })),
    );
    expect([reboot.name, reboot.message, reboot.$metadata.httpStatusCode]).toEqual([
      'IncorrectInstanceState',
      "The instance 'i-00000000000000002' is not in a state from which it can be rebooted.",
      400,
    ]);
    await us.send(new StopInstancesCommand({ InstanceIds: ['i-00000000000000001'] }));
    const start_ = await failure(
      us.send(new StartInstancesCommand({ InstanceIds: ['i-00000000000000001'] })),
    );
    expect(start_.message).toBe(
      "The instance 'i-00000000000000001' is not in a state from which it can be started.",
    );
  });

  it('stops (forced) through stopping to stopped, then starts through pending to running', async () => {
    const { double, client, later } = await start();
    const us = client('us-east-1');
    const stop = await us.send(
      new StopInstancesCommand({ InstanceIds: ['i-00000000000000001'], Force: true }),
    );
    expect(stop.StoppingInstances).toEqual([
      {
        InstanceId: 'i-00000000000000001',
        PreviousState: { Code: 16, Name: 'running' },
        CurrentState: { Code: 64, Name: 'stopping' },
      },
    ]);
    expect(double.callsOf('StopInstances')[0]?.params.Force).toBe('true');
    expect((await instances(us, { InstanceIds: ['i-00000000000000001'] }))[0]?.State?.Name).toBe('stopping');
    later(999);
    expect((await instances(us, { InstanceIds: ['i-00000000000000001'] }))[0]?.State?.Name).toBe('stopping');
    later(1);
    const stopped = (await instances(us, { InstanceIds: ['i-00000000000000001'] }))[0];
    expect([stopped?.State?.Name, stopped?.PublicIpAddress]).toEqual(['stopped', undefined]);
    expect(double.instance('i-00000000000000001')?.forcedStop).toBe(true);
    // Stopping a stopped instance changes nothing and is no error.
    const again = await us.send(new StopInstancesCommand({ InstanceIds: ['i-00000000000000001'] }));
    expect(again.StoppingInstances?.[0]?.CurrentState?.Name).toBe('stopped');

    const start_ = await us.send(new StartInstancesCommand({ InstanceIds: ['i-00000000000000001'] }));
    expect(start_.StartingInstances?.[0]).toMatchObject({
      PreviousState: { Code: 80, Name: 'stopped' },
      CurrentState: { Code: 0, Name: 'pending' },
    });
    later(1000);
    const running = (await instances(us, { InstanceIds: ['i-00000000000000001'] }))[0];
    expect([running?.State?.Name, running?.PublicIpAddress]).toEqual(['running', '54.2.0.1']);
    expect(double.instance('i-00000000000000001')?.history).toEqual([
      'running',
      'stopping',
      'stopped',
      'pending',
      'running',
    ]);
  });

  it('terminates through shutting-down to terminated, which stays listed and stays terminated', async () => {
    const { client, later } = await start();
    const eu = client('eu-west-1');
    const answer = await eu.send(new TerminateInstancesCommand({ InstanceIds: ['i-00000000000000005'] }));
    expect(answer.TerminatingInstances?.[0]).toEqual({
      InstanceId: 'i-00000000000000005',
      PreviousState: { Code: 80, Name: 'stopped' },
      CurrentState: { Code: 32, Name: 'shutting-down' },
    });
    later(1000);
    expect((await instances(eu)).map((i) => [nameOf(i), i.State?.Name])).toEqual([
      ['eu-web-1', 'running'],
      ['eu-web-2', 'terminated'],
    ]);
    const again = await eu.send(new TerminateInstancesCommand({ InstanceIds: ['i-00000000000000005'] }));
    expect(again.TerminatingInstances?.[0]?.PreviousState?.Name).toBe('terminated');
    const start_ = await failure(
      eu.send(new StartInstancesCommand({ InstanceIds: ['i-00000000000000005'] })),
    );
    expect(start_.name).toBe('IncorrectInstanceState');
  });

  it('runs instances from RunInstances’ parameters: pending in the answer, running later', async () => {
    const { double, client, later } = await start();
    const eu = client('eu-west-1');
    const answer = await eu.send(
      new RunInstancesCommand({
        ImageId: 'ami-0abcdef1234567890',
        InstanceType: 't3.small',
        MinCount: 1,
        MaxCount: 2,
        KeyName: 'ops',
        SubnetId: 'subnet-9',
        SecurityGroupIds: ['sg-1'],
        TagSpecifications: [
          {
            ResourceType: 'instance',
            Tags: [
              { Key: 'Name', Value: 'vmtest01' },
              { Key: 'team', Value: 'ops & <dev>' },
            ],
          },
        ],
      }),
    );
    expect(answer.ReservationId).toBe('r-00000000000000006');
    expect(answer.OwnerId).toBe('123456789012');
    expect(answer.Instances?.map((i) => [i.InstanceId, i.AmiLaunchIndex, i.State?.Name])).toEqual([
      ['i-00000000000000006', 0, 'pending'],
      ['i-00000000000000007', 1, 'pending'],
    ]);
    expect(answer.Instances?.[0]).toMatchObject({
      ImageId: 'ami-0abcdef1234567890',
      InstanceType: 't3.small',
      KeyName: 'ops',
      SubnetId: 'subnet-9',
      Placement: { AvailabilityZone: 'eu-west-1b' },
      SecurityGroups: [{ GroupId: 'sg-1' }],
      Tags: [
        { Key: 'Name', Value: 'vmtest01' },
        { Key: 'team', Value: 'ops & <dev>' },
      ],
    });
    expect(answer.Instances?.[0]?.PublicIpAddress).toBeUndefined();
    expect(double.callsOf('RunInstances')[0]?.params).toMatchObject({
      MinCount: '1',
      MaxCount: '2',
      'SecurityGroupId.1': 'sg-1',
      'TagSpecification.1.ResourceType': 'instance',
      'TagSpecification.1.Tag.1.Key': 'Name',
      'TagSpecification.1.Tag.1.Value': 'vmtest01',
    });
    later(1000);
    const launched = await instances(eu, { Filters: [{ Name: 'tag:Name', Values: ['vmtest01'] }] });
    // One reservation holds both.
    expect(launched.map((i) => [i.State?.Name, i.PublicIpAddress])).toEqual([
      ['running', '54.1.0.6'],
      ['running', '54.1.0.7'],
    ]);
    const bad = await failure(
      eu.send(new RunInstancesCommand({ ImageId: 'ubuntu', MinCount: 1, MaxCount: 1 })),
    );
    expect([bad.name, bad.message]).toEqual([
      'InvalidAMIID.Malformed',
      'Invalid id: "ubuntu" (expecting "ami-...")',
    ]);
  });

  it('moves on the real clock by default (transitionMs)', async () => {
    double = await Ec2Double.start({ transitionMs: 100 });
    const us = new EC2Client({
      region: 'us-east-1',
      endpoint: double.url,
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
    });
    clients.push(us);
    await us.send(new StopInstancesCommand({ InstanceIds: ['i-00000000000000003'] }));
    expect(double.instance('i-00000000000000003')?.state).toBe('stopping');
    await new Promise((resolve) => setTimeout(resolve, 130));
    expect(double.instance('i-00000000000000003')?.state).toBe('stopped');
  });
});

describe('EC2 double: faults', () => {
  it('throttles twice with RequestLimitExceeded (503), which the SDK retries to success', async () => {
    const { double, client } = await start();
    double.failAction('DescribeInstances', 'RequestLimitExceeded', 2);
    const answer = await client('us-east-1', { maxAttempts: 3 }).send(new DescribeInstancesCommand({}));
    expect(answer.Reservations).toHaveLength(3);
    expect(answer.$metadata.attempts).toBe(3);
    expect(double.callsOf('DescribeInstances')).toHaveLength(3);
  });

  it('gives up after maxAttempts throttled answers, with the code as the error name', async () => {
    const { double, client } = await start();
    double.failAction('DescribeInstances', 'RequestLimitExceeded', 3);
    const error = await failure(
      client('us-east-1', { maxAttempts: 3 }).send(new DescribeInstancesCommand({})),
    );
    expect([error.name, error.message, error.$metadata.httpStatusCode, error.$metadata.attempts]).toEqual([
      'RequestLimitExceeded',
      'Request limit exceeded.',
      503,
      3,
    ]);
  });

  it('answers AuthFailure (401), not retried, in one region only when told', async () => {
    const { double, client } = await start();
    double.failAction('DescribeInstances', 'AuthFailure', 1, 'eu-west-1');
    expect(await instances(client('us-east-1'))).toHaveLength(3);
    const error = await failure(instances(client('eu-west-1', { maxAttempts: 3 })));
    expect([error.name, error.message, error.$metadata.httpStatusCode]).toEqual([
      'AuthFailure',
      'AWS was not able to validate the provided access credentials',
      401,
    ]);
    expect(double.callsOf('DescribeInstances', 'eu-west-1')).toHaveLength(1);
    // Keys it does not know fail the same way, without any fault set.
    const stranger = new EC2Client({
      region: 'us-east-1',
      endpoint: double.url,
      credentials: { accessKeyId: 'AKIDSTRANGER', secretAccessKey: 'x' },
    });
    clients.push(stranger);
    expect((await failure(instances(stranger))).name).toBe('AuthFailure');
  });

  it('answers UnauthorizedOperation (403) naming the action', async () => {
    const { double, client } = await start();
    double.failAction('RebootInstances', 'UnauthorizedOperation');
    const error = await failure(
      client('us-east-1').send(new RebootInstancesCommand({ InstanceIds: ['i-00000000000000001'] })),
    );
    expect(error.name).toBe('UnauthorizedOperation');
    expect(error.$metadata.httpStatusCode).toBe(403);
    expect(error.message).toMatch(
      /^You are not authorized to perform this operation\. .*ec2:RebootInstances/,
    );
    expect(double.instance('i-00000000000000001')?.reboots).toBe(0);
  });

  it('waits latencyMs before each answer', async () => {
    const { double, client } = await start({ latencyMs: 200 });
    const began = performance.now();
    await instances(client('us-east-1'));
    expect(performance.now() - began).toBeGreaterThanOrEqual(195);
    double.latencyMs = 0;
    const again = performance.now();
    await instances(client('us-east-1'));
    expect(performance.now() - again).toBeLessThan(150);
  });
});
