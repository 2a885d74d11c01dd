/**
 * The bridge assembled: the `/v1` API on the bot's HTTP listener, the paced
 * sender of clients' messages, the desk of clients' approvals (and their
 * buttons), the webhook dispatcher draining the outbox, and `slack.message`
 * events for the channels webhooks asked for. The bot creates it when the
 * config has a `bridge:` section (which requires the listener).
 */
import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { ConversationDeps, DeliveryClaim } from '../conversation/handle-text.ts';
import type { Redactor } from '../log/redact.ts';
import type { OperationsServer } from '../ops/http-server.ts';
import type { BotMetrics } from '../ops/metrics.ts';
import type { Policy } from '../policy/policy.ts';
import type { Store } from '../store/store.ts';
import { BridgeApprovalDesk } from './approvals.ts';
import { ClientDirectory } from './clients.ts';
import { commandRoutes } from './commands.ts';
import type { BridgeSettings } from './config.ts';
import { bridgeApi } from './http-api.ts';
import { MessageSender } from './message-sender.ts';
import { messageRoutes } from './messages.ts';
import { WebhookDispatcher } from './webhook-dispatcher.ts';

export interface BridgeOptions {
  readonly settings: BridgeSettings;
  readonly http: OperationsServer;
  readonly app: App;
  /** A Web API client that hands 429s back (the sender waits them out itself). */
  readonly pacedClient: WebClient;
  readonly store: Store;
  readonly policy: Policy;
  readonly conversation: ConversationDeps;
  readonly redactor: Redactor;
  readonly log: Logger;
  readonly metrics: BotMetrics;
  readonly claimDelivery: (key: string) => Promise<DeliveryClaim>;
  readonly now?: () => number;
  /** The webhook dispatcher's jitter (tests). */
  readonly random?: () => number;
}

export interface Bridge {
  readonly dispatcher: WebhookDispatcher;
  readonly sender: MessageSender;
  start(): void;
  stop(): Promise<void>;
}

export function createBridge(options: BridgeOptions): Bridge {
  const { settings, store, redactor, app, conversation } = options;
  const log = options.log.child({ component: 'bridge' });
  const now = options.now ?? Date.now;
  const clients = new ClientDirectory(settings.clients);
  const workspaceUrl = () => conversation.workspaceUrl;
  const dispatcher = new WebhookDispatcher({
    outbox: store.outbox,
    webhooks: new Map(settings.webhooks.map((hook) => [hook.name, { url: hook.url, secret: hook.secret }])),
    callbackSecret: (endpoint) => clients.byName(endpoint.replace(/^client:/, ''))?.token,
    log,
    timeoutMs: settings.webhookTimeout,
    retryForMs: settings.retryFor,
    now,
    ...(options.random ? { random: options.random } : {}),
    onOutcome: (outcome) => options.metrics.webhookDelivery(outcome),
  });
  const sender = new MessageSender({
    messages: store.bridge.messages,
    client: options.pacedClient,
    redactor,
    log,
    owner: dispatcher.owner,
    now,
  });
  const approvals = new BridgeApprovalDesk({
    store,
    clients,
    policy: options.policy,
    slack: app.client,
    redactor,
    log,
    workspaceUrl,
    now,
  });
  const messages = messageRoutes({ store, sender, owner: dispatcher.owner, workspaceUrl, now });
  const commands = commandRoutes({
    ...conversation,
    store,
    watch: conversation.watch,
    ...(settings.channel ? { channel: settings.channel } : {}),
    slack: app.client,
    redactor,
    log,
    signal: conversation.work.signal,
    adopt: (work) => conversation.work.adopt(work),
  });
  options.http.mount(
    bridgeApi({
      clients,
      store,
      redactor,
      log,
      metrics: options.metrics,
      now,
      routes: {
        postMessage: messages.post,
        getMessage: messages.get,
        postApproval: approvals.post,
        getApproval: approvals.get,
        postCommand: commands.post,
        getJob: commands.getJob,
      },
    }),
    { prefix: '/v1' },
  );
  approvals.register(app, options.claimDelivery, (work) => void conversation.work.run(work));
  forwardSlackMessages(app, store, log);
  let pruner: ReturnType<typeof setInterval> | undefined;
  return {
    dispatcher,
    sender,
    start() {
      dispatcher.start();
      sender.start();
      approvals.start();
      pruner = setInterval(
        () =>
          void store.bridge.answers
            .prune(now())
            .catch((error: unknown) => log.warn({ err: error }, 'could not forget old API answers')),
        3_600_000,
      );
      pruner.unref();
    },
    async stop() {
      clearInterval(pruner);
      approvals.stop();
      await sender.stop();
      await dispatcher.stop();
    },
  };
}

/**
 * What people write in the channels a webhook asked for becomes a
 * `slack.message` event (as the old bridge forwarded Slack's events); the
 * event's id comes from Slack's, so a redelivery is not a second event.
 */
function forwardSlackMessages(app: App, store: Store, log: Logger): void {
  app.event('message', async ({ event, body }) => {
    const message = event as {
      channel?: string;
      channel_type?: string;
      subtype?: string;
      bot_id?: string;
      user?: string;
      text?: string;
      ts?: string;
      thread_ts?: string;
    };
    const channel = message.channel;
    if (!channel || message.channel_type === 'im') return;
    if (message.subtype !== undefined || message.bot_id !== undefined) return;
    if (!store.outbox.wants('slack.message', channel)) return;
    const eventId = (body as { event_id?: unknown }).event_id;
    try {
      await store.outbox.publish(
        {
          ...(typeof eventId === 'string' ? { id: `slack-${eventId}` } : {}),
          type: 'slack.message',
          channel,
          data: {
            message: {
              channel,
              user: message.user ?? null,
              text: message.text ?? '',
              ts: message.ts ?? null,
              thread_ts: message.thread_ts ?? null,
            },
          },
        },
        Date.now(),
      );
    } catch (error) {
      log.error({ err: error, channel }, 'could not keep a Slack message for the webhooks');
    }
  });
}
