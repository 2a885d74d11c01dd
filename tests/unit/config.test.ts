import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PROVIDER_MODULES } from '../../providers/modules.ts';
import type { AnyProviderModule } from '../../providers/registry.ts';
import { ConfigError, type LoadedConfig, loadConfig } from '../../src/config/load.ts';
import { CloudmasterError, ErrorCode } from '../../src/errors.ts';
import { createLogger } from '../../src/log/logger.ts';
import { Redactor } from '../../src/log/redact.ts';

/** A module with a secret, as the REST providers will have: the registry treats every module alike. */
const tokenModule: AnyProviderModule = {
  type: 'tokencloud',
  aliases: ['tc'],
  label: 'Token Cloud',
  configSchema: z.strictObject({ token: z.string().min(1), endpoint: z.url().optional() }),
  secretKeys: ['token'],
  capabilities: { list: {} },
  fromEnvironment: (env) =>
    env.TOKENCLOUD_TOKEN ? { id: 'tc', config: { token: env.TOKENCLOUD_TOKEN } } : undefined,
  connect: async () => {
    throw new Error('not used here');
  },
};
const modules = [...PROVIDER_MODULES, tokenModule];

function withFile(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cloudmaster-config-'));
  const path = join(dir, 'cloudmaster.yml');
  writeFileSync(path, yaml);
  return path;
}

function load(yaml: string, env: Record<string, string> = {}): LoadedConfig {
  return loadConfig({ env: { CLOUDMASTER_CONFIG: withFile(yaml), ...env }, modules, cwd: '/' });
}

