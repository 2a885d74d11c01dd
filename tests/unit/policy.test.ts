import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '../../src/policy/default.ts';
import { type GroupDirectory, SlackGroupDirectory } from '../../src/policy/directory.ts';
import { NO_RULE, Policy, type PolicyQuestion } from '../../src/policy/policy.ts';
import { type PolicyConfig, policySchema } from '../../src/policy/schema.ts';

const RULES = {
  groups: { sre: ['U0SRE1', 'U0SRE2'], oncall: ['U0ONCALL'] },
  cli: { alice: 'U0ALICE' },
  rules: [
    { name: 'contractors-nothing', groups: ['S0CONTRACT'], effect: 'deny' },
    { name: 'sre-everything', groups: ['sre'], verbs: ['*'], effect: 'allow' },
    {
      name: 'oncall-reboot-prod',
      groups: ['oncall'],
      verbs: ['reboot', 'start', 'status', 'list'],
      providers: ['aws-prod'],
      targets: ['prod-*'],
      effect: 'allow',
    },
    {
      name: 'prod-deploy-approval',
      verbs: ['deploy'],
      environments: ['production'],
      effect: 'approve',
      approvers: ['sre', 'U0LEAD'],
    },
    { name: 'dev-start-no-confirm', verbs: ['start'], targets: ['dev-*'], effect: 'allow', confirm: false },
    {
      name: 'web-reboots',
      verbs: ['reboot'],
      targets: ['web-?'],
      providers: ['digitalocean'],
      effect: 'allow',
    },
    { name: 'only-sre-destroys', verbs: ['destroy'], effect: 'deny' },
    { name: 'no-prod-creates', verbs: ['create'], targets: ['prod-*'], effect: 'deny' },
    { name: 'ops-channel-mutations', channels: ['C0OPS'], verbs: ['mutate'], effect: 'allow' },
    { name: 'everyone-reads', verbs: ['read'], effect: 'allow' },
    { name: 'auditors', users: ['U0AUDITOR'], verbs: ['audit'], effect: 'allow' },
    { name: 'terminal-reads-jobs', channels: ['cli'], verbs: ['providers'], effect: 'allow' },
  ],
};

/** Slack user groups as `usergroups.users.list` would answer; a missing one cannot be read. */
function directory(groups: Record<string, string[]>): GroupDirectory {
  return { members: async (id) => (groups[id] ? new Set(groups[id]) : undefined) };
}

const policy = new Policy(
  policySchema.parse(RULES),
  directory({ S0CONTRACT: ['U0CONTRACTOR'], S0LEADS: ['U0LEAD2'] }),
);
const AWS = { id: 'aws-prod', type: 'aws' };
const AWS_STAGING = { id: 'aws-staging', type: 'aws' };
const DO = { id: 'do', type: 'digitalocean' };
const C66 = { id: 'c66', type: 'cloud66' };

