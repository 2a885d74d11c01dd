/** Messages as the local workspace holds them, and the envelopes and response_url posts it saw. */

export interface MessageVersion {
  readonly text: string;
  readonly blocks: unknown[];
  readonly at: number;
}

export type PostedVia = 'chat.postMessage' | 'chat.postEphemeral' | 'response_url' | 'person';

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
  /** The person who wrote it; undefined for the bot's messages. */
  readonly author?: string | undefined;
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

/** What a message is made with; its versions, text and blocks come after. */
export type MessageFields = Omit<MessageRecord, 'deleted' | 'text' | 'blocks' | 'versions'>;

export class SlackMessage implements MessageRecord {
  readonly channel: string;
  readonly ts: string;
  readonly threadTs: string | undefined;
  readonly ephemeral: boolean;
  /** Mutable: a command's echo becomes public when the app answers it in the channel. */
  visibleTo: string | undefined;
  readonly via: PostedVia;
  readonly author: string | undefined;
  readonly responseUrl: string | undefined;
  readonly versions: MessageVersion[];
  deleted = false;

  constructor(fields: MessageFields, first: MessageVersion) {
    this.channel = fields.channel;
    this.ts = fields.ts;
    this.threadTs = fields.threadTs;
    this.ephemeral = fields.ephemeral;
    this.visibleTo = fields.visibleTo;
    this.via = fields.via;
    this.author = fields.author;
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

/** The arguments and token of one Web API request, as Slack reads them (query, body, Authorization). */
export function apiRequest(
  query: URLSearchParams,
  raw: string,
  contentType: string | undefined,
  authorization: string | undefined,
): { readonly args: Record<string, unknown>; readonly token: string | undefined } {
  const { token: tokenField, ...args } = { ...parseForm(query), ...parseApiBody(raw, contentType) };
  const token = authorization?.startsWith('Bearer ')
    ? authorization.slice('Bearer '.length)
    : typeof tokenField === 'string'
      ? tokenField
      : undefined;
  return { args, token };
}
