/**
 * The registry: which provider modules exist, and which provider accounts
 * the configuration asks for. It validates each account against its
 * module's own schema (one clear line per problem) and connects the valid
 * ones. Help and the `providers` reply read the declarations kept here.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import { durationSchema } from '../src/config/duration.ts';
import { formatIssues } from '../src/config/issues.ts';
import { suggest } from '../src/grammar/suggest.ts';
import { type AllowedValues, allowedValuesProblems, allowedValuesSchema } from './allowed-values.ts';
import type { CapabilityTable, Clock, Provider, ProviderModule, ProviderSetup } from './types.ts';

/**
 * Any module, as the registry holds it: its config is validated by its own
 * schema, its capabilities read as a plain table, its instance as a Provider.
 */
// biome-ignore lint/suspicious/noExplicitAny: modules differ in config type; each validates its own.
export type AnyProviderModule = Omit<ProviderModule<any>, 'connect' | 'capabilities'> & {
  readonly capabilities: CapabilityTable;
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  connect(setup: ProviderSetup<any>): Promise<Provider>;
};

/** One configured account of a provider: "do", "aws-prod", "lab". */
export interface ProviderAccount {
  readonly id: string;
  readonly module: AnyProviderModule;
  /** What replies call it: the config's `label`, else the module's. */
  readonly label: string;
  /** How long a read may take before its error is shown inline. */
  readonly timeoutMs: number;
  /** How long list/status answers are reused; 0: never. */
  readonly cacheTtlMs: number;
  /** How often its operations are polled. */
  readonly pollIntervalMs: number;
  /** The module-validated config. */
  readonly config: unknown;
  /** `allowed:`: per source or placement parameter of `create`, the only values people may give. */
  readonly allowed: AllowedValues;
  /** Secret values in this account's config, for redaction. */
  readonly secrets: readonly string[];
  /** Config key → the environment variable it came from. */
  readonly secretSources: Readonly<Record<string, string>>;
}

/** An account with its instance, or the reason it could not connect. */
export interface ConnectedProvider {
  readonly account: ProviderAccount;
  readonly instance: Provider | undefined;
  readonly connectError: string | undefined;
}

const PROVIDER_ID = /^[a-z][a-z0-9_-]{0,31}$/i;
const SECRET_LOOKING_KEY = /(token|password|secret|key)$/i;
const commonKeysSchema = z.object({
  type: z.string().min(1),
  label: z.string().min(1).optional(),
  timeout: durationSchema.optional(),
  cacheTtl: durationSchema.optional(),
  pollInterval: durationSchema.optional(),
  allowed: allowedValuesSchema.optional(),
});

export function findModule(
  modules: readonly AnyProviderModule[],
  word: string,
): AnyProviderModule | undefined {
  const lower = word.toLowerCase();
  return modules.find((module) => module.type === lower || module.aliases.includes(lower));
}

export interface AccountInput {
  readonly id: string;
  readonly raw: unknown;
  /** Values that came from the environment, by key path inside this account. */
  readonly fromEnvironment: ReadonlyMap<string, string>;
  /** The variable each of those came from, by the same key path. */
  readonly variables: ReadonlyMap<string, string>;
}

export interface BuildResult {
  readonly accounts: ProviderAccount[];
  readonly problems: string[];
}

