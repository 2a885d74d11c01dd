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

/** NAME.key and NAME.pem: a new key and a certificate it signs itself, for ten years. */
function selfSigned(name: string, subject: string, extra: readonly string[] = []): void {
  openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.pem`,
    '-days',
    '3650',
    '-subj',
    subject,
    ...extra,
  ]);
}

export function testTls(): TestTls {
  const caFile = join(DIR, 'ca.pem');
  const certFile = join(DIR, 'server.pem');
  const keyFile = join(DIR, 'server.key');
  if (!existsSync(certFile) || !existsSync(keyFile) || !existsSync(caFile)) {
    mkdirSync(DIR, { recursive: true });
    selfSigned('ca', '/CN=cloudmaster test CA');
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

/**
 * A self-signed loopback certificate that no test process trusts (unlike
 * the CA above): what the operator of a vCenter with its own certificate
 * gives as `caFile`. vcsim's built-in certificate cannot serve: its 1024-bit
 * key is too weak for Node's TLS defaults.
 */
export function untrustedSelfSigned(): { readonly certFile: string; readonly keyFile: string } {
  const certFile = join(DIR, 'self-signed.pem');
  const keyFile = join(DIR, 'self-signed.key');
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    mkdirSync(DIR, { recursive: true });
    selfSigned('self-signed', '/CN=127.0.0.1', ['-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost']);
  }
  return { certFile, keyFile };
}
