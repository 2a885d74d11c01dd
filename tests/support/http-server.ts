/** A loopback HTTP server whose answers a test scripts, recording every request. */
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingMessage['headers'];
  readonly body: unknown;
}

export type Handler = (request: RecordedRequest, response: ServerResponse) => void | Promise<void>;

export class TestServer {
  readonly requests: RecordedRequest[] = [];
  private readonly server: Server;
  private readonly scheme: 'http' | 'https';
  private readonly sockets = new Set<Socket>();
  private port = 0;

  private constructor(handler: Handler, tls?: { cert: string; key: string }) {
    this.scheme = tls ? 'https' : 'http';
    const listener: RequestListener = async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        body = text;
      }
      const request: RecordedRequest = {
        method: req.method ?? 'GET',
        url: new URL(req.url ?? '/', `${this.scheme}://127.0.0.1:${this.port}`),
        headers: req.headers,
        body,
      };
      this.requests.push(request);
      try {
        await handler(request, res);
      } catch (error) {
        if (!res.headersSent) res.writeHead(500).end(String(error));
      }
    };
    this.server = tls ? createTlsServer(tls, listener) : createServer(listener);
    // Raw sockets, TLS handshakes included, so stop() ends them all at once.
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** With `tls`, the server speaks HTTPS with that certificate. */
  static async start(handler: Handler, tls?: { cert: string; key: string }): Promise<TestServer> {
    const server = new TestServer(handler, tls);
    await new Promise<void>((resolve) => server.server.listen(0, '127.0.0.1', resolve));
    server.port = (server.server.address() as AddressInfo).port;
    return server;
  }

  get url(): string {
    return `${this.scheme}://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export function json(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  response.end(body === undefined ? '' : JSON.stringify(body));
}
