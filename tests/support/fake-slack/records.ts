/** What the fake Slack recorded, in the shapes tests read; the message shapes are the local workspace's. */
export {
  type EnvelopeRecord,
  type EnvelopeType,
  latest,
  type MessageRecord,
  type MessageVersion,
  type PostedVia,
  parseApiBody,
  parseForm,
  type ResponseRecord,
} from '../../../src/local-slack/messages.ts';

export interface ApiCall {
  readonly method: string;
  /** The arguments as the app meant them: form fields with JSON values (blocks, …) parsed back. */
  readonly args: Record<string, unknown>;
  readonly token: string | undefined;
  /** `Date.now()` when the answer was sent. */
  readonly at: number;
  readonly status: number;
  /** The JSON body the fake answered with. */
  readonly response: Record<string, unknown>;
  /** Set when the answer came from `failNext`. */
  readonly fault?: Fault;
}

export interface Fault {
  /** Slack's error code; default `ratelimited` for a 429, else `fatal_error`. */
  readonly error?: string;
  /** HTTP status; default 200, as Slack answers most errors. */
  readonly status?: number;
  /** Seconds, sent as Retry-After; a 429 always carries it (1 s unless given). */
  readonly retryAfter?: number;
  /** Never answer (for client timeouts); the connection closes when the fake stops. */
  readonly hang?: boolean;
  /** How many consecutive calls fail this way (default 1). */
  readonly times?: number;
}
