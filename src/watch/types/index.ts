/** Every kind of status source the watch reads, by the `type` the config names. */
import type { SourceType } from '../incident.ts';
import { feedType } from './feed.ts';
import { gcpIncidentsType } from './gcp-incidents.ts';
import { slackStatusType } from './slack-status.ts';
import { statuspageType } from './statuspage.ts';
import { vultrAlertsType } from './vultr-alerts.ts';

export const SOURCE_TYPES = [
  statuspageType,
  slackStatusType,
  feedType,
  gcpIncidentsType,
  vultrAlertsType,
] as const;

export const SOURCE_TYPE_NAMES: readonly string[] = SOURCE_TYPES.map((type) => type.type);

export function sourceType(name: string): SourceType | undefined {
  return SOURCE_TYPES.find((type) => type.type === name);
}
