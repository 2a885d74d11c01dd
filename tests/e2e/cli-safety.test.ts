/** The CLI under the same policy, confirmation and audit as Slack, acting as the Slack user its OS user maps to. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EXIT, runCli } from '../../src/cli/run.ts';
import { openStore } from '../../src/store/store.ts';
import { writeConfig } from '../support/dispatcher.ts';
import { DigitalOceanDouble } from '../support/doubles/digitalocean.ts';
import { run } from '../support/run-process.ts';

const CONFIG = `
settings: { pollInterval: 20ms }
providers:
  demo: { type: simulator, delays: { reboot: 50ms } }
policy:
  groups: { sre: [U0SRE] }
  cli: { alice: U0ALICE, sam: U0SRE }
  rules:
    - { name: sre-all, groups: [sre], verbs: ['*'], effect: allow }
    - { name: no-destroy, verbs: [destroy], effect: deny }
    - { name: deploys-need-approval, verbs: [deploy], effect: approve, approvers: [sre] }
    - { name: alice-reboots, users: [U0ALICE], verbs: [reboot, read], effect: allow }
`;

let env: Record<string, string>;
beforeEach(() => {
  env = {
    CLOUDMASTER_CONFIG: writeConfig(CONFIG),
    CLOUDMASTER_DATA_DIR: mkdtempSync(join(tmpdir(), 'cloudmaster-cli-safety-')),
  };
});

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  return {
    stream: new Writable({
      write(chunk, _encoding, done) {
        chunks.push(String(chunk));
        done();
      },
    }),
    text: () => chunks.join(''),
  };
}

/** The CLI in this process, as `osUser`, with a terminal that answers `typed` when there is one. */
async function cli(osUser: string, args: string[], typed?: string) {
  const stdout = sink();
  const stderr = sink();
  let stdin: (PassThrough & { isTTY?: boolean }) | undefined;
  if (typed !== undefined) {
    stdin = Object.assign(new PassThrough(), { isTTY: true });
    stdin.end(typed);
  }
  const code = await runCli(args, {
    stdout: stdout.stream,
    stderr: stderr.stream,
    env,
    osUser,
    ...(stdin ? { stdin } : {}),
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe('the CLI under the policy', () => {
  it('asks on a terminal before a mutation, runs it on "yes", and records who confirmed', async () => {
    const result = await cli('alice', ['reboot', 'web-1'], 'yes\n');
    expect(result.code).toBe(EXIT.ok);
    expect(result.stderr).toMatch(
      /^Reboot web-1 on demo\? web-1 is running \(active\), .*\.\nType yes to go ahead: /,
    );
    expect(result.stdout).toMatch(/^Rebooting web-1 on demo…\n/);
    expect(result.stdout).toMatch(/web-1 on demo rebooted: running again after 50 ms/);
    const audit = JSON.parse((await cli('sam', ['audit', '--json'])).stdout) as { records: unknown[] };
    expect(audit.records).toEqual([
      expect.objectContaining({
        userId: 'U0ALICE',
        entry: 'cli',
        channel: 'cli',
        rawText: 'reboot web-1',
        verb: 'reboot',
        decision: 'allow',
        rule: 'alice-reboots',
        confirmedBy: 'U0ALICE',
        provider: 'demo',
        target: 'web-1',
        requestId: 'sim-op-1',
        outcome: 'succeeded',
      }),
    ]);
  });

  it('says a change ran but is not in the audit log when its record cannot be written, and exits 6', async () => {
    const store = await openStore(
      { kind: 'sqlite', path: join(env.CLOUDMASTER_DATA_DIR as string, 'cloudmaster.db') },
      { now: Date.now() },
    );
    // The audit log could be written when the change started, but refuses its record at the end (the disk filled up).
    await store.sql.run(
      `CREATE TRIGGER audit_refuses BEFORE INSERT ON audit WHEN NEW.verb = 'reboot' BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`,
    );
    await store.close();
    const result = await cli('alice', ['reboot', 'web-1', '--yes']);
    expect(result.code).toBe(EXIT.unaudited);
    expect(result.stderr).toMatch(/web-1 on demo rebooted: running again after 50 ms/);
    const reference = /under reference ([0-9a-f]{8})\./.exec(result.stderr)?.[1];
    expect(result.stderr).toContain(
      `! This change is not in the audit log: its record could not be written. The record is in the bot’s log under reference ${reference}.`,
    );
    // The CLI's own log line, readable on a terminal, carries the same reference.
    expect(result.stderr).toMatch(
      new RegExp(
        `error: could not write an audit record: database or disk is full \\(.*reference=${reference}`,
      ),
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('runs no change while its audit record could not be written, and says so', async () => {
    const path = join(env.CLOUDMASTER_DATA_DIR as string, 'cloudmaster.db');
    const store = await openStore({ kind: 'sqlite', path }, { now: Date.now() });
    // The audit log refuses every record (a disk full, a broken table): the store itself still opens.
    await store.sql.run(
      `CREATE TRIGGER audit_refuses_all BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`,
    );
    const jobsBefore = (await store.jobs.recent(100)).length;
    await store.close();
    const result = await cli('alice', ['reboot', 'web-2', '--yes']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(
      /This change was not run: cloudmaster cannot write its audit log now \(reference [0-9a-f]{8}\)/,
    );
    expect(result.stderr).toContain('Nothing was sent to the provider.');
    const after = await openStore({ kind: 'sqlite', path }, { now: Date.now() });
    try {
      expect((await after.jobs.recent(100)).length).toBe(jobsBefore);
      await after.sql.run('DROP TRIGGER audit_refuses_all');
    } finally {
      await after.close();
    }
    const status = await cli('alice', ['status', 'web-2', '--json']);
    expect(status.stdout).toMatch(/"status":\s*"running"/);
  });

  it('exits 5 when a change was sent but its answer was lost, saying it may or may not have started', async () => {
    const digitalocean = await DigitalOceanDouble.start({ token: 'do-cli-unknown-token-0123' });
    try {
      env = {
        ...env,
        CLOUDMASTER_CONFIG: writeConfig(
          CONFIG.replace(
            /^ {2}demo: .*$/m,
            `$&\n  do: { type: digitalocean, token: "\${DO_TOKEN}", endpoint: "${digitalocean.url}" }`,
          ),
        ),
        DO_TOKEN: 'do-cli-unknown-token-0123',
      };
      digitalocean.failNext({ truncate: true, matching: /^POST \/v2\/droplets\/\d+\/actions$/ });
      const result = await cli('alice', ['reboot', 'web-1', 'on', 'do', '--yes']);
      expect(result.code).toBe(EXIT.unknown);
      expect(result.stderr).toMatch(
        /The reboot of web-1 on do may or may not have started: DigitalOcean accepted POST \/v2\/droplets\/\d+\/actions \(HTTP 201\)/,
      );
      expect(result.stderr).toContain('Check with status web-1 on do before asking again.');
      expect(digitalocean.actionRequests('web-1', 'reboot')).toBe(1);
    } finally {
      await digitalocean.stop();
    }
  });

  it('does nothing on any other answer, or without a terminal unless --yes', async () => {
    const declined = await cli('alice', ['reboot', 'web-1'], 'no\n');
    expect(declined.code).toBe(EXIT.refused);
    expect(declined.stdout).toBe('');
    expect(declined.stderr).toMatch(/You may not reboot web-1 on demo: not confirmed\.\n$/);
    const blind = await cli('alice', ['reboot', 'web-1']);
    expect(blind.code).toBe(EXIT.refused);
    expect(blind.stderr).toBe(
      'You may not reboot web-1 on demo: not confirmed: there is no terminal to ask on; add --yes.\n',
    );
    const scripted = await cli('alice', ['reboot', 'web-1', '--yes']);
    expect(scripted.code).toBe(EXIT.ok);
    const audit = JSON.parse((await cli('sam', ['audit', '--json'])).stdout) as {
      records: { outcome: string; detail?: string }[];
    };
    expect(audit.records.map((r) => r.outcome)).toEqual(['succeeded', 'cancelled', 'cancelled']);
    expect(audit.records[1]?.detail).toBe(
      'not confirmed: there is no terminal to ask on; add --yes; nothing was done',
    );
  });

  it('refuses what the policy denies, naming the rule, before asking anything', async () => {
    const result = await cli('alice', ['destroy', 'web-1', '--yes']);
    expect(result.code).toBe(EXIT.refused);
    expect(result.stderr).toBe('You may not destroy web-1: denied by rule “no-destroy”.\n');
    const unmapped = await cli('mallory', ['reboot', 'web-1', '--yes']);
    expect(unmapped.code).toBe(EXIT.refused);
    expect(unmapped.stderr).toMatch(/no rule allows it/);
  });

  it('cannot collect an approval, and says so', async () => {
    const result = await cli('alice', ['deploy', '-s', 'shop', '-e', 'production', '--yes']);
    expect(result.code).toBe(EXIT.refused);
    expect(result.stderr).toMatch(
      /^You may not deploy shop \(production\) on demo: it needs approval by the sre group \(rule deploys-need-approval\), which only Slack can collect: ask there\.\n$/,
    );
  });

  it('keeps the audit for those the policy lets read it, and answers whoami and can-i', async () => {
    await cli('alice', ['destroy', 'web-1']);
    const denied = await cli('alice', ['audit']);
    expect(denied.code).toBe(EXIT.refused);
    expect(denied.stderr).toMatch(/You may not read the audit log: no rule allows it/);
    const allowed = await cli('sam', ['audit', '--since', '1h', '--verb', 'destroy']);
    expect(allowed.code).toBe(EXIT.ok);
    expect(allowed.stdout).toMatch(/^1 record, newest first \(last 1 h, verb destroy, at most 20\)/);
    expect(allowed.stdout).toMatch(/U0ALICE\s+cli\s+destroy web-1\s+deny\s+denied/);
    const whoami = await cli('alice', ['whoami']);
    expect(whoami.stdout).toContain('You are U0ALICE.');
    expect(whoami.stdout).toMatch(/^ {2}reboot: yes on demo \(rule: alice-reboots\)$/m);
    expect(whoami.stdout).toMatch(/^ {2}destroy: no on demo \(rule: no-destroy\)$/m);
    expect(whoami.stdout).toMatch(/^ {2}deploy: with approval on demo \(rule: deploys-need-approval\)$/m);
    const canI = await cli('alice', ['can-i', 'reboot', 'web-1', '--json']);
    expect(JSON.parse(canI.stdout)).toEqual({
      kind: 'can-i',
      command: 'reboot web-1 --json',
      answers: [{ provider: 'demo', effect: 'allow', rule: 'alice-reboots', confirm: true }],
    });
  });
});

describe('the CLI under the safe default (no policy rules)', () => {
  let digitalocean: DigitalOceanDouble;
  beforeAll(async () => {
    digitalocean = await DigitalOceanDouble.start({ token: 'do-cli-default-token-0123', actionMs: 50 });
  });
  afterAll(async () => {
    await digitalocean?.stop();
  });
  beforeEach(() => {
    // Only cli: in the policy section: the OS user ops acts as U0OPS, an admin; nobody else is mapped.
    env.CLOUDMASTER_CONFIG = writeConfig(`
settings: { pollInterval: 20ms, admins: [U0OPS] }
providers:
  demo: { type: simulator, delays: { reboot: 50ms } }
  do: { type: digitalocean, token: "\${DO_TOKEN}", endpoint: "${digitalocean.url}" }
policy:
  cli: { ops: U0OPS }
`);
    env.DO_TOKEN = 'do-cli-default-token-0123';
  });

  it('lets an unmapped terminal read and change simulators, and tells it how to get more', async () => {
    expect((await cli('mallory', ['list', 'on', 'do'])).code).toBe(EXIT.ok);
    expect((await cli('mallory', ['reboot', 'web-1', 'on', 'demo', '--yes'])).code).toBe(EXIT.ok);
    const refused = await cli('mallory', ['reboot', 'web-1', 'on', 'do', '--yes']);
    expect(refused.code).toBe(EXIT.refused);
    expect(refused.stderr).toBe(
      'You may not reboot web-1 on do: changes are limited to admins until a policy is written — map your OS user to an admin’s Slack id under policy.cli, or write a policy: section (docs/safety.md).\n',
    );
    expect(digitalocean.actionRequests('web-1', 'reboot')).toBe(0);
  });

  it('gives a terminal mapped to an admin the admin’s rights', async () => {
    const result = await cli('ops', ['reboot', 'web-1', 'on', 'do', '--yes']);
    expect(result.code).toBe(EXIT.ok);
    expect(digitalocean.actionRequests('web-1', 'reboot')).toBe(1);
    const audit = JSON.parse((await cli('ops', ['audit', '--json'])).stdout) as { records: unknown[] };
    expect(audit.records[0]).toMatchObject({ userId: 'U0OPS', rule: 'default: admins change' });
  });
});

describe('the CLI binary', () => {
  it('acts as the OS user it runs as: one the policy does not map gets no rights', async () => {
    const result = await run('bin/cloudmaster.js', ['reboot', 'web-1', '--yes'], env);
    expect(result.code).toBe(EXIT.refused);
    expect(result.stderr).toMatch(/^You may not reboot web-1: no rule allows it/);
  });
});

describe('the CLI: what create copies, and the names it gives', () => {
  const SOURCES = `
settings: { pollInterval: 20ms }
providers:
  demo: { type: simulator, images: [ubuntu-24-04, prod-db-snapshot], delays: { create: 30ms } }
policy:
  cli: { alice: U0ALICE, sam: U0SRE }
  rules:
    - { name: prod-is-private, verbs: [status, reboot], targets: ['prod-*'], effect: deny }
    - { name: no-prod-names, verbs: [create], targets: ['prod-*'], effect: deny }
    - { name: sre-reads-audit, users: [U0SRE], verbs: [audit], effect: allow }
    - { name: alice-creates, users: [U0ALICE], verbs: [create, read], effect: allow }
`;
  beforeEach(() => {
    env = { ...env, CLOUDMASTER_CONFIG: writeConfig(SOURCES) };
  });

  it('refuses a create whose source the user may not read, naming the rule, before anything runs', async () => {
    const copy = await cli('alice', ['create', 'dev-copy', 'on', 'demo', 'image=prod-db-snapshot', '--yes']);
    expect(copy.code).toBe(EXIT.refused);
    expect(copy.stdout).toBe('');
    expect(copy.stderr).toBe(
      'You may not create dev-copy on demo: it copies prod-db-snapshot (image=), which you may not read: denied by rule “prod-is-private”.\n',
    );
    const fresh = await cli('alice', ['create', 'dev-new', 'on', 'demo', 'image=ubuntu-24-04', '--yes']);
    expect(fresh.code).toBe(EXIT.ok);
    const audit = JSON.parse((await cli('sam', ['audit', '--json'])).stdout) as {
      records: { target?: string; outcome: string; rule?: string }[];
    };
    expect(audit.records.map((r) => [r.target, r.outcome, r.rule])).toEqual([
      ['dev-new', 'succeeded', 'alice-creates'],
      ['dev-copy', 'denied', 'prod-is-private'],
    ]);
  });

  it('refuses new names holding a line break, a line separator or a direction mark, saying which character', async () => {
    for (const [name, shown] of [
      ['prod-\nweb', 'U+000A'],
      ['prod-web\u2028', 'U+2028'],
      ['dev-\u202Ebew', 'U+202E'],
    ] as const) {
      const result = await cli('alice', ['create', name, 'on', 'demo', '--yes']);
      expect(result.code).toBe(EXIT.usage);
      expect(result.stderr).toContain(
        `The name cannot hold control, line-separator or text-direction characters; it has ${shown}.`,
      );
    }
  });
});
