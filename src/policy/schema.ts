/**
 * The `policy:` section of cloudmaster.yml. Rules are checked here as far
 * as they can be alone (known verbs, approvers only where approval is asked,
 * groups that exist); provider ids are checked against the configured
 * accounts by the config loader.
 */
import { z } from 'zod';
import { MUTATING_VERBS } from '../grammar/command.ts';
import { suggest } from '../grammar/suggest.ts';
import { expandVerbs, POLICY_VERBS, VERB_SETS } from './verbs.ts';

const SLACK_USER = /^[UW][A-Z0-9]{2,}$/;
const SLACK_USER_GROUP = /^S[A-Z0-9]{2,}$/;
const CHANNEL = /^([CGD][A-Z0-9]{2,}|dm|cli|api|\*)$/;
/** A bridge client (`bridge.clients`), as the policy names it. */
const CLIENT = /^client:[a-z][a-z0-9_-]{0,39}$/;

const list = <T extends z.ZodType>(item: T) => z.array(item).min(1);
const userId = z.string().regex(SLACK_USER, 'must be a Slack user id (U… or W…)');
/** A Slack member id as a person finds it: profile → ⋮ → Copy member ID. */
export const slackUserIdSchema = z
  .string()
  .regex(
    SLACK_USER,
    'must be a Slack member id such as U012AB3CD (profile → ⋮ → Copy member ID), not a name',
  );
const who = z.string().refine((value) => value === '*' || SLACK_USER.test(value) || CLIENT.test(value), {
  message: 'must be a Slack user id (U… or W…), a bridge client (client:NAME) or *',
});

export const ruleSchema = z
  .strictObject({
    /** Shown in denials, `whoami` and the audit log. */
    name: z.string().min(1).max(80).optional(),
    users: list(who).optional(),
    /** Names from `groups:` or Slack user group ids (S…). */
    groups: list(z.string().min(1)).optional(),
    /** Channel ids, `dm` (any direct message), `cli` (the terminal), `api` (the bridge's clients), or `*`. */
    channels: list(
      z.string().regex(CHANNEL, 'must be a channel id (C…, G…, D…), dm, cli, api or *'),
    ).optional(),
    /** Verb names, or `read`, `mutate`, `*`. */
    verbs: list(z.string().min(1)).optional(),
    /** Provider ids or types; `*` and `?` match any characters. */
    providers: list(z.string().min(1)).optional(),
    /** Machine or stack names; `*` and `?` match any characters. */
    targets: list(z.string().min(1)).optional(),
    /** Stack environments (deploy, cancel, status -s). */
    environments: list(z.string().min(1)).optional(),
    effect: z.enum(['allow', 'deny', 'approve']),
    /** Who may approve (users, group names, Slack user groups); never the requester. */
    approvers: list(z.string().min(1)).optional(),
    /** `false` on an allow rule runs its mutations without asking the requester to confirm. */
    confirm: z.boolean().optional(),
  })
  .superRefine((rule, ctx) => {
    if (rule.verbs) {
      const { unknown } = expandVerbs(rule.verbs);
      for (const word of unknown) {
        const near = suggest(word, [...Object.keys(VERB_SETS), ...POLICY_VERBS]);
        ctx.addIssue({
          code: 'custom',
          path: ['verbs'],
          message: `"${word}" is not a verb a rule can name${near.length > 0 ? ` (did you mean ${near.join(' or ')}?)` : ''}; use verb names, read, mutate or *`,
        });
      }
    }
    if (rule.effect === 'approve') {
      if (!rule.approvers)
        ctx.addIssue({ code: 'custom', path: ['approvers'], message: 'an approve rule needs approvers' });
      const verbs = rule.verbs ? [...expandVerbs(rule.verbs).verbs] : undefined;
      const reads = verbs?.filter((verb) => !(MUTATING_VERBS as readonly string[]).includes(verb));
      if (!verbs || (reads && reads.length > 0)) {
        ctx.addIssue({
          code: 'custom',
          path: ['verbs'],
          message: `an approve rule must list the mutating verbs it covers${reads && reads.length > 0 ? ` (not ${reads.join(', ')})` : ''}`,
        });
      }
    } else if (rule.approvers) {
      ctx.addIssue({
        code: 'custom',
        path: ['approvers'],
        message: 'approvers belong to approve rules only',
      });
    }
    if (rule.confirm !== undefined && rule.effect !== 'allow') {
      ctx.addIssue({ code: 'custom', path: ['confirm'], message: 'confirm applies to allow rules only' });
    }
  });

export const policySchema = z
  .strictObject({
    /** Named sets of Slack users, usable in `groups:` and `approvers:`. */
    groups: z
      .record(z.string().regex(/^[a-z][\w-]*$/i, 'group names are words: sre, on-call'), list(userId))
      .optional(),
    /** The CLI acts as: local OS user name → the Slack user whose rights it gets. */
    cli: z.record(z.string().min(1), userId).optional(),
    /** Without rules (a section holding only `cli:`) the default rules decide (default.ts). */
    rules: list(ruleSchema).optional(),
  })
  .superRefine((policy, ctx) => {
    const defined = new Set(Object.keys(policy.groups ?? {}));
    if (!policy.rules && policy.groups) {
      ctx.addIssue({
        code: 'custom',
        path: ['groups'],
        message: 'groups are used only by rules: write rules: too, or leave groups out',
      });
    }
    const names = new Set<string>();
    (policy.rules ?? []).forEach((rule, index) => {
      for (const field of ['groups', 'approvers'] as const) {
        for (const ref of rule[field] ?? []) {
          if (SLACK_USER.test(ref) && field === 'approvers') continue;
          if (defined.has(ref) || SLACK_USER_GROUP.test(ref)) continue;
          const near = suggest(ref, [...defined]);
          ctx.addIssue({
            code: 'custom',
            path: ['rules', index, field],
            message: `"${ref}" is neither a group under policy.groups nor a Slack user group id (S…)${near.length > 0 ? `; did you mean ${near.join(' or ')}?` : ''}`,
          });
        }
      }
      if (rule.name !== undefined) {
        if (names.has(rule.name))
          ctx.addIssue({
            code: 'custom',
            path: ['rules', index, 'name'],
            message: `"${rule.name}" names two rules`,
          });
        names.add(rule.name);
      }
    });
  });

export type RuleConfig = z.infer<typeof ruleSchema>;
export type PolicyConfig = z.infer<typeof policySchema>;

export function isSlackUserGroup(ref: string): boolean {
  return SLACK_USER_GROUP.test(ref);
}

export function isSlackUser(ref: string): boolean {
  return SLACK_USER.test(ref);
}
