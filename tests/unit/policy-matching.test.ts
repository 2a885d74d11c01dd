/**
 * What each field of a policy rule matches, one field at a time, through the
 * policy's public API (decide, outlook, mayApprove, groupsOf). The broad
 * table of decisions is in policy.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { GroupDirectory } from '../../src/policy/directory.ts';
import { NO_RULE, Policy, type PolicyQuestion } from '../../src/policy/policy.ts';
import { policySchema } from '../../src/policy/schema.ts';

/** Slack user groups as `usergroups.users.list` would answer; a missing one cannot be read. */
function directory(groups: Record<string, string[]>): GroupDirectory {
  return { members: async (id) => (groups[id] ? new Set(groups[id]) : undefined) };
}

function policyOf(config: unknown, groups: Record<string, string[]> = {}): Policy {
  return new Policy(policySchema.parse(config), directory(groups));
}

/** An outlook that lets the verb run somewhere, under `rule`. */
function possible(rule: string, how: { depends: boolean; approval: boolean }) {
  return { possible: true, rule, reason: '', ...how };
}

/** An outlook that refuses the verb under `rule`, telling the user `reason`. */
function impossible(rule: string, reason: string, how: { depends: boolean }) {
  return { possible: false, rule, reason, approval: false, ...how };
}

const AWS = { id: 'aws-prod', type: 'aws' };
const DO = { id: 'do', type: 'digitalocean' };

async function ruleFor(policy: Policy, question: Partial<PolicyQuestion>): Promise<string> {
  const decision = await policy.decide({ user: 'U0BOB', channel: 'C0GENERAL', verb: 'list', ...question });
  return decision.effect === 'deny' && decision.rule === NO_RULE ? 'none' : decision.rule;
}

describe('policy rules: providers', () => {
  const policy = policyOf({ rules: [{ name: 'aws-only', providers: ['aws-prod'], effect: 'allow' }] });

  it('grants a rule limited to one provider nothing that has no provider, such as audit', async () => {
    expect(await ruleFor(policy, { verb: 'audit' })).toBe('none');
    expect(await ruleFor(policy, { verb: 'providers' })).toBe('none');
    expect(await ruleFor(policy, { verb: 'reboot', provider: AWS, target: 'web-1' })).toBe('aws-only');
    expect(await ruleFor(policy, { verb: 'reboot', provider: DO, target: 'web-1' })).toBe('none');
  });

  it('matches a provider by its id or its type, and by glob', async () => {
    const byGlob = policyOf({
      rules: [{ name: 'do-any', providers: ['digital*', 'aws-st?'], effect: 'allow' }],
    });
    expect(await ruleFor(byGlob, { provider: DO })).toBe('do-any');
    expect(await ruleFor(byGlob, { provider: { id: 'aws-stg', type: 'cloud' } })).toBe('do-any');
    expect(await ruleFor(byGlob, { provider: AWS })).toBe('none');
  });
});

