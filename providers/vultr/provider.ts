/**
 * Vultr instances through the shared HTTP layer. Vultr's power calls
 * answer 204 with no operation to follow, so progress is read from the
 * instance's own status, power_status and server_status.
 */
import { z } from 'zod';
import { CloudmasterError, ErrorCode } from '../../src/errors.ts';
import { exactMatches } from '../exact-match.ts';
import { bearerClient, unlessMissing } from '../http/bearer-client.ts';
import { collectCursorPages } from '../http/paginate.ts';
import { required } from '../params.ts';
import type {
  CallContext,
  Machine,
  MachineStatus,
  OperationRef,
  ProviderFor,
  ProviderSetup,
} from '../types.ts';
import type { VultrConfig } from './config.ts';
import type { vultrCapabilities } from './index.ts';
import { errorMessage, type Instance, instanceAnswerSchema, instanceListSchema } from './schemas.ts';

/** Vultr describes an instance with three words; one normalised status comes out. */
export function instanceStatus(instance: Instance): MachineStatus {
  if (instance.status === 'pending' || instance.status === 'resizing') return 'provisioning';
  if (instance.status === 'suspended') return 'stopped';
  if (instance.status !== 'active') return 'unknown';
  if (instance.power_status === 'stopped') return 'stopped';
  if (instance.server_status === 'installingbooting') return 'starting';
  if (instance.server_status === 'locked') return 'provisioning';
  return instance.power_status === 'running' ? 'running' : 'unknown';
}

function usableIp(ip: string | undefined): string | undefined {
  return ip && ip !== '0.0.0.0' && ip !== '' ? ip : undefined;
}