type Case = [string, Omit<PolicyQuestion, 'channel'> & { channel?: string }, string, string, boolean?];
/** [what, question, effect, rule, confirm] */
const cases: Case[] = [
  [
    'SRE destroys anything',
    { user: 'U0SRE1', verb: 'destroy', provider: AWS, target: 'prod-db' },
    'allow',
    'sre-everything',
    true,
  ],
  ['SRE reads the audit', { user: 'U0SRE1', verb: 'audit' }, 'allow', 'sre-everything', false],
  [
    'SRE from a DM',
    { user: 'U0SRE2', channel: 'D0SRE2', verb: 'destroy', provider: DO, target: 'x' },
    'allow',
    'sre-everything',
    true,
  ],
  [
    'on-call reboots prod on aws-prod',
    { user: 'U0ONCALL', verb: 'reboot', provider: AWS, target: 'prod-web-1' },
    'allow',
    'oncall-reboot-prod',
    true,
  ],
  [
    'on-call starts prod on aws-prod',
    { user: 'U0ONCALL', verb: 'start', provider: AWS, target: 'prod-web-1' },
    'allow',
    'oncall-reboot-prod',
    true,
  ],
  [
    'on-call may not reboot dev outside #ops',
    { user: 'U0ONCALL', verb: 'reboot', provider: AWS, target: 'dev-1' },
    'deny',
    NO_RULE,
  ],
  [
    'on-call reboots dev from #ops',
    { user: 'U0ONCALL', channel: 'C0OPS', verb: 'reboot', provider: AWS, target: 'dev-1' },
    'allow',
    'ops-channel-mutations',
    true,
  ],
  [
    'on-call may not reboot prod elsewhere',
    { user: 'U0ONCALL', verb: 'reboot', provider: DO, target: 'prod-web-1' },
    'deny',
    NO_RULE,
  ],
  [
    'provider ids are not types',
    { user: 'U0ONCALL', verb: 'reboot', provider: AWS_STAGING, target: 'prod-web-1' },
    'deny',
    NO_RULE,
  ],
  [
    'on-call may not stop prod',
    { user: 'U0ONCALL', verb: 'stop', provider: AWS, target: 'prod-web-1' },
    'deny',
    NO_RULE,
  ],
  [
    'deploy to production needs approval',
    { user: 'U0BOB', verb: 'deploy', provider: C66, target: 'shop', environment: 'production' },
    'approve',
    'prod-deploy-approval',
  ],
  [
    'even from #ops',
    {
      user: 'U0BOB',
      channel: 'C0OPS',
      verb: 'deploy',
      provider: C66,
      target: 'shop',
      environment: 'production',
    },
    'approve',
    'prod-deploy-approval',
  ],
  [
    'even for an approver',
    { user: 'U0LEAD', verb: 'deploy', provider: C66, target: 'shop', environment: 'Production' },
    'approve',
    'prod-deploy-approval',
  ],
  [
    'deploy to staging outside #ops',
    { user: 'U0BOB', verb: 'deploy', provider: C66, target: 'shop', environment: 'staging' },
    'deny',
    NO_RULE,
  ],
  [
    'deploy to staging from #ops',
    {
      user: 'U0BOB',
      channel: 'C0OPS',
      verb: 'deploy',
      provider: C66,
      target: 'shop',
      environment: 'staging',
    },
    'allow',
    'ops-channel-mutations',
    true,
  ],
  [
    'deploy without -e does not match an environment rule',
    { user: 'U0BOB', channel: 'C0OPS', verb: 'deploy', provider: C66, target: 'shop' },
    'allow',
    'ops-channel-mutations',
    true,
  ],
  [
    'start dev-* without confirming',
    { user: 'U0BOB', verb: 'start', provider: DO, target: 'dev-box' },
    'allow',
    'dev-start-no-confirm',
    false,
  ],
  [
    'names match in any case',
    { user: 'U0BOB', verb: 'start', provider: DO, target: 'DEV-Box' },
    'allow',
    'dev-start-no-confirm',
    false,
  ],
  [
    'stop dev-* is not start',
    { user: 'U0BOB', verb: 'stop', provider: DO, target: 'dev-box' },
    'deny',
    NO_RULE,
  ],
  [
    '? matches one character',
    { user: 'U0BOB', verb: 'reboot', provider: DO, target: 'web-1' },
    'allow',
    'web-reboots',
    true,
  ],
  [
    '? matches exactly one',
    { user: 'U0BOB', verb: 'reboot', provider: DO, target: 'web-10' },
    'deny',
    NO_RULE,
  ],
  [
    'providers match by type too',
    { user: 'U0BOB', verb: 'reboot', provider: { id: 'do-eu', type: 'digitalocean' }, target: 'web-2' },
    'allow',
    'web-reboots',
    true,
  ],
  [
    'nobody but SRE destroys, even in #ops',
    { user: 'U0BOB', channel: 'C0OPS', verb: 'destroy', provider: DO, target: 'dev-box' },
    'deny',
    'only-sre-destroys',
  ],
  [
    'no machine named prod-* is created, even from #ops',
    { user: 'U0BOB', channel: 'C0OPS', verb: 'create', provider: DO, target: 'prod-web' },
    'deny',
    'no-prod-creates',
  ],
  [
    '* matches a line feed',
    { user: 'U0BOB', channel: 'C0OPS', verb: 'create', provider: DO, target: 'prod-\nweb' },
    'deny',
    'no-prod-creates',
  ],
  [
    '* matches a carriage return',
    { user: 'U0BOB', channel: 'C0OPS', verb: 'create', provider: DO, target: 'prod-\r\nweb' },
    'deny',
    'no-prod-creates',
  ],
  [
    '* matches a line separator',
    { user: 'U0BOB', channel: 'C0OPS', verb: 'create', provider: DO, target: 'prod-web\u2028' },
    'deny',
    'no-prod-creates',
  ],
  [
    '* matches a paragraph separator',
    { user: 'U0BOB', channel: 'C0OPS', verb: 'create', provider: DO, target: 'prod-\u2029web' },
    'deny',
    'no-prod-creates',
  ],
  [
    '? matches a line feed',
    { user: 'U0BOB', verb: 'reboot', provider: DO, target: 'web-\n' },
    'allow',
    'web-reboots',
    true,
  ],
  [
    '? matches one character outside the BMP',
    { user: 'U0BOB', verb: 'reboot', provider: DO, target: 'web-\u{1F600}' },
    'allow',
    'web-reboots',
    true,
  ],
  ['everyone lists', { user: 'U0BOB', verb: 'list', provider: DO }, 'allow', 'everyone-reads', false],
  [
    'everyone reads a status',
    { user: 'U0BOB', verb: 'status', provider: AWS, target: 'web-1' },
    'allow',
    'everyone-reads',
    false,
  ],
  ['everyone lists providers', { user: 'U0BOB', verb: 'providers' }, 'allow', 'everyone-reads', false],
  ['the audit is not a read', { user: 'U0BOB', verb: 'audit' }, 'deny', NO_RULE],
  ['auditors read the audit', { user: 'U0AUDITOR', verb: 'audit' }, 'allow', 'auditors', false],
  [
    'contractors get nothing',
    { user: 'U0CONTRACTOR', verb: 'list', provider: DO },
    'deny',
    'contractors-nothing',
  ],
  [
    'contractors reboot nothing',
    { user: 'U0CONTRACTOR', channel: 'C0OPS', verb: 'reboot', provider: DO, target: 'web-1' },
    'deny',
    'contractors-nothing',
  ],
  [
    'a CLI user gets the rights of the Slack user it maps to',
    { user: 'U0ALICE', channel: 'cli', verb: 'reboot', provider: AWS, target: 'prod-web-1' },
    'deny',
    NO_RULE,
  ],
  [
    'a cli-only rule matches the terminal',
    { user: 'U0ALICE', channel: 'cli', verb: 'providers' },
    'allow',
    'everyone-reads',
    false,
  ],
];

