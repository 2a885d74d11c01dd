/** Usage lines and per-verb help, generated from the verb and option tables. */
import type { Verb } from './command.ts';
import { OPTIONS, type OptionName, type OptionSpec, optionForms } from './options.ts';
import { VERB_SPECS, type VerbSpec, verbSpec } from './verbs.ts';

function optionUsage(name: OptionName): string {
  const spec: OptionSpec = OPTIONS[name];
  const form = spec.short ? `-${spec.short}` : `--${spec.long}`;
  return spec.kind === 'flag' ? form : `${form} ${spec.placeholder ?? 'VALUE'}`;
}

/** `reboot NAME [on PROVIDER]`, `deploy -s STACK [-e ENVIRONMENT] …`. */
export function usageLine(verb: Verb): string {
  const spec = verbSpec(verb);
  const parts: string[] = [spec.verb];
  if (spec.positional) {
    parts.push(spec.positional.required ? spec.positional.placeholder : `[${spec.positional.placeholder}]`);
  }
  for (const name of spec.requiredOptions ?? []) parts.push(optionUsage(name));
  if (spec.verb === 'can-i') return 'can-i VERB NAME [on PROVIDER] …';
  if (spec.verb !== 'help' && !spec.noProvider)
    parts.push(spec.providerRequired ? 'on PROVIDER' : '[on PROVIDER]');
  for (const name of spec.options) {
    if (!spec.requiredOptions?.includes(name)) parts.push(`[${optionUsage(name)}]`);
  }
  for (const param of spec.params ?? []) parts.push(`[${param}=${param.toUpperCase()}]`);
  if (spec.params) parts.push('[key=value …]');
  return parts.join(' ');
}

export interface VerbHelp {
  readonly verb: Verb;
  readonly usage: string;
  readonly summary: string;
  readonly aliases: readonly string[];
  readonly options: readonly { readonly forms: string; readonly description: string }[];
  readonly examples: readonly string[];
}

export function verbHelp(verb: Verb): VerbHelp {
  const spec: VerbSpec = verbSpec(verb);
  return {
    verb,
    usage: usageLine(verb),
    summary: spec.summary,
    aliases: spec.aliases.filter((alias) => !alias.startsWith('-')),
    options: spec.options.map((name) => ({
      forms: optionForms(name),
      description: OPTIONS[name].description,
    })),
    examples: spec.examples,
  };
}

export function allVerbHelp(): VerbHelp[] {
  return VERB_SPECS.map((spec) => verbHelp(spec.verb));
}
