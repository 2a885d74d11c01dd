/** Times in messages: Slack shows `<!date…>` in each reader's own time zone; the fallback is UTC. */

export function utcTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 16)} UTC`;
}

export function slackTime(ms: number): string {
  return `<!date^${Math.floor(ms / 1000)}^{time}|${utcTime(ms)}>`;
}