describe('policy: decisions (first match wins)', () => {
  it.each(cases)('%s', async (_, question, effect, rule, confirm) => {
    const decision = await policy.decide({ channel: 'C0GENERAL', ...question });
    expect(decision.effect).toBe(effect);
    expect(decision.rule).toBe(rule);
    if (decision.effect === 'allow') expect(decision.confirm).toBe(confirm);
    if (decision.effect === 'approve') expect(decision.approvers).toEqual(['sre', 'U0LEAD']);
    if (decision.effect === 'deny')
      expect(decision.reason).toMatch(rule === NO_RULE ? /no rule allows it/ : /denied by rule/);
  });

  it('has at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it('denies when a group in a deny rule cannot be read, and grants nothing through it', async () => {
    const blind = new Policy(policySchema.parse(RULES), directory({}));
    expect(await blind.decide({ user: 'U0BOB', channel: 'C0X', verb: 'list', provider: DO })).toMatchObject({
      effect: 'deny',
      rule: 'contractors-nothing',
    });
    const grants = new Policy(
      policySchema.parse({ rules: [{ groups: ['S0SRE'], effect: 'allow' }] }),
      directory({}),
    );
    expect((await grants.decide({ user: 'U0SRE1', channel: 'C0X', verb: 'list' })).effect).toBe('deny');
  });
});

