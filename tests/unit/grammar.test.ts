import { describe, expect, it } from 'vitest';
import type { Command, UsageErrorCode, Verb } from '../../src/grammar/command.ts';
import { parse, parseWords } from '../../src/grammar/parse.ts';
import { editDistance, MAX_SUGGESTED_LENGTH, suggest } from '../../src/grammar/suggest.ts';
import { normalizeSlackText } from '../../src/grammar/tokenize.ts';
import { usageLine, verbHelp } from '../../src/grammar/usage.ts';
import { VERB_SPECS } from '../../src/grammar/verbs.ts';

type Expected = Partial<Record<keyof Command | 'name' | 'filter' | 'stack' | string, unknown>>;

/** Inputs people type, and the command each must become. */
const commands: [string, Expected][] = [
  ['', { verb: 'help' }],
  ['help', { verb: 'help' }],
  ['h', { verb: 'help' }],
  ['?', { verb: 'help' }],
  ['-h', { verb: 'help' }],
  ['--help', { verb: 'help' }],
  ['HELP reboot', { verb: 'help', topic: 'reboot' }],
  ['help restart', { verb: 'help', topic: 'reboot' }],
  ['reboot -h', { verb: 'help', topic: 'reboot' }],
  ['deploy --help', { verb: 'help', topic: 'deploy' }],
  ['create -h', { verb: 'help', topic: 'create' }],
  ['list', { verb: 'list', fresh: false }],
  ['ls', { verb: 'list' }],
  ['List', { verb: 'list' }],
  ['droplets', { verb: 'list' }],
  ['instances on aws', { verb: 'list', provider: 'aws' }],
  ['vms', { verb: 'list' }],
  ['servers', { verb: 'list' }],
  ['stacks', { verb: 'list' }],
  ['get', { verb: 'list' }],
  ['show on do', { verb: 'list', provider: 'do' }],
  ['find web', { verb: 'list', filter: 'web' }],
  ['list on aws', { verb: 'list', provider: 'aws' }],
  ['list ON aws', { verb: 'list', provider: 'aws' }],
  ['list -p aws', { verb: 'list', provider: 'aws' }],
  ['list --provider=aws', { verb: 'list', provider: 'aws' }],
  ['list provider=aws', { verb: 'list', provider: 'aws' }],
  ['list web on do -r nyc1', { verb: 'list', filter: 'web', provider: 'do', region: 'nyc1' }],
  ['list --region eu-west-1 on aws-prod', { verb: 'list', region: 'eu-west-1', provider: 'aws-prod' }],
  ['list region=fra1', { verb: 'list', region: 'fra1' }],
  ['list -s shop', { verb: 'list', stack: 'shop' }],
  ['list --fresh', { verb: 'list', fresh: true }],
  ['list \u2014fresh', { verb: 'list', fresh: true }],
  ['list \u2013fresh', { verb: 'list', fresh: true }],
  ['list on demo --json', { verb: 'list', provider: 'demo', json: true }],
  ['status web-1', { verb: 'status', name: 'web-1', stackOnly: false }],
  ['info web-1 on aws', { verb: 'status', name: 'web-1', provider: 'aws' }],
  ['describe i-0abc123', { verb: 'status', name: 'i-0abc123' }],
  [
    'status -s shop -e production',
    { verb: 'status', name: 'shop', stackOnly: true, environment: 'production' },
  ],
  [
    'status shop --environment staging',
    { verb: 'status', name: 'shop', stackOnly: false, environment: 'staging' },
  ],
  ['status -e qa -s shop', { verb: 'status', name: 'shop', stackOnly: true, environment: 'qa' }],
  ['status <http://web-1.example.com|web-1.example.com>', { verb: 'status', name: 'web-1.example.com' }],
  ['status <http://web-1.example.com>', { verb: 'status', name: 'http://web-1.example.com' }],
  ['<@U0BOT> status web-1', { verb: 'status', name: 'web-1' }],
  ['<@U0BOT|igor>: list', { verb: 'list' }],
  ['status "my vm"', { verb: 'status', name: 'my vm' }],
  ['status \u201Cmy vm\u201D on lab', { verb: 'status', name: 'my vm', provider: 'lab' }],
  ["status 'my vm'", { verb: 'status', name: 'my vm' }],
  ['status \u2018my vm\u2019', { verb: 'status', name: 'my vm' }],
  ['status "on"', { verb: 'status', name: 'on' }],
  ['status web&amp;db', { verb: 'status', name: 'web&db' }],
  ['reboot web-1', { verb: 'reboot', name: 'web-1' }],
  ['restart web-1 on do', { verb: 'reboot', name: 'web-1', provider: 'do' }],
  ['reboot on do web-1', { verb: 'reboot', name: 'web-1', provider: 'do' }],
  ['  reboot\u00A0 web-1  ', { verb: 'reboot', name: 'web-1' }],
  ['start web-1', { verb: 'start', name: 'web-1' }],
  ['poweron web-1 -p aws', { verb: 'start', name: 'web-1', provider: 'aws' }],
  ['stop web-1', { verb: 'stop', name: 'web-1', force: false, deallocate: false }],
  ['shutdown web-1 --force', { verb: 'stop', name: 'web-1', force: true }],
  ['poweroff vm-3 on azure --deallocate', { verb: 'stop', name: 'vm-3', deallocate: true }],
  ['stop \u2014force web-1', { verb: 'stop', name: 'web-1', force: true }],
  ['create vmtest01 on gcp', { verb: 'create', name: 'vmtest01', provider: 'gcp', params: {} }],
  ['create vmtest01 on gcp size=e2-small', { verb: 'create', params: { size: 'e2-small' } }],
  [
    'new web-9 on do --size s-1vcpu-1gb region=nyc3',
    { verb: 'create', params: { size: 's-1vcpu-1gb', region: 'nyc3' } },
  ],
  ['launch lab-vm on lab template=ubuntu-tmpl', { verb: 'create', params: { template: 'ubuntu-tmpl' } }],
  [
    'create x on do --region=nyc1 image="ubuntu 24"',
    { verb: 'create', params: { region: 'nyc1', image: 'ubuntu 24' } },
  ],
  [
    'create x on do ssh_keys=123,456 tags=web',
    { verb: 'create', params: { ssh_keys: '123,456', tags: 'web' } },
  ],
  ['create x on do --tags web', { verb: 'create', params: { tags: 'web' } }],
  ['destroy vmtest01 on gcp', { verb: 'destroy', name: 'vmtest01', provider: 'gcp' }],
  ['delete vmtest01', { verb: 'destroy', name: 'vmtest01' }],
  ['rm vmtest01', { verb: 'destroy', name: 'vmtest01' }],
  ['deploy -s shop', { verb: 'deploy', stack: 'shop', wait: true }],
  [
    'deploy -s shop -e production -v docker',
    { verb: 'deploy', stack: 'shop', environment: 'production', service: 'docker' },
  ],
  [
    'deploy -v docker -e production -s shop',
    { verb: 'deploy', stack: 'shop', environment: 'production', service: 'docker' },
  ],
  ['redeploy --stack shop --environment staging', { verb: 'deploy', stack: 'shop', environment: 'staging' }],
  ['deploy -s shop -w false', { verb: 'deploy', wait: false }],
  ['deploy -s shop -w true', { verb: 'deploy', wait: true }],
  ['deploy -s shop --wait=no', { verb: 'deploy', wait: false }],
  ['deploy -s shop -w', { verb: 'deploy', wait: true }],
  ['deploy stack=shop environment=production', { verb: 'deploy', stack: 'shop', environment: 'production' }],
  ['deploy -S shop', { verb: 'deploy', stack: 'shop' }],
  ['cancel -s shop', { verb: 'cancel', stack: 'shop' }],
  ['exit -s shop -e production', { verb: 'cancel', stack: 'shop', environment: 'production' }],
  ['halt -s shop -v web', { verb: 'cancel', service: 'web' }],
  ['stop -s shop', { verb: 'cancel', stack: 'shop' }],
  ['stop -s shop -e staging', { verb: 'cancel', stack: 'shop', environment: 'staging' }],
  ['providers', { verb: 'providers' }],
  ['clouds', { verb: 'providers' }],
  ['status -- -weird-name', { verb: 'status', name: '-weird-name' }],
  ['list on do on do', { verb: 'list', provider: 'do' }],
  ['reboot web-1 --yes', { verb: 'reboot', name: 'web-1', yes: true }],
  ['destroy vm-1 -y', { verb: 'destroy', yes: true }],
  ['audit', { verb: 'audit', limit: 20 }],
  ['audit --since 24h --verb reboot', { verb: 'audit', sinceMs: 86_400_000, verbFilter: 'reboot' }],
  ['audit --user <@U0ALICE|alice> --limit 50', { verb: 'audit', user: 'U0ALICE', limit: 50 }],
  ['audit -u U0BOB -n 5', { verb: 'audit', user: 'U0BOB', limit: 5 }],
  ['audit --verb restart', { verb: 'audit', verbFilter: 'reboot' }],
  ['audit since=7d limit=3', { verb: 'audit', sinceMs: 7 * 86_400_000, limit: 3 }],
  ['whoami', { verb: 'whoami' }],
  ['jobs', { verb: 'jobs', limit: 15 }],
  ['operations -n 40', { verb: 'jobs', limit: 40 }],
  ['job 4f7k2q', { verb: 'job', id: '4F7K2Q', action: 'show' }],
  ['cancel job 4F7K2Q', { verb: 'job', id: '4F7K2Q', action: 'cancel' }],
  ['Cancel Job 4f7k2q', { verb: 'job', id: '4F7K2Q', action: 'cancel' }],
  ['cancel -s job', { verb: 'cancel', stack: 'job' }],
  [
    'can-i reboot web-1 on do',
    { verb: 'can-i', question: { verb: 'reboot', name: 'web-1', provider: 'do' } },
  ],
  ['cani destroy vmtest01', { verb: 'can-i', question: { verb: 'destroy', name: 'vmtest01' } }],
  [
    'can-i deploy -s shop -e production',
    { verb: 'can-i', question: { verb: 'deploy', stack: 'shop', environment: 'production' } },
  ],
  ['can-i list on aws', { verb: 'can-i', question: { verb: 'list', provider: 'aws' } }],
  ['<@U0BOT> can-i stop web-1 --force', { verb: 'can-i', question: { verb: 'stop', force: true } }],
  ['outages', { verb: 'outages' }],
  ['incidents --json', { verb: 'outages', json: true }],
  ['check', { verb: 'check' }],
  ['check github', { verb: 'check', source: 'github' }],
  ['poll aws --fresh', { verb: 'check', source: 'aws' }],
  ['resolve github-3f9a2c', { verb: 'resolve', incident: 'github-3f9a2c' }],
  ['resolve github/9yk7qwd5x3zl#1', { verb: 'resolve', incident: 'github/9yk7qwd5x3zl#1' }],
  ['acknowledge gcp-0a1b2c', { verb: 'acknowledge', incident: 'gcp-0a1b2c' }],
  [
    'ack "aws/https://status.aws.amazon.com/#ec2|API errors#1"',
    { verb: 'acknowledge', incident: 'aws/https://status.aws.amazon.com/#ec2|API errors#1' },
  ],
  ['ticket github-3f9a2c', { verb: 'ticket', incident: 'github-3f9a2c' }],
  ['health', { verb: 'health' }],
  ['botstatus --json', { verb: 'health', json: true }],
  ['testmode', { verb: 'testmode' }],
  ['testmode on', { verb: 'testmode', on: true }],
  ['testmode OFF', { verb: 'testmode', on: false }],
  ['can-i testmode on', { verb: 'can-i', question: { verb: 'testmode', on: true } }],
  ['can-i resolve github-3f9a2c', { verb: 'can-i', question: { verb: 'resolve' } }],
];

