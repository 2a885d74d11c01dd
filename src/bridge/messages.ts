/**
 * `POST /v1/messages` and `GET /v1/messages/{id}`: a client posts into a
 * channel its scope names. `key` names the message, so posting with it
 * again updates it (a deploy's status line); `thread_key` puts messages in
 * one thread (a job's log). Text is mrkdwn the client wrote and is sent as
 * written — formatting, links and user mentions work — except broadcast
 * mentions (<!channel>, <!here>, <!everyone>) and user-group pings, refused
 * unless the client's scope has `broadcast`. Blocks are checked against
 * Block Kit's limits before anything is stored. The answer is 200 with the
 * message's ts and permalink when it went out at once, or 202 with its id
 * while it waits for the channel's pace (Slack takes about one a second).
 */
import { z } from 'zod';
import { within } from '../ops/within.ts';
import { refusal } from '../replies/slack/block-kit.ts';
import type { BridgeMessage, MessageContent } from '../store/bridge-messages.ts';
import type { Store } from '../store/store.ts';
import type { BridgeClient } from './config.ts';
import type { ApiAnswer, ApiCall } from './http-api.ts';
import type { MessageSender } from './message-sender.ts';
import { ApiProblem, jsonPath, outOfScope } from './problem.ts';

/** How long a message that can go out at once is waited for before the answer says "queued". */
const SEND_WAIT_MS = 5_000;
const MAX_TEXT = 40_000;
const BROADCAST = /<!(channel|here|everyone)(\|[^>]*)?>|<!subteam\^/i;

const messageSchema = z
  .strictObject({
    channel: z.string().min(1).max(100),
    text: z.string().min(1).max(MAX_TEXT).optional(),
    blocks: z.array(z.unknown()).min(1).max(50).optional(),
    thread_key: z.string().min(1).max(200).optional(),
    key: z.string().min(1).max(200).optional(),
  })
  .refine((body) => body.text !== undefined || body.blocks !== undefined, {
    message: 'needs text or blocks',
    path: ['text'],
  })
  .refine((body) => body.key === undefined || body.thread_key === undefined, {
    message: 'a message is named by key or put in a thread by thread_key, not both',
    path: ['thread_key'],
  });

/** Reads a JSON body with a schema; the 400 names the JSON path of each problem. */
export function readBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const what =
      issue.code === 'unrecognized_keys'
        ? `unknown field(s) ${issue.keys.join(', ')}`
        : issue.code === 'invalid_type' && /received undefined/.test(issue.message)
          ? 'is required'
          : issue.message.replace(/^Invalid input: /, '');
    return { path: jsonPath(issue.path), what };
  });
  const first = problems[0] ?? { path: '$', what: 'is not what this route takes' };
  return raise(
    new ApiProblem(
      400,
      'invalid_request',
      problems.map((problem) => `${problem.path}: ${problem.what}`).join('; '),
      { path: first.path },
    ),
  );
}

function raise(problem: ApiProblem): never {
  throw problem;
}

/** `#Deploys`, `deploys` → `#deploys`; channel ids stay as they are. */
export function normalizeChannel(channel: string): string {
  const trimmed = channel.trim();
  if (/^[CG][A-Z0-9]{2,}$/.test(trimmed)) return trimmed;
  return `#${trimmed.replace(/^#/, '').toLowerCase()}`;
}

/** The channel, when the client's scope names it; a 403 naming it otherwise. */
export function channelInScope(client: BridgeClient, asked: string): string {
  const channel = normalizeChannel(asked);
  if (!client.channels.includes(channel))
    throw outOfScope(
      client.name,
      `channel ${channel}`,
      `may not post in ${channel} (bridge.clients: channels)`,
    );
  return channel;
}

/** Refuses broadcast mentions unless the client may use them. */
export function checkMentions(client: BridgeClient, texts: readonly string[]): void {
  if (client.broadcast) return;
  if (texts.some((text) => BROADCAST.test(text)))
    throw outOfScope(
      client.name,
      'broadcast',
      'may not notify a whole channel or group (<!channel>, <!here>, <!everyone>, <!subteam^…>); its scope lacks broadcast',
    );
}

