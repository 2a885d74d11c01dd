/** Words for verbs and statuses, shared by the Slack and CLI replies. */
import type { MachineStatus, StackStatus } from '../../providers/types.ts';
import { formatDuration } from '../config/duration.ts';
import type { OperationPlan } from '../dispatch/outcome.ts';
import type { MutatingVerb } from '../grammar/command.ts';

interface VerbWords {
  /** "Rebooting" — the message posted before the provider is called. */
  readonly doing: string;
  /** "rebooted" — the final line. */
  readonly done: string;
  /** "reboot" — "the reboot of web-1 failed". */
  readonly noun: string;
}

const VERB_WORDS: Record<MutatingVerb, VerbWords> = {
  reboot: { doing: 'Rebooting', done: 'rebooted', noun: 'reboot' },
  start: { doing: 'Starting', done: 'started', noun: 'start' },
  stop: { doing: 'Stopping', done: 'stopped', noun: 'stop' },
  create: { doing: 'Creating', done: 'created', noun: 'creation' },
  destroy: { doing: 'Destroying', done: 'destroyed', noun: 'destruction' },
  deploy: { doing: 'Deploying', done: 'deployed', noun: 'deployment' },
  cancel: { doing: 'Cancelling the deployment of', done: 'deployment cancelled', noun: 'cancellation' },
};

export function verbWords(plan: Pick<OperationPlan, 'verb' | 'options'>): VerbWords {
  if (plan.verb === 'stop' && plan.options.force === true) {
    return { doing: 'Powering off', done: 'powered off', noun: 'power-off' };
  }
  if (plan.verb === 'stop' && plan.options.deallocate === true) {
    return { doing: 'Stopping and deallocating', done: 'stopped and deallocated', noun: 'stop' };
  }
  return VERB_WORDS[plan.verb];
}

/** "web-1 on demo", "shop (production) on c66". */
export function targetPhrase(plan: OperationPlan): string {
  const resource = plan.resource;
  const environment = resource?.kind === 'stack' ? ` (${resource.environment})` : '';
  return `${plan.target.name}${environment} on ${plan.provider.id}`;
}

/** What the plan adds to the verb: "services: web", "size=s-1vcpu-1gb". */
export function planDetails(plan: OperationPlan): string[] {
  return Object.entries(plan.options)
    .filter(([key]) => !['force', 'deallocate', 'environment'].includes(key))
    .map(([key, value]) =>
      key === 'wait' ? (value ? 'queue if busy' : 'do not queue') : `${key}=${String(value)}`,
    );
}

export const MACHINE_STATUS_EMOJI: Record<MachineStatus, string> = {
  running: ':large_green_circle:',
  stopped: ':black_circle:',
  starting: ':large_blue_circle:',
  stopping: ':large_blue_circle:',
  rebooting: ':arrows_counterclockwise:',
  provisioning: ':construction:',
  deleting: ':wastebasket:',
  error: ':red_circle:',
  unknown: ':white_circle:',
};

export const STACK_STATUS_EMOJI: Record<StackStatus, string> = {
  deployed: ':white_check_mark:',
  queued: ':hourglass_flowing_sand:',
  deploying: ':rocket:',
  cancelling: ':no_entry:',
  failed: ':x:',
  analysing: ':mag:',
  unknown: ':grey_question:',
};

/** "running" or "running (active)" when the provider's word differs. */
export function statusWords(status: string, providerStatus: string): string {
  return providerStatus && providerStatus.toLowerCase() !== status ? `${status} (${providerStatus})` : status;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;
}

/** "cached 12 s ago" for answers served from the read cache; "" for live ones. */
export function cachedNote(ageMs: number | undefined): string {
  return ageMs === undefined ? '' : `cached ${formatDuration(ageMs)} ago`;
}
