/**
 * vSphere tasks: the `*_Task` methods answer at once with a Task object,
 * whose `info` says how far it got (state, progress, error, result). The
 * Task's id is all a later poll needs, so an operation can be followed
 * after a restart from the id alone.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CloudmasterError, ErrorCode } from '../../../src/errors.ts';
import { type MethodFault, readLocalizedFault } from './faults.ts';
import { retrieve } from './property-collector.ts';
import type { Vim25Api } from './session.ts';
import { type ManagedObjectReference, moref, readMoref, readNumber, type SoapStruct } from './values.ts';
import { child, childText } from './xml.ts';

export type TaskState = 'queued' | 'running' | 'success' | 'error';

export interface TaskInfo {
  readonly task: ManagedObjectReference;
  readonly state: TaskState;
  /** Percent done, when the task reports it. */
  readonly progress?: number;
  readonly error?: MethodFault;
  /** What a successful task made, e.g. the new VM of a clone. */
  readonly result?: ManagedObjectReference;
}

const STATES = new Set<string>(['queued', 'running', 'success', 'error']);

export function taskRef(value: string): ManagedObjectReference {
  return moref('Task', value);
}

/** Calls a `*_Task` method; the Task it started. */
export async function startTask(
  api: Vim25Api,
  method: string,
  self: ManagedObjectReference,
  args: SoapStruct = {},
): Promise<ManagedObjectReference> {
  const answer = await api.invoke(method, self, args);
  const task = readMoref(child(answer, 'returnval'));
  if (!task)
    throw new CloudmasterError(ErrorCode.ProviderUnexpected, `vSphere accepted ${method} but named no task.`);
  return task;
}

export async function readTask(api: Vim25Api, task: ManagedObjectReference): Promise<TaskInfo> {
  const { objects } = await retrieve(api, { objects: [task] }, [{ type: 'Task', paths: ['info'] }], {
    pageSize: 1,
    maxPages: 1,
  });
  const info = objects[0]?.props.get('info');
  const state = childText(info, 'state') ?? '';
  if (!STATES.has(state))
    throw new CloudmasterError(
      ErrorCode.ProviderUnexpected,
      `vSphere task ${task.value} has no known state.`,
    );
  const progress = readNumber(child(info, 'progress'));
  const error = readLocalizedFault(child(info, 'error'));
  const result = readMoref(child(info, 'result'));
  return {
    task,
    state: state as TaskState,
    ...(progress !== undefined ? { progress } : {}),
    ...(error ? { error } : {}),
    ...(result ? { result } : {}),
  };
}

/** Waits for a task to end (success or error), polling its info until `signal` ends the wait. */
export async function waitForTask(
  api: Vim25Api,
  task: ManagedObjectReference,
  signal: AbortSignal,
  intervalMs = 250,
): Promise<TaskInfo> {
  for (;;) {
    const info = await readTask(api, task);
    if (info.state === 'success' || info.state === 'error') return info;
    await sleep(intervalMs, undefined, { signal });
  }
}