export function toMachine(instance: Instance, provider: string): Machine {
  const details: Record<string, string> = {};
  if (instance.os) details.OS = instance.os;
  if (instance.vcpu_count !== undefined) details.vCPUs = String(instance.vcpu_count);
  if (instance.ram !== undefined) details.Memory = `${instance.ram / 1024} GB`;
  if (instance.disk !== undefined) details.Disk = `${instance.disk} GB`;
  if (instance.tags && instance.tags.length > 0) details.Tags = instance.tags.join(', ');
  const publicIp = usableIp(instance.main_ip);
  const privateIp = usableIp(instance.internal_ip);
  return {
    kind: 'machine',
    provider,
    id: instance.id,
    name: instance.label || instance.hostname || instance.id,
    status: instanceStatus(instance),
    providerStatus: [instance.status, instance.power_status, instance.server_status]
      .filter(Boolean)
      .join('/'),
    ...(publicIp ? { publicIpv4: publicIp } : {}),
    ...(privateIp ? { privateIpv4: privateIp } : {}),
    ...(instance.region ? { region: instance.region } : {}),
    ...(instance.plan ? { size: instance.plan } : {}),
    ...(instance.date_created ? { createdAt: instance.date_created } : {}),
    details,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createVultr(setup: ProviderSetup<VultrConfig>): ProviderFor<typeof vultrCapabilities> {
  const { id, config } = setup;
  const http = bearerClient(setup, { errorMessage });
  /** Operations that have been seen busy since they started: a reboot is done once busy and back. */
  const seenBusy = new Set<string>();

  const listInstances = (ctx: CallContext, filter: { label?: string; region?: string } = {}) =>
    collectCursorPages({
      what: 'instances',
      maxPages: config.maxPages,
      fetchPage: async (cursor) => {
        const { data } = await http.request({
          method: 'GET',
          path: '/instances',
          query: { per_page: config.perPage, cursor, ...filter },
          schema: instanceListSchema,
          signal: ctx.signal,
        });
        const next = data.meta?.links?.next;
        return { items: data.instances, ...(next ? { next } : {}) };
      },
    });

  const getInstance = async (instanceId: string, ctx: CallContext): Promise<Instance | undefined> => {
    const answer = await unlessMissing(
      http.request({
        method: 'GET',
        path: `/instances/${encodeURIComponent(instanceId)}`,
        schema: instanceAnswerSchema,
        signal: ctx.signal,
      }),
    );
    return answer?.data.instance;
  };

  const power = async (
    machine: Machine,
    call: 'reboot' | 'start' | 'halt',
    verb: OperationRef['verb'],
    ctx: CallContext,
  ): Promise<OperationRef> => {
    await http.request({
      method: 'POST',
      path: `/instances/${encodeURIComponent(machine.id)}/${call}`,
      schema: z.unknown(),
      signal: ctx.signal,
    });
    return {
      verb,
      provider: id,
      target: { kind: 'machine', id: machine.id, name: machine.name },
      startedAt: new Date().toISOString(),
      accepted: `Vultr accepted the ${call}`,
      data: { operation: `${verb}:${machine.id}:${Date.now()}` },
    };
  };

  return {
    id,
    type: 'vultr',
    async ping(ctx) {
      await http.request({
        method: 'GET',
        path: '/instances',
        query: { per_page: 1 },
        schema: instanceListSchema,
        signal: ctx.signal,
      });
    },
    async list(query, ctx) {
      const { items, warnings } = await listInstances(ctx, query.region ? { region: query.region } : {});
      const filter = query.filter?.toLowerCase();
      const machines = items
        .map((instance) => toMachine(instance, id))
        .filter(
          (machine) =>
            (query.region === undefined || machine.region === query.region) &&
            (filter === undefined || machine.name.toLowerCase().includes(filter)),
        );
      return { machines, stacks: [], warnings };
    },
    async status(nameOrId, ctx) {
      const [byLabel, byId] = await Promise.all([
        listInstances(ctx, { label: nameOrId }),
        UUID.test(nameOrId) ? getInstance(nameOrId, ctx) : Promise.resolve(undefined),
      ]);
      const found = new Map(byLabel.items.map((i) => [i.id, i]));
      if (byId) found.set(byId.id, byId);
      const machines = [...found.values()].map((instance) => toMachine(instance, id));
      return exactMatches(machines, nameOrId, { ignoreCase: true });
    },
    reboot: (machine, ctx) => power(machine, 'reboot', 'reboot', ctx),
    start: (machine, ctx) => power(machine, 'start', 'start', ctx),
    stop: (machine, _options, ctx) => power(machine, 'halt', 'stop', ctx),
    async create(request, ctx) {
      const where = { provider: id };
      const imageId = request.params.image_id ?? config.imageId;
      const osIdText = request.params.os_id ?? (config.osId === undefined ? undefined : String(config.osId));
      if (imageId === undefined && osIdText === undefined) {
        throw new CloudmasterError(ErrorCode.BadParameter, `create on ${id} needs os_id=… or image_id=…`, {
          provider: id,
          hint: `Add os_id=2284 (for example), or set \`osId:\` for provider ${id} in cloudmaster.yml.`,
        });
      }
      if (osIdText !== undefined && !/^\d+$/.test(osIdText)) {
        throw new CloudmasterError(ErrorCode.BadParameter, `os_id must be a number, not "${osIdText}".`, {
          provider: id,
        });
      }
      const body = {
        label: request.name,
        hostname: request.name,
        region: required(request.params, 'region', config.region, {
          ...where,
          configKey: 'region',
          example: 'ewr',
        }),
        plan: required(request.params, 'plan', config.plan, {
          ...where,
          configKey: 'plan',
          example: 'vc2-1c-1gb',
        }),
        ...(imageId !== undefined ? { image_id: imageId } : { os_id: Number(osIdText) }),
      };
      const { data } = await http.request({
        method: 'POST',
        path: '/instances',
        body,
        schema: instanceAnswerSchema,
        signal: ctx.signal,
      });
      return {
        verb: 'create',
        provider: id,
        target: { kind: 'machine', id: data.instance.id, name: request.name },
        startedAt: new Date().toISOString(),
        accepted: 'Vultr accepted the instance',
      };
    },
    async destroy(machine, ctx) {
      await http.request({
        method: 'DELETE',
        path: `/instances/${encodeURIComponent(machine.id)}`,
        schema: z.unknown(),
        signal: ctx.signal,
      });
      return {
        verb: 'destroy',
        provider: id,
        target: { kind: 'machine', id: machine.id, name: machine.name },
        startedAt: new Date().toISOString(),
        accepted: 'Vultr accepted the deletion',
      };
    },
    async poll(ref, ctx) {
      const instance = await getInstance(ref.target.id, ctx);
      if (!instance) {
        return ref.verb === 'destroy'
          ? { state: 'succeeded', step: 'deleted' }
          : { state: 'failed', step: 'gone', reason: `${ref.target.name} no longer exists` };
      }
      const resource = toMachine(instance, id);
      const key = ref.data?.operation ?? `${ref.verb}:${ref.target.id}:${ref.startedAt}`;
      switch (ref.verb) {
        case 'destroy':
          return { state: 'running', step: 'deleting', resource };
        case 'stop':
          return resource.status === 'stopped'
            ? { state: 'succeeded', step: 'halted', resource }
            : { state: 'running', step: 'halting', resource };
        case 'start':
        case 'create': {
          if (resource.status !== 'running')
            return { state: 'running', step: ref.verb === 'create' ? 'provisioning' : 'starting', resource };
          const step =
            ref.verb === 'create' && resource.publicIpv4 ? `running at ${resource.publicIpv4}` : 'running';
          return { state: 'succeeded', step, resource };
        }
        case 'reboot': {
          if (resource.status !== 'running') {
            seenBusy.add(key);
            return { state: 'running', step: 'rebooting', resource };
          }
          const settled = Date.now() - Date.parse(ref.startedAt) >= config.rebootSettle;
          if (seenBusy.has(key) || settled) {
            seenBusy.delete(key);
            return { state: 'succeeded', step: 'running again', resource };
          }
          return { state: 'running', step: 'rebooting', resource };
        }
        default:
          return { state: 'succeeded', step: resource.status, resource };
      }
    },
  };
}
