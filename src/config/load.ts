/**
 * Loads cloudmaster.yml (or, without one, the environment) into settings and
 * provider accounts. Every problem found becomes one line of a ConfigError;
 * nothing is half-loaded.
 */
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import {
  type AccountInput,
  type AnyProviderModule,
  buildAccounts,
  environmentInputs,
  type ProviderAccount,
} from '../../providers/registry.ts';
import { demoRequested } from '../../providers/simulator/index.ts';
import { type BridgeSettings, loadBridgeSection } from '../bridge/config.ts';
import { CloudmasterError, ErrorCode } from '../errors.ts';
import { matchesAny } from '../policy/glob.ts';
import { type PolicyConfig, policySchema } from '../policy/schema.ts';
import type { WatchSettings } from '../watch/config.ts';
import { loadWatchSections } from '../watch/config-sections.ts';
import type { TicketSettings } from '../watch/tickets/config.ts';
import { interpolate } from './interpolate.ts';
import { formatIssues } from './issues.ts';
import { DEFAULT_SETTINGS, type Settings, settingsSchema } from './settings.ts';

export const DEFAULT_CONFIG_PATH = 'cloudmaster.yml';

export type ConfigSource =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'environment' };

export interface LoadedConfig {
  readonly source: ConfigSource;
  readonly settings: Settings;
  readonly accounts: readonly ProviderAccount[];
  /** The `policy:` section; without rules the safe default decides (src/policy/default.ts). */
  readonly policy?: PolicyConfig;
  /** Every secret value in the config, for the logger's and replies' redaction. */
  readonly secrets: readonly string[];
  /** The outage watch (`watch:`), when configured. */
  readonly watch?: WatchSettings;
  /** Where Create ticket opens issues (`tickets:`), when configured. */
  readonly tickets?: TicketSettings;
  /** The HTTP bridge's clients and webhooks (`bridge:`), when configured. */
  readonly bridge?: BridgeSettings;
  /** Things a person should know about how the config was read (logged as warnings). */
  readonly notices: readonly string[];
}

export class ConfigError extends CloudmasterError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(
      ErrorCode.ConfigInvalid,
      `The configuration has ${problems.length} problem(s):\n${problems.join('\n')}`,
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const fileSchema = z.strictObject({
  settings: z.unknown().optional(),
  providers: z.record(z.string(), z.unknown()).optional(),
  policy: z.unknown().optional(),
  watch: z.unknown().optional(),
  tickets: z.unknown().optional(),
  bridge: z.unknown().optional(),
});

/** A provider a rule names that no account is (by id or type) would silently never match: say so. */
function unknownPolicyProviders(
  policy: PolicyConfig,
  accounts: readonly ProviderAccount[],
  where: string,
): string[] {
  const names = accounts.flatMap((account) => [account.id, account.module.type]);
  return (policy.rules ?? []).flatMap((rule, index) =>
    (rule.providers ?? [])
      .filter((glob) => !names.some((name) => matchesAny(name, [glob])))
      .map(
        (glob) =>
          `${where}: policy.rules.${index}.providers: "${glob}" matches no configured provider (configured: ${accounts.map((a) => a.id).join(', ') || 'none'})`,
      ),
  );
}

export interface LoadOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly modules: readonly AnyProviderModule[];
  readonly cwd?: string;
}

export function loadConfig(options: LoadOptions): LoadedConfig {
  const { env } = options;
  const explicit = env.CLOUDMASTER_CONFIG;
  const path = explicit && explicit !== '' ? explicit : DEFAULT_CONFIG_PATH;
  if (existsSync(path)) return loadFile(path, options);
  if (explicit) throw new ConfigError([`${path}: no such file (CLOUDMASTER_CONFIG names it)`]);
  return loadEnvironment(options);
}