/** Inputs that must be refused, with the error each must get. */
const errors: [string, UsageErrorCode, { verb?: Verb; suggestions?: string[]; message?: RegExp }][] = [
  ['rebot web-1', 'unknown-verb', { suggestions: ['reboot'] }],
  ['lsit', 'unknown-verb', { suggestions: ['list'] }],
  ['stauts web-1', 'unknown-verb', { suggestions: ['status'] }],
  ['deplyo -s shop', 'unknown-verb', { suggestions: ['deploy'] }],
  ['frobnicate', 'unknown-verb', { suggestions: [], message: /"frobnicate" is not a verb/ }],
  ['"list"', 'unknown-verb', {}],
  ['help rebot', 'unknown-verb', { verb: 'help', suggestions: ['reboot'] }],
  ['reboot', 'missing-argument', { verb: 'reboot', message: /needs the name or id of a machine/ }],
  ['status', 'missing-argument', { verb: 'status' }],
  ['destroy on do', 'missing-argument', { verb: 'destroy' }],
  ['create', 'missing-argument', { verb: 'create' }],
  ['create vmtest01', 'missing-argument', { verb: 'create', message: /on PROVIDER/ }],
  ['deploy', 'missing-argument', { verb: 'deploy', message: /-s STACK/ }],
  ['deploy shop', 'unexpected-argument', { verb: 'deploy', message: /-s shop/ }],
  ['cancel', 'missing-argument', { verb: 'cancel' }],
  ['reboot web-1 web-2', 'unexpected-argument', { verb: 'reboot', message: /web-2/ }],
  ['reboot web-1 on', 'missing-value', { verb: 'reboot', message: /`on` needs a value/ }],
  ['list -p', 'missing-value', { verb: 'list' }],
  ['deploy -s', 'missing-value', { verb: 'deploy' }],
  ['deploy -s -e production', 'missing-value', { verb: 'deploy' }],
  ['reboot web-1 --force', 'unknown-option', { verb: 'reboot', message: /does not take --force/ }],
  ['list --frsh', 'unknown-option', { verb: 'list', suggestions: ['--fresh'] }],
  ['list --regoin x', 'unknown-option', { verb: 'list', suggestions: ['--region'] }],
  ['reboot web-1 size=big', 'unknown-option', { verb: 'reboot', message: /no parameter `size`/ }],
  ['deploy -s shop -w maybe', 'unexpected-argument', { verb: 'deploy' }],
  ['deploy -s shop --wait=maybe', 'bad-value', { verb: 'deploy', message: /true or false/ }],
  ['list --fresh=sometimes', 'bad-value', { verb: 'list' }],
  ['deploy -s shop -s blog', 'bad-value', { verb: 'deploy', message: /twice/ }],
  ['reboot web-1 on do on aws', 'bad-value', { verb: 'reboot', message: /Two providers/ }],
  ['create x on do size=a size=b', 'bad-value', { verb: 'create' }],
  ['create x on do size=', 'missing-value', { verb: 'create' }],
  ['create "prod-\nweb" on demo', 'bad-value', { verb: 'create', message: /^The name .* has U\+000A\.$/ }],
  ['create "prod-\r\nweb" on demo', 'bad-value', { verb: 'create', message: /U\+000D/ }],
  ['create "a\tb" on demo', 'bad-value', { verb: 'create', message: /U\+0009/ }],
  ['create "prod-web\u0085" on demo', 'bad-value', { verb: 'create', message: /U\+0085/ }],
  ['create "prod-web\u2028" on demo', 'bad-value', { verb: 'create', message: /U\+2028/ }],
  ['create "prod-web\u2029" on demo', 'bad-value', { verb: 'create', message: /U\+2029/ }],
  ['create "dev-\u202Edorp" on demo', 'bad-value', { verb: 'create', message: /text-direction.*U\+202E/ }],
  ['create "dev-\u200Fx" on demo', 'bad-value', { verb: 'create', message: /U\+200F/ }],
  ['create "dev-\u2066x\u2069" on demo', 'bad-value', { verb: 'create', message: /U\+2066/ }],
  [
    'create dev-1 on lab template="DC0\u202EVM"',
    'bad-value',
    { verb: 'create', message: /^template= .*U\+202E/ },
  ],
  ['status "web-1', 'unbalanced-quote', { message: /not closed/ }],
  ['status web-1 -s shop', 'unexpected-argument', { verb: 'status' }],
  ['stop web-1 -e production', 'unknown-option', { verb: 'stop' }],
  ['stop web-2 -s shop', 'unexpected-argument', { verb: 'cancel' }],
  ['providers extra', 'unexpected-argument', { verb: 'providers' }],
  ['audit --since yesterday', 'bad-value', { verb: 'audit', message: /30m, 24h or 7d/ }],
  ['audit --limit 0', 'bad-value', { verb: 'audit' }],
  ['audit --limit many', 'bad-value', { verb: 'audit', message: /whole number/ }],
  ['audit --user alice', 'bad-value', { verb: 'audit', message: /Slack user/ }],
  ['audit --verb rebot', 'bad-value', { verb: 'audit', suggestions: ['reboot'] }],
  ['audit --force', 'unknown-option', { verb: 'audit' }],
  ['audit on do', 'unexpected-argument', { verb: 'audit', message: /takes no provider/ }],
  ['whoami -p aws', 'unexpected-argument', { verb: 'whoami' }],
  ['whoami please', 'unexpected-argument', { verb: 'whoami' }],
  ['can-i', 'missing-argument', { verb: 'can-i' }],
  ['job', 'missing-argument', { verb: 'job', message: /a job id/ }],
  ['cancel job', 'missing-argument', { verb: 'job' }],
  ['job 4F7K2Q on do', 'unexpected-argument', { verb: 'job' }],
  ['jobs -n 0', 'bad-value', { verb: 'jobs' }],
  ['job 4F7K2Q extra', 'unexpected-argument', { verb: 'job' }],
  ['can-i rebot web-1', 'unknown-verb', { suggestions: ['reboot'], message: /^can-i "rebot"/ }],
  ['can-i reboot', 'missing-argument', { verb: 'reboot' }],
  ['can-i help', 'bad-value', { verb: 'can-i' }],
  ['can-i whoami', 'bad-value', { verb: 'can-i' }],
  ['outages on do', 'unexpected-argument', { verb: 'outages', message: /takes no provider/ }],
  ['outages github', 'unexpected-argument', { verb: 'outages' }],
  ['check github aws', 'unexpected-argument', { verb: 'check', message: /aws/ }],
  ['resolve', 'missing-argument', { verb: 'resolve', message: /needs an incident/ }],
  ['ack', 'missing-argument', { verb: 'acknowledge' }],
  ['ticket a b', 'unexpected-argument', { verb: 'ticket' }],
  ['health --force', 'unknown-option', { verb: 'health' }],
  ['testmode maybe', 'bad-value', { verb: 'testmode', message: /on or off, not "maybe"/ }],
  ['testmode on off', 'unexpected-argument', { verb: 'testmode' }],
  ['resolv github-1', 'unknown-verb', { suggestions: ['resolve'] }],
];

