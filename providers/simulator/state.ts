/** The simulated cloud's internal records, and how they read as contract resources. */
import type { Machine, MachineStatus, Stack, StackStatus } from '../types.ts';

/** The simulator's own words for states, as a real API has its own. */
export const PROVIDER_WORDS: Record<MachineStatus, string> = {
  running: 'active',
  stopped: 'off',
  starting: 'powering-on',
  stopping: 'shutting-down',
  rebooting: 'rebooting',
  provisioning: 'new',
  deleting: 'archiving',
  error: 'errored',
  unknown: 'unknown',
};

export interface Transition {
  /** Epoch ms at which `to` applies. */
  readonly until: number;
  /** The state reached; `gone` removes the machine. */
  readonly to: MachineStatus | 'gone';
  /** The provider's word while in transition, when it differs from the default. */
  readonly word?: string;
}

export interface SimMachine {
  readonly id: string;
  readonly name: string;
  readonly region: string;
  readonly size: string;
  readonly image: string;
  readonly vcpus: number;
  readonly memoryGb: number;
  readonly publicIpv4: string | undefined;
  readonly privateIpv4: string;
  /** ISO-8601, formatted once: lists of thousands read it on every call. */
  readonly createdAt: string;
  status: MachineStatus;
  word: string;
  transition: Transition | undefined;
}

export interface SimDeployment {
  readonly id: string;
  readonly requestedAt: number;
  readonly duration: number;
  readonly services: readonly string[];
  readonly triggeredBy: string;
  /** Set when a cancel was asked for; the cancel takes `cancelDuration`. */
  cancelRequestedAt?: number;
  cancelDuration?: number;
  /** Fails at its end with this message. */
  readonly failWith?: string;
}

export interface SimStack {
  readonly id: string;
  readonly name: string;
  readonly environment: string;
  readonly services: readonly string[];
  readonly deployments: SimDeployment[];
}

export type DeploymentPhase = 'queued' | 'deploying' | 'cancelling' | 'succeeded' | 'failed' | 'cancelled';

export interface DeploymentView {
  readonly deployment: SimDeployment;
  readonly start: number;
  readonly end: number;
  readonly phase: DeploymentPhase;
}

/** Deployments run one after another: a queued one starts when the one before it ends. */
export function deploymentTimeline(stack: SimStack, now: number): DeploymentView[] {
  const views: DeploymentView[] = [];
  let previousEnd = Number.NEGATIVE_INFINITY;
  for (const deployment of stack.deployments) {
    const start = Math.max(deployment.requestedAt, previousEnd);
    const cancelFrom =
      deployment.cancelRequestedAt === undefined ? undefined : Math.max(deployment.cancelRequestedAt, start);
    const end =
      cancelFrom === undefined ? start + deployment.duration : cancelFrom + (deployment.cancelDuration ?? 0);
    let phase: DeploymentPhase;
    if (now < start) phase = 'queued';
    else if (now < end) phase = cancelFrom !== undefined && now >= cancelFrom ? 'cancelling' : 'deploying';
    else if (cancelFrom !== undefined) phase = 'cancelled';
    else phase = deployment.failWith ? 'failed' : 'succeeded';
    views.push({ deployment, start, end, phase });
    previousEnd = end;
  }
  return views;
}

const STACK_WORDS: Record<StackStatus, string> = {
  deployed: 'Deployed successfully',
  queued: 'Queued for deployment',
  deploying: 'Deploying',
  cancelling: 'Cancelling deployment',
  failed: 'Deployment failed',
  analysing: 'Analysing',
  unknown: 'Unknown',
};

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function stackView(stack: SimStack, provider: string, now: number): Stack {
  const timeline = deploymentTimeline(stack, now);
  const active = timeline.find((view) => view.phase === 'deploying' || view.phase === 'cancelling');
  const queued = timeline.some((view) => view.phase === 'queued');
  const started = timeline.filter((view) => view.start <= now);
  const latest = started.at(-1);
  const finished = started.filter((view) => view.end <= now).at(-1);
  let status: StackStatus;
  if (active) status = active.phase === 'cancelling' ? 'cancelling' : 'deploying';
  else if (queued) status = 'queued';
  else if (finished?.phase === 'failed') status = 'failed';
  else status = 'deployed';
  const outcome = (view: DeploymentView): string | undefined =>
    view.phase === 'succeeded'
      ? 'success'
      : view.phase === 'failed' || view.phase === 'cancelled'
        ? view.phase
        : undefined;
  return {
    kind: 'stack',
    provider,
    id: stack.id,
    name: stack.name,
    environment: stack.environment,
    status,
    providerStatus: STACK_WORDS[status],
    ...(latest
      ? {
          lastDeployment: {
            id: latest.deployment.id,
            startedAt: iso(latest.start),
            ...(latest.end <= now ? { finishedAt: iso(latest.end) } : {}),
            ...(outcome(latest) ? { outcome: outcome(latest) } : {}),
            triggeredBy: latest.deployment.triggeredBy,
            services: latest.deployment.services,
          },
        }
      : {}),
    details: { services: stack.services.join(', ') },
  };
}

export function machineView(machine: SimMachine, provider: string): Machine {
  return {
    kind: 'machine',
    provider,
    id: machine.id,
    name: machine.name,
    status: machine.status,
    providerStatus: machine.word,
    ...(machine.publicIpv4 ? { publicIpv4: machine.publicIpv4 } : {}),
    privateIpv4: machine.privateIpv4,
    region: machine.region,
    size: machine.size,
    createdAt: machine.createdAt,
    details: { Image: machine.image, vCPUs: String(machine.vcpus), Memory: `${machine.memoryGb} GB` },
  };
}
