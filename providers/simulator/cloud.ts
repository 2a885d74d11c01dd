/**
 * The simulated cloud: machines and stacks whose states move with the
 * clock. Transitions are computed when read (no timers), so a fake clock
 * drives them in tests and a restarted app in the same world sees them move on.
 */
import { formatDuration } from '../../src/config/duration.ts';
import { CloudmasterError, ErrorCode } from '../../src/errors.ts';
import type { MutatingVerb } from '../../src/grammar/command.ts';
import { exactMatches } from '../exact-match.ts';
import type { ListQuery, MachineStatus, OperationProgress, Resource } from '../types.ts';
import type { SimulatorConfig } from './config.ts';
import { generateMachines, generateStacks, sizeFacts } from './generate.ts';
import { SeededRandom } from './random.ts';
import {
  deploymentTimeline,
  machineView,
  PROVIDER_WORDS,
  type SimDeployment,
  type SimMachine,
  type SimStack,
  stackView,
} from './state.ts';

export interface SimOperation {
  readonly id: string;
  readonly verb: MutatingVerb;
  readonly kind: Resource['kind'];
  readonly targetId: string;
  readonly targetName: string;
  readonly startedAt: number;
  /** Machine operations end here; stack operations follow their deployment. */
  readonly doneAt: number;
  readonly deploymentId?: string;
  readonly failWith?: string;
  /** The last step's words on success ("running again after 3 s"). */
  readonly doneStep: string;
}

export interface CloudSnapshot {
  readonly seed: number;
  readonly machines: readonly SimMachine[];
  readonly stacks: readonly SimStack[];
  readonly operations: readonly SimOperation[];
  readonly operationCount: number;
  /** Where the id generator is, so new machines never reuse an id. */
  readonly random: number;
}

export interface RequestRecord {
  readonly verb: MutatingVerb;
  readonly target: string;
  readonly at: number;
}

const STEP_WORDS: Record<MutatingVerb, string> = {
  reboot: 'rebooting',
  start: 'starting',
  stop: 'shutting down',
  create: 'provisioning',
  destroy: 'deleting',
  deploy: 'deploying',
  cancel: 'cancelling',
};

export class SimulatedCloud {
  readonly config: SimulatorConfig;
  /** Every mutation request received, in order: tests count them. */
  readonly requests: RequestRecord[] = [];
  private readonly machines = new Map<string, SimMachine>();
  private stacks: SimStack[];
  private readonly operations = new Map<string, SimOperation>();
  private readonly random: SeededRandom;
  private operationCount = 0;

  constructor(config: SimulatorConfig, now: number) {
    this.config = config;
    this.random = new SeededRandom(config.seed ^ 0xc0ffee);
    for (const machine of generateMachines(config, now)) this.machines.set(machine.id, machine);
    this.stacks = generateStacks(config, now);
  }

  /** Everything that makes this cloud what it is now, as plain data (providers/simulator/state-file.ts). */
  snapshot(): CloudSnapshot {
    return {
      seed: this.config.seed,
      machines: [...this.machines.values()],
      stacks: this.stacks,
      operations: [...this.operations.values()],
      operationCount: this.operationCount,
      random: this.random.position,
    };
  }

  /** Becomes the cloud a snapshot describes (another process changed it). */
  restore(snapshot: CloudSnapshot): void {
    this.machines.clear();
    for (const machine of snapshot.machines) this.machines.set(machine.id, { ...machine });
    this.stacks = snapshot.stacks.map((stack) => ({ ...stack, deployments: [...stack.deployments] }));
    this.operations.clear();
    for (const operation of snapshot.operations) this.operations.set(operation.id, operation);
    this.operationCount = snapshot.operationCount;
    this.random.position = snapshot.random;
  }

  /** Applies a finished transition. Returns false when the machine is gone. */
  private settle(machine: SimMachine, now: number): boolean {
    const transition = machine.transition;
    if (!transition || now < transition.until) return true;
    if (transition.to === 'gone') {
      this.machines.delete(machine.id);
      return false;
    }
    machine.status = transition.to;
    machine.word = PROVIDER_WORDS[transition.to];
    machine.transition = undefined;
    return true;
  }

  private liveMachines(now: number): SimMachine[] {
    return [...this.machines.values()].filter((machine) => this.settle(machine, now));
  }

