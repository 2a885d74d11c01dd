/**
 * Built-in status sources: the platforms cloudmaster manages and a few a
 * cloud team depends on. `watch.presets` turns them on by name; a source
 * with the same name in `watch.sources` overrides any of their fields.
 */

export interface SourcePreset {
  readonly name: string;
  readonly label: string;
  readonly type: string;
  readonly url: string;
  readonly intervalMs: number;
  /** For feeds that keep history: items older than this at first sight are not news. */
  readonly ignoreOlderThanMs?: number;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

export const SOURCE_PRESETS: readonly SourcePreset[] = [
  {
    name: 'digitalocean',
    label: 'DigitalOcean',
    type: 'statuspage',
    url: 'https://status.digitalocean.com/api/v2/incidents/unresolved.json',
    intervalMs: 2 * MINUTE,
  },
  {
    name: 'github',
    label: 'GitHub',
    type: 'statuspage',
    url: 'https://www.githubstatus.com/api/v2/incidents/unresolved.json',
    intervalMs: 2 * MINUTE,
  },
  {
    // Vultr's page is its own, not Statuspage.
    name: 'vultr',
    label: 'Vultr',
    type: 'vultr-alerts',
    url: 'https://status.vultr.com/alerts.json',
    intervalMs: 5 * MINUTE,
  },
  {
    // Cloud 66's status page is hosted on status.io, which offers this RSS feed.
    name: 'cloud66',
    label: 'Cloud 66',
    type: 'feed',
    url: 'https://status.cloud66.com/pages/55a770a50a54eb8c710005a9/rss',
    intervalMs: 5 * MINUTE,
    ignoreOlderThanMs: 2 * DAY,
  },
  {
    name: 'slack',
    label: 'Slack',
    type: 'slack-status',
    url: 'https://slack-status.com/api/v2.0.0/current',
    intervalMs: 2 * MINUTE,
  },
  {
    name: 'aws',
    label: 'AWS',
    type: 'feed',
    url: 'https://status.aws.amazon.com/rss/all.rss',
    intervalMs: 2 * MINUTE,
    ignoreOlderThanMs: 1 * DAY,
  },
  {
    // Lists only what is current: an incident ends when its item leaves the feed.
    name: 'azure',
    label: 'Azure',
    type: 'feed',
    url: 'https://rssfeed.azure.status.microsoft/en-us/status/feed/',
    intervalMs: 2 * MINUTE,
    ignoreOlderThanMs: 2 * DAY,
  },
  {
    name: 'gcp',
    label: 'Google Cloud',
    type: 'gcp-incidents',
    url: 'https://status.cloud.google.com/incidents.json',
    intervalMs: 2 * MINUTE,
  },
  {
    name: 'cloudflare',
    label: 'Cloudflare',
    type: 'statuspage',
    url: 'https://www.cloudflarestatus.com/api/v2/incidents/unresolved.json',
    intervalMs: 2 * MINUTE,
  },
  {
    name: 'bitbucket',
    label: 'Bitbucket',
    type: 'statuspage',
    url: 'https://bitbucket.status.atlassian.com/api/v2/incidents/unresolved.json',
    intervalMs: 5 * MINUTE,
  },
  {
    name: 'datadog',
    label: 'Datadog',
    type: 'statuspage',
    url: 'https://status.datadoghq.com/api/v2/incidents/unresolved.json',
    intervalMs: 5 * MINUTE,
  },
  {
    name: 'twilio',
    label: 'Twilio',
    type: 'statuspage',
    url: 'https://status.twilio.com/api/v2/incidents/unresolved.json',
    intervalMs: 5 * MINUTE,
  },
];

export function findPreset(name: string): SourcePreset | undefined {
  return SOURCE_PRESETS.find((preset) => preset.name === name);
}