function problems(yaml: string, env: Record<string, string> = {}): string[] {
  try {
    load(yaml, env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('loads providers, settings and environment references', () => {
    const config = load(
      `
settings:
  timeout: 4s
  pageSize: 20
providers:
  demo:
    type: simulator
    seed: 7
  tc:
    type: tokencloud
    token: \${TC_TOKEN}
    timeout: 1500ms
`,
      { TC_TOKEN: 'tc-secret-value-123' },
    );
    expect(config.source.kind).toBe('file');
    expect(config.settings).toMatchObject({ timeout: 4000, pageSize: 20 });
    expect(config.accounts.map((a) => [a.id, a.module.type, a.timeoutMs])).toEqual([
      ['demo', 'simulator', 4000],
      ['tc', 'tokencloud', 1500],
    ]);
    expect(config.secrets).toEqual(['tc-secret-value-123']);
  });

  it('reports every problem, one line each, naming file, key and what is wrong', () => {
    const lines = problems(
      `
settings:
  timeout: soon
providers:
  demo:
    type: simulatr
  tc:
    type: tokencloud
    token: \${MISSING_TOKEN}
  lab:
    type: simulator
    sead: 3
  "9bad":
    type: simulator
`,
    );
    expect(lines).toEqual([
      expect.stringMatching(
        /cloudmaster\.yml: providers\.tc\.token: environment variable MISSING_TOKEN is not set$/,
      ),
      expect.stringMatching(/cloudmaster\.yml: settings\.timeout: "soon" is not a duration/),
      expect.stringMatching(
        new RegExp(
          `cloudmaster\\.yml: providers\\.demo\\.type: unknown provider type "simulatr" \\(did you mean simulator\\?\\); known: ${modules.map((m) => m.type).join(', ')}$`,
        ),
      ),
      expect.stringMatching(/cloudmaster\.yml: providers\.lab: unknown key "sead" \(did you mean "seed"\?\)/),
      expect.stringMatching(/cloudmaster\.yml: providers\.9bad: the id must be/),
    ]);
  });

  it('takes allowed: lists for the source and placement parameters of create only, naming the key of each mistake', () => {
    const env = { VSPHERE_PASSWORD: 'vsphere-password-1', C66_TOKEN: 'c66-token-value-1' };
    const vsphere = `type: vsphere, url: "https://vc.example.com", username: u, password: "\${VSPHERE_PASSWORD}"`;
    const lines = problems(
      `
providers:
  lab: { ${vsphere}, allowed: { hots: [DC0_H0], size: [big] } }
  empty: { ${vsphere}, allowed: { host: [] } }
  aws:
    type: aws
    subnetId: subnet-c
    securityGroupIds: [sg-1, sg-9]
    allowed: { subnet: [subnet-a, subnet-b], security_groups: [sg-1] }
  c66: { type: cloud66, token: "\${C66_TOKEN}", allowed: { stack: [shop] } }
`,
      env,
    );
    expect(lines.map((line) => line.replace(/^\S*cloudmaster\.yml: /, ''))).toEqual([
      'providers.lab.allowed.hots: not a source or placement parameter of vsphere (did you mean "host"? it takes template, host, pool, folder, datastore)',
      'providers.lab.allowed.size: not a source or placement parameter of vsphere (it takes template, host, pool, folder, datastore)',
      'providers.empty.allowed.host: list at least one value (leave the key out to allow any)',
      'providers.aws.subnetId: "subnet-c" (the default for subnet=) is not among allowed.subnet: subnet-a, subnet-b',
      'providers.aws.securityGroupIds: "sg-9" (the default for security_groups=) is not among allowed.security_groups: sg-1',
      'providers.c66.allowed.stack: cloud66 has no create parameter that names a source or a placement',
    ]);
    const config = load(
      `providers:\n  lab: { ${vsphere}, allowed: { host: [DC0_H0], folder: [vm, 42] } }\n`,
      env,
    );
    expect(config.accounts[0]?.allowed).toEqual({ host: ['DC0_H0'], folder: ['vm', '42'] });
  });

  it('refuses a duration a timer cannot hold (over 24.8 days), naming the key', () => {
    expect(
      problems(`
settings:
  timeout: 25d
  timeLimits: { create: 2147483648 }
providers:
  demo: { type: simulator, pollInterval: 30d }
`),
    ).toEqual([
      expect.stringMatching(
        /cloudmaster\.yml: settings\.timeout: 25d is longer than a timer can hold \(at most 24d\)$/,
      ),
      expect.stringMatching(
        /cloudmaster\.yml: settings\.timeLimits\.create: 2147483648 ms is longer than a timer can hold \(at most 24d\)$/,
      ),
      expect.stringMatching(
        /cloudmaster\.yml: providers\.demo\.pollInterval: 30d is longer than a timer can hold \(at most 24d\)$/,
      ),
    ]);
    expect(
      load('settings: { timeout: 24d }\nproviders:\n  demo: { type: simulator }\n').settings.timeout,
    ).toBe(24 * 86_400_000);
  });

  it('takes the audit retention only with a unit and at least a day', () => {
    const retention = (value: string) =>
      problems(`settings: { auditRetention: ${value} }\nproviders:\n  demo: { type: simulator }\n`);
    expect(retention('365')).toEqual([
      expect.stringMatching(
        /cloudmaster\.yml: settings\.auditRetention: 365 has no unit: write the retention with one, e\.g\. 365d$/,
      ),
    ]);
    expect(retention('23h')).toEqual([
      expect.stringMatching(/settings\.auditRetention: "23h" is shorter than the minimum retention of 1d$/),
    ]);
    expect(retention('forever')).toEqual([
      expect.stringMatching(/settings\.auditRetention: "forever" is not a duration/),
    ]);
    const years = load('settings: { auditRetention: 730d }\nproviders:\n  demo: { type: simulator }\n');
    expect(years.settings.auditRetention).toBe(730 * 86_400_000);
    expect(load('providers:\n  demo: { type: simulator }\n').settings.auditRetention).toBe(365 * 86_400_000);
  });

  it('refuses a secret written into the file', () => {
    expect(problems('providers:\n  tc:\n    type: tokencloud\n    token: tc-literal-secret\n')).toEqual([
      expect.stringMatching(/providers\.tc\.token: write the secret as \$\{ENV_NAME\}/),
    ]);
  });

  it('points at the line of a YAML syntax error', () => {
    const [line] = problems('providers:\n  demo:\n    type: simulator\n   bad indent: [\n');
    expect(line).toMatch(/cloudmaster\.yml:\d+:\d+: /);
  });

  it('rejects unknown top-level sections and non-mapping providers', () => {
    expect(problems('provders: {}\n')).toEqual([
      expect.stringMatching(/unknown key "provders" \(did you mean "providers"\?\)/),
    ]);
    expect(problems('providers:\n  demo: simulator\n')).toEqual([
      expect.stringMatching(/providers\.demo: must be a mapping/),
    ]);
  });

  it('names a missing file that CLOUDMASTER_CONFIG points at', () => {
    expect(() =>
      loadConfig({ env: { CLOUDMASTER_CONFIG: '/nonexistent/cloudmaster.yml' }, modules }),
    ).toThrow(/no such file \(CLOUDMASTER_CONFIG names it\)/);
  });

  it('without a file, enables providers from the environment', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'cloudmaster-empty-'));
    const previous = process.cwd();
    process.chdir(cwd);
    try {
      const none = loadConfig({ env: {}, modules });
      expect(none.source.kind).toBe('environment');
      expect(none.accounts).toEqual([]);
      const some = loadConfig({
        env: { CLOUDMASTER_DEMO: '1', TOKENCLOUD_TOKEN: 'env-token-abcdef' },
        modules,
      });
      expect(some.accounts.map((a) => a.id)).toEqual(['demo', 'tc']);
      expect(some.secrets).toEqual(['env-token-abcdef']);
    } finally {
      process.chdir(previous);
    }
  });
});

