/**
 * Starts a benchmark subject as a user would: its own node process, its
 * stdout a pipe that is read (as a log shipper or a terminal would), and
 * measured from outside: RSS from /proc, stopped with SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { FakeSlack } from '../tests/support/fake-slack/index.ts';

export interface Launched {
  readonly pid: number;
  /** Bytes and lines the subject has written to stdout so far. */
  readonly output: { bytes: number; lines: number };
  /** Resident set size now, from /proc/PID/status (VmRSS). */
  rss(): number;
  /** CPU (user + system) used so far, from /proc/PID/stat. */
  cpuMs(): number;
  /** SIGTERM to the subject, then waits for the exit and for the fake to see the socket go. */
  stop(): Promise<void>;
}

export interface LaunchOptions {
  readonly fake: FakeSlack;
  /** The program (default: this node) and its arguments. */
  readonly command?: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Extra node flags (e.g. --cpu-prof), through NODE_OPTIONS when a wrapper (npm) starts node. */
  readonly nodeFlags?: readonly string[];
}

/** The process a wrapper (npm → sh → node) ends in: its last descendant, or itself without any. */
export function innermostProcess(pid: number): number {
  let current = pid;
  for (;;) {
    let children: string[];
    try {
      children = readFileSync(`/proc/${current}/task/${current}/children`, 'utf8').trim().split(/\s+/);
    } catch {
      return current;
    }
    const child = Number(children.at(-1));
    if (!Number.isInteger(child) || child <= 0) return current;
    current = child;
  }
}

export function residentBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  if (kib === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kib) * 1024;
}

/** User + system time of a process so far, in ms (/proc/PID/stat counts clock ticks of 10 ms). */
export function cpuMillis(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The monotonic clock in microseconds, as V8's CPU profiles stamp their samples. */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

export async function launch({ fake, command, args, env, nodeFlags = [] }: LaunchOptions): Promise<Launched> {
  const before = fake.connectionsOpened;
  const viaNode = command === undefined;
  const child: ChildProcess = spawn(command ?? process.execPath, viaNode ? [...nodeFlags, ...args] : args, {
    env: {
      ...process.env,
      ...env,
      ...(!viaNode && nodeFlags.length > 0
        ? { NODE_OPTIONS: [process.env.NODE_OPTIONS, ...nodeFlags].filter(Boolean).join(' ') }
        : {}),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const output = { bytes: 0, lines: 0 };
  child.stdout?.on('data', (chunk: Buffer) => {
    output.bytes += chunk.length;
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) output.lines += 1;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const failed = exited.then((code) => {
    throw new Error(`${args.join(' ')} exited with ${code} before it connected`);
  });
  await Promise.race([
    fake.waitFor(() => fake.connectionsOpened > before && fake.openConnections > 0, { timeoutMs: 60_000 }),
    failed,
  ]);
  failed.catch(() => {});
  // Connected: whatever wrapper started it has started the subject by now.
  const pid = innermostProcess(child.pid as number);
  return {
    pid,
    output,
    rss: () => residentBytes(pid),
    cpuMs: () => cpuMillis(pid),
    async stop() {
      // To the subject itself, as a service manager would send it; a wrapper ends with it.
      process.kill(pid, 'SIGTERM');
      await exited;
      await fake.waitFor(() => fake.openConnections === 0, { timeoutMs: 10_000 });
    },
  };
}
