/** Times in messages: Slack shows `<!date…>` in each reader's own time zone; the fallback is UTC. */
import { type Mrkdwn, slackDate } from './mrkdwn.ts';

export function utcTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 16)} UTC`;
}

export function slackTime(ms: number): Mrkdwn {
  return slackDate(ms, utcTime(ms));
}
