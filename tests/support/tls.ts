/**
 * A test certificate authority and a loopback server certificate, made
 * with openssl on first use (kept under .cache/, never committed). Azure's
 * SDKs refuse plain HTTP, so its doubles serve HTTPS; test processes trust
 * the CA through NODE_EXTRA_CA_CERTS, which Node reads only at start-up —
 * vitest.config.ts sets it before the workers are forked.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;
const DIR = join(ROOT, '.cache', 'test-tls');

export interface TestTls {
  readonly caFile: string;
  readonly cert: string;
  readonly key: string;
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { cwd: DIR, stdio: 'pipe' });
}

export function testTls(): TestTls {
  const caFile = join(DIR, 'ca.pem');
  const certFile = join(DIR, 'server.pem');
  const keyFile = join(DIR, 'server.key');
  if (!existsSync(certFile) || !existsSync(keyFile) || !existsSync(caFile)) {
    mkdirSync(DIR, { recursive: true });
    openssl([
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '3650',
      '-subj',
      '/CN=cloudmaster test CA',
    ]);
    openssl([
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
      '-subj',
      '/CN=127.0.0.1',
    ]);
    writeFileSync(join(DIR, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    openssl([
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.pem',
      '-days',
      '3650',
      '-extfile',
      'san.ext',
    ]);
  }
  return { caFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}
