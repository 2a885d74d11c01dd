/**
 * `help` and `help VERB`, generated from the verb table and from what the
 * configured providers declare, so help never promises what no provider
 * here can do.
 */
import type { KnownBlock } from '@slack/types';
import type { HelpOutcome, VerbAvailability } from '../../dispatch/outcome.ts';
import type { Verb } from '../../grammar/command.ts';
import { verbHelp } from '../../grammar/usage.ts';
import { VERB_SPECS, type VerbGroup } from '../../grammar/verbs.ts';
import {
  code,
  context,
  header,
  message,
  mrkdwnEscape,
  packLines,
  type SlackMessage,
  section,
} from './message.ts';

const GROUP_TITLES: Record<VerbGroup, string> = {
  machines: 'Machines',
  stacks: 'Stacks',
  watch: 'Outage watch',
  bot: 'The bot',
};

function providerNames(availability: VerbAvailability | undefined): string {
  return (availability?.providers ?? []).map(({ provider }) => provider.id).join(', ');
}

function isProviderVerb(spec: (typeof VERB_SPECS)[number]): boolean {
  return spec.group === 'machines' || spec.group === 'stacks';
}

export function renderHelp(outcome: HelpOutcome, prefix: string): SlackMessage {
  return outcome.topic ? renderVerbHelp(outcome, outcome.topic, prefix) : renderOverview(outcome, prefix);
}

function renderOverview(outcome: HelpOutcome, prefix: string): SlackMessage {
  const byVerb = new Map(outcome.availability.map((entry) => [entry.verb, entry]));
  const intro = outcome.boundTo
    ? `This command works on *${mrkdwnEscape(outcome.boundTo)}*. Type ${code(`${prefix}VERB …`)}; ${code(`${prefix}help VERB`)} explains one.`
    : `Run your clouds from here. Type ${code(`${prefix}VERB …`)}; ${code(`${prefix}help VERB`)} explains one.`;
  const blocks: KnownBlock[] = [header('cloudmaster'), section(intro)];
  const textLines = [`cloudmaster help. ${intro.replace(/[`*]/g, '')}`];

  for (const group of ['machines', 'stacks', 'watch', 'bot'] as const) {
    const lines: string[] = [`*${GROUP_TITLES[group]}*`];
    const shown = VERB_SPECS.filter(
      (candidate) => candidate.group === group && !outcome.hidden?.includes(candidate.verb),
    );
    if (shown.length === 0) continue;
    for (const spec of shown) {
      const help = verbHelp(spec.verb);
      const names = providerNames(byVerb.get(spec.verb));
      const where = isProviderVerb(spec)
        ? names
          ? ` _(${mrkdwnEscape(names)})_`
          : ' _(no configured provider)_'
        : '';
      lines.push(`• ${code(help.usage)} — ${mrkdwnEscape(help.summary)}${where}`);
      textLines.push(
        `${help.usage}: ${help.summary}${isProviderVerb(spec) ? ` (${names || 'no configured provider'})` : ''}`,
      );
    }
    blocks.push(...packLines(lines));
  }
  const configured = outcome.configured.map((provider) => `${provider.id} (${provider.label})`).join(', ');
  const footer = configured
    ? `Providers: ${mrkdwnEscape(configured)}. Short and long options are equal (\`-s\` = \`--stack\`), and \`key=value\` = \`--key value\`.`
    : 'No providers are configured yet: see docs/configuration.md (cloudmaster.yml, or environment variables; CLOUDMASTER_DEMO=1 adds the simulated cloud).';
  const hidden = outcome.hidden?.length ?? 0;
  const rights =
    hidden > 0
      ? ` ${hidden === 1 ? 'One verb is' : `${hidden} verbs are`} left out: the policy does not let you run ${hidden === 1 ? 'it' : 'them'} (${code(`${prefix}whoami`)} says why).`
      : '';
  blocks.push(context([`${footer}${rights}`]));
  textLines.push(`${footer}${rights}`.replace(/`/g, ''));
  return message(textLines.join('\n'), blocks);
}

function renderVerbHelp(outcome: HelpOutcome, verb: Verb, prefix: string): SlackMessage {
  const help = verbHelp(verb);
  const availability = outcome.availability.find((entry) => entry.verb === verb);
  const lines = [`*Usage:* ${code(`${prefix}${help.usage}`)}`, mrkdwnEscape(help.summary)];
  if (help.aliases.length > 0) lines.push(`*Also:* ${help.aliases.map((alias) => code(alias)).join(' ')}`);
  const textLines = [`${verb}: ${help.summary}`, `Usage: ${prefix}${help.usage}`];
  const blocks: KnownBlock[] = [header(`help: ${verb}`), section(lines.join('\n'))];

  if (help.options.length > 0) {
    const optionLines = help.options.map(
      (option) => `• ${code(option.forms)} ${mrkdwnEscape(option.description)}`,
    );
    blocks.push(...packLines(['*Options*', ...optionLines]));
    textLines.push(...help.options.map((option) => `${option.forms}: ${option.description}`));
  }
  blocks.push(
    ...packLines(['*Examples*', ...help.examples.map((example) => `• ${code(`${prefix}${example}`)}`)]),
  );
  textLines.push(...help.examples.map((example) => `Example: ${prefix}${example}`));

  const spec = VERB_SPECS.find((candidate) => candidate.verb === verb);
  if (spec && isProviderVerb(spec)) {
    const providerLines = (availability?.providers ?? []).map(({ provider, capability }) => {
      const extras = [
        ...(capability.options ?? []).map((option) => `--${option}`),
        ...Object.entries(capability.params ?? {}).map(([name, param]) => `${name}= (${param.description})`),
      ];
      const note = capability.note ? ` — ${capability.note}` : '';
      return `• *${mrkdwnEscape(provider.id)}* (${mrkdwnEscape(provider.label)})${mrkdwnEscape(note)}${extras.length > 0 ? `: ${mrkdwnEscape(extras.join(', '))}` : ''}`;
    });
    blocks.push(
      ...packLines([
        '*Providers that can*',
        ...(providerLines.length > 0 ? providerLines : ['_none of the configured providers_']),
      ]),
    );
    textLines.push(`Providers: ${providerNames(availability) || 'none configured'}`);
  }
  return message(textLines.join('\n'), blocks);
}
