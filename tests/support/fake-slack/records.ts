/** What the fake Slack saw and holds, in the shapes tests read. */

export interface ApiCall {
  readonly method: string;
  readonly args: Record<string, unknown>;
  readonly token: string | undefined;
  readonly at: number;
}

export interface MessageVersion {
  readonly text: string;
  readonly blocks: unknown[];
  readonly at: number;
}

/** A message as Slack would now show it, with every version it went through. */
export interface MessageRecord {
  readonly channel: string;
  readonly ts: string;
  readonly threadTs: string | undefined;
  /** Posted through a response_url with the default (ephemeral) response type. */
  readonly ephemeral: boolean;
  /** How it was first posted: chat.postMessage, chat.postEphemeral or a response_url. */
  readonly via: 'chat.postMessage' | 'chat.postEphemeral' | 'response_url';
  /** The response_url it came from (if any), for tests that follow one command. */
  readonly responseUrl: string | undefined;
  readonly versions: MessageVersion[];
  deleted: boolean;
}

export function latest(message: MessageRecord): MessageVersion {
  return message.versions[message.versions.length - 1] as MessageVersion;
}

export interface ResponseRecord {
  readonly responseUrl: string;
  readonly body: Record<string, unknown>;
  readonly at: number;
}

export interface Fault {
  readonly error?: string;
  readonly status?: number;
  /** Seconds, sent as Retry-After. */
  readonly retryAfter?: number;
}

/** Parses a Web API request body as the WebClient sends it (form-encoded, JSON values inside). */
export function parseApiBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (raw === '') return {};
  if (contentType?.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
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
