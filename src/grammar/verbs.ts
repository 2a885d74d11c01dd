/**
 * The verb table: one declaration per verb drives parsing, usage lines,
 * `help` and "did you mean". Provider-side abilities (which provider can do
 * which verb) are declared by the provider modules, not here.
 */
import type { Verb } from './command.ts';
import type { OptionName } from './options.ts';

export type VerbGroup = 'machines' | 'stacks' | 'watch' | 'bot';

export interface PositionalSpec {
  readonly placeholder: string;
  readonly required: boolean;
  readonly description: string;
}

export interface VerbSpec {
  readonly verb: Verb;
  readonly aliases: readonly string[];
  readonly summary: string;
  readonly group: VerbGroup;
  readonly positional?: PositionalSpec;
  /** Options beyond the universal ones (provider, json, fresh, help). */
  readonly options: readonly OptionName[];
  /** Accepts `key=value` parameters (create: size=, image=, region=, template=, …). */
  readonly params?: readonly string[];
  /** `on PROVIDER` is required, not optional. */
  readonly providerRequired?: boolean;
  /** The verb is about the bot, not a provider: `on PROVIDER` means nothing to it. */
  readonly noProvider?: boolean;
  /** Options that must be present (deploy needs -s). */
  readonly requiredOptions?: readonly OptionName[];
  readonly examples: readonly string[];
}

const NAME: PositionalSpec = { placeholder: 'NAME', required: true, description: 'machine name or id' };
const INCIDENT: PositionalSpec = {
  placeholder: 'INCIDENT',
  required: true,
  description: 'the ref on its notice (github-3f9a2c), or SOURCE/KEY',
};