describe('policy: the safe default, while no rule is written', () => {
  const ADMIN = 'U0ADMIN';
  const SIM = { id: 'demo', type: 'simulator' };
  /** An account whose id says simulator but that touches a real cloud. */
  const NAMED_SIMULATOR = { id: 'simulator', type: 'digitalocean' };
  const safe = new Policy(undefined, directory({}), { admins: [ADMIN] });
  const ask = (question: Omit<PolicyQuestion, 'channel'>) => safe.decide({ channel: 'C0X', ...question });

  it.each(['list', 'status', 'providers', 'jobs', 'job', 'outages', 'check', 'health'] as const)(
    'everyone may %s, anywhere',
    async (verb) => {
      expect(await ask({ user: 'U0ANY', verb, provider: DO, target: 'web-1' })).toEqual({
        effect: 'allow',
        rule: DEFAULT_RULES.reads,
        confirm: false,
      });
    },
  );

  it.each(['reboot', 'start', 'stop', 'create', 'destroy', 'deploy', 'cancel'] as const)(
    'anyone may %s on a simulator account, after confirming',
    async (verb) => {
      expect(await ask({ user: 'U0ANY', verb, provider: SIM, target: 'web-1' })).toEqual({
        effect: 'allow',
        rule: DEFAULT_RULES.simulator,
        confirm: true,
      });
    },
  );

  it('refuses anyone else’s change on a real cloud with one sentence saying how to allow it', async () => {
    for (const provider of [DO, AWS, NAMED_SIMULATOR]) {
      expect(await ask({ user: 'U0ANY', verb: 'reboot', provider, target: 'web-1' })).toEqual({
        effect: 'deny',
        rule: DEFAULT_RULES.others,
        reason:
          'changes are limited to admins until a policy is written — add your Slack id (U0ANY) to settings.admins, or write a policy: section (docs/safety.md)',
      });
    }
  });

  it('lets admins change anything after confirming, and read what is not a read (audit, testmode)', async () => {
    for (const verb of ['reboot', 'destroy', 'deploy'] as const) {
      expect(await ask({ user: ADMIN, verb, provider: DO, target: 'web-1' })).toEqual({
        effect: 'allow',
        rule: DEFAULT_RULES.admins,
        confirm: true,
      });
    }
    for (const verb of ['audit', 'testmode', 'resolve', 'acknowledge', 'ticket'] as const) {
      expect(await ask({ user: ADMIN, verb })).toMatchObject({ effect: 'allow', rule: DEFAULT_RULES.admins });
      expect(await ask({ user: 'U0ANY', verb })).toMatchObject({
        effect: 'deny',
        rule: DEFAULT_RULES.others,
        reason: expect.stringMatching(
          new RegExp(`^${verb} is limited to admins until a policy is written — `),
        ),
      });
    }
  });

  it('tells a terminal user how the terminal gets an admin’s rights', async () => {
    const decision = await ask({ user: 'cli:alice', verb: 'reboot', provider: DO, target: 'web-1' });
    expect(decision).toMatchObject({ effect: 'deny', rule: DEFAULT_RULES.others });
    if (decision.effect === 'deny') expect(decision.reason).toMatch(/under policy\.cli/);
  });

  it('answers before the target is known: a change is possible somewhere (simulators), never on a real cloud', async () => {
    const subject = { user: 'U0ANY', channel: 'C0X' };
    expect(await safe.outlook({ ...subject, verb: 'reboot' })).toMatchObject({
      possible: true,
      depends: true,
      rule: DEFAULT_RULES.simulator,
    });
    expect(await safe.outlook({ ...subject, verb: 'reboot', provider: DO })).toMatchObject({
      possible: false,
      rule: DEFAULT_RULES.others,
      reason: expect.stringMatching(/^changes are limited to admins until a policy is written/),
    });
    expect(await safe.outlook({ ...subject, verb: 'audit' })).toMatchObject({ possible: false });
    expect(await safe.outlook({ ...subject, verb: 'list' })).toMatchObject({
      possible: true,
      depends: false,
      rule: DEFAULT_RULES.reads,
    });
  });

  it('without admins, nobody changes a real cloud', async () => {
    const noAdmins = new Policy(undefined, directory({}));
    expect(noAdmins.configured).toBe(false);
    expect(
      await noAdmins.decide({ user: ADMIN, channel: 'C0X', verb: 'reboot', provider: DO, target: 'web-1' }),
    ).toMatchObject({ effect: 'deny', rule: DEFAULT_RULES.others });
  });

  it('a policy section holding only cli: keeps the default and maps the terminal to an admin', async () => {
    const mapped = new Policy(policySchema.parse({ cli: { alice: ADMIN } }), directory({}), {
      admins: [ADMIN],
    });
    expect(mapped.configured).toBe(false);
    expect(mapped.cliUser('alice')).toBe(ADMIN);
    expect(
      await mapped.decide({ user: ADMIN, channel: 'cli', verb: 'reboot', provider: DO, target: 'web-1' }),
    ).toMatchObject({ effect: 'allow', rule: DEFAULT_RULES.admins });
  });

  it('once rules are written, admins get nothing the rules do not give', async () => {
    const written = new Policy(policySchema.parse(RULES), directory({ S0CONTRACT: [] }), { admins: [ADMIN] });
    expect(written.configured).toBe(true);
    expect(
      await written.decide({ user: ADMIN, channel: 'C0X', verb: 'reboot', provider: DO, target: 'db-1' }),
    ).toMatchObject({ effect: 'deny', rule: NO_RULE });
  });

  it('rejects groups without rules: they would grant nothing', () => {
    expect(policySchema.safeParse({ groups: { sre: ['U0SRE1'] } }).success).toBe(false);
  });
});