/** The problems from the file's name on (the folder before it is a temporary one). */
function fileProblems(yaml: string): string[] {
  return problems(yaml).map((line) => line.slice(line.indexOf('cloudmaster.yml')));
}

describe('settings.admins', () => {
  const PROVIDERS = 'providers:\n  demo: { type: simulator }\n';
  it('holds Slack member ids, none by default', () => {
    expect(load(PROVIDERS).settings.admins).toEqual([]);
    expect(load(`settings: { admins: [U024BE7LH, W0ENTERPRISE] }\n${PROVIDERS}`).settings.admins).toEqual([
      'U024BE7LH',
      'W0ENTERPRISE',
    ]);
  });

  it('refuses names, handles and repeats, naming the key', () => {
    const notAnId = 'must be a Slack member id such as U012AB3CD (profile → ⋮ → Copy member ID), not a name';
    expect(fileProblems(`settings: { admins: [alice, "@bob"] }\n${PROVIDERS}`)).toEqual([
      `cloudmaster.yml: settings.admins.0: ${notAnId}`,
      `cloudmaster.yml: settings.admins.1: ${notAnId}`,
    ]);
    expect(fileProblems(`settings: { admins: [U0ALICE, U0ALICE] }\n${PROVIDERS}`)).toEqual([
      'cloudmaster.yml: settings.admins: lists a user twice',
    ]);
    expect(fileProblems(`settings: { admins: U0ALICE }\n${PROVIDERS}`)).toEqual([
      expect.stringMatching(/^cloudmaster\.yml: settings\.admins: /),
    ]);
  });
});

describe('policy section', () => {
  const PROVIDERS = 'providers:\n  demo:\n    type: simulator\n';
  it('is loaded and kept apart from settings', () => {
    const config = load(
      `${PROVIDERS}policy:\n  groups: { sre: [U0SRE1] }\n  rules:\n    - { name: sre, groups: [sre], effect: allow }\n    - { verbs: [read], providers: [simulator], effect: allow }\n`,
    );
    expect(config.policy?.rules?.map((rule) => rule.effect)).toEqual(['allow', 'allow']);
    expect(load(PROVIDERS).policy).toBeUndefined();
  });

  it('may hold only cli: (the default rules then decide), but not groups without rules', () => {
    expect(load(`${PROVIDERS}policy:\n  cli: { deploy: U0OPS }\n`).policy).toEqual({
      cli: { deploy: 'U0OPS' },
    });
    expect(fileProblems(`${PROVIDERS}policy:\n  groups: { sre: [U0SRE1] }\n`)).toEqual([
      'cloudmaster.yml: policy.groups: groups are used only by rules: write rules: too, or leave groups out',
    ]);
  });

  it('reports its problems one line each, with their keys, and providers no account is', () => {
    expect(
      problems(
        `${PROVIDERS}policy:\n  rules:\n    - { verbs: [rebot], effect: allow }\n    - { providers: [aws-prd], effect: deny }\n`,
      ),
    ).toEqual([
      expect.stringMatching(
        /cloudmaster\.yml: policy\.rules\.0\.verbs: "rebot" is not a verb a rule can name/,
      ),
    ]);
    expect(problems(`${PROVIDERS}policy:\n  rules:\n    - { providers: [aws-prd], effect: deny }\n`)).toEqual(
      [
        expect.stringMatching(
          /cloudmaster\.yml: policy\.rules\.0\.providers: "aws-prd" matches no configured provider \(configured: demo\)$/,
        ),
      ],
    );
  });
});

