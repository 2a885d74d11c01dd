/**
 * VMware's vSphere simulator (vcsim, from govmomi) for tests: the binary
 * `.ci/build-vcsim.sh` builds into `.cache/vcsim/` (or `VCSIM_BIN`), started
 * on 127.0.0.1 on a free port and stopped by its PID. Its state lives in
 * memory, so every test file (or test) that changes things starts its own.
 *
 * `admin` is a second session the tests use to set what vcsim cannot be
 * told otherwise (VMware Tools running, a guest IP) and to end the module's
 * session behind its back — through the module's own vim25 client.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { envelope } from '../../providers/vsphere/vim25/envelope.ts';
import { type Vim25Api, Vim25Session } from '../../providers/vsphere/vim25/session.ts';
import { startTask, waitForTask } from '../../providers/vsphere/vim25/tasks.ts';
import { SoapTransport } from '../../providers/vsphere/vim25/transport.ts';
import { moref } from '../../providers/vsphere/vim25/values.ts';
import { ROOT } from './run-process.ts';

export const VCSIM_BUILD_COMMAND = 'bash .ci/build-vcsim.sh';

/**
 * The vcsim binary, or undefined (with the command that builds it) when
 * there is none. Under CI=true a missing binary is an error: CI must run
 * the vSphere tests.
 */
export function vcsimBinary(): string | undefined {
  const candidate = process.env.VCSIM_BIN ?? join(ROOT, '.cache', 'vcsim', 'vcsim');
  if (existsSync(candidate)) return candidate;
  const why = `vcsim not found at ${candidate}; build it with \`${VCSIM_BUILD_COMMAND}\` (or set VCSIM_BIN)`;
  if (process.env.CI === 'true') throw new Error(`CI must run the vSphere tests: ${why}`);
  console.warn(`vSphere tests skipped: ${why}`);
  return undefined;
}

export interface VcsimOptions {
  /** Require this user and password (vcsim accepts any non-empty pair otherwise). */
  readonly username?: string;
  readonly password?: string;
  /** Serve this certificate instead of vcsim's built-in one. */
  readonly certificate?: { readonly certFile: string; readonly keyFile: string };
  /** More vcsim flags, e.g. ['-vm', '5']. */
  readonly args?: readonly string[];
}

export class Vcsim {
  /** The SDK endpoint, without credentials: https://127.0.0.1:PORT/sdk. */
  readonly url: string;
  readonly pid: number;
  readonly username: string;
  readonly password: string;
  private readonly child: ChildProcess;
  private adminSession: { session: Vim25Session; transport: SoapTransport } | undefined;

  private constructor(child: ChildProcess, url: string, username: string, password: string) {
    this.child = child;
    this.pid = child.pid ?? 0;
    this.url = url;
    this.username = username;
    this.password = password;
  }

  static async start(options: VcsimOptions = {}): Promise<Vcsim> {
    const binary = vcsimBinary();
    if (!binary) throw new Error(`vcsim is not built: ${VCSIM_BUILD_COMMAND}`);
    const username = options.username ?? 'cloudmaster';
    const password = options.password ?? 'vcsim-password';
    const args = [
      '-l',
      '127.0.0.1:0',
      ...(options.username ? ['-username', username, '-password', password] : []),
      ...(options.certificate
        ? ['-tlscert', options.certificate.certFile, '-tlskey', options.certificate.keyFile]
        : []),
    ];
    const child = spawn(binary, [...args, ...(options.args ?? [])], {
      cwd: mkdtempSync(join(tmpdir(), 'cloudmaster-vcsim-')),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`vcsim printed no GOVC_URL in 10 s:\n${output}`)),
        10_000,
      );
      const read = (chunk: Buffer) => {
        output += chunk.toString();
        const found = /GOVC_URL=(\S+)/.exec(output)?.[1];
        if (!found) return;
        clearTimeout(timer);
        const parsed = new URL(found);
        resolve(`${parsed.protocol}//${parsed.host}${parsed.pathname}`);
      };
      child.stdout?.on('data', read);
      child.stderr?.on('data', read);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`vcsim exited (${code}) before it listened:\n${output}`));
      });
    });
    return new Vcsim(child, url, username, password);
  }

  /** Runs work in the tests' own session (not the module's). */
  async admin<T>(work: (api: Vim25Api) => Promise<T>): Promise<T> {
    return this.adminConnection().session.run(AbortSignal.timeout(10_000), work);
  }

  private adminConnection(): { session: Vim25Session; transport: SoapTransport } {
    if (!this.adminSession) {
      const log = pino({ level: 'silent' });
      const provider = { id: 'vcsim-admin', label: 'vcsim' };
      // The tests' own side channel: vcsim's certificate is self-signed.
      const transport = new SoapTransport({
        url: new URL(this.url),
        insecure: true,
        timeoutMs: 10_000,
        provider,
        log,
      });
      const session = new Vim25Session({
        transport,
        username: this.username,
        password: this.password,
        provider,
        log,
      });
      this.adminSession = { session, transport };
    }
    return this.adminSession;
  }

  /**
   * Sets guest facts through vcsim's `SET.` extraConfig keys: VMware Tools
   * running (vcsim VMs have none) and the guest's IP address.
   */
  async setGuest(
    vmId: string,
    guest: { readonly toolsRunning?: boolean; readonly ip?: string },
  ): Promise<void> {
    const extraConfig = [
      ...(guest.toolsRunning === undefined
        ? []
        : [
            {
              key: 'SET.guest.toolsRunningStatus',
              value: {
                $type: 'xsd:string',
                $value: guest.toolsRunning ? 'guestToolsRunning' : 'guestToolsNotRunning',
              },
            },
          ]),
      ...(guest.ip === undefined
        ? []
        : [{ key: 'SET.guest.ipAddress', value: { $type: 'xsd:string', $value: guest.ip } }]),
    ];
    await this.admin(async (api) => {
      const task = await startTask(api, 'ReconfigVM_Task', moref('VirtualMachine', vmId), {
        spec: { extraConfig },
      });
      await waitForTask(api, task, AbortSignal.timeout(5_000));
    });
  }

  /** Runs a task method on a VM (SuspendVM_Task, PowerOffVM_Task…) and waits for it, as someone in vCenter would. */
  async vmTask(vmId: string, method: string): Promise<void> {
    await this.admin(async (api) => {
      await waitForTask(
        api,
        await startTask(api, method, moref('VirtualMachine', vmId)),
        AbortSignal.timeout(5_000),
      );
    });
  }

  /** Ends a session by its cookie, as an idle timeout or an administrator would. */
  async endSession(cookie: string): Promise<void> {
    const { transport } = this.adminConnection();
    const response = await transport.post({
      body: envelope('Logout', moref('SessionManager', 'SessionManager')),
      soapAction: '"urn:vim25/6.5"',
      cookie,
      signal: AbortSignal.timeout(5_000),
      method: 'Logout',
      idempotent: false,
    });
    if (response.status !== 200) throw new Error(`Logout answered ${response.status}: ${response.body}`);
  }

  async stop(): Promise<void> {
    if (this.adminSession) {
      await this.adminSession.session.logout();
      this.adminSession.transport.close();
    }
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    process.kill(this.pid, 'SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  }
}

/** The config of a `vsphere` account on this simulator (the tests trust its self-signed certificate). */
export function labConfig(
  vcsim: Pick<Vcsim, 'url' | 'username' | 'password'>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { url: vcsim.url, username: vcsim.username, password: vcsim.password, insecure: true, ...extra };
}