export function permalink(
  workspaceUrl: string | undefined,
  channelId: string,
  ts: string,
): string | undefined {
  if (!workspaceUrl) return undefined;
  return `${workspaceUrl.replace(/\/$/, '')}/archives/${channelId}/p${ts.replace('.', '')}`;
}

export interface MessagesDeps {
  readonly store: Store;
  readonly sender: MessageSender;
  readonly owner: string;
  readonly workspaceUrl: () => string | undefined;
  readonly now: () => number;
}

function view(message: BridgeMessage, workspaceUrl: string | undefined): Record<string, unknown> {
  const link =
    message.ts && message.channelId ? permalink(workspaceUrl, message.channelId, message.ts) : undefined;
  return {
    id: message.id,
    state: message.state,
    channel: message.channel,
    ...(message.channelId ? { channel_id: message.channelId } : {}),
    ...(message.ts ? { ts: message.ts } : {}),
    ...(link ? { permalink: link } : {}),
    ...(message.key ? { key: message.key } : {}),
    ...(message.error ? { error: message.error } : {}),
  };
}

export function messageRoutes(deps: MessagesDeps) {
  const post = async ({ client, body }: ApiCall): Promise<ApiAnswer> => {
    const asked = readBody(messageSchema, body);
    const channel = channelInScope(client, asked.channel);
    const texts = [asked.text ?? '', asked.blocks ? JSON.stringify(asked.blocks) : ''];
    checkMentions(client, texts);
    if (asked.blocks) {
      const refused = refusal({ blocks: asked.blocks });
      if (refused) {
        const at = /\[json-pointer:([^\]]+)\]/.exec(refused.problems[0] ?? '')?.[1] ?? '/blocks';
        throw new ApiProblem(
          400,
          'invalid_blocks',
          `Slack would refuse these blocks: ${refused.problems.slice(0, 5).join('; ')}`,
          { path: `$${at.replace(/\/(\d+)/g, '[$1]').replace(/\//g, '.')}` },
        );
      }
    }
    const content: MessageContent = {
      ...(asked.text === undefined ? {} : { text: asked.text }),
      ...(asked.blocks === undefined ? {} : { blocks: asked.blocks }),
    };
    const summary = `${channel}${asked.key ? ` key=${asked.key}` : ''}${asked.thread_key ? ` thread_key=${asked.thread_key}` : ''}`;
    const goesAtOnce = deps.sender.idle(channel);
    const put = await deps.store.bridge.messages.put(
      {
        client: client.name,
        channel,
        content,
        ...(asked.key === undefined ? {} : { key: asked.key }),
        ...(asked.thread_key === undefined ? {} : { threadKey: asked.thread_key }),
      },
      deps.owner,
      deps.now(),
      deps.sender.leaseMs,
    );
    if (put.kind === 'other-channel')
      throw new ApiProblem(
        409,
        'key_in_other_channel',
        `The key ${asked.key} names a message in ${put.channel}.`,
        {
          path: '$.key',
        },
      );
    const { message } = put;
    if (message.claimedBy !== deps.owner) return { status: 202, body: view(message, undefined), summary };
    const sent = deps.sender.enqueue(channel, message.id);
    if (!goesAtOnce) return { status: 202, body: view(message, undefined), summary };
    const result = await within(sent, SEND_WAIT_MS).catch(() => undefined);
    if (result?.state === 'posted')
      return { status: 200, body: view(result.message, deps.workspaceUrl()), summary };
    if (result?.state === 'failed')
      throw new ApiProblem(422, 'slack_refused', `Slack refused the message: ${result.error}.`, {
        slack_error: result.error,
      });
    return { status: 202, body: view(message, undefined), summary };
  };

  const get = async ({ client, params }: ApiCall): Promise<ApiAnswer> => {
    const message = await deps.store.bridge.messages.get(params.id ?? '');
    if (!message || message.client !== client.name)
      throw new ApiProblem(404, 'not_found', `The client ${client.name} has no message ${params.id}.`);
    return { status: 200, body: view(message, deps.workspaceUrl()), summary: message.id };
  };

  return { post, get };
}
