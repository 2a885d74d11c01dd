/**
 * The configured providers at run time, and how a word the user typed
 * (`on do`, `-p digitalocean`) picks some of them.
 */
import type { ConnectedProvider } from '../../providers/registry.ts';
import type { CapabilityOption, VerbCapability } from '../../providers/types.ts';
import { CloudmasterError, ErrorCode } from '../errors.ts';
import type { ProviderVerb } from '../grammar/command.ts';
import { suggest } from '../grammar/suggest.ts';
import type { ProviderRef } from './outcome.ts';

/** A provider as answers name it. */
export function providerRef(entry: ConnectedProvider): ProviderRef {
  return { id: entry.account.id, type: entry.account.module.type, label: entry.account.label };
}

export function describeAccount(entry: ConnectedProvider): string {
  return `${entry.account.id} (${entry.account.module.label})`;
}

export function capabilityOf(entry: ConnectedProvider, verb: ProviderVerb): VerbCapability | undefined {
  return entry.account.module.capabilities[verb];
}

export function supports(entry: ConnectedProvider, verb: ProviderVerb, option?: CapabilityOption): boolean {
  const capability = capabilityOf(entry, verb);
  if (!capability) return false;
  return option === undefined || (capability.options ?? []).includes(option);
}

export class ProviderSet {
  readonly entries: readonly ConnectedProvider[];

  constructor(entries: readonly ConnectedProvider[]) {
    this.entries = entries;
  }

  get ids(): string[] {
    return this.entries.map((entry) => entry.account.id);
  }

  byId(id: string): ConnectedProvider | undefined {
    return this.entries.find((entry) => entry.account.id === id);
  }

  ofType(type: string): ConnectedProvider[] {
    return this.entries.filter((entry) => entry.account.module.type === type);
  }

  /**
   * An id picks that account; a type or alias (`do`, `digitalocean`) picks
   * every account of that type. Ids win over types.
   */
  resolve(word: string): ConnectedProvider[] {
    const lower = word.toLowerCase();
    const byId = this.entries.find((entry) => entry.account.id.toLowerCase() === lower);
    if (byId) return [byId];
    const byType = this.entries.filter(
      (entry) => entry.account.module.type === lower || entry.account.module.aliases.includes(lower),
    );
    if (byType.length > 0) return byType;
    throw this.unknown(word);
  }

  private unknown(word: string): CloudmasterError {
    if (this.entries.length === 0) {
      return new CloudmasterError(
        ErrorCode.NoProviders,
        `There is no provider "${word}": none is configured.`,
        {
          hint: 'Add providers to cloudmaster.yml or set their environment variables (docs/configuration.md).',
        },
      );
    }
    const words = this.entries.flatMap((entry) => [entry.account.id, entry.account.module.type]);
    const near = suggest(word, words);
    return new CloudmasterError(ErrorCode.UnknownProvider, `There is no provider "${word}".`, {
      hint: near.length > 0 ? `Did you mean ${near.map((id) => `\`${id}\``).join(' or ')}?` : undefined,
      candidates: this.entries.map(describeAccount),
    });
  }

  /** Accounts that declare the verb (and option, when given). */
  supporting(verb: ProviderVerb, option?: CapabilityOption): ConnectedProvider[] {
    return this.entries.filter((entry) => supports(entry, verb, option));
  }
}