export const VERB_SPECS: readonly VerbSpec[] = [
  {
    verb: 'help',
    aliases: ['h', '?', '-h', '--help'],
    summary: 'what cloudmaster can do; `help VERB` for one verb',
    group: 'bot',
    positional: { placeholder: 'VERB', required: false, description: 'a verb to explain' },
    options: [],
    examples: ['help', 'help reboot', 'reboot -h'],
  },
  {
    verb: 'list',
    aliases: ['ls', 'get', 'show', 'find', 'droplets', 'instances', 'vms', 'servers', 'stacks'],
    summary: 'machines and stacks, grouped per provider',
    group: 'machines',
    positional: { placeholder: 'FILTER', required: false, description: 'part of a name' },
    options: ['region', 'stack'],
    examples: ['list', 'list on do', 'list web -r nyc1', 'list -s shop'],
  },
  {
    verb: 'status',
    aliases: ['info', 'describe'],
    summary: 'everything known about one machine or stack',
    group: 'machines',
    positional: { placeholder: 'NAME', required: true, description: 'machine name or id (or -s STACK)' },
    options: ['stack', 'environment'],
    examples: ['status web-1', 'status web-1 on aws', 'status -s shop -e production'],
  },
  {
    verb: 'reboot',
    aliases: ['restart'],
    summary: 'reboot a machine',
    group: 'machines',
    positional: NAME,
    options: [],
    examples: ['reboot web-1', 'reboot web-1 on do'],
  },
  {
    verb: 'start',
    aliases: ['poweron'],
    summary: 'power a stopped machine on',
    group: 'machines',
    positional: NAME,
    options: [],
    examples: ['start web-1 on aws'],
  },
  {
    verb: 'stop',
    aliases: ['poweroff', 'shutdown'],
    summary: 'shut a machine down (`--force` powers it off at once)',
    group: 'machines',
    positional: NAME,
    options: ['force', 'deallocate'],
    examples: ['stop web-1', 'stop web-1 --force', 'stop vm-3 on azure --deallocate'],
  },
  {
    verb: 'create',
    aliases: ['new', 'launch'],
    summary: 'create a machine',
    group: 'machines',
    positional: { placeholder: 'NAME', required: true, description: 'name of the new machine' },
    options: [],
    params: ['size', 'image', 'region', 'template'],
    providerRequired: true,
    examples: ['create vmtest01 on gcp size=e2-small', 'create web-9 on do --size s-1vcpu-1gb region=nyc3'],
  },
  {
    verb: 'destroy',
    aliases: ['delete', 'rm'],
    summary: 'delete a machine for good',
    group: 'machines',
    positional: NAME,
    options: [],
    examples: ['destroy vmtest01 on gcp'],
  },
  {
    verb: 'deploy',
    aliases: ['redeploy'],
    summary: 'deploy a stack',
    group: 'stacks',
    options: ['stack', 'environment', 'service', 'wait'],
    requiredOptions: ['stack'],
    examples: [
      'deploy -s shop -e production',
      'deploy -s shop -e production -v docker',
      'deploy -s shop -w false',
    ],
  },
  {
    verb: 'cancel',
    aliases: ['exit', 'halt'],
    summary: 'cancel a running deployment (`stop -s STACK` too)',
    group: 'stacks',
    options: ['stack', 'environment', 'service'],
    requiredOptions: ['stack'],
    examples: ['cancel -s shop -e production', 'stop -s shop'],
  },
  {
    verb: 'providers',
    aliases: ['clouds'],
    summary: 'configured providers, what each can do, and whether each answers',
    group: 'bot',
    options: [],
    examples: ['providers'],
  },
  {
    verb: 'jobs',
    aliases: ['operations'],
    summary: 'running and recent jobs (every change runs as one), with links to their messages',
    group: 'bot',
    options: ['limit'],
    noProvider: true,
    examples: ['jobs', 'jobs -n 50'],
  },
  {
    verb: 'job',
    aliases: [],
    summary: 'one job: its steps, who asked and confirmed, the outcome; `cancel job ID` cancels it',
    group: 'bot',
    positional: { placeholder: 'ID', required: true, description: 'a job id, e.g. 4F7K2Q' },
    options: [],
    noProvider: true,
    examples: ['job 4F7K2Q', 'cancel job 4F7K2Q'],
  },
  {
    verb: 'audit',
    aliases: [],
    summary: 'who asked for what, and what came of it (only you see it)',
    group: 'bot',
    options: ['user', 'since', 'verb', 'limit'],
    noProvider: true,
    examples: ['audit', 'audit --since 24h --verb reboot', 'audit --since 7d --limit 50'],
  },
  {
    verb: 'whoami',
    aliases: [],
    summary: 'your rights: what you may run, where, and which rule says so',
    group: 'bot',
    options: [],
    noProvider: true,
    examples: ['whoami'],
  },
  {
    verb: 'can-i',
    aliases: ['cani'],
    summary: 'whether you may run a command, and why',
    group: 'bot',
    positional: { placeholder: 'VERB NAME', required: true, description: 'the command to ask about' },
    options: [],
    noProvider: true,
    examples: ['can-i reboot web-1 on do', 'can-i destroy vmtest01', 'can-i deploy -s shop -e production'],
  },
  {
    verb: 'webhooks',
    aliases: ['hooks'],
    summary:
      'the bridge’s webhooks: last success, failures, dead events; `webhooks retry ID` sends one again',
    group: 'bot',
    positional: { placeholder: 'retry ID', required: false, description: 'an event id to send again' },
    options: [],
    noProvider: true,
    examples: ['webhooks', 'webhooks retry evt_m1x2y3'],
  },
  {
    verb: 'outages',
    aliases: ['incidents'],
    summary: 'the incidents open on the watched status pages',
    group: 'watch',
    options: [],
    noProvider: true,
    examples: ['outages'],
  },
  {
    verb: 'check',
    aliases: ['poll'],
    summary: 'read the status pages now (one platform, or all)',
    group: 'watch',
    positional: { placeholder: 'PLATFORM', required: false, description: 'a watched source, e.g. github' },
    options: [],
    noProvider: true,
    examples: ['check', 'check github'],
  },
  {
    verb: 'resolve',
    aliases: [],
    summary: 'mark an incident resolved by hand, in its thread',
    group: 'watch',
    positional: INCIDENT,
    options: [],
    noProvider: true,
    examples: ['resolve github-3f9a2c', 'resolve github/9yk7qwd5x3zl#1'],
  },
  {
    verb: 'acknowledge',
    aliases: ['ack'],
    summary: 'say you are on an incident (its notice shows who, and when)',
    group: 'watch',
    positional: INCIDENT,
    options: [],
    noProvider: true,
    examples: ['ack github-3f9a2c'],
  },
  {
    verb: 'ticket',
    aliases: [],
    summary: 'open a ticket for an incident, or show the one it has',
    group: 'watch',
    positional: INCIDENT,
    options: [],
    noProvider: true,
    examples: ['ticket github-3f9a2c'],
  },
  {
    verb: 'health',
    aliases: ['botstatus'],
    summary: 'the bot’s own health: Slack, the store, each provider and status source',
    group: 'watch',
    options: [],
    noProvider: true,
    examples: ['health'],
  },
  {
    verb: 'testmode',
    aliases: [],
    summary: 'test mode: changes become dry runs (`on` posts a test incident)',
    group: 'watch',
    positional: { placeholder: 'on|off', required: false, description: 'turn it on or off' },
    options: [],
    noProvider: true,
    examples: ['testmode on', 'testmode off', 'testmode'],
  },
];

const BY_VERB = new Map(VERB_SPECS.map((spec) => [spec.verb, spec]));
const BY_WORD = new Map<string, VerbSpec>();
for (const spec of VERB_SPECS) {
  BY_WORD.set(spec.verb, spec);
  for (const alias of spec.aliases) BY_WORD.set(alias, spec);
}

export function verbSpec(verb: Verb): VerbSpec {
  const spec = BY_VERB.get(verb);
  if (!spec) throw new Error(`verb table has no entry for ${verb}`);
  return spec;
}

/** A verb or alias as typed (any case) → its spec. */
export function verbByWord(word: string): VerbSpec | undefined {
  return BY_WORD.get(word.toLowerCase());
}

/** Every word that names a verb, for suggestions. */
export function verbWords(): string[] {
  return [...BY_WORD.keys()].filter((word) => /^[a-z]/.test(word));
}