function loadEnvironment({ env, modules }: LoadOptions): LoadedConfig {
  const { accounts, problems } = buildAccounts(environmentInputs(modules, env), modules, {
    where: 'environment',
    defaultTimeoutMs: DEFAULT_SETTINGS.timeout,
    defaultCacheTtlMs: DEFAULT_SETTINGS.cacheTtl,
    defaultPollIntervalMs: DEFAULT_SETTINGS.pollInterval,
    requireEnvSecrets: false,
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    source: { kind: 'environment' },
    settings: DEFAULT_SETTINGS,
    accounts,
    secrets: accounts.flatMap((account) => account.secrets),
    notices: [],
  };
}

function readYaml(path: string, where: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`${where}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      document.errors.map((error) => {
        const position = error.linePos?.[0];
        const at = position ? `:${position.line}:${position.col}` : '';
        return `${where}${at}: ${error.message.split('\n')[0]}`;
      }),
    );
  }
  return document.toJS() ?? {};
}

function loadFile(path: string, { env, modules, cwd }: LoadOptions): LoadedConfig {
  const where = relative(cwd ?? process.cwd(), path) || path;
  const top = fileSchema.safeParse(readYaml(path, where));
  if (!top.success) throw new ConfigError(formatIssues(top.error.issues, where, [], fileSchema));

  const problems: string[] = [];
  const interpolated = interpolate(top.data, env, where);
  problems.push(...interpolated.problems);
  const data = interpolated.value as z.infer<typeof fileSchema>;

  const settings = settingsSchema.safeParse(data.settings);
  if (!settings.success) problems.push(...formatIssues(settings.error.issues, where, ['settings']));
  const effective = settings.success ? settings.data : DEFAULT_SETTINGS;

  // An account with an unset variable is already reported; validating it too would report it twice.
  const incomplete = new Set(interpolated.unresolved.map((path) => path.split('.')[1]));
  const entries = Object.entries(data.providers ?? {}).filter(([id]) => !incomplete.has(id));
  const inputs: AccountInput[] = entries.map(([id, raw]) => {
    const prefix = `providers.${id}.`;
    const below = (map: ReadonlyMap<string, string>): Map<string, string> =>
      new Map(
        [...map]
          .filter(([key]) => key.startsWith(prefix))
          .map(([key, value]) => [key.slice(prefix.length), value]),
      );
    return {
      id,
      raw,
      fromEnvironment: below(interpolated.fromEnvironment),
      variables: below(interpolated.variables),
    };
  });
  const built = buildAccounts(inputs, modules, {
    where,
    defaultTimeoutMs: effective.timeout,
    defaultCacheTtlMs: effective.cacheTtl,
    defaultPollIntervalMs: effective.pollInterval,
    requireEnvSecrets: true,
  });
  problems.push(...built.problems);
  let policy: PolicyConfig | undefined;
  if (data.policy !== undefined) {
    const parsed = policySchema.safeParse(data.policy);
    if (parsed.success) {
      policy = parsed.data;
      if (built.problems.length === 0)
        problems.push(...unknownPolicyProviders(policy, built.accounts, where));
    } else {
      problems.push(...formatIssues(parsed.error.issues, where, ['policy']));
    }
  }
  const outageWatch = loadWatchSections(data, interpolated, where);
  problems.push(...outageWatch.problems);
  const hasPort = effective.http.port !== undefined || (env.PORT !== undefined && env.PORT !== '');
  const bridge = loadBridgeSection(data.bridge, interpolated, where, hasPort);
  problems.push(...bridge.problems);
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    source: { kind: 'file', path },
    settings: effective,
    accounts: built.accounts,
    ...(policy ? { policy } : {}),
    secrets: [
      ...built.accounts.flatMap((account) => account.secrets),
      ...outageWatch.secrets,
      ...bridge.secrets,
    ],
    ...(outageWatch.watch ? { watch: outageWatch.watch } : {}),
    ...(outageWatch.tickets ? { tickets: outageWatch.tickets } : {}),
    ...(bridge.bridge ? { bridge: bridge.bridge } : {}),
    notices: ignoredEnvironment(path, env),
  };
}

/** With a file, providers come from it alone: say so when the environment asks for more. */
function ignoredEnvironment(path: string, env: LoadOptions['env']): string[] {
  if (!demoRequested(env)) return [];
  return [
    `CLOUDMASTER_DEMO is ignored: ${path} is read, and its providers alone are used (add an account with \`type: simulator\` to it for the simulated cloud).`,
  ];
}
