/** A mutation's options and `key=value` parameters, checked against what its provider declares. */
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
