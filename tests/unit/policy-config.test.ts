/**
 * The `policy:` section's refusals, each pinned to its exact words and the
 * path that says where the mistake is; and ids that only look right.
 */
import { describe, expect, it } from 'vitest';
import { PROVIDER_MODULES } from '../../providers/modules.ts';
import { ConfigError, loadConfig } from '../../src/config/load.ts';
import { policySchema } from '../../src/policy/schema.ts';
import { isReadVerb } from '../../src/policy/verbs.ts';
import { writeConfig } from '../support/dispatcher.ts';

const problems = (config: unknown): string[] => {
  const result = policySchema.safeParse(config);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('policy configuration: what each refusal says and where', () => {
  it.each([
    [
      { rules: [{ verbs: ['zzzzzz'], effect: 'allow' }] },
      'rules.0.verbs: "zzzzzz" is not a verb a rule can name; use verb names, read, mutate or *',
    ],
    [
      { rules: [{ verbs: ['stat'], effect: 'allow' }] },
      'rules.0.verbs: "stat" is not a verb a rule can name (did you mean start or status?); use verb names, read, mutate or *',
    ],
    [
      { rules: [{ verbs: ['deploy'], effect: 'approve' }] },
      'rules.0.approvers: an approve rule needs approvers',
    ],
    [
      { rules: [{ effect: 'approve', approvers: ['U0LEAD'] }] },
      'rules.0.verbs: an approve rule must list the mutating verbs it covers',
    ],
    [
      { rules: [{ verbs: ['list'], effect: 'allow', approvers: ['U0LEAD'] }] },
      'rules.0.approvers: approvers belong to approve rules only',
    ],
    [
      { rules: [{ verbs: ['reboot'], effect: 'deny', confirm: false }] },
      'rules.0.confirm: confirm applies to allow rules only',
    ],
    [
      { rules: [{ groups: ['nobody-knows'], effect: 'allow' }] },
      'rules.0.groups: "nobody-knows" is neither a group under policy.groups nor a Slack user group id (S…)',
    ],
    [
      { groups: { sre: ['U0A'], srv: ['U0B'] }, rules: [{ groups: ['srx'], effect: 'allow' }] },
      'rules.0.groups: "srx" is neither a group under policy.groups nor a Slack user group id (S…); did you mean sre or srv?',
    ],
    [
      { rules: [{ groups: ['U0LEAD'], effect: 'allow' }] },
      'rules.0.groups: "U0LEAD" is neither a group under policy.groups nor a Slack user group id (S…)',
    ],
    [
      {
        rules: [
          { name: 'a', effect: 'allow' },
          { name: 'a', effect: 'deny' },
        ],
      },
      'rules.1.name: "a" names two rules',
    ],
    [
      { cli: { alice: 'alice' }, rules: [{ effect: 'allow' }] },
      'cli.alice: must be a Slack user id (U… or W…)',
    ],
    [
      { rules: [{ verbs: ['list', 'reboot'], effect: 'approve', approvers: ['U0LEAD'] }] },
      'rules.0.verbs: an approve rule must list the mutating verbs it covers (not list)',
    ],
    [
      { groups: { sre: ['U0A'] }, cli: { alice: 'U0A' } },
      'groups: groups are used only by rules: write rules: too, or leave groups out',
    ],
    [
      { rules: [{ users: ['alice'], effect: 'allow' }] },
      'rules.0.users.0: must be a Slack user id (U… or W…), a bridge client (client:NAME) or *',
    ],
    [
      { rules: [{ channels: ['#ops'], effect: 'allow' }] },
      'rules.0.channels.0: must be a channel id (C…, G…, D…), dm, cli, api or *',
    ],
  ])('refuses %j', (config, problem) => {
    expect(problems(config)).toEqual([problem]);
  });

  it('takes a Slack user id as an approver, and an approve rule over mutating verbs only', () => {
    expect(
      problems({ rules: [{ verbs: ['deploy'], effect: 'approve', approvers: ['U0LEAD', 'S0LEADS'] }] }),
    ).toEqual([]);
  });

  it.each([
    ['users', 'xU0ALICE'],
    ['users', 'U0ALICEx'],
    ['channels', 'xdm'],
    ['channels', 'C0OPSx'],
    ['approvers', 'xS0LEADS'],
    ['approvers', 'S0LEADSx'],
  ])('refuses %s: %j, which only contains an id', (field, value) => {
    const rule = { [field]: [value], effect: field === 'approvers' ? 'approve' : 'allow', verbs: ['reboot'] };
    expect(problems({ rules: [rule] })).not.toEqual([]);
  });

  it('takes users, bridge clients and everyone; channels, dm, cli, api and everywhere', () => {
    const rule = {
      users: ['U0ALICE', 'W0BOB', 'client:ci-bot', '*'],
      channels: ['C0OPS', 'G0PRIV', 'D0ALICE', 'dm', 'cli', 'api', '*'],
      effect: 'allow',
    };
    expect(problems({ rules: [rule] })).toEqual([]);
    expect(problems({ cli: { alice: 'U0ALICE' } })).toEqual([]);
  });

  it.each(['client:', 'client:Bot', 'xclient:bot', 'client:bot!'])('refuses the user %j', (user) => {
    expect(problems({ rules: [{ users: [user], effect: 'allow' }] })).not.toEqual([]);
  });

  it.each(['sre!', '-sre'])('refuses the group name %j', (name) => {
    expect(problems({ groups: { [name]: ['U0A'] }, rules: [{ effect: 'allow' }] })).not.toEqual([]);
  });
});

describe('policy configuration in cloudmaster.yml', () => {
  it('says why a group name is refused, not only that the key is invalid', () => {
    const path = writeConfig(
      'providers: { demo: { type: simulator } }\npolicy:\n  groups: { "-sre": [U0A] }\n  rules: [{ effect: allow }]\n',
    );
    let problems: readonly string[] = [];
    try {
      loadConfig({ env: { CLOUDMASTER_CONFIG: path }, modules: PROVIDER_MODULES });
    } catch (error) {
      if (error instanceof ConfigError) problems = error.problems;
    }
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /cloudmaster\.yml: policy\.groups\.-sre: group names are words: sre, on-call$/,
    );
  });
});

describe('policy verbs', () => {
  it('counts looking as reading, and the audit and changes as not', () => {
    expect(isReadVerb('list')).toBe(true);
    expect(isReadVerb('health')).toBe(true);
    expect(isReadVerb('audit')).toBe(false);
    expect(isReadVerb('reboot')).toBe(false);
  });
});
