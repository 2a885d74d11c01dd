/** `whoami` and `can-i` in words, shared by Slack and the CLI. */
import type { Decision } from '../policy/policy.ts';
import type { CanIAnswer, RightState, Rights } from '../safety/rights.ts';

/** What `whoami` says while no policy rule is written (src/policy/default.ts). */
export const DEFAULT_POLICY_WORDS =
  'There is no policy yet, so the safe default holds: everyone may read; changes run on simulator accounts, and anywhere for settings.admins.';

export const RIGHT_WORDS: Record<RightState, string> = {
  allowed: 'yes',
  approval: 'with approval',
  some: 'some names',
  denied: 'no',
};

/** "reboot: yes on demo, do; some names on aws-prod; no on gcp" — one line per verb. */
export function rightLines(rights: Rights): string[] {
  return rights.verbs.map(({ verb, where }) => {
    const groups = new Map<RightState, string[]>();
    for (const entry of where) {
      const list = groups.get(entry.state) ?? [];
      list.push(entry.provider ? entry.provider.id : '');
      groups.set(entry.state, list);
    }
    const parts = [...groups].map(([state, ids]) => {
      const on = ids.filter(Boolean);
      return `${RIGHT_WORDS[state]}${on.length > 0 ? ` on ${on.join(', ')}` : ''}`;
    });
    const rules = [...new Set(where.map((entry) => entry.rule))];
    return `${verb}: ${parts.join('; ')} (${rules.length === 1 ? 'rule' : 'rules'}: ${rules.join('; ')})`;
  });
}

export function decisionWords(decision: Decision, some: boolean): string {
  switch (decision.effect) {
    case 'allow':
      return decision.confirm ? 'yes, after you confirm' : 'yes';
    case 'approve':
      return 'yes, once an approver approves';
    case 'deny':
      return some ? 'for some names only' : 'no';
  }
}

/** "reboot web-1 on do: yes, after you confirm (rule on-call)". */
export function canILines(answer: CanIAnswer): string[] {
  if (answer.answers.length === 0) return ['No configured provider can run that command.'];
  return answer.answers.map(
    ({ provider, decision, some }) =>
      `${provider ? `on ${provider.id}: ` : ''}${decisionWords(decision, some)} (${decision.effect === 'deny' && !some ? decision.reason : `rule ${decision.rule}`})`,
  );
}
