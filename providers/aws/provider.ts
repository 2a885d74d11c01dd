/**
 * AWS EC2 through the official SDK: one client per region, every region
 * asked at once, the SDK's standard retries for reads, only throttled calls
 * retried for changes, and progress read from the instance state.
 */
import {
  DescribeInstancesCommand,
  DescribeRegionsCommand,
  EC2Client,
  type EC2ClientConfig,
  type Filter,
  type Instance,
  paginateDescribeInstances,
  RebootInstancesCommand,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { fromIni, fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { CloudmasterError, ErrorCode } from '../../src/errors.ts';
import { exactMatches } from '../exact-match.ts';
import { required, splitList } from '../params.ts';
import type {
  CallContext,
  Machine,
  OperationProgress,
  OperationRef,
  ProviderFor,
  ProviderSetup,
} from '../types.ts';
import { throttlingOnlyRetries } from './change-retries.ts';
import type { AwsConfig } from './config.ts';
import { awsError } from './errors.ts';
import type { awsCapabilities } from './index.ts';
import { regionOf, toMachine } from './machines.ts';

/** Instances still worth showing: terminated ones linger for an hour but are gone. */
const LIVE_STATES = ['pending', 'running', 'shutting-down', 'stopping', 'stopped'];
const MAX_PAGES = 100;

type Credentials = NonNullable<EC2ClientConfig['credentials']>;

function credentialsFor(config: AwsConfig): Credentials {
  const base: Credentials =
    config.accessKeyId && config.secretAccessKey
      ? {
          accessKeyId: config.accessKeyId,
          secretAccessKey: config.secretAccessKey,
          ...(config.sessionToken ? { sessionToken: config.sessionToken } : {}),
        }
      : config.profile
        ? fromIni({ profile: config.profile })
        : fromNodeProviderChain();
  if (!config.roleArn) return base;
  return fromTemporaryCredentials({
    masterCredentials: base,
    params: {
      RoleArn: config.roleArn,
      RoleSessionName: 'cloudmaster',
      ...(config.externalId ? { ExternalId: config.externalId } : {}),
    },
    clientConfig: { region: config.region, ...(config.stsEndpoint ? { endpoint: config.stsEndpoint } : {}) },
  });
}

export function createAws(setup: ProviderSetup<AwsConfig>): ProviderFor<typeof awsCapabilities> {
  const { id, config } = setup;
  const credentials = credentialsFor(config);
  const clients = new Map<string, EC2Client>();
  let enabledRegions: Promise<string[]> | undefined;

  /** The client of a region: for reads, or (`change`) for calls that must not be repeated blindly. */
  const client = (region: string, change = false): EC2Client => {
    const key = `${region}${change ? ':change' : ''}`;
    let existing = clients.get(key);
    if (!existing) {
      existing = new EC2Client({
        region,
        credentials,
        maxAttempts: config.maxAttempts,
        ...(change ? { retryStrategy: throttlingOnlyRetries(config.maxAttempts) } : {}),
        ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      });
      clients.set(key, existing);
    }
    return existing;
  };

  /** Runs one EC2 call, turning its failure into a clear error. */
  const call = async <T>(region: string, action: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw awsError(error, { provider: id, region, action, change: !action.startsWith('Describe') });
    }
  };

  const regions = (ctx: CallContext): Promise<string[]> => {
    if (config.regions) return Promise.resolve(config.regions);
    enabledRegions ??= call(config.region, 'DescribeRegions', () =>
      client(config.region).send(new DescribeRegionsCommand({}), { abortSignal: ctx.signal }),
    ).then(
      (answer) => (answer.Regions ?? []).flatMap((region) => (region.RegionName ? [region.RegionName] : [])),
      (error: unknown) => {
        enabledRegions = undefined;
        throw error;
      },
    );
    return enabledRegions;
  };

  const describe = async (
    region: string,
    filters: Filter[],
    ctx: CallContext,
    instanceIds?: string[],
  ): Promise<Instance[]> =>
    call(region, 'DescribeInstances', async () => {
      const instances: Instance[] = [];
      let pages = 0;
      const input = {
        Filters: filters,
        ...(instanceIds ? { InstanceIds: instanceIds } : { MaxResults: config.pageSize }),
      };
      const pager = instanceIds
        ? [await client(region).send(new DescribeInstancesCommand(input), { abortSignal: ctx.signal })]
        : paginateDescribeInstances({ client: client(region), stopOnSameToken: true }, input, {
            abortSignal: ctx.signal,
          });
      for await (const page of pager) {
        for (const reservation of page.Reservations ?? []) instances.push(...(reservation.Instances ?? []));
        if (++pages >= MAX_PAGES) break;
      }
      return instances;
    });

  /** Every region at once; a region that fails becomes a warning unless all fail. */
  const acrossRegions = async (wanted: string[], read: (region: string) => Promise<Machine[]>) => {
    const results = await Promise.allSettled(wanted.map(read));
    const machines = results.flatMap((result) => (result.status === 'fulfilled' ? result.value : []));
    const failures = results.flatMap((result, index) =>
      result.status === 'rejected' ? [{ region: wanted[index], error: result.reason as unknown }] : [],
    );
    if (failures.length > 0 && failures.length === results.length) throw failures[0]?.error;
    const warnings = failures.map(
      ({ region, error }) => `${region}: ${error instanceof Error ? error.message : String(error)}`,
    );
    return { machines, warnings };
  };

  const instanceIn = async (
    region: string,
    instanceId: string,
    ctx: CallContext,
  ): Promise<Machine | undefined> => {
    try {
      const [instance] = await describe(region, [], ctx, [instanceId]);
      return instance ? toMachine(instance, region, id) : undefined;
    } catch (error) {
      if (error instanceof CloudmasterError && error.code === ErrorCode.NotFound) return undefined;
      throw error;
    }
  };

  const regionFor = (machine: Machine): string => {
    const region = regionOf(machine);
    if (!region) throw new CloudmasterError(ErrorCode.Internal, `${machine.name} came without its region.`);
    return region;
  };

  const reference = (
    verb: OperationRef['verb'],
    machine: { id: string; name: string },
    region: string,
    accepted: string,
  ): OperationRef => ({
    verb,
    provider: id,
    target: { kind: 'machine', id: machine.id, name: machine.name },
    startedAt: new Date().toISOString(),
    accepted,
    data: { region },
  });

  return {
    id,
    type: 'aws',
    async ping(ctx) {
      await regions(ctx);
    },
    async list(query, ctx) {
      const all = await regions(ctx);
      // `-r` takes a region or an availability zone.
      const zone = query.region && !all.includes(query.region) ? query.region : undefined;
      const wanted =
        query.region === undefined ? all : all.filter((region) => query.region?.startsWith(region));
      const filter = query.filter?.toLowerCase();
      const { machines, warnings } = await acrossRegions(wanted, async (region) =>
        (await describe(region, [{ Name: 'instance-state-name', Values: LIVE_STATES }], ctx)).map(
          (instance) => toMachine(instance, region, id),
        ),
      );
      const shown = machines.filter(
        (machine) =>
          (zone === undefined || machine.region === zone) &&
          (filter === undefined || machine.name.toLowerCase().includes(filter)),
      );
      return { machines: shown, stacks: [], warnings };
    },
    async status(nameOrId, ctx) {
      const all = await regions(ctx);
      const byId = /^i-[0-9a-f]{8,17}$/.test(nameOrId);
      const { machines } = await acrossRegions(all, async (region) => {
        if (byId) {
          const machine = await instanceIn(region, nameOrId, ctx);
          return machine ? [machine] : [];
        }
        const instances = await describe(
          region,
          [
            { Name: 'tag:Name', Values: [nameOrId] },
            { Name: 'instance-state-name', Values: LIVE_STATES },
          ],
          ctx,
        );
        return instances.map((instance) => toMachine(instance, region, id));
      });
      // EC2 filter values are case-sensitive and take * and ? wildcards.
      return exactMatches(machines, nameOrId, { ignoreCase: false });
    },
    async reboot(machine, ctx) {
      const region = regionFor(machine);
      await call(region, 'RebootInstances', () =>
        client(region, true).send(new RebootInstancesCommand({ InstanceIds: [machine.id] }), {
          abortSignal: ctx.signal,
        }),
      );
      return reference('reboot', machine, region, 'EC2 accepted the reboot');
    },
    async start(machine, ctx) {
      const region = regionFor(machine);
      await call(region, 'StartInstances', () =>
        client(region, true).send(new StartInstancesCommand({ InstanceIds: [machine.id] }), {
          abortSignal: ctx.signal,
        }),
      );
      return reference('start', machine, region, 'EC2 is starting the instance');
    },
    async stop(machine, options, ctx) {
      const region = regionFor(machine);
      await call(region, 'StopInstances', () =>
        client(region, true).send(
          new StopInstancesCommand({ InstanceIds: [machine.id], Force: options.force }),
          {
            abortSignal: ctx.signal,
          },
        ),
      );
      return reference(
        'stop',
        machine,
        region,
        options.force ? 'EC2 is forcing the instance off' : 'EC2 is stopping the instance',
      );
    },
    async destroy(machine, ctx) {
      const region = regionFor(machine);
      await call(region, 'TerminateInstances', () =>
        client(region, true).send(new TerminateInstancesCommand({ InstanceIds: [machine.id] }), {
          abortSignal: ctx.signal,
        }),
      );
      return reference('destroy', machine, region, 'EC2 is terminating the instance');
    },
    async create(request, ctx) {
      const where = { provider: id };
      const region = request.params.region ?? config.region;
      const groups = request.params.security_groups
        ? splitList(request.params.security_groups)
        : config.securityGroupIds;
      const key = request.params.key ?? config.keyName;
      const subnet = request.params.subnet ?? config.subnetId;
      const input = {
        ImageId: required(request.params, 'image', config.imageId, {
          ...where,
          configKey: 'imageId',
          example: 'ami-0abcdef1234567890',
        }),
        InstanceType: required(request.params, 'size', config.instanceType, {
          ...where,
          configKey: 'instanceType',
          example: 't3.micro',
        }) as never,
        MinCount: 1,
        MaxCount: 1,
        ...(key ? { KeyName: key } : {}),
        ...(subnet ? { SubnetId: subnet } : {}),
        ...(groups && groups.length > 0 ? { SecurityGroupIds: groups } : {}),
        TagSpecifications: [
          { ResourceType: 'instance' as const, Tags: [{ Key: 'Name', Value: request.name }] },
        ],
      };
      const answer = await call(region, 'RunInstances', () =>
        client(region, true).send(new RunInstancesCommand(input), { abortSignal: ctx.signal }),
      );
      const instanceId = answer.Instances?.[0]?.InstanceId;
      if (!instanceId)
        throw new CloudmasterError(
          ErrorCode.OutcomeUnknown,
          'EC2 accepted RunInstances but named no instance.',
          {
            provider: id,
            hint: 'An instance may have been launched: check with `list` before asking again.',
          },
        );
      return reference(
        'create',
        { id: instanceId, name: request.name },
        region,
        `EC2 is launching ${instanceId}`,
      );
    },
    async poll(ref, ctx): Promise<OperationProgress> {
      const region = ref.data?.region ?? config.region;
      const machine = await instanceIn(region, ref.target.id, ctx);
      if (!machine || machine.providerStatus === 'terminated') {
        return ref.verb === 'destroy'
          ? { state: 'succeeded', step: 'terminated' }
          : { state: 'failed', step: 'gone', reason: `${ref.target.name} no longer exists` };
      }
      const resource = machine;
      const state = machine.providerStatus;
      switch (ref.verb) {
        case 'reboot':
          // EC2 shows no reboot state: the instance stays running while its OS restarts.
          return state === 'running'
            ? {
                state: 'succeeded',
                step: 'running (EC2 shows no reboot state; the OS restarts in place)',
                resource,
              }
            : { state: 'running', step: state, resource };
        case 'start':
          return state === 'running'
            ? { state: 'succeeded', step: 'running', resource }
            : { state: 'running', step: state, resource };
        case 'create':
          return state === 'running'
            ? {
                state: 'succeeded',
                step: machine.publicIpv4 ? `running at ${machine.publicIpv4}` : 'running',
                resource,
              }
            : { state: 'running', step: state, resource };
        case 'stop':
          return state === 'stopped'
            ? { state: 'succeeded', step: 'stopped', resource }
            : { state: 'running', step: state, resource };
        case 'destroy':
          return { state: 'running', step: state, resource };
        default:
          return { state: 'succeeded', step: state, resource };
      }
    },
    async close() {
      for (const ec2 of clients.values()) ec2.destroy();
    },
  };
}