describe('grammar: commands', () => {
  it.each(commands)('%j', (input, expected) => {
    const result = parse(input);
    if (!result.ok) throw new Error(`expected a command, got ${result.error.code}: ${result.error.message}`);
    expect(result.command).toMatchObject(expected);
  });
});

describe('grammar: usage errors', () => {
  it.each(errors)('%j → %s', (input, code, expected) => {
    const result = parse(input);
    if (result.ok) throw new Error(`expected ${code}, got ${JSON.stringify(result.command)}`);
    expect(result.error.code).toBe(code);
    if (expected.verb !== undefined) expect(result.error.verb).toBe(expected.verb);
    if (expected.suggestions !== undefined) expect(result.error.suggestions).toEqual(expected.suggestions);
    if (expected.message !== undefined) expect(result.error.message).toMatch(expected.message);
  });

  it('has at least 60 real inputs in its tables', () => {
    expect(commands.length + errors.length).toBeGreaterThanOrEqual(60);
  });
});

describe('grammar: details', () => {
  it('reads a command of up to 4,000 characters and refuses a longer one before reading it', () => {
    expect(parse(`status ${'x'.repeat(4_000 - 7)}`).ok).toBe(true);
    const huge = parse(`status ${'x'.repeat(40_000)}`);
    expect(!huge.ok && huge.error).toMatchObject({
      code: 'too-long',
      message: 'That command is 40,007 characters long; I read commands of up to 4,000. Nothing was done.',
      suggestions: [],
    });
    // Refused before the tokenizer, which would complain of the open quote.
    const unread = parse(`reboot "${'a b '.repeat(2_000)}`);
    expect(!unread.ok && unread.error.code).toBe('too-long');
    const words = parseWords(['status', 'x'.repeat(4_000)]);
    expect(!words.ok && words.error.code).toBe('too-long');
  });

  it('keeps the normalised text as raw', () => {
    const result = parse('<@U0BOT> stop \u201Cweb 1\u201D \u2014force');
    expect(result.ok && result.command.raw).toBe('stop "web 1" --force');
  });

  it('leaves apostrophes inside words alone', () => {
    expect(normalizeSlackText('list don\u2019t')).toBe("list don't");
    const result = parse("list don't");
    expect(result.ok && result.command).toMatchObject({ verb: 'list', filter: "don't" });
  });

  it('reads shell words from the CLI without re-splitting them', () => {
    const result = parseWords(['status', 'my vm', 'on', 'lab', '--json']);
    expect(result.ok && result.command).toMatchObject({
      verb: 'status',
      name: 'my vm',
      provider: 'lab',
      json: true,
    });
    expect(result.ok && result.command.raw).toBe('status "my vm" on lab --json');
  });

  it('refuses a new name with a control or line-separator character from the CLI too, and shows no such character', () => {
    for (const name of ['prod-\nweb', 'prod-web\u2028', 'dev-\u200Eweb', 'dev-\u0000']) {
      const result = parseWords(['create', name, 'on', 'demo', '--yes']);
      if (result.ok) throw new Error(`expected a refusal of ${JSON.stringify(name)}`);
      expect(result.error).toMatchObject({ code: 'bad-value', verb: 'create' });
      expect(result.error.message).toMatch(/^The name cannot hold .*; it has U\+[0-9A-F]{4}\.$/);
      expect(result.error.message).not.toMatch(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u);
    }
    // Letters of any script, spaces and punctuation stay names.
    for (const name of ['web 1', 'dév-ünïcode', 'サーバー', 'a.b_c-d']) {
      const result = parseWords(['create', name, 'on', 'demo']);
      expect(result.ok && result.command).toMatchObject({ verb: 'create', name });
    }
  });

  it('unwraps channel, broadcast and mailto escapes, and keeps user mentions', () => {
    expect(normalizeSlackText('list <#C123|ops> <!here> <mailto:a@b.c|a@b.c> <@U42>')).toBe(
      'list #ops @here a@b.c <@U42>',
    );
  });

  it('generates one usage line per verb from the tables', () => {
    expect(usageLine('reboot')).toBe('reboot NAME [on PROVIDER]');
    expect(usageLine('deploy')).toBe(
      'deploy -s STACK [on PROVIDER] [-e ENVIRONMENT] [-v SERVICE] [-w true|false]',
    );
    expect(usageLine('create')).toBe(
      'create NAME on PROVIDER [size=SIZE] [image=IMAGE] [region=REGION] [template=TEMPLATE] [key=value …]',
    );
    expect(usageLine('list')).toBe('list [FILTER] [on PROVIDER] [-r REGION] [-s STACK]');
    for (const spec of VERB_SPECS) expect(verbHelp(spec.verb).examples.length).toBeGreaterThan(0);
  });

  it('parses every example the help shows', () => {
    for (const spec of VERB_SPECS) {
      for (const example of spec.examples) {
        const result = parse(example);
        expect(result.ok, `${example}: ${result.ok ? '' : result.error.message}`).toBe(true);
      }
    }
  });

  it('measures edit distance with swaps as one edit', () => {
    expect(editDistance('reboot', 'rebot')).toBe(1);
    expect(editDistance('list', 'lsit')).toBe(1);
    expect(editDistance('deploy', 'deplyo')).toBe(1);
    expect(editDistance('abc', 'xyz')).toBe(3);
    expect(suggest('stat', ['status', 'start', 'stop'])).toEqual(['start', 'status']);
    expect(suggest('zzz', ['status', 'start'])).toEqual([]);
  });

  it('bounds the edit distance by its limit, agreeing with the full one within it', () => {
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const word = (): string => Array.from({ length: random(9) }, () => 'abc'[random(3)]).join('');
    for (let i = 0; i < 2_000; i++) {
      const [a, b, limit] = [word(), word(), random(4)];
      const full = editDistance(a, b);
      expect(editDistance(a, b, limit), `${a} ~ ${b} within ${limit}`).toBe(full <= limit ? full : limit + 1);
    }
  });

  it('suggests in linear time: lengths too far apart are skipped, long words get nothing', () => {
    // 5,000 names of 2,000 characters: the quadratic comparison would take minutes.
    const names = Array.from(
      { length: 5_000 },
      (_, i) => `${'x'.repeat(1_995)}-${String(i).padStart(4, '0')}`,
    );
    const started = performance.now();
    expect(suggest('x'.repeat(1_999), names)).toEqual([]);
    expect(suggest('x'.repeat(40_000), names)).toEqual([]);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(suggest('web-1x', ['web-1', 'web-12', 'db-1'])).toEqual(['web-1', 'web-12']);
    expect(suggest('web', ['web-1', 'web-12345', 'db-1'])).toEqual(['web-1', 'web-12345']);
    const long = 'n'.repeat(MAX_SUGGESTED_LENGTH);
    expect(suggest(`${long}x`, [long])).toEqual([]);
    expect(suggest(`${long.slice(1)}x`, [long])).toEqual([long]);
  });
});
