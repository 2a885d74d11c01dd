/** DigitalOcean droplets through the shared HTTP layer. */
import { z } from 'zod';
import { exactMatches } from '../exact-match.ts';
import { bearerClient, unlessMissing } from '../http/bearer-client.ts';
import { collectNumberedPages } from '../http/paginate.ts';
import { required, splitList } from '../params.ts';
import type {
  CallContext,
  Machine,
  MachineStatus,
  OperationProgress,
  OperationRef,
  ProviderFor,
  ProviderSetup,
} from '../types.ts';
import type { DigitalOceanConfig } from './config.ts';
import type { digitalOceanCapabilities } from './index.ts';
import {
  actionAnswerSchema,
  createAnswerSchema,
  type Droplet,
  dropletAnswerSchema,
  dropletListSchema,
  errorMessage,
  pageNumber,
} from './schemas.ts';

const STATUS: Record<string, MachineStatus> = {
  new: 'provisioning',
  active: 'running',
  off: 'stopped',
  archive: 'deleting',
};

/** The droplet action each verb sends. */
const ACTIONS = {
  reboot: 'reboot',
  start: 'power_on',
  shutdown: 'shutdown',
  power_off: 'power_off',
} as const;

const RUNNING_STEP: Record<string, string> = {
  reboot: 'rebooting',
  start: 'powering on',
  stop: 'shutting down',
  create: 'provisioning',
  destroy: 'deleting',
};

export function toMachine(droplet: Droplet, provider: string): Machine {
  const v4 = droplet.networks?.v4 ?? [];
  const publicIp = v4.find((network) => network.type === 'public')?.ip_address;
  const privateIp = v4.find((network) => network.type === 'private')?.ip_address;
  const image = droplet.image
    ? [droplet.image.distribution, droplet.image.name].filter(Boolean).join(' ')
    : '';
  const details: Record<string, string> = {};
  if (image) details.Image = image;
  if (droplet.vcpus !== undefined) details.vCPUs = String(droplet.vcpus);
  if (droplet.memory !== undefined) details.Memory = `${droplet.memory / 1024} GB`;
  if (droplet.disk !== undefined) details.Disk = `${droplet.disk} GB`;
  if (droplet.tags && droplet.tags.length > 0) details.Tags = droplet.tags.join(', ');
  if (droplet.locked) details.Locked = 'yes (an action is in progress)';
  return {
    kind: 'machine',
    provider,
    id: String(droplet.id),
    name: droplet.name,
    status: STATUS[droplet.status] ?? 'unknown',
    providerStatus: droplet.status,
    ...(publicIp ? { publicIpv4: publicIp } : {}),
    ...(privateIp ? { privateIpv4: privateIp } : {}),
    ...(droplet.region ? { region: droplet.region.slug } : {}),
    ...(droplet.size_slug ? { size: droplet.size_slug } : {}),
    ...(droplet.created_at ? { createdAt: droplet.created_at } : {}),
    details,
  };
}

