/**
 * Azure virtual machines through the official SDKs. One listing call for
 * every VM with its power state (statusOnly), and one each for network
 * interfaces and public IPs, joined in memory; mutations through the SDK's
 * long-running-operation pollers, serialised into the operation reference
 * so they can be resumed.
 */
import { randomUUID } from 'node:crypto';
import { ComputeManagementClient, restorePoller } from '@azure/arm-compute';
import { NetworkManagementClient } from '@azure/arm-network';
import { ClientSecretCredential, DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { CloudmasterError, ErrorCode } from '../../src/errors.ts';
import { exactMatches } from '../exact-match.ts';
import type { Machine, OperationProgress, OperationRef, ProviderFor, ProviderSetup } from '../types.ts';
import type { AzureConfig } from './config.ts';
import { azureError } from './errors.ts';
import type { azureCapabilities } from './index.ts';
import { type AddressBook, toMachine } from './machines.ts';

type Method = 'restart' | 'start' | 'powerOff' | 'deallocate' | 'delete' | 'createOrUpdate';
interface Poller {
  readonly isDone: boolean;
  readonly operationState: { readonly status?: string; readonly error?: Error } | undefined;
  poll(): Promise<unknown>;
  serialize(): Promise<string>;
  submitted(): Promise<void>;
}

function credentialFor(config: AzureConfig): TokenCredential {
  const options = {
    ...(config.authorityHost ? { authorityHost: config.authorityHost } : {}),
    ...(config.disableInstanceDiscovery ? { disableInstanceDiscovery: true } : {}),
  };
  if (config.tenantId && config.clientId && config.clientSecret) {
    return new ClientSecretCredential(config.tenantId, config.clientId, config.clientSecret, options);
  }
  return new DefaultAzureCredential(options);
}

export function createAzure(setup: ProviderSetup<AzureConfig>): ProviderFor<typeof azureCapabilities> {
  const { id, config } = setup;
  const credential = credentialFor(config);
  // A custom ARM endpoint (sovereign cloud, test double) also means a token for that audience.
  const clientOptions = config.endpoint
    ? { endpoint: config.endpoint, credentials: { scopes: [`${new URL(config.endpoint).origin}/.default`] } }
    : {};
  const compute = new ComputeManagementClient(credential, config.subscriptionId, clientOptions);
  const network = new NetworkManagementClient(credential, config.subscriptionId, clientOptions);
  const pollers = new Map<string, Poller>();
  const secretVariable = setup.secretSources.clientSecret;

  /** One ARM call, its failure in clear words; `change`: an answer lost after Azure took it in is no failure. */
  const call = async <T>(action: string, run: () => Promise<T>, change = false): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw azureError(error, {
        provider: id,
        action,
        change,
        ...(secretVariable ? { secretVariable } : {}),
      });
    }
  };

  const collect = async <T>(pages: AsyncIterable<T>): Promise<T[]> => {
    const all: T[] = [];
    for await (const item of pages) all.push(item);
    return all;
  };

  const inScope = (machine: Machine): boolean =>
    !config.resourceGroups ||
    config.resourceGroups.some(
      (group) => group.toLowerCase() === machine.details?.['Resource group']?.toLowerCase(),
    );

  const machines = async (): Promise<Machine[]> => {
    const [vms, nics, ips] = await Promise.all([
      call('list virtual machines', () => collect(compute.virtualMachines.listAll({ statusOnly: 'true' }))),
      call('list network interfaces', () => collect(network.networkInterfaces.listAll())),
      call('list public IP addresses', () => collect(network.publicIPAddresses.listAll())),
    ]);
    const book: AddressBook = {
      nics: new Map(
        nics.flatMap((nic) => {
          const primary = nic.ipConfigurations?.find((c) => c.primary) ?? nic.ipConfigurations?.[0];
          return nic.id
            ? [
                [
                  nic.id.toLowerCase(),
                  {
                    ...(primary?.privateIPAddress ? { privateIp: primary.privateIPAddress } : {}),
                    ...(primary?.publicIPAddress?.id ? { publicIpId: primary.publicIPAddress.id } : {}),
                  },
                ],
              ]
            : [];
        }),
      ),
      publicIps: new Map(
        ips.flatMap((ip) => (ip.id && ip.ipAddress ? [[ip.id.toLowerCase(), ip.ipAddress]] : [])),
      ),
    };
    return vms.map((vm) => toMachine(vm, id, book)).filter(inScope);
  };

  const where = (machine: { id: string; name: string }): [string, string] => {
    const [group, name] = machine.id.split('/');
    if (!group || !name)
      throw new CloudmasterError(ErrorCode.Internal, `${machine.name} has no resource group in its id.`);
    return [group, name];
  };

  /** Starts a long-running operation and keeps its poller (and a serialised copy in the ref). */
  const begin = async (
    verb: OperationRef['verb'],
    target: { id: string; name: string },
    method: Method,
    start: () => Poller,
    accepted: string,
    extra: Record<string, string> = {},
  ): Promise<OperationRef> => {
    const poller = start();
    await call(`${method} ${target.name}`, () => poller.submitted(), true);
    const operationId = randomUUID();
    pollers.set(operationId, poller);
    return {
      verb,
      provider: id,
      target: { kind: 'machine', id: target.id, name: target.name },
      operationId,
      startedAt: new Date().toISOString(),
      accepted,
      data: { method, poller: await poller.serialize(), ...extra },
    };
  };

  const vmNow = async (group: string, name: string): Promise<Machine | undefined> => {
    try {
      return (await machines()).find((m) => m.id.toLowerCase() === `${group}/${name}`.toLowerCase());
    } catch (error) {
      if (error instanceof CloudmasterError && error.code === ErrorCode.NotFound) return undefined;
      throw error;
    }
  };

  const cleanUpNetwork = async (group: string, name: string): Promise<void> => {
    await call(
      `delete the network interface of ${name}`,
      () => network.networkInterfaces.delete(group, `${name}-nic`),
      true,
    );
    await call(
      `delete the public IP of ${name}`,
      () => network.publicIPAddresses.delete(group, `${name}-ip`),
      true,
    ).catch((error: unknown) => {
      // A VM created without a public IP has none to delete.
      if (!(error instanceof CloudmasterError && error.code === ErrorCode.NotFound)) throw error;
    });
  };

  return {
    id,
    type: 'azure',
    async ping() {
      await call('list virtual machines', async () => {
        for await (const _ of compute.virtualMachines.listAll({ statusOnly: 'true' })) break;
      });
    },
    async list(query) {
      const all = await machines();
      const filter = query.filter?.toLowerCase();
      return {
        machines: all.filter(
          (m) =>
            (query.region === undefined || m.region === query.region) &&
            (filter === undefined || m.name.toLowerCase().includes(filter)),
        ),
        stacks: [],
        warnings: [],
      };
    },
    async status(nameOrId) {
      // Azure names and ids are case-insensitive.
      return exactMatches(await machines(), nameOrId, { ignoreCase: true });
    },
    reboot: (machine) =>
      begin(
        'reboot',
        machine,
        'restart',
        () => compute.virtualMachines.restart(...where(machine)),
        'Azure is restarting the VM',
      ),
    start: (machine) =>
      begin(
        'start',
        machine,
        'start',
        () => compute.virtualMachines.start(...where(machine)),
        'Azure is starting the VM',
      ),
    stop: (machine, options) =>
      options.deallocate
        ? begin(
            'stop',
            machine,
            'deallocate',
            () => compute.virtualMachines.deallocate(...where(machine)),
            'Azure is deallocating the VM: billing for its compute stops',
          )
        : begin(
            'stop',
            machine,
            'powerOff',
            () => compute.virtualMachines.powerOff(...where(machine)),
            'Azure is powering the VM off: it stays allocated and billed (--deallocate stops billing)',
          ),
    destroy: (machine) =>
      begin(
        'destroy',
        machine,
        'delete',
        () => compute.virtualMachines.delete(...where(machine)),
        'Azure is deleting the VM',
        {
          cleanup: String(config.deleteCreatedNetwork && machine.details?.['Created by'] === 'cloudmaster'),
        },
      ),
    async create(request) {
      const need = (key: string, value: string | undefined, configKey: string, example: string): string => {
        if (value) return value;
        throw new CloudmasterError(ErrorCode.BadParameter, `create on ${id} needs ${key}=…`, {
          provider: id,
          hint: `Add ${key}=${example}, or set \`${configKey}:\` for provider ${id} in cloudmaster.yml.`,
        });
      };
      const group = need(
        'resource_group',
        request.params.resource_group ?? config.resourceGroup ?? config.resourceGroups?.[0],
        'resourceGroup',
        'my-rg',
      );
      const location = need('location', request.params.location ?? config.location, 'location', 'westeurope');
      const subnetId = need(
        'subnet',
        request.params.subnet ?? config.subnetId,
        'subnetId',
        '/subscriptions/…/subnets/default',
      );
      if (!config.sshPublicKey) {
        throw new CloudmasterError(
          ErrorCode.BadParameter,
          `create on ${id} needs an SSH public key for the admin user.`,
          {
            provider: id,
            hint: `Set \`sshPublicKey:\` for provider ${id} in cloudmaster.yml.`,
          },
        );
      }
      const [publisher, offer, sku, version] = (request.params.image ?? config.image).split(':');
      if (!publisher || !offer || !sku || !version) {
        throw new CloudmasterError(ErrorCode.BadParameter, 'image must be publisher:offer:sku:version.', {
          provider: id,
        });
      }
      const tags = { 'created-by': 'cloudmaster' };
      const ip = config.publicIp
        ? await call(
            `create a public IP for ${request.name}`,
            () =>
              network.publicIPAddresses.createOrUpdate(group, `${request.name}-ip`, {
                location,
                tags,
                sku: { name: 'Standard' },
                publicIPAllocationMethod: 'Static',
              }),
            true,
          )
        : undefined;
      const nic = await call(
        `create a network interface for ${request.name}`,
        () =>
          network.networkInterfaces.createOrUpdate(group, `${request.name}-nic`, {
            location,
            tags,
            ipConfigurations: [
              {
                name: 'ipconfig1',
                primary: true,
                subnet: { id: subnetId },
                ...(ip?.id ? { publicIPAddress: { id: ip.id } } : {}),
              },
            ],
          }),
        true,
      );
      const size = request.params.size ?? config.vmSize;
      return begin(
        'create',
        { id: `${group}/${request.name}`, name: request.name },
        'createOrUpdate',
        () =>
          compute.virtualMachines.createOrUpdate(group, request.name, {
            location,
            tags,
            hardwareProfile: { vmSize: size },
            storageProfile: {
              imageReference: { publisher, offer, sku, version },
              osDisk: { createOption: 'FromImage', managedDisk: { storageAccountType: 'Standard_LRS' } },
            },
            osProfile: {
              computerName: request.name,
              adminUsername: config.adminUsername,
              linuxConfiguration: {
                disablePasswordAuthentication: true,
                ssh: {
                  publicKeys: [
                    {
                      path: `/home/${config.adminUsername}/.ssh/authorized_keys`,
                      keyData: config.sshPublicKey,
                    },
                  ],
                },
              },
            },
            networkProfile: { networkInterfaces: [{ id: nic.id, primary: true }] },
          }),
        `Azure is creating a ${size} in ${location}, in ${group}`,
      );
    },
    async poll(ref): Promise<OperationProgress> {
      const [group, name] = where(ref.target);
      const method = ref.data?.method as Method | undefined;
      let poller = ref.operationId ? pollers.get(ref.operationId) : undefined;
      if (!poller && method && ref.data?.poller) {
        // After a restart: continue from the serialised state, never by starting the operation again.
        const source = compute.virtualMachines[method] as Parameters<typeof restorePoller>[2];
        poller = restorePoller(compute, ref.data.poller, source) as unknown as Poller;
      }
      let failure: string | undefined;
      if (poller && !poller.isDone) {
        try {
          await poller.poll();
        } catch (error) {
          // A failed operation is an answer, not an outage; anything else is.
          const said = error instanceof Error ? error.message : String(error);
          if (!/long-running operation has (failed|been canceled)/i.test(said)) {
            throw azureError(error, { provider: id, action: 'follow the operation' });
          }
          failure = said;
        }
      }
      const state = failure ? 'failed' : (poller?.operationState?.status ?? 'succeeded');
      if (state === 'failed' || state === 'canceled') {
        const said =
          failure ?? poller?.operationState?.error?.message ?? `Azure reports the operation ${state}`;
        return {
          state: 'failed',
          step: state,
          reason: said.replace(/^The long-running operation has failed\. (\w+\. )?/, ''),
        };
      }
      if (poller && !poller.isDone)
        return {
          state: 'running',
          step: {
            restart: 'restarting',
            start: 'starting',
            powerOff: 'powering off',
            deallocate: 'deallocating',
            delete: 'deleting',
            createOrUpdate: 'creating',
          }[method ?? 'restart'],
        };
      if (ref.operationId) pollers.delete(ref.operationId);
      if (ref.verb === 'destroy') {
        if (ref.data?.cleanup === 'true') {
          await cleanUpNetwork(group, name);
          return {
            state: 'succeeded',
            step: 'deleted, with the network interface and public IP cloudmaster created for it',
          };
        }
        return { state: 'succeeded', step: 'deleted' };
      }
      const machine = await vmNow(group, name);
      if (!machine) return { state: 'failed', step: 'gone', reason: `${name} no longer exists` };
      const step =
        method === 'deallocate'
          ? 'deallocated'
          : ref.verb === 'create' && machine.publicIpv4
            ? `running at ${machine.publicIpv4}`
            : machine.providerStatus;
      return { state: 'succeeded', step, resource: machine };
    },
  };
}
