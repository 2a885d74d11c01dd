/**
 * The power verbs and destroy. Each reads the VM's state first, so a verb
 * that cannot apply is refused with a clear reason before anything is
 * sent, and the choice between the guest OS path (VMware Tools) and the
 * hard path is made on fresh facts.
 */
import { CloudmasterError, ErrorCode } from '../../src/errors.ts';
import type { CallContext, Machine, OperationRef, StopOptions } from '../types.ts';
import type { VsphereAccount } from './account.ts';
import { faultError } from './errors.ts';
import { reference } from './reference.ts';
import { isFaultOfType, SoapFault } from './vim25/faults.ts';
import type { Vim25Api } from './vim25/session.ts';
import { startTask, waitForTask } from './vim25/tasks.ts';
import type { ManagedObjectReference } from './vim25/values.ts';
import { readVmState, type VmState, vmRef } from './vm-state.ts';

/** Faults after which a guest reboot is not retried as a reset: a reset would fail the same way. */
const NO_RESET_AFTER = [
  'NotAuthenticated',
  'ManagedObjectNotFound',
  'InvalidPowerState',
  'NoPermission',
  'TaskInProgress',
];

function refuse(message: string, account: VsphereAccount, hint?: string): CloudmasterError {
  return new CloudmasterError(ErrorCode.InvalidState, message, {
    provider: account.id,
    ...(hint ? { hint } : {}),
  });
}

function refuseTemplate(machine: Machine, account: VsphereAccount, state: VmState): void {
  if (!state.template) return;
  throw refuse(
    `${machine.name} is a template: templates do not run.`,
    account,
    `\`create NAME on ${account.id} template=${machine.name}\` clones it into a VM.`,
  );
}

/** Runs a verb on one VM with its fresh state. */
function onVm(
  account: VsphereAccount,
  machine: Machine,
  action: string,
  ctx: CallContext,
  work: (api: Vim25Api, vm: ManagedObjectReference, state: VmState) => Promise<OperationRef>,
): Promise<OperationRef> {
  return account.run(ctx, { action, target: machine.name }, async (api) => {
    const vm = vmRef(machine.id);
    return work(api, vm, await readVmState(api, vm));
  });
}

export function reboot(account: VsphereAccount, machine: Machine, ctx: CallContext): Promise<OperationRef> {
  return onVm(account, machine, 'reboot', ctx, async (api, vm, state) => {
    refuseTemplate(machine, account, state);
    if (state.power !== 'poweredOn') {
      throw refuse(
        `${machine.name} is ${state.power === 'suspended' ? 'suspended' : 'powered off'}: there is nothing to reboot.`,
        account,
        `\`start ${machine.name} on ${account.id}\` powers it on.`,
      );
    }
    let why = 'VMware Tools are not running';
    if (state.toolsRunning) {
      try {
        await api.invoke('RebootGuest', vm);
        return reference(
          account,
          'reboot',
          machine,
          'VMware Tools are restarting the guest OS (a clean reboot)',
          {
            path: 'guest',
          },
        );
      } catch (error) {
        if (!(error instanceof SoapFault) || isFaultOfType(error, ...NO_RESET_AFTER)) throw error;
        why = `VMware Tools are running but RebootGuest failed (${error.fault.type})`;
      }
    }
    const task = await startTask(api, 'ResetVM_Task', vm);
    return reference(account, 'reboot', machine, `${why}: reset the VM (a hard reset)`, {
      path: 'task',
      task,
    });
  });
}

export function start(account: VsphereAccount, machine: Machine, ctx: CallContext): Promise<OperationRef> {
  return onVm(account, machine, 'power on', ctx, async (api, vm, state) => {
    refuseTemplate(machine, account, state);
    if (state.power === 'poweredOn') throw refuse(`${machine.name} is already powered on.`, account);
    const task = await startTask(api, 'PowerOnVM_Task', vm);
    const accepted = state.power === 'suspended' ? 'vSphere is resuming it' : 'vSphere is powering it on';
    return reference(account, 'start', machine, accepted, { path: 'task', task });
  });
}

export function stop(
  account: VsphereAccount,
  machine: Machine,
  options: StopOptions,
  ctx: CallContext,
): Promise<OperationRef> {
  return onVm(account, machine, options.force ? 'power off' : 'shut down', ctx, async (api, vm, state) => {
    refuseTemplate(machine, account, state);
    if (state.power === 'poweredOff') throw refuse(`${machine.name} is already powered off.`, account);
    const force = `\`stop ${machine.name} on ${account.id} --force\` powers it off at once.`;
    if (!options.force) {
      if (state.power !== 'poweredOn')
        throw refuse(`${machine.name} is ${state.power}: its guest OS cannot shut down.`, account, force);
      if (!state.toolsRunning)
        throw refuse(
          `VMware Tools are not running on ${machine.name}, so it cannot shut down gracefully.`,
          account,
          force,
        );
      await api.invoke('ShutdownGuest', vm);
      return reference(account, 'stop', machine, 'VMware Tools are shutting the guest OS down', {
        path: 'guest',
      });
    }
    const task = await startTask(api, 'PowerOffVM_Task', vm);
    return reference(account, 'stop', machine, 'vSphere is powering it off at once (no guest shutdown)', {
      path: 'task',
      task,
    });
  });
}

/** Powers the VM off first when it is on (vSphere deletes only powered-off VMs), then deletes it and its disks. */
export function destroy(account: VsphereAccount, machine: Machine, ctx: CallContext): Promise<OperationRef> {
  return onVm(account, machine, 'delete', ctx, async (api, vm, state) => {
    const wasOn = state.power !== 'poweredOff' && !state.template;
    if (wasOn) {
      const off = await waitForTask(api, await startTask(api, 'PowerOffVM_Task', vm), ctx.signal);
      // A VM that powered off in between is what we wanted.
      if (off.error && off.error.type !== 'InvalidPowerState')
        throw faultError(off.error, { provider: account.id, action: 'power off', target: machine.name });
    }
    const task = await startTask(api, 'Destroy_Task', vm);
    const accepted = wasOn
      ? 'Powered off, then vSphere is deleting it, disks included'
      : 'vSphere is deleting it, disks included';
    return reference(account, 'destroy', machine, accepted, {
      path: 'task',
      task,
    });
  });
}
