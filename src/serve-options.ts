/**
 * What `npm start` / `cloudmaster serve` take on the command line:
 * `--slack` (refuse to start without Slack tokens, as
 * CLOUDMASTER_REQUIRE_SLACK=1 does), `--port N` and `--host H` (the local
 * workspace's listener).
 */
export interface ServeOptions {
  readonly requireSlack: boolean;
  readonly port?: number;
  readonly host?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

const USAGE = 'usage: cloudmaster serve [--slack] [--port N] [--host ADDRESS]';

export function serveOptions(args: readonly string[], env: Env): ServeOptions | { readonly problem: string } {
  let requireSlack = ['1', 'true', 'yes'].includes((env.CLOUDMASTER_REQUIRE_SLACK ?? '').toLowerCase());
  let port: number | undefined;
  let host: string | undefined;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] as string;
    const [name, inline] =
      arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = (): string | undefined => inline ?? args[++index];
    switch (name) {
      case '--slack':
        requireSlack = true;
        break;
      case '--port': {
        const text = value() ?? '';
        const number = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
        if (!(number >= 0 && number <= 65_535))
          return { problem: `--port wants a port number (0-65535), not "${text.slice(0, 20)}"; ${USAGE}` };
        port = number;
        break;
      }
      case '--host': {
        const text = value() ?? '';
        if (!/^[\w.:-]{1,253}$/.test(text))
          return {
            problem: `--host wants an address such as 127.0.0.1, not "${text.slice(0, 40)}"; ${USAGE}`,
          };
        host = text;
        break;
      }
      default:
        return { problem: `unknown option "${arg.slice(0, 40)}"; ${USAGE}` };
    }
  }
  return { requireSlack, ...(port === undefined ? {} : { port }), ...(host === undefined ? {} : { host }) };
}
