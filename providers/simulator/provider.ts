/** The simulator as a provider instance: latency, outages, and the contract's shapes. */
import { setTimeout as sleep } from 'node:timers/promises';
import { CloudmasterError, ErrorCode } from '../../src/errors.ts';
import type {
  CallContext,
  Machine,
  OperationProgress,
  OperationRef,
  ProviderFor,
  ProviderSetup,
  Resource,
  Stack,
} from '../types.ts';
import { cloudFor, type SimOperation, type SimulatedCloud } from './cloud.ts';
import type { SimulatorConfig } from './config.ts';
import type { simulatorCapabilities } from './index.ts';
import { SeededRandom } from './random.ts';
import { CloudStateFile } from './state-file.ts';

type SimulatorProvider = ProviderFor<typeof simulatorCapabilities>;

/** After a restart the operation record may be gone: judge by the target's state instead. */
function progressFromState(ref: OperationRef, found: readonly Resource[]): OperationProgress {
  const resource = found.find((candidate) => candidate.id === ref.target.id);
  if (!resource) {
    return ref.verb === 'destroy'
      ? { state: 'succeeded', step: 'deleted' }
      : { state: 'failed', step: 'gone', reason: `${ref.target.name} no longer exists` };
  }
  if (resource.kind === 'stack') {
    const busy =
      resource.status === 'deploying' || resource.status === 'queued' || resource.status === 'cancelling';
    if (busy) return { state: 'running', step: resource.status, resource };
    return resource.status === 'failed' && ref.verb === 'deploy'
      ? { state: 'failed', step: 'failed', reason: 'the deployment failed', resource }
      : { state: 'succeeded', step: resource.status, resource };
  }
  const target = { reboot: 'running', start: 'running', create: 'running', stop: 'stopped' } as const;
  const wanted = ref.verb in target ? target[ref.verb as keyof typeof target] : undefined;
  if (resource.status === wanted) return { state: 'succeeded', step: resource.status, resource };
  if (resource.status === 'error')
    return { state: 'failed', step: 'error', reason: `${resource.name} is in error`, resource };
  return { state: 'running', step: resource.status, resource };
}

export function createSimulator(setup: ProviderSetup<SimulatorConfig>): SimulatorProvider {
  const { id, config, clock, log } = setup;
  const cloud: SimulatedCloud = cloudFor(config, clock.now());
  const file = config.stateFile === undefined ? undefined : new CloudStateFile(config.stateFile, log);
  const jitter = new SeededRandom(config.seed ^ 0x1a7e);

  const answer = async (ctx: CallContext): Promise<number> => {
    const latency =
      typeof config.latency === 'number'
        ? config.latency
        : config.latency.min + jitter.next() * (config.latency.max - config.latency.min);
    if (latency > 0) {
      try {
        await sleep(latency, undefined, { signal: ctx.signal });
      } catch (error) {
        throw ctx.signal.aborted ? ctx.signal.reason : error;
      }
    }
    if (config.outage) {
      throw new CloudmasterError(ErrorCode.ProviderUnavailable, `Simulated outage: ${id} is not answering.`, {
        provider: id,
      });
    }
    file?.refresh(cloud);
    return clock.now();
  };

  // Every change comes back through here: the moment to keep it for the next process.
  const reference = (operation: SimOperation, accepted: string): OperationRef => {
    file?.save(cloud);
    return {
      verb: operation.verb,
      provider: id,
      target: { kind: operation.kind, id: operation.targetId, name: operation.targetName },
      operationId: operation.id,
      startedAt: new Date(operation.startedAt).toISOString(),
      accepted,
    };
  };

  return {
    id,
    type: 'simulator',
    async ping(ctx) {
      await answer(ctx);
    },
    async list(query, ctx) {
      const now = await answer(ctx);
      const { machines, stacks } = cloud.list(query, id, now);
      return { machines: machines as Machine[], stacks: stacks as Stack[], warnings: [] };
    },
    async status(nameOrId, ctx) {
      return cloud.find(nameOrId, id, await answer(ctx));
    },
    async reboot(machine, ctx) {
      return reference(cloud.transition('reboot', machine.id, await answer(ctx)), 'reboot requested');
    },
    async start(machine, ctx) {
      return reference(cloud.transition('start', machine.id, await answer(ctx)), 'power-on requested');
    },
    async stop(machine, options, ctx) {
      const operation = cloud.transition('stop', machine.id, await answer(ctx), options.force);
      return reference(operation, options.force ? 'power-off requested' : 'shutdown requested');
    },
    async create(request, ctx) {
      return reference(cloud.create(request.name, request.params, await answer(ctx)), 'machine requested');
    },
    async destroy(machine, ctx) {
      return reference(cloud.destroy(machine.id, await answer(ctx)), 'deletion requested');
    },
    async deploy(stack, options, ctx) {
      const operation = cloud.deploy(
        stack.id,
        { wait: options.wait, ...(options.service === undefined ? {} : { service: options.service }) },
        await answer(ctx),
      );
      return reference(operation, 'deployment requested');
    },
    async cancel(stack, _options, ctx) {
      return reference(cloud.cancel(stack.id, await answer(ctx)), 'cancellation requested');
    },
    async poll(ref, ctx) {
      const now = await answer(ctx);
      const operation = cloud.operation(ref.operationId);
      if (operation) return cloud.progress(operation, id, now);
      return progressFromState(ref, cloud.find(ref.target.id, id, now));
    },
  };
}