describe('policy rules: channels and users', () => {
  const policy = policyOf({
    rules: [
      { name: 'two-channels', channels: ['C0OPS', 'C0DEV'], verbs: ['reboot'], effect: 'allow' },
      { name: 'two-users', users: ['U0ANN', 'U0CAT'], verbs: ['stop'], effect: 'allow' },
      { name: 'dms', channels: ['dm'], verbs: ['start'], effect: 'allow' },
      { name: 'anywhere', channels: ['*'], verbs: ['list'], effect: 'allow' },
      { name: 'terminal', channels: ['cli'], verbs: ['destroy'], effect: 'allow' },
      { name: 'everyone', users: ['*'], verbs: ['status'], effect: 'allow' },
    ],
  });

  it('matches a rule listing several channels in each of them and in no other', async () => {
    expect(await ruleFor(policy, { verb: 'reboot', channel: 'C0OPS' })).toBe('two-channels');
    expect(await ruleFor(policy, { verb: 'reboot', channel: 'C0DEV' })).toBe('two-channels');
    expect(await ruleFor(policy, { verb: 'reboot', channel: 'C0GENERAL' })).toBe('none');
    expect(await ruleFor(policy, { verb: 'reboot', channel: 'D0BOB' })).toBe('none');
  });

  it('matches a rule listing several users for each of them and for nobody else', async () => {
    expect(await ruleFor(policy, { verb: 'stop', user: 'U0ANN' })).toBe('two-users');
    expect(await ruleFor(policy, { verb: 'stop', user: 'U0CAT' })).toBe('two-users');
    expect(await ruleFor(policy, { verb: 'stop', user: 'U0BOB' })).toBe('none');
  });

  it('matches `dm` in direct messages only, `*` everywhere, `cli` in the terminal only', async () => {
    expect(await ruleFor(policy, { verb: 'start', channel: 'D0BOB' })).toBe('dms');
    expect(await ruleFor(policy, { verb: 'start', channel: 'C0OPS' })).toBe('none');
    expect(await ruleFor(policy, { verb: 'start', channel: 'cli' })).toBe('none');
    for (const channel of ['C0OPS', 'D0BOB', 'G0PRIVATE', 'cli'])
      expect(await ruleFor(policy, { verb: 'list', channel })).toBe('anywhere');
    expect(await ruleFor(policy, { verb: 'destroy', channel: 'cli' })).toBe('terminal');
    expect(await ruleFor(policy, { verb: 'destroy', channel: 'C0OPS' })).toBe('none');
  });

  it('matches users: [*] for everyone', async () => {
    expect(await ruleFor(policy, { verb: 'status', user: 'U0ANYONE' })).toBe('everyone');
  });
});

describe('policy rules: targets and environments', () => {
  const policy = policyOf({
    rules: [
      { name: 'dbs-and-webs', verbs: ['reboot'], targets: ['db.prod-*', 'web-?'], effect: 'allow' },
      { name: 'staging', verbs: ['deploy'], environments: ['staging', 'qa-*'], effect: 'allow' },
    ],
  });

  it('takes regex characters in a target glob as themselves, and any glob of a list', async () => {
    expect(await ruleFor(policy, { verb: 'reboot', target: 'db.prod-1' })).toBe('dbs-and-webs');
    expect(await ruleFor(policy, { verb: 'reboot', target: 'dbxprod-1' })).toBe('none');
    expect(await ruleFor(policy, { verb: 'reboot', target: 'web-3' })).toBe('dbs-and-webs');
    expect(await ruleFor(policy, { verb: 'reboot', target: 'web-30' })).toBe('none');
    expect(await ruleFor(policy, { verb: 'reboot' })).toBe('none');
  });

  it('matches an environment rule only for the environments it lists', async () => {
    expect(await ruleFor(policy, { verb: 'deploy', target: 'shop', environment: 'staging' })).toBe('staging');
    expect(await ruleFor(policy, { verb: 'deploy', target: 'shop', environment: 'qa-2' })).toBe('staging');
    expect(await ruleFor(policy, { verb: 'deploy', target: 'shop', environment: 'production' })).toBe('none');
    expect(await ruleFor(policy, { verb: 'deploy', target: 'shop' })).toBe('none');
  });
});

