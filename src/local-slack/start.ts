/**
 * Starts the bot against its embedded local workspace: the listener (port
 * from `--port`, else settings.local.port, else 3000) carries the Slack
 * Web API, Socket Mode and the page, and the bot reaches them through the
 * same Socket Mode and Web API clients as real Slack, at SLACK_API_URL's
 * place. Without a config file it runs the demo (demo.ts).
 */
import { createServer } from 'node:net';
import { PROVIDER_MODULES } from '../../providers/modules.ts';
import type { AnyProviderModule } from '../../providers/registry.ts';
import { type Bot, type BotOptions, createBot } from '../bot.ts';
import { configFileIn, type LoadedConfig, loadConfig, loadConfigText } from '../config/load.ts';
import { slashCommandsOffered } from './commands.ts';
import { DemoStatusPage, demoConfigYaml } from './demo.ts';
import { LocalSlack } from './local-slack.ts';
import { localSlackPlugin } from './plugin.ts';
import { DEFAULT_LOCAL_SETTINGS } from './settings.ts';

type Env = Readonly<Record<string, string | undefined>>;

export interface LocalWorkspaceOptions {
  readonly env: Env;
  /** `--port` (0: any free port). */
  readonly port?: number;
  /** `--host`; anything but loopback is warned about. */
  readonly host?: string;
  readonly modules?: readonly AnyProviderModule[];
  readonly logDestination?: BotOptions['logDestination'];
  readonly retryConfig?: BotOptions['retryConfig'];
  readonly watch?: BotOptions['watch'];
  /** When the demo status page shows its incident (default a minute after start). */
  readonly demoIncidentAfterMs?: number;
}

export interface LocalWorkspace {
  readonly bot: Bot;
  readonly slack: LocalSlack;
  /** Where the page is, e.g. http://127.0.0.1:3000. */
  readonly url: string;
  /** Whether it runs the demo (no config file). */
  readonly demo: boolean;
  stop(options?: { readonly graceMs?: number; readonly abortMs?: number }): Promise<void>;
}

export const LOOPBACK_HOSTS: readonly string[] = ['127.0.0.1', 'localhost', '::1'];
const WILDCARD_HOSTS: readonly string[] = ['0.0.0.0', '::'];

/** The bot name the page shows; `auth.test` answers `igor`, as the Slack app's bot user. */
const BOT_DISPLAY_NAME = 'Igor';

export async function startLocalWorkspace(options: LocalWorkspaceOptions): Promise<LocalWorkspace> {
  const modules = options.modules ?? PROVIDER_MODULES;
  const file = configFileIn(options.env);
  const fromFile: LoadedConfig | undefined = file ? loadConfig({ env: options.env, modules }) : undefined;
  const settings = fromFile?.settings.local ?? DEFAULT_LOCAL_SETTINGS;
  const host = options.host ?? settings.host;
  const asked = options.port ?? settings.port;
  const port = asked === 0 ? await freePort(host) : asked;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const anyAddress = WILDCARD_HOSTS.includes(host);
  // The bot comes in over loopback where the listener is there too.
  const own = `http://${anyAddress || LOOPBACK_HOSTS.includes(host) ? '127.0.0.1' : shownHost}:${port}`;
  const config =
    fromFile ?? loadConfigText(demoConfigYaml(own), 'the demo config', { env: options.env, modules });
  const watchChannels = [
    ...(config.watch ? [config.watch.channel, ...config.watch.sources.map((source) => source.channel)] : []),
  ];
  const slack = new LocalSlack({
    people: settings.people,
    channels: [
      { id: 'C0GENERAL', name: 'general' },
      { id: 'C0OPS', name: 'ops' },
    ],
    baseUrl: own,
  });
  for (const channel of new Set(watchChannels)) slack.ensureChannel(channel);
  const demoStatus = fromFile
    ? undefined
    : new DemoStatusPage(
        options.demoIncidentAfterMs === undefined ? {} : { incidentAfterMs: options.demoIncidentAfterMs },
      );
  const env = { ...options.env, LOG_LEVEL: options.env.LOG_LEVEL || 'warn' };
  const bot = await createBot({
    env,
    slack: {
      botToken: slack.botToken,
      appToken: slack.appToken,
      apiUrl: slack.apiUrl,
      botIds: { botId: slack.botId, botUserId: slack.botUserId },
    },
    config,
    modules,
    mode: 'local',
    listener: { host, port },
    ...(options.logDestination ? { logDestination: options.logDestination } : {}),
    ...(options.retryConfig ? { retryConfig: options.retryConfig } : {}),
    ...(options.watch ? { watch: options.watch } : {}),
  });
  bot.http?.mount(
    localSlackPlugin({
      slack,
      commands: slashCommandsOffered(),
      botDisplayName: BOT_DISPLAY_NAME,
      // Asked to answer on every address, it cannot know its names: the Host check is left out.
      hosts: anyAddress ? 'any' : [shownHost],
      ...(demoStatus ? { demoStatus } : {}),
    }),
  );
  if (!LOOPBACK_HOSTS.includes(host))
    bot.log.warn(
      { host },
      `the local workspace listens on ${host}, not only on this machine: its page has no login, and anyone who reaches it may act as its people`,
    );
  try {
    await bot.start();
  } catch (error) {
    slack.close();
    if (error instanceof Error && error.message.includes('the port is in use'))
      throw new Error(`${error.message}; start with --port N (or set settings.local.port)`, { cause: error });
    throw error;
  }
  const pageHost = anyAddress ? '127.0.0.1' : shownHost;
  return {
    bot,
    slack,
    url: `http://${pageHost}:${port}`,
    demo: !fromFile,
    async stop(stopOptions) {
      await bot.stop(stopOptions);
      slack.close();
    },
  };
}

/** A port nobody listens on now (for `--port 0`): the bot must know its own address before it starts. */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
