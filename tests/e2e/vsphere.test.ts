/** The vsphere provider end to end: slash commands through the fake Slack to the real bot, and on to vcsim. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startBot } from '../support/bot-harness.ts';
import { latest, type MessageRecord } from '../support/fake-slack/index.ts';
import { confirmAndFollow, jobIdOf, prompt } from '../support/prompts.ts';
import { vcsimBinary } from '../support/vcsim.ts';
import { VsphereLab } from '../support/vsphere-lab.ts';

describe.skipIf(!vcsimBinary())('the vsphere provider through Slack', () => {
  let harness: Harness;
  let sim: VsphereLab;

  beforeAll(async () => {
    sim = await VsphereLab.start({ username: 'ops@vsphere.local', password: 'vcsim-secret-value-789' });
    harness = await startBot(
      `
settings: { pollInterval: 50ms, admins: [U0ALICE] }
providers:
  lab:
    type: vsphere
    url: "${sim.proxy.url}"
    username: "\${VSPHERE_USER}"
    password: "\${VSPHERE_PASSWORD}"
    allowCloneFromVm: true
`,
      { env: { VSPHERE_USER: 'ops@vsphere.local', VSPHERE_PASSWORD: 'vcsim-secret-value-789' } },
    );
  });

  afterAll(async () => {
    await harness?.stop();
    await sim?.stop();
  });

  /** Confirms the prompt that starts with `question`, as its requester, and waits for the operation's final state. */
  const finalOf = (question: string): Promise<MessageRecord> =>
    confirmAndFollow(harness.fake, question, (text) => !/…/.test(text) && !text.endsWith('?'));

  it('/cloudmaster list on lab shows the DC0 inventory with placement and size', async () => {
    const { fake } = harness;
    const delivery = await fake.slashCommand({ command: '/cloudmaster', text: 'list on lab' });
    const message = await fake.waitFor(() => fake.messageFor(delivery.responseUrl), { timeoutMs: 15_000 });
    const text = latest(message).text;
    expect(text.split('\n')[0]).toBe('4 machines on 1 provider: 4 running');
    expect(text).toMatch(
      /^DC0_H0_VM0 \(lab\): running \(poweredOn\), no public IP, DC0\/DC0_H0, 1 vCPU \/ 32 MiB$/m,
    );
    expect(text).toMatch(
      /^DC0_C0_RP0_VM1 \(lab\): running \(poweredOn\), no public IP, DC0\/DC0_C0, 1 vCPU \/ 32 MiB$/m,
    );
    expect(JSON.stringify(message)).not.toContain('vcsim-secret-value-789');
  });

  it('/cloudmaster reboot DC0_H0_VM0 on lab resets it (no VMware Tools), says so, and reports the outcome', async () => {
    await harness.fake.slashCommand({ command: '/cloudmaster', text: 'reboot DC0_H0_VM0 on lab' });
    // The prompt shows the VM as vSphere has it, and nothing reaches vSphere before the click.
    const question = await prompt(harness.fake, 'Reboot DC0_H0_VM0 on lab?');
    expect(question.versions[0]?.text).toMatch(
      /^Reboot DC0_H0_VM0 on lab\? DC0_H0_VM0 is running \(poweredOn\), DC0\/DC0_H0, 1 vCPU \/ 32 MiB\./,
    );
    expect(sim.proxy.count('ResetVM_Task')).toBe(0);
    const message = await finalOf('Reboot DC0_H0_VM0 on lab?');
    expect(message.versions.map((v) => v.text)).toContain(
      'Rebooting DC0_H0_VM0 on lab… VMware Tools are not running: reset the VM (a hard reset)',
    );
    expect(latest(message).text).toMatch(
      /^<@U0ALICE> DC0_H0_VM0 on lab rebooted: reset done, running again \(took \d+ ms\)\.$/,
    );
    expect(sim.proxy.count('ResetVM_Task')).toBe(1);
  });

  it('/cloudmaster create web-9 on lab template=DC0_H0_VM1 clones it, and web-9 is then listed', async () => {
    const { fake } = harness;
    // A clone that takes a while, as on a vCenter: its task is seen running before it is done.
    sim.proxy.slowTasks = 1;
    await fake.slashCommand({ command: '/cloudmaster', text: 'create web-9 on lab template=DC0_H0_VM1' });
    const message = await finalOf('Create web-9 on lab?');
    const versions = message.versions.map((v) => v.text);
    expect(versions).toContain('Creating web-9 on lab… vSphere is cloning DC0_H0_VM1');
    const steps = await harness.bot.store.jobs.steps(jobIdOf(message));
    expect(steps.map((step) => step.text)).toContain('cloning (50%)');
    expect(latest(message).text).toMatch(
      /^<@U0ALICE> web-9 on lab created: powered off — `start web-9 on lab` powers it on \(took \d+ ms\)\.$/,
    );
    expect(sim.proxy.count('CloneVM_Task')).toBe(1);
    const delivery = await fake.slashCommand({ command: '/cloudmaster', text: 'list web on lab --fresh' });
    const listing = await fake.waitFor(() => fake.messageFor(delivery.responseUrl), { timeoutMs: 15_000 });
    expect(latest(listing).text).toMatch(
      /^web-9 \(lab\): stopped \(poweredOff\), no public IP, DC0\/DC0_H0/m,
    );
  });
});
