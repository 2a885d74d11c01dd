/**
 * Stoplight Prism serving a provider's published API description, behind a
 * small recording proxy: every request the module sends is kept with the
 * status and the `sl-violations` Prism reported for it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, request as httpRequest, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ROOT } from './run-process.ts';

export const CONTRACTS_DIR = process.env.CLOUDMASTER_CONTRACTS ?? join(ROOT, '..', 'shared', 'contracts');

/**
 * The path of a contract file, or undefined (with a note on how to enable
 * the tests) when it is absent. Under CI=true an absent file is an error:
 * CI must run the contract tests.
 */
export function contractFile(relative: string): string | undefined {
  const file = join(CONTRACTS_DIR, relative);
  if (existsSync(file)) return file;
  const why = `contract file ${file} not found; put the providers' API descriptions there or set CLOUDMASTER_CONTRACTS`;
  if (process.env.CI === 'true') throw new Error(`CI must run the contract tests: ${why}`);
  console.warn(`contract tests skipped: ${why}`);
  return undefined;
}

export interface Exchange {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly violations: readonly { location: string[]; severity: string; message: string }[];
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Changes an answer on its way back (to steer a module down a path the examples never take). */
export type Rewrite = (method: string, path: string, body: unknown) => unknown;

export class Prism {
  readonly exchanges: Exchange[] = [];
  /** Applied to JSON answers; the request itself always reaches Prism untouched. */
  rewrite: Rewrite | undefined;
  private child: ChildProcess | undefined;
  private proxy: Server | undefined;
  private proxyPort = 0;

  private scheme: 'http' | 'https' = 'http';

  /** Base URL of the proxy in front of Prism. */
  get url(): string {
    return `${this.scheme}://127.0.0.1:${this.proxyPort}`;
  }

  /**
   * `tls`: the proxy speaks HTTPS (for SDKs that refuse HTTP). `elsewhere`:
   * requests whose path it matches go to that other server instead of
   * Prism (calls the description does not cover, e.g. another API).
   */
  static async start(
    file: string,
    options: {
      tls?: { cert: string; key: string };
      elsewhere?: { matching: RegExp; url: string };
      timeoutMs?: number;
    } = {},
  ): Promise<Prism> {
    const timeoutMs = options.timeoutMs ?? 60_000;
    const prism = new Prism();
    const port = await freePort();
    const cli = join(ROOT, 'node_modules', '@stoplight', 'prism-cli', 'dist', 'index.js');
    const child = spawn(process.execPath, [cli, 'mock', '-h', '127.0.0.1', '-p', String(port), file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    prism.child = child;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`Prism did not start in ${timeoutMs} ms:\n${output.slice(-2000)}`)),
        timeoutMs,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Prism is listening')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`Prism exited (${code}):\n${output.slice(-2000)}`));
      });
    });
    child.stdout?.removeAllListeners('data');
    child.stderr?.removeAllListeners('data');
    child.stdout?.resume();
    child.stderr?.resume();
    const listener: RequestListener = (incoming, outgoing) => {
      const other = options.elsewhere?.matching.test(incoming.url ?? '')
        ? new URL(options.elsewhere.url)
        : undefined;
      const send = other?.protocol === 'https:' ? httpsRequest : httpRequest;
      const forward = send(
        {
          host: '127.0.0.1',
          port: other ? Number(other.port) : port,
          method: incoming.method,
          path: incoming.url,
          headers: { ...incoming.headers, host: `127.0.0.1:${other ? other.port : port}` },
        },
        (answer) => {
          const raw = answer.headers['sl-violations'];
          let violations: Exchange['violations'] = [];
          if (typeof raw === 'string') {
            try {
              violations = JSON.parse(raw) as Exchange['violations'];
            } catch {
              violations = [{ location: ['unparsed'], severity: 'Error', message: raw }];
            }
          }
          prism.exchanges.push({
            method: incoming.method ?? 'GET',
            path: (incoming.url ?? '/').split('?')[0] ?? '/',
            status: answer.statusCode ?? 0,
            violations,
          });
          const rewrite = prism.rewrite;
          if (!rewrite || !String(answer.headers['content-type'] ?? '').includes('json')) {
            outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(outgoing);
            return;
          }
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('end', () => {
            const path = (incoming.url ?? '/').split('?')[0] ?? '/';
            const text = JSON.stringify(
              rewrite(incoming.method ?? 'GET', path, JSON.parse(Buffer.concat(chunks).toString('utf8'))),
            );
            const { 'content-length': _length, 'transfer-encoding': _encoding, ...headers } = answer.headers;
            outgoing.writeHead(answer.statusCode ?? 502, {
              ...headers,
              'content-length': Buffer.byteLength(text),
            });
            outgoing.end(text);
          });
        },
      );
      forward.on('error', (error) => outgoing.writeHead(502).end(String(error)));
      incoming.pipe(forward);
    };
    prism.scheme = options.tls ? 'https' : 'http';
    prism.proxy = options.tls ? createHttpsServer(options.tls, listener) : createServer(listener);
    await new Promise<void>((resolve) => prism.proxy?.listen(0, '127.0.0.1', resolve));
    prism.proxyPort = (prism.proxy.address() as AddressInfo).port;
    return prism;
  }

  /**
   * What Prism found wrong with the requests the module sent, for a clear
   * assertion message. Faults in Prism's own answers (a provider's example
   * that breaks its own schema) are not the module's and are left out.
   */
  violations(): string[] {
    return this.exchanges.flatMap((exchange) =>
      exchange.violations
        .filter((v) => v.location[0] !== 'response')
        .map(
          (v) =>
            `${exchange.method} ${exchange.path} → ${exchange.status}: ${v.location.join('.')}: ${v.message}`,
        ),
    );
  }

  async stop(): Promise<void> {
    this.proxy?.closeAllConnections();
    await new Promise<void>((resolve) => (this.proxy ? this.proxy.close(() => resolve()) : resolve()));
    if (this.child && this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child?.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
  }
}
