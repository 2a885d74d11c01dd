/**
 * Compute Engine through the official client over its REST transport:
 * one aggregated list for every zone, operations followed through the zone
 * operation they return.
 */
import { readFileSync } from 'node:fs';
import { InstancesClient, type protos, ZoneOperationsClient } from '@google-cloud/compute';
import { GoogleAuth, JWT } from 'google-auth-library';
import { CloudmasterError, ErrorCode } from '../../src/errors.ts';
import { exactMatches } from '../exact-match.ts';
import { splitList } from '../params.ts';
import type { Machine, OperationProgress, OperationRef, ProviderFor, ProviderSetup } from '../types.ts';
import type { GcpConfig } from './config.ts';
import { gcpError } from './errors.ts';
import type { gcpCapabilities } from './index.ts';
import { lastSegment, toMachine, zoneOf } from './machines.ts';

type Operation = protos.google.cloud.compute.v1.IOperation;

/** A JWT client for the service account; no scopes means it signs its own tokens (no token endpoint). */
function jwtFor(key: { client_email: string; private_key: string }, scopes: string[] | undefined): JWT {
  return new JWT({
    email: key.client_email,
    key: key.private_key,
    ...(scopes && scopes.length > 0 ? { scopes } : {}),
  });
}

/** The service-account key file, read and checked once. */
function serviceAccount(
  keyFilename: string,
  provider: string,
): { client_email: string; private_key: string } {
  let key: { client_email?: unknown; private_key?: unknown };
  try {
    key = JSON.parse(readFileSync(keyFilename, 'utf8')) as typeof key;
  } catch (error) {
    throw new CloudmasterError(
      ErrorCode.ConfigInvalid,
      `The key file of provider \`${provider}\` cannot be read: ${(error as Error).message}`,
    );
  }
  if (typeof key.client_email !== 'string' || typeof key.private_key !== 'string') {
    throw new CloudmasterError(
      ErrorCode.ConfigInvalid,
      `The key file of provider \`${provider}\` is not a service-account key (client_email and private_key).`,
    );
  }
  return { client_email: key.client_email, private_key: key.private_key };
}

