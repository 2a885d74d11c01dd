/**
 * Words written once for two readers: Slack, where they are mrkdwn (outside
 * strings escaped, users as mentions, times in each reader's zone), and the
 * terminal, where they are plain text.
 */
import { joinMd, type Mrkdwn, md, mention } from './slack/mrkdwn.ts';
import { slackTime, utcTime } from './slack/time.ts';

export interface Writer<T> {
  /** A sentence from a template: its interpolated strings are someone else's. */
  (strings: TemplateStringsArray, ...values: readonly (T | string | number)[]): T;
  user(id: string): T;
  time(ms: number): T;
  join(parts: readonly (T | string)[], separator: string): T;
}

export const slackWriter: Writer<Mrkdwn> = Object.assign(
  (strings: TemplateStringsArray, ...values: readonly (Mrkdwn | string | number)[]) => md(strings, ...values),
  {
    user: mention,
    time: slackTime,
    join: joinMd,
  },
);

function plain(strings: TemplateStringsArray, ...values: readonly (string | number)[]): string {
  return strings.reduce((text, part, index) => text + String(values[index - 1]) + part);
}

export const plainWriter: Writer<string> = Object.assign(plain, {
  user: (id: string) => id,
  time: utcTime,
  join: (parts: readonly string[], separator: string) => parts.join(separator),
});
