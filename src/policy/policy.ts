/**
 * The policy: who may run which verb, where, on which provider and names.
 * First matching rule wins; whatever no rule allows is denied. Without
 * written rules the built-in default rules (default.ts) decide. A group
 * whose members cannot be read makes its deny rules match and its allow
 * rules not: doubt never grants.
 */
import { isMutatingVerb } from '../grammar/command.ts';
import { type BuiltInRule, DEFAULT_RULES, defaultDenial, defaultRules } from './default.ts';
import type { GroupDirectory } from './directory.ts';
import { matchesAny } from './glob.ts';
import { isSlackUser, isSlackUserGroup, type PolicyConfig, type RuleConfig } from './schema.ts';
import { expandVerbs, type PolicyVerb } from './verbs.ts';

/** Who asks, and from where: a channel id, or "cli". */
export interface PolicySubject {
  readonly user: string;
  readonly channel: string;
}

export interface PolicyQuestion extends PolicySubject {
  readonly verb: PolicyVerb;
  readonly provider?: { readonly id: string; readonly type: string };
  /** The machine or stack name. */
  readonly target?: string;
  readonly environment?: string;
}

export type Decision =
  | { readonly effect: 'allow'; readonly rule: string; readonly confirm: boolean }
  | { readonly effect: 'approve'; readonly rule: string; readonly approvers: readonly string[] }
  | { readonly effect: 'deny'; readonly rule: string; readonly reason: string };

/** Whether a verb could be allowed somewhere, when the provider or target is not known yet. */
export interface Outlook {
  readonly possible: boolean;
  /** The rule that settles it, when one does for every target. */
  readonly rule: string;
  /** Why not, when it is not possible: what a refusal tells the user. */
  readonly reason: string;
  /** Some targets are allowed and others not. */
  readonly depends: boolean;
  /** What is possible needs a second person's approval. */
  readonly approval: boolean;
}

interface Rule {
  readonly label: string;
  readonly config: RuleConfig;
  readonly verbs: ReadonlySet<PolicyVerb> | undefined;
  /** Built-in rules only: provider types matched exactly. */
  readonly providerTypes?: readonly string[];
}

export const NO_RULE = 'no rule allows it (the policy denies what it does not allow)';

export interface PolicyOptions {
  /** `settings.admins`: who may change anything while no rule is written. */
  readonly admins?: readonly string[];
  /** The person standing behind each bridge client (`client:NAME` → U…): never its approver. */
  readonly owners?: Readonly<Record<string, string>>;
}

type Tri = 'yes' | 'no' | 'unknown';

export class Policy {
  /** True when cloudmaster.yml writes rules; false while the default rules decide. */
  readonly configured: boolean;
  /** `settings.admins`; they count only while the default rules decide. */
  readonly admins: readonly string[];
  private readonly rules: readonly Rule[];
  private readonly groups: Readonly<Record<string, readonly string[]>>;
  private readonly cliUsers: Readonly<Record<string, string>>;
  private readonly directory: GroupDirectory;
  private readonly owners: Readonly<Record<string, string>>;

  constructor(config: PolicyConfig | undefined, directory: GroupDirectory, options: PolicyOptions = {}) {
    const written = config?.rules ?? [];
    this.configured = written.length > 0;
    this.admins = options.admins ?? [];
    this.groups = config?.groups ?? {};
    this.cliUsers = config?.cli ?? {};
    this.directory = directory;
    this.owners = options.owners ?? {};
    const rules: BuiltInRule[] = this.configured
      ? written.map((rule, index) => ({ config: { ...rule, name: rule.name ?? `rule ${index + 1}` } }))
      : defaultRules(this.admins);
    this.rules = rules.map(({ config: rule, providerTypes }) => ({
      label: rule.name,
      config: rule,
      verbs: rule.verbs ? expandVerbs(rule.verbs).verbs : undefined,
      ...(providerTypes ? { providerTypes } : {}),
    }));
  }

  /** What no rule allows is denied under this rule name, for this reason. */
  private fallback(question: PolicyQuestion): { readonly rule: string; readonly reason: string } {
    return this.configured
      ? { rule: NO_RULE, reason: NO_RULE }
      : { rule: DEFAULT_RULES.others, reason: defaultDenial(question.user, question.verb) };
  }

  /** The Slack user a local OS user acts as in the CLI, if the policy names one. */
  cliUser(osUser: string): string | undefined {
    return this.cliUsers[osUser];
  }

  async decide(question: PolicyQuestion): Promise<Decision> {
    for (const rule of this.rules) {
      if (this.fixedMismatch(rule, question)) continue;
      if (!this.targetsMatch(rule, question, false)) continue;
      if (!appliesTo(rule, await this.isSubject(rule, question))) continue;
      return this.decisionOf(rule, question);
    }
    return { effect: 'deny', ...this.fallback(question) };
  }