describe('policy rules: what a decision says', () => {
  const policy = policyOf({
    groups: { sre: ['U0SRE'] },
    rules: [
      { verbs: ['destroy'], effect: 'deny' },
      { name: 'quick-starts', verbs: ['start', 'list'], effect: 'allow', confirm: false },
      { name: 'confirmed-reads', verbs: ['status'], effect: 'allow', confirm: true },
      { name: 'deploys', verbs: ['deploy'], effect: 'approve', approvers: ['sre', 'U0LEAD'] },
      { verbs: ['reboot'], effect: 'allow' },
    ],
  });
  const ask = (verb: PolicyQuestion['verb']) => policy.decide({ user: 'U0BOB', channel: 'C0X', verb });

  it('names an unnamed rule by its place, and says which rule denied', async () => {
    expect(await ask('destroy')).toEqual({
      effect: 'deny',
      rule: 'rule 1',
      reason: 'denied by rule “rule 1”',
    });
    expect(await ask('reboot')).toEqual({ effect: 'allow', rule: 'rule 5', confirm: true });
  });

  it('asks a confirmation for changes only, and not where the rule waives it', async () => {
    expect(await ask('start')).toEqual({ effect: 'allow', rule: 'quick-starts', confirm: false });
    expect(await ask('list')).toEqual({ effect: 'allow', rule: 'quick-starts', confirm: false });
    expect(await ask('status')).toEqual({ effect: 'allow', rule: 'confirmed-reads', confirm: false });
  });

  it('names the approvers of an approve rule', async () => {
    expect(await ask('deploy')).toEqual({ effect: 'approve', rule: 'deploys', approvers: ['sre', 'U0LEAD'] });
  });

  it('denies what no rule allows', async () => {
    expect(await ask('stop')).toEqual({ effect: 'deny', rule: NO_RULE, reason: NO_RULE });
  });
});

describe('policy rules: groups', () => {
  const policy = policyOf(
    {
      groups: { sre: ['U0SRE'], unused: ['U0BOB'] },
      rules: [
        { name: 'blind-deny', groups: ['S0BLIND'], verbs: ['destroy'], effect: 'deny' },
        { name: 'either-group', groups: ['S0BLIND', 'S0LEADS'], verbs: ['reboot'], effect: 'allow' },
        { name: 'users-or-groups', users: ['U0ANN'], groups: ['sre'], verbs: ['stop'], effect: 'allow' },
        { name: 'destroyers', verbs: ['destroy'], effect: 'allow' },
      ],
    },
    { S0LEADS: ['U0LEAD'] },
  );

  it('grants through a readable group listed after one that cannot be read', async () => {
    expect(await ruleFor(policy, { verb: 'reboot', user: 'U0LEAD' })).toBe('either-group');
    expect(await ruleFor(policy, { verb: 'reboot', user: 'U0BOB' })).toBe('none');
  });

  it('matches a rule naming users and groups for either', async () => {
    expect(await ruleFor(policy, { verb: 'stop', user: 'U0ANN' })).toBe('users-or-groups');
    expect(await ruleFor(policy, { verb: 'stop', user: 'U0SRE' })).toBe('users-or-groups');
    expect(await ruleFor(policy, { verb: 'stop', user: 'U0BOB' })).toBe('none');
  });

  it('lets a deny rule on an unreadable group deny everyone, whoever they are', async () => {
    expect(await ruleFor(policy, { verb: 'destroy', user: 'U0SRE' })).toBe('blind-deny');
  });

  it('lists a user’s local groups, named in rules or not, and Slack groups the rules name', async () => {
    expect(await policy.groupsOf('U0BOB')).toEqual(['unused']);
    expect(await policy.groupsOf('U0LEAD')).toEqual(['S0LEADS']);
    expect(await policy.groupsOf('U0SRE')).toEqual(['sre']);
  });

  it('lets approve a user named, a member of a local or a readable Slack group, never an unreadable one', async () => {
    expect(await policy.mayApprove('U0LEAD', 'U0BOB', ['U0ANN', 'S0LEADS'])).toBe(true);
    expect(await policy.mayApprove('U0ANN', 'U0BOB', ['S0LEADS', 'U0ANN'])).toBe(true);
    expect(await policy.mayApprove('U0SRE', 'U0BOB', ['S0BLIND', 'sre'])).toBe(true);
    expect(await policy.mayApprove('U0SRE', 'U0BOB', ['S0BLIND'])).toBe(false);
    expect(await policy.mayApprove('U0SRE', 'U0BOB', [])).toBe(false);
    expect(await policy.mayApprove('U0ANN', 'U0BOB', ['U0SRE'])).toBe(false);
  });
});

