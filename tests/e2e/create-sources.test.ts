/**
 * What `create` copies and where it puts it, end to end: the real bot on a
 * fake Slack, vSphere's simulator behind the recording proxy. A template is
 * read by its clone, so the policy must let the requester read it; vSphere
 * clones templates only unless the account says otherwise; an account's
 * `allowed:` lists bound the sources and placements people may name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moref } from '../../providers/vsphere/vim25/values.ts';
import { NO_RULE } from '../../src/policy/policy.ts';
import { type Harness, startBot } from '../support/bot-harness.ts';
import { latest, type MessageRecord } from '../support/fake-slack/index.ts';
import { click, prompt, until } from '../support/prompts.ts';
import { vcsimBinary } from '../support/vcsim.ts';
import { VsphereLab } from '../support/vsphere-lab.ts';

const ALICE = 'U0ALICE';
const SRE = 'U0SRE';
const PASSWORD = 'vcsim-secret-value-456';

describe.skipIf(!vcsimBinary())('create sources and placements through Slack, on vSphere', () => {
  let harness: Harness;
  let sim: VsphereLab;

  beforeAll(async () => {
    sim = await VsphereLab.start({ username: 'ops@vsphere.local', password: PASSWORD });
    const templateId = await sim.idOf('DC0_H0_VM1');
    await sim.vcsim.vmTask(templateId, 'PowerOffVM_Task');
    await sim.vcsim.admin((api) => api.invoke('MarkAsTemplate', moref('VirtualMachine', templateId)));
    const account = `type: vsphere, url: "${sim.proxy.url}", username: "\${VSPHERE_USER}", password: "\${VSPHERE_PASSWORD}"`;
    const pinned = `${account}, allowCloneFromVm: true, allowed: { template: [DC0_H0_VM1, DC0_C0_RP0_VM0], host: [DC0_H0] }`;
    harness = await startBot(
      `
settings: { pollInterval: 50ms }
providers:
  lab: { ${account} }
  pinned: { ${pinned} }
policy:
  groups: { sre: [${SRE}] }
  rules:
    - { name: lab-vms-are-private, verbs: [status, reboot], targets: [DC0_H0_VM0], effect: deny }
    - { name: sre-everything, groups: [sre], verbs: ['*'], effect: allow }
    - { name: dev-creates, verbs: [create], targets: ['dev-*'], effect: allow }
    - { name: templates-are-readable, verbs: [status], targets: [DC0_H0_VM1], effect: allow }
`,
      { env: { VSPHERE_USER: 'ops@vsphere.local', VSPHERE_PASSWORD: PASSWORD } },
    );
  });

  afterAll(async () => {
    await harness?.stop();
    await sim?.stop();
  });

  /** The first answer to a slash command, as `userId`. */
  async function answer(text: string, userId = ALICE): Promise<MessageRecord> {
    const { fake } = harness;
    const delivery = await fake.slashCommand({ command: '/cloudmaster', text, userId });
    return fake.waitFor(() => fake.messageFor(delivery.responseUrl), {
      description: `the answer to ${text}`,
      timeoutMs: 15_000,
    });
  }

  it('refuses to clone a VM the requester may not read, naming the rule, and records the denial', async () => {
    expect((await answer('status DC0_H0_VM0 on lab')).text).toMatch(/^You may not see DC0_H0_VM0/);
    const refused = await answer('create dev-copy on lab template=DC0_H0_VM0');
    expect(refused.text).toBe(
      'You may not create dev-copy on lab: it copies DC0_H0_VM0 (template=), which you may not read: denied by rule “lab-vms-are-private”.',
    );
    expect(refused.ephemeral).toBe(true);
    const unnamed = await answer('create dev-copy on lab template=DC0_C0_RP0_VM0');
    expect(unnamed.text).toMatch(
      /^You may not create dev-copy on lab: it copies DC0_C0_RP0_VM0 \(template=\), which you may not read: no rule allows it/,
    );
    const canI = await answer('can-i create dev-copy on lab template=DC0_H0_VM0');
    expect(latest(canI).text).toBe(
      'can-i create dev-copy on lab template=DC0_H0_VM0\non lab: no (it copies DC0_H0_VM0 (template=), which you may not read: denied by rule “lab-vms-are-private”)',
    );
    expect(sim.proxy.count('CloneVM_Task')).toBe(0);
    const records = await harness.bot.store.audit.query({ limit: 10, verb: 'create' });
    expect(records.map((r) => [r.target, r.outcome, r.rule])).toEqual([
      ['dev-copy', 'denied', NO_RULE],
      ['dev-copy', 'denied', 'lab-vms-are-private'],
    ]);
  });

  it('clones a template the requester may read, once confirmed', async () => {
    const { fake } = harness;
    await fake.slashCommand({ command: '/cloudmaster', text: 'create dev-2 on lab template=DC0_H0_VM1' });
    const message = await prompt(fake, 'Create dev-2 on lab?');
    await click(fake, message, 'confirm');
    expect((await until(fake, message, /created/)).text).toMatch(/^<@U0ALICE> dev-2 on lab created/);
    expect(sim.proxy.count('CloneVM_Task')).toBe(1);
  });

  it('does not clone a VM that is not a template, even for someone who may read it', async () => {
    const { fake } = harness;
    await fake.slashCommand({
      command: '/cloudmaster',
      text: 'create dev-3 on lab template=DC0_C0_RP0_VM0',
      userId: SRE,
    });
    const message = await prompt(fake, 'Create dev-3 on lab?');
    await click(fake, message, 'confirm', SRE);
    const failed = await until(fake, message, /not a template/);
    expect(failed.text).toContain(
      'DC0_C0_RP0_VM0 on lab is a VM, not a template: lab clones templates only.',
    );
    expect(sim.proxy.count('CloneVM_Task')).toBe(1);
  });

  it('keeps sources and placements to the account’s allowed values, listing them', async () => {
    const host = await answer('create dev-4 on pinned template=DC0_H0_VM1 host=DC0_C0_H1');
    expect(host.text).toBe(
      'host=DC0_C0_H1 is not allowed on pinned.\nProvider pinned allows host= only as one of these (`allowed:` in cloudmaster.yml):\nDC0_H0',
    );
    const missing = await answer('create dev-4 on pinned template=DC0_H0_VM1');
    expect(missing.text).toContain('create on pinned needs host=…: the account allows only some values.');
    const template = await answer('create dev-4 on pinned template=DC0_C0_RP0_VM1 host=DC0_H0', SRE);
    expect(template.text).toContain('template=DC0_C0_RP0_VM1 is not allowed on pinned.');
    expect(sim.proxy.count('CloneVM_Task')).toBe(1);
  });
});