  list(query: ListQuery, provider: string, now: number): { machines: Resource[]; stacks: Resource[] } {
    const filter = query.filter?.toLowerCase();
    const region = query.region?.toLowerCase();
    const stackName = query.stack?.toLowerCase();
    const machines =
      stackName === undefined
        ? this.liveMachines(now)
            .filter(
              (m) =>
                (region === undefined || m.region.toLowerCase() === region) &&
                (filter === undefined || m.name.toLowerCase().includes(filter)),
            )
            .map((m) => machineView(m, provider))
        : [];
    const stacks =
      region === undefined
        ? this.stacks
            .filter(
              (s) =>
                (stackName === undefined || s.name.toLowerCase().includes(stackName)) &&
                (filter === undefined || s.name.toLowerCase().includes(filter)),
            )
            .map((s) => stackView(s, provider, now))
        : [];
    return { machines, stacks };
  }

  find(nameOrId: string, provider: string, now: number): Resource[] {
    const machines = exactMatches(this.liveMachines(now), nameOrId, { ignoreCase: true });
    const stacks = exactMatches(this.stacks, nameOrId, { ignoreCase: true });
    return [
      ...machines.map((m) => machineView(m, provider)),
      ...stacks.map((s) => stackView(s, provider, now)),
    ];
  }

  private machine(id: string, now: number): SimMachine {
    const machine = this.machines.get(id);
    if (!machine || !this.settle(machine, now)) {
      throw new CloudmasterError(ErrorCode.NotFound, `No machine with id ${id} any more.`);
    }
    return machine;
  }

  private nextOperationId(): string {
    this.operationCount += 1;
    return `sim-op-${this.operationCount}`;
  }

  private record(operation: SimOperation): SimOperation {
    this.operations.set(operation.id, operation);
    this.requests.push({ verb: operation.verb, target: operation.targetName, at: operation.startedAt });
    return operation;
  }

  private requireState(machine: SimMachine, verb: MutatingVerb, allowed: readonly MachineStatus[]): void {
    if (machine.transition) {
      throw new CloudmasterError(
        ErrorCode.InvalidState,
        `${machine.name} is ${machine.status}; try again when it has finished.`,
      );
    }
    if (allowed.includes(machine.status)) return;
    const hints: Partial<Record<MachineStatus, string>> = {
      stopped: verb === 'stop' ? 'It is already stopped.' : `Start it first: \`start ${machine.name}\`.`,
      running: verb === 'start' ? 'It is already running.' : undefined,
    };
    const hint = hints[machine.status];
    throw new CloudmasterError(
      ErrorCode.InvalidState,
      `${machine.name} is ${machine.status}, so it cannot ${verb}.`,
      {
        ...(hint ? { hint } : {}),
      },
    );
  }

  /** reboot, start, stop: a machine moves through a transition to a target state. */
  transition(verb: 'reboot' | 'start' | 'stop', id: string, now: number, force = false): SimOperation {
    const machine = this.machine(id, now);
    const allowed: Record<typeof verb, MachineStatus[]> = {
      reboot: ['running', 'error'],
      start: ['stopped', 'error'],
      stop: ['running', 'error'],
    };
    this.requireState(machine, verb, allowed[verb]);
    const failWith = this.config.failures[verb];
    const delay = verb === 'stop' && force ? this.config.delays.forceStop : this.config.delays[verb];
    const target: MachineStatus = verb === 'stop' ? 'stopped' : 'running';
    const during: MachineStatus =
      verb === 'reboot' ? 'rebooting' : verb === 'start' ? 'starting' : 'stopping';
    const previous = machine.status;
    machine.status = during;
    machine.word = verb === 'stop' && force ? 'powering-off' : PROVIDER_WORDS[during];
    // A failed reboot or start leaves the machine broken; a failed stop leaves it as it was.
    const reached: MachineStatus = failWith ? (verb === 'stop' ? previous : 'error') : target;
    machine.transition = { until: now + delay, to: reached };
    const doneStep =
      verb === 'reboot'
        ? `running again after ${formatDuration(delay)}`
        : verb === 'start'
          ? 'running'
          : force
            ? 'powered off'
            : 'stopped';
    return this.record({
      id: this.nextOperationId(),
      verb,
      kind: 'machine',
      targetId: id,
      targetName: machine.name,
      startedAt: now,
      doneAt: now + delay,
      doneStep,
      ...(failWith ? { failWith } : {}),
    });
  }