describe('redaction', () => {
  it('removes configured secrets and token-shaped strings everywhere', () => {
    const redactor = new Redactor(['tc-secret-value-123']);
    expect(redactor.text('token tc-secret-value-123 rejected')).toBe('token [redacted] rejected');
    expect(redactor.text('xoxb-1234-abcd and xapp-1-A0-99 and Bearer abc.def')).toBe(
      '[redacted] and [redacted] and Bearer [redacted]',
    );
    expect(redactor.text('wss://host/link/?ticket=abc123&app_id=A1')).toBe(
      'wss://host/link/?ticket=[redacted]&app_id=A1',
    );
    expect(redactor.deep({ a: ['x tc-secret-value-123'], b: 3 })).toEqual({ a: ['x [redacted]'], b: 3 });
  });

  it('redacts every log line, message and fields alike, and logs errors without stacks', () => {
    const lines: string[] = [];
    const log = createLogger({
      level: 'info',
      redactor: new Redactor(['tc-secret-value-123']),
      destination: { write: (line: string) => lines.push(line) },
    });
    log.warn(
      { url: 'https://api/?token=tc-secret-value-123', nested: { header: 'Bearer abc.def' } },
      'rejected tc-secret-value-123',
    );
    log.error(
      { err: new CloudmasterError(ErrorCode.ProviderAuth, 'token tc-secret-value-123 refused') },
      'failed',
    );
    const text = lines.join('');
    expect(text).not.toContain('tc-secret-value-123');
    expect(text).not.toContain('abc.def');
    expect(text).toContain('"msg":"rejected [redacted]"');
    expect(JSON.parse(lines[1] ?? '{}').err).toEqual({
      type: 'CloudmasterError',
      message: 'token [redacted] refused',
      code: 'provider_auth',
    });
  });

  it.each([
    ['Authorization: Digest abc123def', 'Authorization: [redacted]'],
    ['{"authorization":"SharedKey acct:sig=="}', '{"authorization":"[redacted]"}'],
    ['postgres://cm:hunter2-secret@db:5432/cm', 'postgres://cm:[redacted]@db:5432/cm'],
    [
      'https://bucket.s3/x?X-Amz-Credential=AK/2026&X-Amz-Signature=f00d',
      'https://bucket.s3/x?X-Amz-Credential=[redacted]&X-Amz-Signature=[redacted]',
    ],
    ['login failed: password=Tr0ub4dor&user=a', 'login failed: password=[redacted]&user=a'],
    ['{"password": "Tr0ub4dor", "user": "a"}', '{"password": "[redacted]", "user": "a"}'],
    ['client_secret: s3cr3t-value', 'client_secret: [redacted]'],
    [
      'key -----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY----- end',
      'key [redacted private key] end',
    ],
    ['access key AKIAIOSFODNN7EXAMPLE refused', 'access key [redacted] refused'],
    ['reboot web-1 on do', 'reboot web-1 on do'],
  ])('redacts %j', (input, output) => {
    expect(new Redactor([]).text(input)).toBe(output);
  });

  it('ignores values too short to be secrets', () => {
    expect(new Redactor(['abc']).text('abc')).toBe('abc');
  });
});
