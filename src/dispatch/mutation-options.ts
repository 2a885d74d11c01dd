/** A mutation's options and `key=value` parameters, checked against what its provider declares. */
import { defaultItems, paramItems } from '../../providers/allowed-values.ts';
import type { ConnectedProvider } from '../../providers/registry.ts';
import type { CapabilityOption } from '../../providers/types.ts';
import { CloudmasterError, ErrorCode } from '../errors.ts';
import type { Command, MutatingVerb } from '../grammar/command.ts';
import { suggest } from '../grammar/suggest.ts';
import { capabilityOf } from './provider-set.ts';

export interface UsedOption {
  readonly name: CapabilityOption;
  /** As the user typed it, for refusals: "--force", "-w false". */
  readonly shown: string;
  readonly value: string | boolean;
}

/** Options the command uses that a provider must declare. */
export function usedOptions(command: Command): UsedOption[] {
  const used: UsedOption[] = [];
  if (command.verb === 'stop') {
    if (command.force) used.push({ name: 'force', shown: '--force', value: true });
    if (command.deallocate) used.push({ name: 'deallocate', shown: '--deallocate', value: true });
  }
  if (command.verb === 'deploy' || command.verb === 'cancel') {
    if (command.service !== undefined) used.push({ name: 'service', shown: '-v', value: command.service });
    if (command.environment !== undefined)
      used.push({ name: 'environment', shown: '-e', value: command.environment });
    if (command.verb === 'deploy' && !command.wait)
      used.push({ name: 'wait', shown: '-w false', value: false });
  }
  return used;
}

/** Refuses a `key=value` the provider does not take, suggesting the near ones and listing the rest. */
export function checkParams(
  entry: ConnectedProvider,
  verb: MutatingVerb,
  params: Readonly<Record<string, string>>,
): void {
  const declared = Object.keys(capabilityOf(entry, verb)?.params ?? {});
  for (const key of Object.keys(params)) {
    if (declared.includes(key)) continue;
    const near = suggest(key, declared);
    throw new CloudmasterError(
      ErrorCode.BadParameter,
      `${verb} on ${entry.account.id} takes no parameter "${key}".`,
      {
        hint: near.length > 0 ? `Did you mean ${near.join(' or ')}=…?` : undefined,
        candidates: declared.map((name) =>
          `${name}=… ${capabilityOf(entry, verb)?.params?.[name]?.description ?? ''}`.trim(),
        ),
      },
    );
  }
}

/**
 * Refuses a source or placement outside the account's `allowed:` list, or
 * none at all when the list is there (the provider's own choice is not on
 * it). Values from the account's config were checked against it at load.
 */
export function checkAllowed(entry: ConnectedProvider, params: Readonly<Record<string, string>>): void {
  const { id, allowed, config } = entry.account;
  const declared = capabilityOf(entry, 'create')?.params ?? {};
  for (const [key, values] of Object.entries(allowed)) {
    const spec = declared[key];
    const given = params[key];
    if (given === undefined && defaultItems(spec, config).length > 0) continue;
    // "," is no value either: the provider would fall back to its own choice.
    const items = given === undefined ? [] : paramItems(spec, given);
    if (items.length === 0) {
      throw new CloudmasterError(
        ErrorCode.BadParameter,
        `create on ${id} needs ${key}=…: the account allows only some values.`,
        { provider: id, hint: allowedHint(id, key), candidates: values },
      );
    }
    const refused = items.filter((item) => !values.includes(item));
    if (refused.length === 0) continue;
    throw new CloudmasterError(
      ErrorCode.BadParameter,
      `${key}=${refused.join(',')} is not allowed on ${id}.`,
      {
        provider: id,
        hint: allowedHint(id, key),
        candidates: values,
      },
    );
  }
}

function allowedHint(id: string, key: string): string {
  return `Provider ${id} allows ${key}= only as one of these (\`allowed:\` in cloudmaster.yml):`;
}

/** A value of `create` that names an existing machine or image to copy. */
export interface CreateSource {
  readonly param: string;
  readonly name: string;
}

/** The sources a command names itself (the account's defaults are the operator's choice, not asked about). */
export function sourcesOf(entry: ConnectedProvider, command: Command): CreateSource[] {
  if (command.verb !== 'create') return [];
  const declared = capabilityOf(entry, 'create')?.params ?? {};
  return Object.entries(command.params).flatMap(([param, value]) => {
    const spec = declared[param];
    return spec?.role === 'source' ? paramItems(spec, value).map((name) => ({ param, name })) : [];
  });
}
