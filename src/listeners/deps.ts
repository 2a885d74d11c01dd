import type { ConversationDeps, DeliveryClaim } from '../conversation/handle-text.ts';
import type { Redactor } from '../log/redact.ts';

/** What every listener group needs. */
export interface ListenerDeps extends ConversationDeps {
  readonly redactor: Redactor;
  /** How people address the bot in channels, e.g. "@igor ", for help and usage lines. */
  mentionPrefix: string;
  /**
   * Claims a delivery's key in the store: the first, a repeat (redelivery, replica), or unclaimed (no store).
   * Only after the ack: the store may be waiting for another process's lock (up to 5 s).
   */
  claimDelivery(key: string): Promise<DeliveryClaim>;
}
