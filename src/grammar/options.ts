/**
 * Every option the grammar knows, declared once. Short and long forms are
 * equal, and `key=value` equals `--key value`; the verb table says which
 * verbs accept which options.
 */

export type OptionKind = 'value' | 'flag' | 'boolean';

export interface OptionSpec {
  readonly long: string;
  readonly short?: string;
  readonly kind: OptionKind;
  /** Placeholder in usage lines. */
  readonly placeholder?: string;
  readonly description: string;
}

export const OPTIONS = {
  provider: {
    long: 'provider',
    short: 'p',
    kind: 'value',
    placeholder: 'PROVIDER',
    description: 'a configured provider id or type (same as `on PROVIDER`)',
  },
  stack: { long: 'stack', short: 's', kind: 'value', placeholder: 'STACK', description: 'stack name' },
  environment: {
    long: 'environment',
    short: 'e',
    kind: 'value',
    placeholder: 'ENVIRONMENT',
    description: 'stack environment (production, staging…)',
  },
  service: {
    long: 'service',
    short: 'v',
    kind: 'value',
    placeholder: 'SERVICE',
    description: 'one service of the stack',
  },
  wait: {
    long: 'wait',
    short: 'w',
    kind: 'boolean',
    placeholder: 'true|false',
    description: 'queue behind a deployment already running (default true)',
  },
  region: { long: 'region', short: 'r', kind: 'value', placeholder: 'REGION', description: 'region or zone' },
  fresh: { long: 'fresh', kind: 'flag', description: 'skip the read cache' },
  force: { long: 'force', kind: 'flag', description: 'power off at once instead of a graceful shutdown' },
  deallocate: {
    long: 'deallocate',
    kind: 'flag',
    description: 'release the compute so billing stops (Azure)',
  },
  json: { long: 'json', kind: 'flag', description: 'JSON output (CLI)' },
  yes: { long: 'yes', short: 'y', kind: 'flag', description: 'do not ask for confirmation (CLI only)' },
  user: { long: 'user', short: 'u', kind: 'value', placeholder: '@USER', description: 'a Slack user' },
  since: {
    long: 'since',
    kind: 'value',
    placeholder: 'AGE',
    description: 'only what is newer, e.g. 30m, 24h, 7d',
  },
  verb: { long: 'verb', kind: 'value', placeholder: 'VERB', description: 'only this verb' },
  limit: { long: 'limit', short: 'n', kind: 'value', placeholder: 'N', description: 'at most N records' },
  help: { long: 'help', short: 'h', kind: 'flag', description: 'usage of the verb' },
} as const satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTIONS;

/** Options every verb accepts. */
export const UNIVERSAL_OPTIONS: readonly OptionName[] = ['provider', 'json', 'fresh', 'help', 'yes'];

const BY_FORM = new Map<string, OptionName>();
for (const [name, spec] of Object.entries(OPTIONS) as [OptionName, OptionSpec][]) {
  BY_FORM.set(`--${spec.long}`, name);
  if (spec.short) BY_FORM.set(`-${spec.short}`, name);
}

/** `-s`, `--stack` → 'stack'; undefined for anything else. */
export function optionByForm(form: string): OptionName | undefined {
  return BY_FORM.get(form.toLowerCase());
}

/** `stack` (from `stack=…`) → 'stack'. */
export function optionByKey(key: string): OptionName | undefined {
  const lower = key.toLowerCase();
  return lower in OPTIONS ? (lower as OptionName) : undefined;
}

export function optionForms(name: OptionName): string {
  const spec: OptionSpec = OPTIONS[name];
  return spec.short ? `-${spec.short}/--${spec.long}` : `--${spec.long}`;
}