export function createGcp(setup: ProviderSetup<GcpConfig>): ProviderFor<typeof gcpCapabilities> {
  const { id, config } = setup;
  const clientOptions = {
    fallback: true,
    projectId: config.project,
    // The auth client is built here: the library's keyFilename/credentials options are deprecated.
    ...(config.keyFilename
      ? {
          auth: new GoogleAuth({ authClient: jwtFor(serviceAccount(config.keyFilename, id), config.scopes) }),
        }
      : {}),
    ...(config.scopes ? { scopes: config.scopes } : {}),
    ...(config.apiEndpoint ? { apiEndpoint: config.apiEndpoint } : {}),
    ...(config.port ? { port: config.port } : {}),
    ...(config.protocol ? { protocol: config.protocol } : {}),
  };
  const instances = new InstancesClient(clientOptions);
  const operations = new ZoneOperationsClient(clientOptions);
  const callOptions = { timeout: setup.timeoutMs };
  const project = config.project;

  /** One Compute Engine call, its failure in clear words; `change`: an answer lost after Google took it in is no failure. */
  const call = async <T>(action: string, run: () => Promise<T>, change = false): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw gcpError(error, { provider: id, project, action, change });
    }
  };

  /** Every instance (or those the filter keeps) in every zone wanted. */
  const aggregated = (filter: string | undefined, zonePrefix?: string) =>
    call('list instances', async () => {
      const found: Machine[] = [];
      const warnings: string[] = [];
      const pages = instances.aggregatedListAsync(
        { project, maxResults: config.maxResults, ...(filter ? { filter } : {}) },
        // Async iteration pages by itself; saying so keeps the library from warning on stderr.
        { ...callOptions, autoPaginate: false },
      );
      for await (const [scope, list] of pages) {
        const zone = lastSegment(scope) ?? scope;
        if (config.zones && !config.zones.includes(zone)) continue;
        if (zonePrefix && !zone.startsWith(zonePrefix)) continue;
        for (const instance of list.instances ?? []) found.push(toMachine(instance, zone, id));
        const warning = list.warning;
        if (warning?.code && warning.code !== 'NO_RESULTS_ON_PAGE')
          warnings.push(`${zone}: ${warning.message ?? warning.code}`);
      }
      return { machines: found, warnings };
    });

  const zoneFor = (machine: Machine): string => {
    const zone = zoneOf(machine);
    if (!zone) throw new CloudmasterError(ErrorCode.Internal, `${machine.name} came without its zone.`);
    return zone;
  };

  const reference = (
    verb: OperationRef['verb'],
    target: { id: string; name: string },
    zone: string,
    operation: Operation | undefined,
    accepted: string,
  ): OperationRef => ({
    verb,
    provider: id,
    target: { kind: 'machine', id: target.id, name: target.name },
    ...(operation?.name ? { operationId: operation.name } : {}),
    startedAt: new Date().toISOString(),
    accepted,
    data: { zone, instance: target.name },
  });

  const act = async (
    verb: 'reboot' | 'start' | 'stop' | 'destroy',
    machine: Machine,
    accepted: string,
  ): Promise<OperationRef> => {
    const zone = zoneFor(machine);
    const request = { project, zone, instance: machine.name };
    const action = { reboot: 'reset', start: 'start', stop: 'stop', destroy: 'delete' }[verb];
    const [operation] = await call(
      `${action} ${machine.name}`,
      () => {
        switch (verb) {
          case 'reboot':
            return instances.reset(request, callOptions);
          case 'start':
            return instances.start(request, callOptions);
          case 'stop':
            return instances.stop(request, callOptions);
          case 'destroy':
            return instances.delete(request, callOptions);
        }
      },
      true,
    );
    return reference(verb, machine, zone, operation.latestResponse as Operation | undefined, accepted);
  };

  const instanceNow = async (zone: string, name: string): Promise<Machine | undefined> => {
    try {
      const [instance] = await call(`get ${name}`, () =>
        instances.get({ project, zone, instance: name }, callOptions),
      );
      return toMachine(instance, zone, id);
    } catch (error) {
      if (error instanceof CloudmasterError && error.code === ErrorCode.NotFound) return undefined;
      throw error;
    }
  };

  return {
    id,
    type: 'gcp',
    async ping() {
      await call('list instances', async () => {
        for await (const _ of instances.aggregatedListAsync(
          { project, maxResults: 1 },
          { ...callOptions, autoPaginate: false },
        ))
          break;
      });
    },
    async list(query) {
      const { machines, warnings } = await aggregated(undefined, query.region);
      const filter = query.filter?.toLowerCase();
      return {
        machines: filter ? machines.filter((m) => m.name.toLowerCase().includes(filter)) : machines,
        stacks: [],
        warnings,
      };
    },
    async status(nameOrId) {
      const filter = /^\d+$/.test(nameOrId) ? `id = ${nameOrId}` : `name = "${nameOrId.replace(/"/g, '')}"`;
      // Names are lowercase only: compared as they are.
      return exactMatches((await aggregated(filter)).machines, nameOrId, { ignoreCase: false });
    },
    reboot: (machine) =>
      act('reboot', machine, 'Compute Engine is resetting it (a hard reset, like the reset button)'),
    start: (machine) => act('start', machine, 'Compute Engine is starting it'),
    stop: (machine) => act('stop', machine, 'Compute Engine is stopping it'),
    destroy: (machine) => act('destroy', machine, 'Compute Engine is deleting it'),
    async create(request) {
      const zone = request.params.zone ?? config.zone ?? config.zones?.[0];
      if (!zone) {
        throw new CloudmasterError(ErrorCode.BadParameter, `create on ${id} needs zone=…`, {
          provider: id,
          hint: `Add zone=europe-west1-b, or set \`zone:\` for provider ${id} in cloudmaster.yml.`,
        });
      }
      const labels = Object.fromEntries(
        (request.params.labels ? splitList(request.params.labels) : []).map((pair) => {
          const [key = '', value = ''] = pair.split(':');
          return [key.trim(), value.trim()];
        }),
      );
      const size = request.params.size ?? config.machineType;
      const instanceResource = {
        name: request.name,
        machineType: `zones/${zone}/machineTypes/${size}`,
        disks: [
          {
            boot: true,
            autoDelete: true,
            initializeParams: { sourceImage: request.params.image ?? config.image },
          },
        ],
        networkInterfaces: [
          {
            network: request.params.network ?? config.network,
            accessConfigs: [{ name: 'External NAT', type: 'ONE_TO_ONE_NAT' }],
          },
        ],
        labels: { ...config.labels, ...labels, 'created-by': 'cloudmaster' },
      };
      const [operation] = await call(
        `create ${request.name}`,
        () => instances.insert({ project, zone, instanceResource }, callOptions),
        true,
      );
      return reference(
        'create',
        { id: request.name, name: request.name },
        zone,
        operation.latestResponse as Operation | undefined,
        `Compute Engine is creating a ${size} in ${zone}`,
      );
    },
    async poll(ref): Promise<OperationProgress> {
      const zone = ref.data?.zone ?? config.zone ?? '';
      const name = ref.data?.instance ?? ref.target.name;
      if (ref.operationId) {
        const [operation] = await call('read the operation', () =>
          operations.get({ project, zone, operation: ref.operationId }, callOptions),
        );
        if (operation.status !== 'DONE')
          return { state: 'running', step: String(operation.status ?? 'running').toLowerCase() };
        const errors = operation.error?.errors ?? [];
        if (errors.length > 0) {
          return {
            state: 'failed',
            step: 'failed',
            reason: errors.map((e) => e.message ?? e.code).join('; '),
          };
        }
      }
      const machine = await instanceNow(zone, name);
      if (!machine) {
        return ref.verb === 'destroy'
          ? { state: 'succeeded', step: 'deleted' }
          : { state: 'failed', step: 'gone', reason: `${name} no longer exists` };
      }
      if (ref.verb === 'destroy') return { state: 'running', step: 'deleting', resource: machine };
      const step =
        ref.verb === 'create' && machine.publicIpv4
          ? `running at ${machine.publicIpv4}`
          : ref.verb === 'reboot'
            ? 'reset done'
            : machine.providerStatus.toLowerCase();
      return { state: 'succeeded', step, resource: machine };
    },
    async close() {
      await Promise.allSettled([instances.close(), operations.close()]);
    },
  };
}
