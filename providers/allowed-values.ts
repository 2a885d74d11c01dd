/**
 * `allowed:`, a key every provider account may have: per `create` parameter
 * that names an existing source or placement (see ParamRole), the only
 * values people may give. Which parameters it may name comes from the
 * module's capability table; the account's own defaults must be among the
 * values it lists, so a default cannot say what the list forbids.
 */
import { z } from 'zod';
import { suggest } from '../src/grammar/suggest.ts';
import { splitList } from './params.ts';
import type { CapabilityTable, ParamSpec } from './types.ts';

export type AllowedValues = Readonly<Record<string, readonly string[]>>;

export const allowedValuesSchema = z.record(
  z.string(),
  z
    .array(z.union([z.string().min(1), z.number()]).transform(String))
    .min(1, 'list at least one value (leave the key out to allow any)'),
);

/** The parameters `allowed:` may name: those that name a source or a placement. */
export function restrictableParams(capabilities: CapabilityTable): string[] {
  return Object.entries(capabilities.create?.params ?? {})
    .filter(([, spec]) => spec.role !== undefined)
    .map(([name]) => name);
}

/** A parameter's value as items: one, or each of a comma-separated list. */
export function paramItems(spec: ParamSpec | undefined, value: string): string[] {
  return spec?.list ? splitList(value) : [value];
}

/** The account's own value for a parameter (its `defaultFrom` key), as items; none when it has none. */
export function defaultItems(spec: ParamSpec | undefined, config: unknown): string[] {
  const value = spec?.defaultFrom ? (config as Record<string, unknown>)[spec.defaultFrom] : undefined;
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String);
}

/** One line per problem, `at` being "cloudmaster.yml: providers.ID". */
export function allowedValuesProblems(
  at: string,
  type: string,
  capabilities: CapabilityTable,
  allowed: AllowedValues,
  config: unknown,
): string[] {
  const problems: string[] = [];
  const params = capabilities.create?.params ?? {};
  const restrictable = restrictableParams(capabilities);
  for (const [key, values] of Object.entries(allowed)) {
    const spec = params[key];
    if (!spec?.role) {
      const near = suggest(key, restrictable);
      const what =
        restrictable.length === 0
          ? `${type} has no create parameter that names a source or a placement`
          : `not a source or placement parameter of ${type} (${near.length > 0 ? `did you mean "${near.join('" or "')}"? ` : ''}it takes ${restrictable.join(', ')})`;
      problems.push(`${at}.allowed.${key}: ${what}`);
      continue;
    }
    for (const value of defaultItems(spec, config)) {
      if (values.includes(value)) continue;
      problems.push(
        `${at}.${spec.defaultFrom}: "${value}" (the default for ${key}=) is not among allowed.${key}: ${values.join(', ')}`,
      );
    }
  }
  return problems;
}