describe('policy outlook: before the target is known', () => {
  const policy = policyOf({
    rules: [
      { name: 'no-prod', verbs: ['destroy'], targets: ['prod-*'], effect: 'deny' },
      { name: 'destroy-dev', verbs: ['destroy'], targets: ['dev-*'], effect: 'allow' },
      { name: 'no-stops', verbs: ['stop'], effect: 'deny' },
      {
        name: 'deploys',
        verbs: ['deploy'],
        environments: ['staging'],
        effect: 'approve',
        approvers: ['U0LEAD'],
      },
      { name: 'ops-reboots', verbs: ['reboot'], channels: ['C0OPS'], effect: 'allow' },
      { name: 'aws-starts', verbs: ['start'], providers: ['aws-*'], effect: 'allow' },
    ],
  });
  const outlook = (verb: PolicyQuestion['verb'], extra: Partial<PolicyQuestion> = {}) =>
    policy.outlook({ user: 'U0BOB', channel: 'C0X', verb, ...extra });

  it('is possible, depending on the target, past a deny rule that holds for some targets only', async () => {
    expect(await outlook('destroy')).toEqual(possible('destroy-dev', { depends: true, approval: false }));
  });

  it('is settled by a deny rule that holds for every target', async () => {
    expect(await outlook('stop')).toEqual(
      impossible('no-stops', 'denied by rule “no-stops”', { depends: false }),
    );
  });

  it('says when what is possible needs an approval', async () => {
    expect(await outlook('deploy')).toEqual(possible('deploys', { depends: true, approval: true }));
  });

  it('is settled by a rule that matches whatever the target', async () => {
    expect(await outlook('reboot', { channel: 'C0OPS' })).toEqual(
      possible('ops-reboots', { depends: false, approval: false }),
    );
    expect(await outlook('reboot')).toEqual(impossible(NO_RULE, NO_RULE, { depends: false }));
  });

  it('counts a provider not known yet as maybe, and a known one as it is', async () => {
    expect(await outlook('start')).toMatchObject({ possible: true, depends: true });
    expect(await outlook('start', { provider: AWS })).toMatchObject({ possible: true, depends: false });
    expect(await outlook('start', { provider: DO })).toMatchObject({ possible: false, rule: NO_RULE });
  });

  it('says a denial depends on the target when only a rule for some targets denied', async () => {
    const onlyDeny = policyOf({
      rules: [{ name: 'no-prod', verbs: ['destroy'], targets: ['prod-*'], effect: 'deny' }],
    });
    expect(await onlyDeny.outlook({ user: 'U0BOB', channel: 'C0X', verb: 'destroy' })).toEqual(
      impossible(NO_RULE, NO_RULE, { depends: true }),
    );
  });
});

describe('policy outlook: groups that cannot be read', () => {
  const policy = policyOf({
    rules: [
      { name: 'blind-allow', groups: ['S0BLIND'], verbs: ['reboot'], effect: 'allow' },
      { name: 'blind-deny', groups: ['S0BLIND'], verbs: ['destroy'], effect: 'deny' },
      { name: 'destroyers', verbs: ['destroy'], effect: 'allow' },
    ],
  });
  const outlook = (verb: PolicyQuestion['verb']) => policy.outlook({ user: 'U0BOB', channel: 'C0X', verb });

  it('makes nothing possible through an allow rule on a group that cannot be read', async () => {
    expect(await outlook('reboot')).toEqual(impossible(NO_RULE, NO_RULE, { depends: false }));
  });

  it('settles a denial through a deny rule on a group that cannot be read', async () => {
    expect(await outlook('destroy')).toEqual(
      impossible('blind-deny', 'denied by rule “blind-deny”', { depends: false }),
    );
  });
});