/** Validates each account against its module; collects every problem, not just the first. */
export function buildAccounts(
  inputs: readonly AccountInput[],
  modules: readonly AnyProviderModule[],
  options: {
    readonly where: string;
    readonly defaultTimeoutMs: number;
    readonly defaultCacheTtlMs: number;
    readonly defaultPollIntervalMs: number;
    readonly requireEnvSecrets: boolean;
  },
): BuildResult {
  const accounts: ProviderAccount[] = [];
  const problems: string[] = [];
  const { where } = options;
  const knownTypes = modules.map((module) => module.type);

  for (const { id, raw, fromEnvironment, variables } of inputs) {
    const at = `${where}: providers.${id}`;
    if (!PROVIDER_ID.test(id)) {
      problems.push(`${at}: the id must be a letter then letters, digits, - or _ (at most 32)`);
      continue;
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      problems.push(`${at}: must be a mapping with at least a \`type\``);
      continue;
    }
    const common = commonKeysSchema.safeParse(raw);
    if (!common.success) {
      problems.push(...formatIssues(common.error.issues, where, ['providers', id]));
      continue;
    }
    const module = findModule(modules, common.data.type);
    if (!module) {
      const near = suggest(common.data.type, knownTypes);
      const hint = near.length > 0 ? ` (did you mean ${near.join(' or ')}?)` : '';
      problems.push(
        `${at}.type: unknown provider type "${common.data.type}"${hint}; known: ${knownTypes.join(', ')}`,
      );
      continue;
    }
    const {
      type: _type,
      label,
      timeout,
      cacheTtl,
      pollInterval,
      allowed: _allowed,
      ...moduleKeys
    } = raw as Record<string, unknown>;
    const parsed = module.configSchema.safeParse(moduleKeys);
    if (!parsed.success) {
      problems.push(...formatIssues(parsed.error.issues, where, ['providers', id], module.configSchema));
      continue;
    }
    const allowed = common.data.allowed ?? {};
    const allowedProblems = allowedValuesProblems(at, module.type, module.capabilities, allowed, parsed.data);
    if (allowedProblems.length > 0) {
      problems.push(...allowedProblems);
      continue;
    }
    const secrets: string[] = [];
    let secretProblem = false;
    for (const key of module.secretKeys) {
      const value = moduleKeys[key];
      if (typeof value !== 'string' || value === '') continue;
      if (options.requireEnvSecrets && !fromEnvironment.has(key)) {
        problems.push(
          `${at}.${key}: write the secret as \${ENV_NAME}; secrets are not kept in the config file`,
        );
        secretProblem = true;
      }
      secrets.push(value);
    }
    for (const [path, value] of fromEnvironment) {
      if (SECRET_LOOKING_KEY.test(path)) secrets.push(value);
    }
    if (secretProblem) continue;
    accounts.push({
      id,
      module,
      label: common.data.label ?? module.label,
      timeoutMs: common.data.timeout ?? options.defaultTimeoutMs,
      cacheTtlMs: common.data.cacheTtl ?? module.defaultCacheTtlMs ?? options.defaultCacheTtlMs,
      pollIntervalMs:
        common.data.pollInterval ?? Math.max(options.defaultPollIntervalMs, module.minPollIntervalMs ?? 0),
      config: parsed.data,
      allowed,
      secrets: [...new Set(secrets)],
      secretSources: Object.fromEntries(
        module.secretKeys.flatMap((key) => {
          const variable = variables.get(key);
          return variable ? [[key, variable]] : [];
        }),
      ),
    });
  }
  return { accounts, problems };
}

/** Accounts the environment describes, for running without a config file. */
export function environmentInputs(
  modules: readonly AnyProviderModule[],
  env: Readonly<Record<string, string | undefined>>,
): AccountInput[] {
  const inputs: AccountInput[] = [];
  for (const module of modules) {
    const found = module.fromEnvironment?.(env);
    if (!found) continue;
    const fromEnvironment = new Map(
      Object.entries(found.config).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    );
    const variables = new Map(Object.entries(found.sources ?? {}));
    inputs.push({ id: found.id, raw: { type: module.type, ...found.config }, fromEnvironment, variables });
  }
  return inputs;
}

/**
 * Connects every account. A module that fails to connect (a missing key
 * file, say) is kept with its reason so replies can show it; the others work.
 */
export async function connectAccounts(
  accounts: readonly ProviderAccount[],
  deps: { readonly log: Logger; readonly clock: Clock },
): Promise<ConnectedProvider[]> {
  return Promise.all(
    accounts.map(async (account): Promise<ConnectedProvider> => {
      const log = deps.log.child({ provider: account.id });
      try {
        const instance = await account.module.connect({
          id: account.id,
          label: account.label,
          config: account.config,
          timeoutMs: account.timeoutMs,
          secretSources: account.secretSources,
          log,
          clock: deps.clock,
        });
        return { account, instance, connectError: undefined };
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        log.error({ err: error }, 'provider could not be set up');
        return { account, instance: undefined, connectError: reason };
      }
    }),
  );
}