  /**
   * May the verb be allowed for some target, before one is known (help,
   * list's providers, `whoami`)? Rules constraining what is not known count
   * as "maybe": a maybe-allow makes it possible; only a rule that holds for
   * every target settles a denial.
   */
  async outlook(question: PolicyQuestion): Promise<Outlook> {
    let depends = false;
    for (const rule of this.rules) {
      if (this.fixedMismatch(rule, question)) continue;
      const definite = this.targetsMatch(rule, question, false);
      if (!definite && !this.targetsMatch(rule, question, true)) continue;
      if (!appliesTo(rule, await this.isSubject(rule, question))) continue;
      if (rule.config.effect !== 'deny') {
        const approval = rule.config.effect === 'approve';
        return { possible: true, rule: rule.label, reason: '', depends: depends || !definite, approval };
      }
      if (definite) {
        return { possible: false, rule: rule.label, reason: deniedBy(rule.label), depends, approval: false };
      }
      depends = true;
    }
    return { possible: false, ...this.fallback(question), depends, approval: false };
  }

  /** The person standing behind `requester` when it is a bridge client (`user:` in its config). */
  ownerOf(requester: string): string | undefined {
    return this.owners[requester];
  }

  /**
   * May `user` approve what `approvers` lists? Only a person (a Slack user)
   * may; never the requester, nor the person standing behind a client that asks.
   */
  async mayApprove(user: string, requester: string, approvers: readonly string[]): Promise<boolean> {
    if (user === requester || !isSlackUser(user) || this.ownerOf(requester) === user) return false;
    for (const ref of approvers) {
      if (ref === user) return true;
      if (!isSlackUser(ref) && (await this.inGroup(user, ref)) === 'yes') return true;
    }
    return false;
  }

  /** The groups (local and Slack) the rules name that `user` is in. */
  async groupsOf(user: string): Promise<string[]> {
    const named = new Set<string>(Object.keys(this.groups));
    for (const rule of this.rules) for (const ref of rule.config.groups ?? []) named.add(ref);
    const found: string[] = [];
    for (const ref of named) if ((await this.inGroup(user, ref)) === 'yes') found.push(ref);
    return found;
  }

  private decisionOf(rule: Rule, question: PolicyQuestion): Decision {
    switch (rule.config.effect) {
      case 'allow':
        return {
          effect: 'allow',
          rule: rule.label,
          confirm: isMutatingVerb(question.verb) && rule.config.confirm !== false,
        };
      case 'approve':
        return { effect: 'approve', rule: rule.label, approvers: rule.config.approvers ?? [] };
      case 'deny':
        return { effect: 'deny', rule: rule.label, reason: deniedBy(rule.label) };
    }
  }

  /** Verb and channel: always known. */
  private fixedMismatch(rule: Rule, question: PolicyQuestion): boolean {
    if (rule.verbs && !rule.verbs.has(question.verb)) return true;
    const channels = rule.config.channels;
    if (channels && !channels.some((channel) => channelMatches(channel, question.channel))) return true;
    return false;
  }

  /**
   * Provider, target and environment. A constrained field the question does
   * not know fails to match, unless `unknownMatches` (outlook's "maybe").
   */
  private targetsMatch(rule: Rule, question: PolicyQuestion, unknownMatches: boolean): boolean {
    const { providers, targets, environments } = rule.config;
    if (rule.providerTypes) {
      if (!question.provider) {
        if (!unknownMatches) return false;
      } else if (!rule.providerTypes.includes(question.provider.type)) {
        return false;
      }
    }
    if (providers) {
      if (!question.provider) {
        if (!unknownMatches) return false;
      } else if (
        !matchesAny(question.provider.id, providers) &&
        !matchesAny(question.provider.type, providers)
      ) {
        return false;
      }
    }
    for (const [globs, value] of [
      [targets, question.target],
      [environments, question.environment],
    ] as const) {
      if (!globs) continue;
      if (value === undefined) {
        if (!unknownMatches) return false;
      } else if (!matchesAny(value, globs)) {
        return false;
      }
    }
    return true;
  }

  private async isSubject(rule: Rule, subject: PolicySubject): Promise<Tri> {
    const { users, groups } = rule.config;
    if (!users && !groups) return 'yes';
    if (users?.some((user) => user === '*' || user === subject.user)) return 'yes';
    let answer: Tri = 'no';
    for (const ref of groups ?? []) {
      const member = await this.inGroup(subject.user, ref);
      if (member === 'yes') return 'yes';
      if (member === 'unknown') answer = 'unknown';
    }
    return answer;
  }

  private async inGroup(user: string, ref: string): Promise<Tri> {
    const local = this.groups[ref];
    if (local) return local.includes(user) ? 'yes' : 'no';
    if (!isSlackUserGroup(ref)) return 'no';
    const members = await this.directory.members(ref);
    if (!members) return 'unknown';
    return members.has(user) ? 'yes' : 'no';
  }
}

/** A rule applies to those it names; to those it may name (a group not read) only when it denies. */
function appliesTo(rule: Rule, who: Tri): boolean {
  return who === 'yes' || (who === 'unknown' && rule.config.effect === 'deny');
}

function deniedBy(rule: string): string {
  return `denied by rule “${rule}”`;
}

function channelMatches(rule: string, channel: string): boolean {
  if (rule === '*') return true;
  if (rule === 'dm') return channel.startsWith('D');
  return rule === channel;
}
