/** Runs one of the project's entry points as a real process, as a user would. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = new URL('../../', import.meta.url).pathname;

export interface ProcessResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Running {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly done: Promise<ProcessResult>;
}

/** A clean environment: no Slack tokens, no provider variables, a fresh cwd without cloudmaster.yml. */
export function start(script: string, args: readonly string[], env: Record<string, string> = {}): Running {
  return startExecutable(process.execPath, [join(ROOT, script), ...args], env);
}

/** Any program (an installed `cloudmaster`, another Node) in the same clean environment as `start`. */
export function startExecutable(
  file: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Running {
  const cwd = mkdtempSync(join(tmpdir(), 'cloudmaster-run-'));
  const child = spawn(file, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: cwd, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const done = new Promise<ProcessResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, stdout: () => stdout, stderr: () => stderr, done };
}

export function run(
  script: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<ProcessResult> {
  return start(script, args, env).done;
}