  create(name: string, params: Readonly<Record<string, string>>, now: number): SimOperation {
    const { config } = this;
    if (this.liveMachines(now).some((m) => m.name.toLowerCase() === name.toLowerCase())) {
      throw new CloudmasterError(ErrorCode.BadParameter, `A machine named ${name} already exists.`, {
        hint: 'Pick another name, or destroy the old one first.',
      });
    }
    const choose = (
      key: 'size' | 'image' | 'region',
      allowed: readonly string[],
      fallback: string,
    ): string => {
      const value = params[key] ?? fallback;
      if (!allowed.includes(value)) {
        throw new CloudmasterError(ErrorCode.BadParameter, `"${value}" is not a ${key} here.`, {
          hint: `Known ${key}s:`,
          candidates: [...allowed],
        });
      }
      return value;
    };
    const size = choose('size', config.sizes, config.defaultSize ?? (config.sizes[0] as string));
    const image = choose('image', config.images, config.defaultImage ?? (config.images[0] as string));
    const region = choose('region', config.regions, config.defaultRegion ?? (config.regions[0] as string));
    const failWith = config.failures.create;
    const index = this.machines.size + this.operationCount;
    const machine: SimMachine = {
      id: `sim-${this.random.hex(8)}`,
      name,
      region,
      size,
      image,
      ...sizeFacts(size, config.sizes),
      publicIpv4: `203.0.113.${(index % 254) + 1}`,
      privateIpv4: `10.${config.regions.indexOf(region)}.200.${(index % 254) + 1}`,
      createdAt: new Date(now).toISOString(),
      status: 'provisioning',
      word: PROVIDER_WORDS.provisioning,
      transition: { until: now + config.delays.create, to: failWith ? 'error' : 'running' },
    };
    this.machines.set(machine.id, machine);
    return this.record({
      id: this.nextOperationId(),
      verb: 'create',
      kind: 'machine',
      targetId: machine.id,
      targetName: name,
      startedAt: now,
      doneAt: now + config.delays.create,
      doneStep: `running at ${machine.publicIpv4}`,
      ...(failWith ? { failWith } : {}),
    });
  }

  destroy(id: string, now: number): SimOperation {
    const machine = this.machine(id, now);
    this.requireState(machine, 'destroy', ['running', 'stopped', 'error']);
    const failWith = this.config.failures.destroy;
    const previous = machine.status;
    machine.status = 'deleting';
    machine.word = PROVIDER_WORDS.deleting;
    machine.transition = { until: now + this.config.delays.destroy, to: failWith ? previous : 'gone' };
    return this.record({
      id: this.nextOperationId(),
      verb: 'destroy',
      kind: 'machine',
      targetId: id,
      targetName: machine.name,
      startedAt: now,
      doneAt: now + this.config.delays.destroy,
      doneStep: 'deleted',
      ...(failWith ? { failWith } : {}),
    });
  }

  private stack(id: string): SimStack {
    const stack = this.stacks.find((candidate) => candidate.id === id);
    if (!stack) throw new CloudmasterError(ErrorCode.NotFound, `No stack with id ${id} any more.`);
    return stack;
  }

  deploy(id: string, options: { service?: string; wait: boolean }, now: number): SimOperation {
    const stack = this.stack(id);
    if (options.service !== undefined && !stack.services.includes(options.service)) {
      throw new CloudmasterError(
        ErrorCode.BadParameter,
        `${stack.name} has no service "${options.service}".`,
        {
          hint: 'Its services:',
          candidates: [...stack.services],
        },
      );
    }
    const busy = deploymentTimeline(stack, now).some(
      (view) => view.phase !== 'succeeded' && view.phase !== 'failed' && view.phase !== 'cancelled',
    );
    if (busy && !options.wait) {
      throw new CloudmasterError(
        ErrorCode.InvalidState,
        `${stack.name} (${stack.environment}) is already deploying; not queued because of -w false.`,
        { hint: 'Leave out `-w false` to queue behind it, or cancel it first.' },
      );
    }
    const failWith = this.config.failures.deploy;
    const deployment: SimDeployment = {
      id: String(10_000 + this.operationCount + stack.deployments.length),
      requestedAt: now,
      duration: this.config.delays.deploy,
      services: options.service ? [options.service] : stack.services,
      triggeredBy: 'cloudmaster',
      ...(failWith ? { failWith } : {}),
    };
    stack.deployments.push(deployment);
    return this.record({
      id: this.nextOperationId(),
      verb: 'deploy',
      kind: 'stack',
      targetId: id,
      targetName: stack.name,
      startedAt: now,
      doneAt: now,
      deploymentId: deployment.id,
      doneStep: `deployed ${deployment.services.join(', ')}`,
      ...(failWith ? { failWith } : {}),
    });
  }

