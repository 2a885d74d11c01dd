/**
 * What is wrong with the two Slack tokens, in words: unset, swapped (the
 * bot token where the app-level token goes, or the other way round), or of
 * another kind. Only a token's prefix is ever named, never its value.
 */
type Env = Readonly<Record<string, string | undefined>>;

const KINDS: readonly { readonly prefix: string; readonly words: string }[] = [
  { prefix: 'xoxb-', words: 'a bot token' },
  { prefix: 'xapp-', words: 'an app-level token' },
  { prefix: 'xoxp-', words: 'a user token' },
  { prefix: 'xoxe-', words: 'a token-rotation token' },
];

const BOT = {
  name: 'SLACK_BOT_TOKEN',
  prefix: 'xoxb-',
  wants: 'the bot token',
  unset: 'a bot token, xoxb-…',
};
const APP = {
  name: 'SLACK_APP_TOKEN',
  prefix: 'xapp-',
  wants: 'the app-level token with connections:write',
  unset: 'an app-level token with connections:write, xapp-…',
};

function kindOf(value: string): { prefix: string; words: string } | undefined {
  return KINDS.find((kind) => value.startsWith(kind.prefix));
}

/** Each problem with SLACK_BOT_TOKEN and SLACK_APP_TOKEN, one phrase each; empty when both look right. */
export function slackTokenProblems(env: Env): string[] {
  const botValue = env.SLACK_BOT_TOKEN ?? '';
  const appValue = env.SLACK_APP_TOKEN ?? '';
  const values = [
    [BOT, botValue],
    [APP, appValue],
  ] as const;
  if (botValue.startsWith(APP.prefix) && appValue.startsWith(BOT.prefix)) {
    return [
      `${BOT.name} and ${APP.name} are swapped: ${BOT.name} holds the app-level token (${APP.prefix}…) and ${APP.name} the bot token (${BOT.prefix}…)`,
    ];
  }
  const unset = values.filter(([, value]) => value === '').map(([spec]) => `${spec.name} (${spec.unset})`);
  const problems: string[] = [];
  if (unset.length > 0) problems.push(`${unset.join(' and ')} ${unset.length === 1 ? 'is' : 'are'} not set`);
  for (const [spec, value] of values) {
    if (value === '' || value.startsWith(spec.prefix)) continue;
    const other = spec === BOT ? APP : BOT;
    const kind = kindOf(value);
    problems.push(
      kind
        ? `${spec.name} holds ${kind.words} (${kind.prefix}…); it wants ${spec.wants} (${spec.prefix}…)${kind.prefix === other.prefix ? ' — are the two swapped?' : ''}`
        : `${spec.name} does not hold a Slack token of a kind cloudmaster knows; it wants ${spec.wants} (${spec.prefix}…)`,
    );
  }
  return problems;
}