describe('policy: before the target is known', () => {
  it.each([
    [
      'on-call may reboot some machines on aws-prod',
      { user: 'U0ONCALL', verb: 'reboot', provider: AWS },
      true,
      true,
    ],
    ['on-call may reboot somewhere', { user: 'U0ONCALL', verb: 'reboot' }, true, true],
    ['nobody but SRE destroys anything', { user: 'U0ONCALL', verb: 'destroy' }, false, false],
    ['Bob may start dev machines', { user: 'U0BOB', verb: 'start' }, true, true],
    ['Bob may not stop anything outside #ops', { user: 'U0BOB', verb: 'stop' }, false, false],
    ['Bob may stop in #ops', { user: 'U0BOB', verb: 'stop', channel: 'C0OPS' }, true, false],
    ['SRE may do anything', { user: 'U0SRE1', verb: 'destroy' }, true, false],
    ['Bob may deploy somewhere (with approval)', { user: 'U0BOB', verb: 'deploy' }, true, true],
  ] as const)('%s', async (_, question, possible, depends) => {
    const outlook = await policy.outlook({ channel: 'C0GENERAL', ...question });
    expect(outlook.possible).toBe(possible);
    expect(outlook.depends).toBe(depends);
  });

  it('names the rule that settles a denial', async () => {
    expect(await policy.outlook({ user: 'U0BOB', channel: 'C0X', verb: 'destroy' })).toEqual({
      possible: false,
      rule: 'only-sre-destroys',
      reason: 'denied by rule “only-sre-destroys”',
      depends: false,
      approval: false,
    });
    expect(await policy.outlook({ user: 'U0BOB', channel: 'C0X', verb: 'deploy' })).toMatchObject({
      possible: true,
      approval: true,
      rule: 'prod-deploy-approval',
    });
  });
});

describe('policy: approvers and groups', () => {
  it.each([
    ['an SRE approves Bob’s deploy', 'U0SRE1', 'U0BOB', true],
    ['a named approver approves', 'U0LEAD', 'U0BOB', true],
    ['nobody approves their own request', 'U0LEAD', 'U0LEAD', false],
    ['not even an SRE', 'U0SRE1', 'U0SRE1', false],
    ['someone else may not', 'U0CAROL', 'U0BOB', false],
  ])('%s', async (_, approver, requester, may) => {
    expect(await policy.mayApprove(approver, requester, ['sre', 'U0LEAD'])).toBe(may);
  });

  it('reads Slack user groups for approvers too', async () => {
    expect(await policy.mayApprove('U0LEAD2', 'U0BOB', ['S0LEADS'])).toBe(true);
    expect(await policy.mayApprove('U0BOB', 'U0CAROL', ['S0LEADS'])).toBe(false);
  });

  it('tells a user the groups the rules name that they are in', async () => {
    expect(await policy.groupsOf('U0SRE1')).toEqual(['sre']);
    expect(await policy.groupsOf('U0CONTRACTOR')).toEqual(['S0CONTRACT']);
    expect(await policy.groupsOf('U0BOB')).toEqual([]);
  });

  it('maps CLI users to Slack users', () => {
    expect(policy.cliUser('alice')).toBe('U0ALICE');
    expect(policy.cliUser('mallory')).toBeUndefined();
  });
});