  cancel(id: string, now: number): SimOperation {
    const stack = this.stack(id);
    const running = deploymentTimeline(stack, now).find((view) => view.phase === 'deploying');
    if (!running) {
      throw new CloudmasterError(
        ErrorCode.InvalidState,
        `${stack.name} (${stack.environment}) has no deployment running to cancel.`,
      );
    }
    running.deployment.cancelRequestedAt = now;
    running.deployment.cancelDuration = this.config.delays.cancel;
    return this.record({
      id: this.nextOperationId(),
      verb: 'cancel',
      kind: 'stack',
      targetId: id,
      targetName: stack.name,
      startedAt: now,
      doneAt: now + this.config.delays.cancel,
      deploymentId: running.deployment.id,
      doneStep: `deployment ${running.deployment.id} cancelled`,
    });
  }

  operation(id: string | undefined): SimOperation | undefined {
    return id === undefined ? undefined : this.operations.get(id);
  }

  /** Where an operation stands now. */
  progress(operation: SimOperation, provider: string, now: number): OperationProgress {
    return operation.kind === 'stack'
      ? this.stackProgress(operation, provider, now)
      : this.machineProgress(operation, provider, now);
  }

  private machineProgress(operation: SimOperation, provider: string, now: number): OperationProgress {
    const machine = this.machines.get(operation.targetId);
    const alive = machine !== undefined && this.settle(machine, now);
    const resource = alive && machine ? machineView(machine, provider) : undefined;
    const withResource = resource ? { resource } : {};
    if (now < operation.doneAt)
      return { state: 'running', step: STEP_WORDS[operation.verb], ...withResource };
    if (operation.failWith)
      return { state: 'failed', step: 'failed', reason: operation.failWith, ...withResource };
    if (operation.verb !== 'destroy' && !resource) {
      return { state: 'failed', step: 'gone', reason: `${operation.targetName} no longer exists` };
    }
    return { state: 'succeeded', step: operation.doneStep, ...withResource };
  }

  private stackProgress(operation: SimOperation, provider: string, now: number): OperationProgress {
    const stack = this.stack(operation.targetId);
    const resource = stackView(stack, provider, now);
    const views = deploymentTimeline(stack, now);
    const view = views.find((candidate) => candidate.deployment.id === operation.deploymentId);
    if (!view)
      return { state: 'failed', step: 'gone', reason: 'the deployment is no longer known', resource };
    const services = view.deployment.services.join(', ');
    switch (view.phase) {
      case 'queued': {
        const ahead = views.filter((other) => other.start < view.start && other.end > now).at(-1);
        return {
          state: 'running',
          step: `queued behind deployment ${ahead?.deployment.id ?? ''}`.trim(),
          resource,
        };
      }
      case 'deploying':
        return { state: 'running', step: `deploying ${services}`, resource };
      case 'cancelling':
        return { state: 'running', step: 'cancelling', resource };
      case 'succeeded':
        return operation.verb === 'cancel'
          ? {
              state: 'failed',
              step: 'finished first',
              reason: 'the deployment finished before it could be cancelled',
              resource,
            }
          : { state: 'succeeded', step: operation.doneStep, resource };
      case 'failed':
        return {
          state: 'failed',
          step: 'failed',
          reason: view.deployment.failWith ?? 'the deployment failed',
          resource,
        };
      case 'cancelled':
        return operation.verb === 'cancel'
          ? { state: 'succeeded', step: operation.doneStep, resource }
          : { state: 'cancelled', step: 'cancelled', resource };
    }
  }
}

/** Clouds shared by name within this process (config key `world`). */
const WORLDS = new Map<string, SimulatedCloud>();

export function cloudFor(config: SimulatorConfig, now: number): SimulatedCloud {
  if (config.world === undefined) return new SimulatedCloud(config, now);
  let cloud = WORLDS.get(config.world);
  if (!cloud) {
    cloud = new SimulatedCloud(config, now);
    WORLDS.set(config.world, cloud);
  }
  return cloud;
}

/** The shared cloud of a world, for tests that look at what the provider saw. */
export function simulatedWorld(name: string): SimulatedCloud | undefined {
  return WORLDS.get(name);
}

/** Forgets a world, so a test starts from a fresh cloud. */
export function forgetWorld(name: string): void {
  WORLDS.delete(name);
}
