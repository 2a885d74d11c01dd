/**
 * Following a vSphere operation from its reference alone, so a restarted
 * bot picks up where it was: a task is read by its id (`operationId`);
 * the guest OS paths (RebootGuest, ShutdownGuest), which are not tasks, are
 * followed through the VM's power state and VMware Tools.
 */
import { CloudmasterError, ErrorCode } from '../../src/errors.ts';
import type { CallContext, Machine, OperationProgress, OperationRef } from '../types.ts';
import type { VsphereAccount } from './account.ts';
import { faultError } from './errors.ts';
import { isFaultOfType } from './vim25/faults.ts';
import type { Vim25Api } from './vim25/session.ts';
import { readTask, type TaskInfo, taskRef } from './vim25/tasks.ts';
import { readVmState, vmRef } from './vm-state.ts';

const RUNNING_STEP: Record<OperationRef['verb'], string> = {
  reboot: 'resetting',
  start: 'powering on',
  stop: 'powering off',
  create: 'cloning',
  destroy: 'deleting',
  deploy: 'working',
  cancel: 'working',
};

/** What each verb was asked to do, for the words of a failure. */
const ACTION: Record<OperationRef['verb'], string> = {
  reboot: 'reset',
  start: 'power on',
  stop: 'power off',
  create: 'clone',
  destroy: 'delete',
  deploy: 'deploy',
  cancel: 'cancel',
};

/** The power state each verb ends in. */
const TARGET_POWER: Partial<Record<OperationRef['verb'], string>> = {
  reboot: 'poweredOn',
  start: 'poweredOn',
  stop: 'poweredOff',
};

function runningStep(ref: OperationRef, info: TaskInfo): string {
  const step = RUNNING_STEP[ref.verb];
  return info.progress !== undefined && info.progress > 0 ? `${step} (${info.progress}%)` : step;
}

/** The outcome once the VM is where the verb wanted it. */
function done(account: VsphereAccount, ref: OperationRef, machine: Machine): OperationProgress {
  const at = machine.publicIpv4 ?? machine.privateIpv4;
  switch (ref.verb) {
    case 'create':
      return machine.status === 'running'
        ? { state: 'succeeded', step: at ? `running at ${at}` : 'running', resource: machine }
        : {
            state: 'succeeded',
            step: `${machine.providerStatus === 'poweredOff' ? 'powered off' : machine.providerStatus} — \`start ${machine.name} on ${account.id}\` powers it on`,
            resource: machine,
          };
    case 'reboot':
      return {
        state: 'succeeded',
        step:
          ref.data?.path === 'guest' ? 'running again (the guest OS restarted)' : 'reset done, running again',
        resource: machine,
      };
    case 'stop':
      return { state: 'succeeded', step: 'powered off', resource: machine };
    default:
      return { state: 'succeeded', step: machine.status, resource: machine };
  }
}

/** The machine as the inventory shows it now (a full read: done once, at the end). */
async function machineNow(account: VsphereAccount, api: Vim25Api, idOrName: { id?: string; name: string }) {
  const machines = account.machines(await account.inventory(api));
  return idOrName.id
    ? machines.find((machine) => machine.id === idOrName.id)
    : machines.find((machine) => machine.name === idOrName.name);
}