describe('policy: Slack user groups', () => {
  it('are read once, kept for a while, and the last answer serves while Slack fails', async () => {
    let now = 0;
    const calls: string[] = [];
    let failing = false;
    const api = {
      usergroups: {
        users: {
          list: async ({ usergroup }: { usergroup: string }) => {
            calls.push(usergroup);
            if (failing) throw new Error('ratelimited');
            return { ok: true, users: ['U0SRE1'] };
          },
        },
      },
    };
    const slack = new SlackGroupDirectory(api, pino({ level: 'silent' }), { now: () => now }, 60_000);
    expect(await slack.members('S0SRE')).toEqual(new Set(['U0SRE1']));
    await Promise.all([slack.members('S0SRE'), slack.members('S0SRE')]);
    expect(calls).toEqual(['S0SRE']);
    now = 120_000;
    failing = true;
    expect(await slack.members('S0SRE')).toEqual(new Set(['U0SRE1']));
    expect(await slack.members('S0OTHER')).toBeUndefined();
    expect(calls).toEqual(['S0SRE', 'S0SRE', 'S0OTHER']);
  });
});

describe('policy: configuration', () => {
  const problems = (config: unknown): string[] => {
    const result = policySchema.safeParse(config);
    return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('accepts the documented examples', () => {
    expect(problems(RULES)).toEqual([]);
    expect(policySchema.parse(RULES) satisfies PolicyConfig).toBeDefined();
  });

  it.each([
    [
      { rules: [{ verbs: ['rebot'], effect: 'allow' }] },
      /rules\.0\.verbs: "rebot" is not a verb a rule can name \(did you mean reboot\?\)/,
    ],
    [
      { rules: [{ verbs: ['deploy'], effect: 'approve' }] },
      /rules\.0\.approvers: an approve rule needs approvers/,
    ],
    [
      { rules: [{ effect: 'approve', approvers: ['U0LEAD'] }] },
      /rules\.0\.verbs: an approve rule must list the mutating verbs/,
    ],
    [
      { rules: [{ verbs: ['read', 'deploy'], effect: 'approve', approvers: ['U0LEAD'] }] },
      /\(not list, status, providers, jobs, job, outages, check, health, webhooks\)/,
    ],
    [
      { rules: [{ verbs: ['list'], effect: 'allow', approvers: ['U0LEAD'] }] },
      /approvers belong to approve rules only/,
    ],
    [
      { rules: [{ verbs: ['reboot'], effect: 'deny', confirm: false }] },
      /confirm applies to allow rules only/,
    ],
    [
      { groups: { sre: ['U0SRE1'] }, rules: [{ groups: ['sres'], effect: 'allow' }] },
      /"sres" is neither a group under policy.groups nor a Slack user group id \(S…\); did you mean sre\?/,
    ],
    [{ rules: [{ users: ['alice'], effect: 'allow' }] }, /rules\.0\.users\.0: must be a Slack user id/],
    [{ rules: [{ channels: ['#ops'], effect: 'allow' }] }, /must be a channel id/],
    [
      {
        rules: [
          { name: 'a', effect: 'allow' },
          { name: 'a', effect: 'deny' },
        ],
      },
      /"a" names two rules/,
    ],
    [{ rules: [{ effect: 'maybe' }] }, /rules\.0\.effect/],
    [{ rules: [] }, /rules/],
    [{ rules: [{ effect: 'allow', targets: 'web-*' }] }, /rules\.0\.targets/],
  ])('refuses %j', (config, message) => {
    expect(problems(config).join('\n')).toMatch(message);
  });
});
