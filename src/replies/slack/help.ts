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
import { context, header, message, packLines, type SlackMessage, section } from './message.ts';
import { code, joinMd, type Mrkdwn, md } from './mrkdwn.ts';

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
  const how = `Type ${prefix}VERB …; ${prefix}help VERB explains one.`;
  const intro = outcome.boundTo
    ? md`This command works on *${outcome.boundTo}*. Type ${code(`${prefix}VERB …`)}; ${code(`${prefix}help VERB`)} explains one.`
    : md`Run your clouds from here. Type ${code(`${prefix}VERB …`)}; ${code(`${prefix}help VERB`)} explains one.`;
  const blocks: KnownBlock[] = [header('cloudmaster'), section(intro)];
  const textLines = [
    outcome.boundTo
      ? md`cloudmaster help. This command works on ${outcome.boundTo}. ${how}`
      : md`cloudmaster help. Run your clouds from here. ${how}`,
  ];

  for (const group of ['machines', 'stacks', 'watch', 'bot'] as const) {
    const lines: Mrkdwn[] = [md`*${GROUP_TITLES[group]}*`];
    const shown = VERB_SPECS.filter(
      (candidate) => candidate.group === group && !outcome.hidden?.includes(candidate.verb),
    );
    if (shown.length === 0) continue;
    for (const spec of shown) {
      const help = verbHelp(spec.verb);
      const names = providerNames(byVerb.get(spec.verb));
      const where = isProviderVerb(spec)
        ? names
          ? md` _(${names})_`
          : md` _(no configured provider)_`
        : md``;
      lines.push(md`• ${code(help.usage)} — ${help.summary}${where}`);
      textLines.push(
        md`${help.usage}: ${help.summary}${isProviderVerb(spec) ? ` (${names || 'no configured provider'})` : ''}`,
      );
    }
    blocks.push(...packLines(lines));
  }
  const configured = outcome.configured.map((provider) => `${provider.id} (${provider.label})`).join(', ');
  const hidden = outcome.hidden?.length ?? 0;
  const leftOut =
    hidden > 0
      ? `${hidden === 1 ? 'One verb is' : `${hidden} verbs are`} left out: the policy does not let you run ${hidden === 1 ? 'it' : 'them'}`
      : '';
  const footer = configured
    ? md`Providers: ${configured}. Short and long options are equal (\`-s\` = \`--stack\`), and \`key=value\` = \`--key value\`.`
    : md`No providers are configured yet: see docs/configuration.md (cloudmaster.yml, or environment variables; CLOUDMASTER_DEMO=1 adds the simulated cloud).`;
  const footerText = configured
    ? md`Providers: ${configured}. Short and long options are equal (-s = --stack), and key=value = --key value.`
    : footer;
  blocks.push(context([leftOut ? md`${footer} ${leftOut} (${code(`${prefix}whoami`)} says why).` : footer]));
  textLines.push(leftOut ? md`${footerText} ${leftOut} (${prefix}whoami says why).` : footerText);
  return message(joinMd(textLines, '\n'), blocks);
}

function renderVerbHelp(outcome: HelpOutcome, verb: Verb, prefix: string): SlackMessage {
  const help = verbHelp(verb);
  const availability = outcome.availability.find((entry) => entry.verb === verb);
  const lines = [md`*Usage:* ${code(`${prefix}${help.usage}`)}`, md`${help.summary}`];
  if (help.aliases.length > 0) lines.push(md`*Also:* ${joinMd(help.aliases.map(code), ' ')}`);
  const textLines = [md`${verb}: ${help.summary}`, md`Usage: ${prefix}${help.usage}`];
  const blocks: KnownBlock[] = [header(`help: ${verb}`), section(joinMd(lines, '\n'))];

  if (help.options.length > 0) {
    const optionLines = help.options.map((option) => md`• ${code(option.forms)} ${option.description}`);
    blocks.push(...packLines([md`*Options*`, ...optionLines]));
    textLines.push(...help.options.map((option) => md`${option.forms}: ${option.description}`));
  }
  blocks.push(
    ...packLines([md`*Examples*`, ...help.examples.map((example) => md`• ${code(`${prefix}${example}`)}`)]),
  );
  textLines.push(...help.examples.map((example) => md`Example: ${prefix}${example}`));

  const spec = VERB_SPECS.find((candidate) => candidate.verb === verb);
  if (spec && isProviderVerb(spec)) {
    const providerLines = (availability?.providers ?? []).map(({ provider, capability }) => {
      const extras = [
        ...(capability.options ?? []).map((option) => `--${option}`),
        ...Object.entries(capability.params ?? {}).map(([name, param]) => `${name}= (${param.description})`),
      ];
      const note = capability.note ? ` — ${capability.note}` : '';
      return md`• *${provider.id}* (${provider.label})${note}${extras.length > 0 ? `: ${extras.join(', ')}` : ''}`;
    });
    blocks.push(
      ...packLines([
        md`*Providers that can*`,
        ...(providerLines.length > 0 ? providerLines : [md`_none of the configured providers_`]),
      ]),
    );
    textLines.push(md`Providers: ${providerNames(availability) || 'none configured'}`);
  }
  return message(joinMd(textLines, '\n'), blocks);
}