async function followTask(account: VsphereAccount, api: Vim25Api, ref: OperationRef, task: string) {
  let info: TaskInfo | undefined;
  try {
    info = await readTask(api, taskRef(task));
  } catch (error) {
    // vCenter forgets finished tasks after a while: the VM then tells how it ended.
    if (!isFaultOfType(error, 'ManagedObjectNotFound')) throw error;
  }
  if (info?.state === 'queued' || info?.state === 'running')
    return { state: 'running', step: runningStep(ref, info) } satisfies OperationProgress;
  if (info?.state === 'error' && info.error?.type === 'RequestCanceled')
    return { state: 'cancelled', step: 'the task was cancelled' } satisfies OperationProgress;
  if (info?.state === 'error') {
    const reason = info.error
      ? faultError(info.error, { provider: account.id, action: ACTION[ref.verb], target: ref.target.name })
          .message
      : `vSphere reports that the ${ACTION[ref.verb]} task ${task} failed.`;
    return { state: 'failed', step: 'failed', reason } satisfies OperationProgress;
  }
  if (ref.verb === 'destroy') {
    const left = info ? undefined : await machineNow(account, api, ref.target);
    return left
      ? ({
          state: 'failed',
          step: 'still there',
          reason: `${ref.target.name} was not deleted`,
        } satisfies OperationProgress)
      : ({ state: 'succeeded', step: 'deleted' } satisfies OperationProgress);
  }
  const machine =
    ref.verb === 'create'
      ? await machineNow(
          account,
          api,
          info?.result ? { id: info.result.value, name: ref.target.name } : ref.target,
        )
      : await machineNow(account, api, ref.target);
  if (!machine)
    return {
      state: 'failed',
      step: 'gone',
      reason: `${ref.target.name} no longer exists`,
    } satisfies OperationProgress;
  const wanted = TARGET_POWER[ref.verb];
  if (!info && wanted && machine.providerStatus !== wanted) {
    return {
      state: 'failed',
      step: machine.providerStatus,
      reason: `vSphere no longer knows task ${task}, and ${machine.name} is ${machine.providerStatus}.`,
      resource: machine,
    } satisfies OperationProgress;
  }
  return done(account, ref, machine);
}

/** RebootGuest and ShutdownGuest: watched through the VM itself. */
async function followGuest(
  account: VsphereAccount,
  api: Vim25Api,
  ref: OperationRef,
): Promise<OperationProgress> {
  const state = await readVmState(api, vmRef(ref.target.id));
  if (ref.verb === 'stop') {
    if (state.power !== 'poweredOff') return { state: 'running', step: 'the guest OS is shutting down' };
  } else {
    // A guest reboot leaves the VM powered on; Tools stop while the OS restarts. Running Tools
    // after the settle time count as rebooted.
    const settled = account.clock.now() - Date.parse(ref.startedAt) >= account.config.rebootSettle;
    if (state.power !== 'poweredOn' || !state.toolsRunning || !settled)
      return { state: 'running', step: 'the guest OS is restarting' };
  }
  const machine = await machineNow(account, api, ref.target);
  return machine
    ? done(account, ref, machine)
    : { state: 'failed', step: 'gone', reason: `${ref.target.name} no longer exists` };
}

export function poll(
  account: VsphereAccount,
  ref: OperationRef,
  ctx: CallContext,
): Promise<OperationProgress> {
  return account.run(ctx, { action: 'follow the operation', target: ref.target.name }, async (api) => {
    if (ref.operationId) return followTask(account, api, ref, ref.operationId);
    try {
      return await followGuest(account, api, ref);
    } catch (error) {
      if (isFaultOfType(error, 'ManagedObjectNotFound'))
        return { state: 'failed', step: 'gone', reason: `${ref.target.name} no longer exists` };
      throw error;
    }
  });
}

/**
 * Cancels the operation's task (CancelTask). The guest-OS paths are not
 * tasks: those cannot be cancelled, and the error says so.
 */
export async function cancelTask(
  account: VsphereAccount,
  ref: OperationRef,
  ctx: CallContext,
): Promise<void> {
  if (!ref.operationId) {
    throw new CloudmasterError(
      ErrorCode.Unsupported,
      `The ${ACTION[ref.verb]} of ${ref.target.name} went through the guest OS, not a vSphere task: it cannot be cancelled.`,
      { provider: account.id },
    );
  }
  const task = ref.operationId;
  await account.run(ctx, { action: 'cancel the task', target: ref.target.name }, async (api) => {
    await api.invoke('CancelTask', taskRef(task));
  });
}
