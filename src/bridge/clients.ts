/**
 * Who calls the bridge: a client is known by its bearer token alone. The
 * token is compared in constant time with every client's (hashes of equal
 * length, all of them compared), so neither a match's position nor a
 * prefix shows in the time an answer takes. Tokens are kept only in the
 * loaded config (and the redactor, which hides them from logs).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { BridgeClient } from './config.ts';

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

export class ClientDirectory {
  private readonly clients: readonly { readonly client: BridgeClient; readonly digest: Buffer }[];

  constructor(clients: readonly BridgeClient[]) {
    this.clients = clients.map((client) => ({ client, digest: digest(client.token) }));
  }

  /** The client an `Authorization: Bearer TOKEN` header names, or undefined. */
  authenticate(header: string | undefined): BridgeClient | undefined {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    const given = digest(match?.[1] ?? '');
    let found: BridgeClient | undefined;
    for (const entry of this.clients) if (timingSafeEqual(entry.digest, given)) found = entry.client;
    return match ? found : undefined;
  }

  byName(name: string): BridgeClient | undefined {
    return this.clients.find((entry) => entry.client.name === name)?.client;
  }
}
