import type { ConversationDeps } from '../conversation/handle-text.ts';
import type { Redactor } from '../log/redact.ts';

/** What every listener group needs. */
export interface ListenerDeps extends ConversationDeps {
  readonly redactor: Redactor;
  /** How people address the bot in channels, e.g. "@igor ", for help and usage lines. */
  mentionPrefix: string;
  /**
   * Claims a delivery's key in the store; false when it was seen before (redelivery, replica).
   * Only after the ack: the store may be waiting for another process's lock (up to 5 s).
   */
  claimDelivery(key: string): Promise<boolean>;
}