export function createDigitalOcean(
  setup: ProviderSetup<DigitalOceanConfig>,
): ProviderFor<typeof digitalOceanCapabilities> {
  const { id, config } = setup;
  const http = bearerClient(setup, { errorMessage });

  const listDroplets = async (ctx: CallContext, name?: string) =>
    collectNumberedPages({
      what: 'droplets',
      maxPages: config.maxPages,
      concurrency: config.concurrency,
      fetchPage: async (page) => {
        const { data } = await http.request({
          method: 'GET',
          path: '/v2/droplets',
          query: { page, per_page: config.perPage, ...(name === undefined ? {} : { name }) },
          schema: dropletListSchema,
          signal: ctx.signal,
        });
        const last =
          pageNumber(data.links?.pages?.last) ??
          (data.meta ? Math.max(1, Math.ceil(data.meta.total / config.perPage)) : page);
        return { items: data.droplets, lastPage: Math.max(last, page) };
      },
    });

  const getDroplet = async (dropletId: string, ctx: CallContext): Promise<Droplet | undefined> => {
    const answer = await unlessMissing(
      http.request({
        method: 'GET',
        path: `/v2/droplets/${encodeURIComponent(dropletId)}`,
        schema: dropletAnswerSchema,
        signal: ctx.signal,
      }),
    );
    return answer?.data.droplet;
  };

  const act = async (
    machine: Machine,
    type: string,
    ctx: CallContext,
    verb: OperationRef['verb'],
  ): Promise<OperationRef> => {
    const { data } = await http.request({
      method: 'POST',
      path: `/v2/droplets/${encodeURIComponent(machine.id)}/actions`,
      body: { type },
      schema: actionAnswerSchema,
      signal: ctx.signal,
    });
    return {
      verb,
      provider: id,
      target: { kind: 'machine', id: machine.id, name: machine.name },
      operationId: String(data.action.id),
      startedAt: data.action.started_at ?? new Date().toISOString(),
      accepted: `DigitalOcean started the ${type} action`,
    };
  };

  const finished = (ref: OperationRef, droplet: Droplet | undefined): OperationProgress => {
    const resource = droplet ? toMachine(droplet, id) : undefined;
    const withResource = resource ? { resource } : {};
    switch (ref.verb) {
      case 'stop':
        return { state: 'succeeded', step: 'off', ...withResource };
      case 'create':
        return {
          state: 'succeeded',
          step: resource?.publicIpv4 ? `running at ${resource.publicIpv4}` : 'running',
          ...withResource,
        };
      case 'reboot':
        return { state: 'succeeded', step: 'running again', ...withResource };
      default:
        return { state: 'succeeded', step: resource?.status ?? 'done', ...withResource };
    }
  };

  return {
    id,
    type: 'digitalocean',
    async ping(ctx) {
      await http.request({
        method: 'GET',
        path: '/v2/droplets',
        query: { per_page: 1 },
        schema: dropletListSchema,
        signal: ctx.signal,
      });
    },
    async list(query, ctx) {
      const { items, warnings } = await listDroplets(ctx);
      const filter = query.filter?.toLowerCase();
      const machines = items
        .map((droplet) => toMachine(droplet, id))
        .filter(
          (machine) =>
            (query.region === undefined || machine.region === query.region) &&
            (filter === undefined || machine.name.toLowerCase().includes(filter)),
        );
      return { machines, stacks: [], warnings };
    },
    async status(nameOrId, ctx) {
      // The API filters names exactly (any case), checked again here; a number may also be an id.
      const [byName, byId] = await Promise.all([
        listDroplets(ctx, nameOrId),
        /^\d+$/.test(nameOrId) ? getDroplet(nameOrId, ctx) : Promise.resolve(undefined),
      ]);
      const found = new Map(byName.items.map((droplet) => [droplet.id, droplet]));
      if (byId) found.set(byId.id, byId);
      const machines = [...found.values()].map((droplet) => toMachine(droplet, id));
      return exactMatches(machines, nameOrId, { ignoreCase: true });
    },
    reboot: (machine, ctx) => act(machine, ACTIONS.reboot, ctx, 'reboot'),
    start: (machine, ctx) => act(machine, ACTIONS.start, ctx, 'start'),
    stop: (machine, options, ctx) =>
      act(machine, options.force ? ACTIONS.power_off : ACTIONS.shutdown, ctx, 'stop'),
    async create(request, ctx) {
      const where = { provider: id };
      const body = {
        name: request.name,
        region: required(request.params, 'region', config.region, {
          ...where,
          configKey: 'region',
          example: 'nyc3',
        }),
        size: required(request.params, 'size', config.size, {
          ...where,
          configKey: 'size',
          example: 's-1vcpu-1gb',
        }),
        image: required(request.params, 'image', config.image, {
          ...where,
          configKey: 'image',
          example: 'ubuntu-24-04-x64',
        }),
        ...(request.params.ssh_keys || config.sshKeys
          ? {
              ssh_keys: request.params.ssh_keys
                ? splitList(request.params.ssh_keys).map((key) => (/^\d+$/.test(key) ? Number(key) : key))
                : config.sshKeys,
            }
          : {}),
        ...(request.params.tags || config.tags
          ? { tags: request.params.tags ? splitList(request.params.tags) : config.tags }
          : {}),
      };
      const { data } = await http.request({
        method: 'POST',
        path: '/v2/droplets',
        body,
        schema: createAnswerSchema,
        signal: ctx.signal,
      });
      const action = data.links?.actions?.find((link) => link.rel === 'create') ?? data.links?.actions?.[0];
      return {
        verb: 'create',
        provider: id,
        target: { kind: 'machine', id: String(data.droplet.id), name: data.droplet.name },
        ...(action ? { operationId: String(action.id) } : {}),
        startedAt: new Date().toISOString(),
        accepted: 'DigitalOcean accepted the droplet',
      };
    },
    async destroy(machine, ctx) {
      await http.request({
        method: 'DELETE',
        path: `/v2/droplets/${encodeURIComponent(machine.id)}`,
        schema: z.unknown(),
        signal: ctx.signal,
      });
      return {
        verb: 'destroy',
        provider: id,
        target: { kind: 'machine', id: machine.id, name: machine.name },
        startedAt: new Date().toISOString(),
        accepted: 'DigitalOcean accepted the deletion',
      };
    },
    async poll(ref, ctx) {
      if (ref.operationId === undefined) {
        // Deletion has no action: it is done when the droplet is gone.
        const droplet = await getDroplet(ref.target.id, ctx);
        if (!droplet)
          return ref.verb === 'destroy'
            ? { state: 'succeeded', step: 'deleted' }
            : { state: 'failed', step: 'gone', reason: `${ref.target.name} no longer exists` };
        return {
          state: 'running',
          step: RUNNING_STEP[ref.verb] ?? 'working',
          resource: toMachine(droplet, id),
        };
      }
      const { data } = await http.request({
        method: 'GET',
        path: `/v2/actions/${encodeURIComponent(ref.operationId)}`,
        schema: actionAnswerSchema,
        signal: ctx.signal,
      });
      if (data.action.status === 'in-progress')
        return { state: 'running', step: RUNNING_STEP[ref.verb] ?? data.action.type };
      const droplet = await getDroplet(ref.target.id, ctx);
      if (data.action.status === 'errored') {
        return {
          state: 'failed',
          step: 'errored',
          reason: `DigitalOcean reports that the ${data.action.type} action (${data.action.id}) errored`,
          ...(droplet ? { resource: toMachine(droplet, id) } : {}),
        };
      }
      return finished(ref, droplet);
    },
  };
}
