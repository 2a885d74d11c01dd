/** What the fake Slack saw and holds, in the shapes tests read. */

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

export interface MessageVersion {
  readonly text: string;
  readonly blocks: unknown[];
  readonly at: number;
}

export type PostedVia = 'chat.postMessage' | 'chat.postEphemeral' | 'response_url';

/** A message as Slack would now show it, with every version it went through. */
export interface MessageRecord {
  readonly channel: string;
  readonly ts: string;
  readonly threadTs: string | undefined;
  /** Only one user sees it: chat.postEphemeral, or a response_url post without `in_channel`. */
  readonly ephemeral: boolean;
  /** Who sees an ephemeral message (the `user` of chat.postEphemeral, the invoker of a command). */
  readonly visibleTo: string | undefined;
  /** How it was first posted. */
  readonly via: PostedVia;
  /** The response_url it came from (if any), for tests that follow one command. */
  readonly responseUrl: string | undefined;
  /** Oldest first; never empty. */
  readonly versions: MessageVersion[];
  deleted: boolean;
  /** The latest text and blocks. */
  readonly text: string;
  readonly blocks: unknown[];
}

export function latest(message: MessageRecord): MessageVersion {
  return message.versions[message.versions.length - 1] as MessageVersion;
}

export class SlackMessage implements MessageRecord {
  readonly channel: string;
  readonly ts: string;
  readonly threadTs: string | undefined;
  readonly ephemeral: boolean;
  readonly visibleTo: string | undefined;
  readonly via: PostedVia;
  readonly responseUrl: string | undefined;
  readonly versions: MessageVersion[];
  deleted = false;

  constructor(
    fields: Omit<MessageRecord, 'deleted' | 'text' | 'blocks' | 'versions'>,
    first: MessageVersion,
  ) {
    this.channel = fields.channel;
    this.ts = fields.ts;
    this.threadTs = fields.threadTs;
    this.ephemeral = fields.ephemeral;
    this.visibleTo = fields.visibleTo;
    this.via = fields.via;
    this.responseUrl = fields.responseUrl;
    this.versions = [first];
  }

  get text(): string {
    return latest(this).text;
  }

  get blocks(): unknown[] {
    return latest(this).blocks;
  }
}

export function versionOf(args: Record<string, unknown>): MessageVersion {
  return {
    text: typeof args.text === 'string' ? args.text : '',
    blocks: Array.isArray(args.blocks) ? args.blocks : [],
    at: Date.now(),
  };
}

export interface ResponseRecord {
  readonly responseUrl: string;
  /** The JSON the app posted (Bolt's `respond()` sends its argument as is). */
  readonly body: Record<string, unknown>;
  readonly at: number;
  /** 200, or 404 for an unknown or used-up URL. */
  readonly status: number;
}

export type EnvelopeType = 'slash_commands' | 'events_api' | 'interactive';

/** One envelope sent over Socket Mode, and how the app acknowledged it. */
export interface EnvelopeRecord {
  readonly envelopeId: string;
  readonly type: EnvelopeType;
  readonly payload: Record<string, unknown>;
  readonly sentAt: number;
  /** Set when the ack arrived; `{}` for a bare `ack()`. */
  ack?: { readonly payload?: Record<string, unknown> };
  ackMs?: number;
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

/**
 * Parses a Web API request body as the WebClient sends it: form-encoded with
 * JSON-encoded values for arrays and objects (blocks, metadata), or JSON.
 */
export function parseApiBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (raw === '') return {};
  if (contentType?.includes('application/json')) {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  }
  return parseForm(new URLSearchParams(raw));
}

export function parseForm(params: URLSearchParams): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const [key, value] of params) {
    const looksJson =
      (value.startsWith('[') && value.endsWith(']')) || (value.startsWith('{') && value.endsWith('}'));
    if (looksJson) {
      try {
        args[key] = JSON.parse(value);
        continue;
      } catch {
        // Not JSON after all: keep the text.
      }
    }
    args[key] = value;
  }
  return args;
}
