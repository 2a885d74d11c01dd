/** Reboot, start and stop against vcsim: the guest OS paths, their fallbacks, refusals and task failures. */
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.ts';
import { callContext, machineNamed, pollUntilDone, rejection } from '../../tests/support/provider-kit.ts';
import { testTls } from '../../tests/support/tls.ts';
import { vcsimBinary } from '../../tests/support/vcsim.ts';
import { VsphereLab } from '../../tests/support/vsphere-lab.ts';
import type { OperationRef } from '../types.ts';
import { envelope } from './vim25/envelope.ts';
import { startTask } from './vim25/tasks.ts';
import { SoapTransport } from './vim25/transport.ts';
import { moref } from './vim25/values.ts';

describe.skipIf(!vcsimBinary())('vsphere: power verbs against vcsim', () => {
  // Power state is the simulator's memory: a fresh one for every test.
  let sim: VsphereLab;
  beforeEach(async () => {
    sim = await VsphereLab.start();
  });
  afterEach(() => sim?.stop());

  it('reboot without VMware Tools resets the VM, says so, and follows the reset task with its progress', async () => {
    const lab = await sim.connect({}, { viaProxy: true });
    // A reset that takes a while, as on a vCenter: its task is seen running twice before it is done.
    sim.proxy.slowTasks = 2;
    const vm = await machineNamed(lab, 'DC0_H0_VM0');
    const ref = await lab.reboot(vm, callContext());
    expect(ref).toMatchObject({
      verb: 'reboot',
      provider: 'lab',
      target: { kind: 'machine', id: vm.id, name: 'DC0_H0_VM0' },
      operationId: expect.stringMatching(/^task-\d+$/),
      accepted: 'VMware Tools are not running: reset the VM (a hard reset)',
    });
    expect(sim.proxy.count('RebootGuest')).toBe(0);
    expect(sim.proxy.count('ResetVM_Task')).toBe(1);
    const steps = await pollUntilDone(() => lab.poll(ref, callContext()));
    expect(steps.slice(0, 2)).toEqual([
      { state: 'running', step: 'resetting (33%)' },
      { state: 'running', step: 'resetting (67%)' },
    ]);
    expect(steps.at(-1)).toMatchObject({
      state: 'succeeded',
      step: 'reset done, running again',
      resource: { name: 'DC0_H0_VM0', status: 'running' },
    });
  });

  it('cancels a running task with CancelTask, which then ends cancelled; a guest-OS path cannot be cancelled', async () => {
    const lab = await sim.connect({}, { viaProxy: true });
    sim.proxy.slowTasks = 5;
    const ref = await lab.reboot(await machineNamed(lab, 'DC0_H0_VM0'), callContext());
    expect(await lab.poll(ref, callContext())).toMatchObject({ state: 'running' });
    const cancel = lab.cancelOperation;
    if (!cancel) throw new Error('the vSphere module cannot cancel');
    await cancel(ref, callContext());
    expect(sim.proxy.count('CancelTask')).toBe(1);
    expect(sim.proxy.calls.find((call) => call.method === 'CancelTask')?.body).toContain(
      `<_this type="Task">${ref.operationId}</_this>`,
    );
    expect(await lab.poll(ref, callContext())).toEqual({
      state: 'cancelled',
      step: 'the task was cancelled',
    });
    const guest: OperationRef = { ...ref, data: { path: 'guest' } };
    const { operationId: _, ...withoutTask } = guest;
    const refused = await rejection(cancel(withoutTask, callContext()));
    expect(refused.code).toBe(ErrorCode.Unsupported);
    expect(refused.message).toBe(
      'The reset of DC0_H0_VM0 went through the guest OS, not a vSphere task: it cannot be cancelled.',
    );
  });

  it('reboot with VMware Tools tries RebootGuest first; vcsim lacks it, so the VM is reset and the reply says why', async () => {
    await sim.vcsim.setGuest(await sim.idOf('DC0_H0_VM1'), { toolsRunning: true });
    const lab = await sim.connect({}, { viaProxy: true });
    const ref = await lab.reboot(await machineNamed(lab, 'DC0_H0_VM1'), callContext());
    expect(ref.accepted).toBe(
      'VMware Tools are running but RebootGuest failed (MethodNotFound): reset the VM (a hard reset)',
    );
    expect(sim.proxy.calls.map((c) => c.method).filter((m) => /Reboot|Reset/.test(m))).toEqual([
      'RebootGuest',
      'ResetVM_Task',
    ]);
    expect((await pollUntilDone(() => lab.poll(ref, callContext()))).at(-1)?.state).toBe('succeeded');
  });

  it('reboot through VMware Tools, where vCenter has RebootGuest, is followed through the VM until Tools run again', async () => {
    await sim.vcsim.setGuest(await sim.idOf('DC0_H0_VM1'), { toolsRunning: true });
    // What a vCenter answers when the guest's Tools take the reboot (vcsim 0.24 has no RebootGuest).
    sim.proxy.answerRebootGuest = true;
    const lab = await sim.connect({ rebootSettle: '300ms' }, { viaProxy: true });
    const ref = await lab.reboot(await machineNamed(lab, 'DC0_H0_VM1'), callContext());
    expect(ref.accepted).toBe('VMware Tools are restarting the guest OS (a clean reboot)');
    expect(ref.operationId).toBeUndefined();
    expect(sim.proxy.count('ResetVM_Task')).toBe(0);
    const steps = await pollUntilDone(() => lab.poll(ref, callContext()), 50);
    expect(steps[0]).toEqual({ state: 'running', step: 'the guest OS is restarting' });
    expect(steps.at(-1)).toMatchObject({
      state: 'succeeded',
      step: 'running again (the guest OS restarted)',
      resource: { status: 'running', details: { Tools: 'running' } },
    });
  });

  it('a forced power-off vSphere took in but whose answer broke off may or may not have started; a read is tried again', async () => {
    const lab = await sim.connect({}, { viaProxy: true });
    const vm = await machineNamed(lab, 'DC0_H0_VM0');
    sim.proxy.breakNext.set('PowerOffVM_Task', 'truncate');
    const error = await rejection(lab.stop(vm, { force: true, deallocate: false }, callContext()));
    expect(error.code).toBe(ErrorCode.OutcomeUnknown);
    expect(error.message).toMatch(
      /^VMware vSphere accepted PowerOffVM_Task \(HTTP 200\), but its answer could not be read: the connection broke off/,
    );
    expect(sim.proxy.count('PowerOffVM_Task')).toBe(1);
    // vcsim did the work; a read whose answer breaks off is simply asked again.
    sim.proxy.breakNext.set('RetrievePropertiesEx', 'truncate');
    expect((await machineNamed(lab, 'DC0_H0_VM0')).status).toBe('stopped');
  });

  it('refuses an answer larger than the cap as it arrives, naming the provider; a change so answered may have started', async () => {
    // The transport every vSphere account uses, with a 1 MB cap rather than its 64 MB (same code path, less to send).
    const transport = new SoapTransport({
      url: new URL(sim.proxy.url),
      ca: readFileSync(testTls().caFile, 'utf8'),
      insecure: false,
      timeoutMs: 30_000,
      maxBodyBytes: 1024 * 1024,
      provider: { id: 'lab', label: 'VMware vSphere' },
      log: pino({ level: 'silent' }),
    });
    try {
      const post = (method: string, idempotent: boolean) =>
        transport.post({
          body: envelope(method, { type: 'PropertyCollector', value: 'propertyCollector' }),
          soapAction: '"urn:vim25/8.0"',
          cookie: undefined,
          signal: new AbortController().signal,
          method,
          idempotent,
        });
      sim.proxy.breakNext.set('RetrievePropertiesEx', 8 * 1024 * 1024);
      const refused = await rejection(post('RetrievePropertiesEx', true));
      expect(refused.code).toBe(ErrorCode.ProviderUnexpected);
      expect(refused.message).toBe(
        'VMware vSphere (provider `lab`) answered RetrievePropertiesEx with more than 1 MB; cloudmaster refused to read it.',
      );
      sim.proxy.breakNext.set('ResetVM_Task', 8 * 1024 * 1024);
      const unknown = await rejection(post('ResetVM_Task', false));
      expect(unknown.code).toBe(ErrorCode.OutcomeUnknown);
      expect(unknown.message).toBe(
        'VMware vSphere accepted ResetVM_Task (HTTP 200), but its answer could not be read: it is larger than 1 MB.',
      );
    } finally {
      transport.close();
    }
  });

  it('refuses to reboot a powered-off VM, saying how to start it, and sends nothing', async () => {
    const lab = await sim.connect({}, { viaProxy: true });
    const vm = await machineNamed(lab, 'DC0_H0_VM0');
    await pollUntilDone(async () =>
      lab.poll(await lab.stop(vm, { force: true, deallocate: false }, callContext()), callContext()),
    );
    sim.proxy.calls.length = 0;
    const error = await rejection(lab.reboot(vm, callContext()));
    expect(error.code).toBe(ErrorCode.InvalidState);
    expect(error.message).toBe('DC0_H0_VM0 is powered off: there is nothing to reboot.');
    expect(error.hint).toBe('`start DC0_H0_VM0 on lab` powers it on.');
    expect(sim.proxy.calls.map((c) => c.method)).toEqual(['RetrievePropertiesEx']);
  });

  it('stop shuts the guest down through VMware Tools, and without them says to use --force', async () => {
    const lab = await sim.connect({}, { viaProxy: true });
    const vm = await machineNamed(lab, 'DC0_H0_VM0');
    const refused = await rejection(lab.stop(vm, { force: false, deallocate: false }, callContext()));
    expect(refused.code).toBe(ErrorCode.InvalidState);
    expect(refused.message).toBe(
      'VMware Tools are not running on DC0_H0_VM0, so it cannot shut down gracefully.',
    );
    expect(refused.hint).toBe('`stop DC0_H0_VM0 on lab --force` powers it off at once.');
    expect(sim.proxy.count('ShutdownGuest')).toBe(0);

    await sim.vcsim.setGuest(vm.id, { toolsRunning: true });
    const ref = await lab.stop(vm, { force: false, deallocate: false }, callContext());
    expect(ref).toMatchObject({
      accepted: 'VMware Tools are shutting the guest OS down',
      data: { path: 'guest' },
    });
    expect(sim.proxy.count('ShutdownGuest')).toBe(1);
    expect((await pollUntilDone(() => lab.poll(ref, callContext()))).at(-1)).toMatchObject({
      state: 'succeeded',
      step: 'powered off',
      resource: { status: 'stopped', providerStatus: 'poweredOff' },
    });
  });

  it('stop --force powers off at once; start powers on; each refuses the state it is already in', async () => {
    const lab = await sim.connect({}, { viaProxy: true });
    const vm = await machineNamed(lab, 'DC0_C0_RP0_VM1');
    const off = await lab.stop(vm, { force: true, deallocate: false }, callContext());
    expect(off.accepted).toBe('vSphere is powering it off at once (no guest shutdown)');
    expect(sim.proxy.count('PowerOffVM_Task')).toBe(1);
    expect((await pollUntilDone(() => lab.poll(off, callContext()))).at(-1)).toMatchObject({
      state: 'succeeded',
      step: 'powered off',
    });
    expect((await rejection(lab.stop(vm, { force: true, deallocate: false }, callContext()))).message).toBe(
      'DC0_C0_RP0_VM1 is already powered off.',
    );
    const on = await lab.start(vm, callContext());
    expect(on.accepted).toBe('vSphere is powering it on');
    expect((await pollUntilDone(() => lab.poll(on, callContext()))).at(-1)).toMatchObject({
      state: 'succeeded',
      step: 'running',
      resource: { status: 'running', providerStatus: 'poweredOn' },
    });
    const again = await rejection(lab.start(vm, callContext()));
    expect(again.code).toBe(ErrorCode.InvalidState);
    expect(again.message).toBe('DC0_C0_RP0_VM1 is already powered on.');
  });

  it('shows a suspended VM as stopped, keeping vSphere’s word, and resumes it with start', async () => {
    const vmId = await sim.idOf('DC0_H0_VM1');
    await sim.vcsim.vmTask(vmId, 'SuspendVM_Task');
    const lab = await sim.connect();
    const vm = await machineNamed(lab, 'DC0_H0_VM1');
    expect(vm).toMatchObject({ status: 'stopped', providerStatus: 'suspended' });
    expect((await rejection(lab.stop(vm, { force: false, deallocate: false }, callContext()))).message).toBe(
      'DC0_H0_VM1 is suspended: its guest OS cannot shut down.',
    );
    const ref = await lab.start(vm, callContext());
    expect(ref.accepted).toBe('vSphere is resuming it');
    expect((await pollUntilDone(() => lab.poll(ref, callContext()))).at(-1)).toMatchObject({
      state: 'succeeded',
      resource: { status: 'running' },
    });
  });

  it('follows a task from its reference alone (a restarted bot), and words vSphere’s InvalidPowerState', async () => {
    const vmId = await sim.idOf('DC0_H0_VM0');
    // A power-on sent to a running VM (by whoever): its task fails with InvalidPowerState.
    const task = await sim.vcsim.admin((api) =>
      startTask(api, 'PowerOnVM_Task', moref('VirtualMachine', vmId)),
    );
    const ref: OperationRef = JSON.parse(
      JSON.stringify({
        verb: 'start',
        provider: 'lab',
        target: { kind: 'machine', id: vmId, name: 'DC0_H0_VM0' },
        operationId: task.value,
        startedAt: new Date().toISOString(),
        data: { path: 'task' },
      }),
    );
    const lab = await sim.connect();
    expect(await lab.poll(ref, callContext())).toEqual({
      state: 'failed',
      step: 'failed',
      reason: 'DC0_H0_VM0 is already powered on.',
    });
  });

  it('says a VM that no longer exists is gone, for a verb and for a poll', async () => {
    const lab = await sim.connect();
    const vm = { ...(await machineNamed(lab, 'DC0_H0_VM0')), id: 'vm-999999', name: 'DC0_H0_VM9' };
    const error = await rejection(lab.reboot(vm, callContext()));
    expect(error.code).toBe(ErrorCode.NotFound);
    expect(error.message).toBe('DC0_H0_VM9 no longer exists on lab (it was deleted or moved).');
    const ref: OperationRef = {
      verb: 'stop',
      provider: 'lab',
      target: { kind: 'machine', id: 'vm-999999', name: 'DC0_H0_VM9' },
      startedAt: new Date().toISOString(),
      data: { path: 'guest' },
    };
    expect(await lab.poll(ref, callContext())).toEqual({
      state: 'failed',
      step: 'gone',
      reason: 'DC0_H0_VM9 no longer exists',
    });
  });
});
