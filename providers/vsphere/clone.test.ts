/** create (a clone of a template) and destroy against vcsim. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.ts';
import { callContext, machineNamed, pollUntilDone, rejection } from '../../tests/support/provider-kit.ts';
import { vcsimBinary } from '../../tests/support/vcsim.ts';
import { VsphereLab } from '../../tests/support/vsphere-lab.ts';
import { moref } from './vim25/values.ts';

describe.skipIf(!vcsimBinary())('vsphere: create and destroy against vcsim', () => {
  let sim: VsphereLab;
  beforeEach(async () => {
    sim = await VsphereLab.start();
  });
  afterEach(() => sim?.stop());

  it('clones a VM into a new one where the account allows it, follows the clone task (also from a second bot), sees it listed, destroys it', async () => {
    const lab = await sim.connect({ allowCloneFromVm: true }, { viaProxy: true });
    const ref = await lab.create({ name: 'web-9', params: { template: 'DC0_H0_VM1' } }, callContext());
    expect(ref).toMatchObject({
      verb: 'create',
      target: { kind: 'machine', name: 'web-9' },
      operationId: expect.stringMatching(/^task-\d+$/),
      accepted: 'vSphere is cloning DC0_H0_VM1',
    });
    const clone = sim.proxy.calls.find((call) => call.method === 'CloneVM_Task')?.body ?? '';
    expect(clone).toMatch(
      /<name>web-9<\/name><spec><location><pool type="ResourcePool">resgroup-\d+<\/pool><\/location>/,
    );
    expect(clone).toContain('<template>false</template><powerOn>true</powerOn>');

    // Another bot (after a restart) follows the same operation from the stored reference.
    const other = await sim.connect();
    const end = (await pollUntilDone(() => other.poll(JSON.parse(JSON.stringify(ref)), callContext()))).at(
      -1,
    );
    // vcsim 0.24 ignores the clone spec's powerOn (a vCenter powers the clone on): the reply says how to start it.
    expect(end).toMatchObject({
      state: 'succeeded',
      step: 'powered off — `start web-9 on lab` powers it on',
      resource: {
        name: 'web-9',
        id: expect.stringMatching(/^vm-\d+$/),
        region: 'DC0/DC0_H0',
        size: '1 vCPU / 32 MiB',
      },
    });
    const listed = (await lab.list({}, callContext())).machines.map((m) => m.name);
    expect(listed).toContain('web-9');

    const web9 = await machineNamed(lab, 'web-9');
    const destroy = await lab.destroy(web9, callContext());
    expect(destroy.accepted).toBe('vSphere is deleting it, disks included');
    expect((await pollUntilDone(() => lab.poll(destroy, callContext()))).at(-1)).toEqual({
      state: 'succeeded',
      step: 'deleted',
    });
    expect(await lab.status('web-9', callContext())).toEqual([]);
  });

  it('destroys a running VM by powering it off first', async () => {
    const lab = await sim.connect({}, { viaProxy: true });
    const vm = await machineNamed(lab, 'DC0_C0_RP0_VM0');
    const ref = await lab.destroy(vm, callContext());
    expect(ref.accepted).toBe('Powered off, then vSphere is deleting it, disks included');
    const order = sim.proxy.calls.map((c) => c.method).filter((m) => m.endsWith('_Task'));
    expect(order).toEqual(['PowerOffVM_Task', 'Destroy_Task']);
    expect((await pollUntilDone(() => lab.poll(ref, callContext()))).at(-1)?.step).toBe('deleted');
    expect((await lab.list({}, callContext())).machines.map((m) => m.name)).not.toContain('DC0_C0_RP0_VM0');
  });

  it('clones a real template (which has no resource pool) into its host’s pool, and refuses to run the template', async () => {
    const templateId = await sim.idOf('DC0_H0_VM1');
    await sim.vcsim.vmTask(templateId, 'PowerOffVM_Task');
    await sim.vcsim.admin((api) => api.invoke('MarkAsTemplate', moref('VirtualMachine', templateId)));
    const lab = await sim.connect({ template: 'DC0_H0_VM1' });
    const template = await machineNamed(lab, 'DC0_H0_VM1');
    expect(template).toMatchObject({ status: 'stopped', providerStatus: 'template' });
    const refused = await rejection(lab.start(template, callContext()));
    expect(refused.message).toBe('DC0_H0_VM1 is a template: templates do not run.');
    expect(refused.hint).toBe('`create NAME on lab template=DC0_H0_VM1` clones it into a VM.');

    // template= comes from the config here.
    const ref = await lab.create({ name: 'app-1', params: {} }, callContext());
    expect((await pollUntilDone(() => lab.poll(ref, callContext()))).at(-1)).toMatchObject({
      state: 'succeeded',
      resource: { name: 'app-1', region: 'DC0/DC0_H0' },
    });
  });

  it('clones only VMs marked as templates unless the account allows VMs, and names the templates there are', async () => {
    const lab = await sim.connect({}, { viaProxy: true });
    const create = (template: string) =>
      rejection(lab.create({ name: 'dev-copy', params: { template } }, callContext()));

    const vm = await create('DC0_H0_VM0');
    expect(vm.code).toBe(ErrorCode.BadParameter);
    expect(vm.message).toBe('DC0_H0_VM0 on lab is a VM, not a template: lab clones templates only.');
    expect(vm.hint).toBe(
      'lab has no templates. Mark the VM as a template in vSphere, or set `allowCloneFromVm: true` for provider lab in cloudmaster.yml.',
    );

    const templateId = await sim.idOf('DC0_H0_VM1');
    await sim.vcsim.vmTask(templateId, 'PowerOffVM_Task');
    await sim.vcsim.admin((api) => api.invoke('MarkAsTemplate', moref('VirtualMachine', templateId)));
    expect((await create('dc0_h0_vm0')).hint).toMatch(/^Templates on lab: DC0_H0_VM1\. Mark the VM/);
    // Near names are templates only.
    const typo = await create('DC0_H0_VM7');
    expect(typo.code).toBe(ErrorCode.NotFound);
    expect(typo.message).toBe('No template named "DC0_H0_VM7" on lab to clone.');
    expect(typo.hint).toBe('Did you mean template=DC0_H0_VM1?');
    expect(sim.proxy.count('CloneVM_Task')).toBe(0);

    const ref = await lab.create({ name: 'dev-copy', params: { template: 'DC0_H0_VM1' } }, callContext());
    expect((await pollUntilDone(() => lab.poll(ref, callContext()))).at(-1)?.state).toBe('succeeded');
    expect(sim.proxy.count('CloneVM_Task')).toBe(1);
  });

  it('places a clone on the host, pool, folder and datastore asked for', async () => {
    const lab = await sim.connect({ allowCloneFromVm: true }, { viaProxy: true });
    const ref = await lab.create(
      {
        name: 'db-1',
        params: {
          template: 'DC0_C0_RP0_VM0',
          pool: 'DC0_C0/Resources',
          host: 'DC0_C0_H1',
          folder: 'vm',
          datastore: 'LocalDS_0',
        },
      },
      callContext(),
    );
    expect(ref.accepted).toBe('vSphere is cloning DC0_C0_RP0_VM0 (DC0_C0_H1, LocalDS_0)');
    const clone = sim.proxy.calls.find((call) => call.method === 'CloneVM_Task')?.body ?? '';
    expect(clone).toMatch(
      /<location><datastore type="Datastore">[^<]+<\/datastore><pool type="ResourcePool">resgroup-\d+<\/pool><host type="HostSystem">host-\d+<\/host><\/location>/,
    );
    expect((await pollUntilDone(() => lab.poll(ref, callContext()))).at(-1)?.state).toBe('succeeded');
  });

  it('answers a wrong name with near names, an ambiguous pool with the ways to name it, and sends no clone', async () => {
    const lab = await sim.connect({ allowCloneFromVm: true }, { viaProxy: true });
    const create = (params: Record<string, string>, name = 'web-9') =>
      rejection(lab.create({ name, params }, callContext()));

    const missing = await create({});
    expect(missing.code).toBe(ErrorCode.BadParameter);
    expect(missing.message).toBe('create on lab needs template=…');

    const typo = await create({ template: 'DC0_H0_VM7' });
    expect(typo.code).toBe(ErrorCode.NotFound);
    expect(typo.message).toBe('No template or VM named "DC0_H0_VM7" on lab to clone.');
    expect(typo.hint).toMatch(/^Did you mean template=DC0_H0_VM\d/);

    const host = await create({ template: 'DC0_H0_VM1', host: 'DC0_H1' });
    expect(host.message).toBe('No host named "DC0_H1" on lab.');
    expect(host.hint).toBe('Did you mean host=DC0_H0?');

    const pool = await create({ template: 'DC0_H0_VM1', pool: 'Resources' });
    expect(pool.message).toBe('"Resources" names 2 resource pools on lab.');
    expect([...pool.candidates].sort()).toEqual(['DC0_C0/Resources', 'DC0_H0/Resources']);

    const taken = await create({ template: 'DC0_H0_VM1' }, 'dc0_h0_vm0');
    expect(taken.message).toMatch(/^A VM named DC0_H0_VM0 already exists on lab \(vm-\d+\)\.$/);

    expect(sim.proxy.count('CloneVM_Task')).toBe(0);
  });
});
