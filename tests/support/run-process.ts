/** Runs one of the project's entry points as a real process, as a user would. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export const ROOT = new URL('../../', import.meta.url).pathname;

/**
 * cloudmaster.yml lines that make whoever runs the tests act as the Slack
 * user `admin` at the terminal (policy.cli); list `admin` in settings.admins
 * too for the terminal to get an admin's rights under the default policy.
 */
export function terminalActsAs(admin: string): string {
  return `policy:\n  cli: { ${JSON.stringify(userInfo().username)}: ${admin} }\n`;
}

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

/**
 * Under a mutation run (npm run test:mutation), the mutant being tested: the
 * process runs with it too, so it judges the same code as the test.
 */
function activeMutant(): Record<string, string> {
  const mutant = process.env.__STRYKER_ACTIVE_MUTANT__;
  return mutant ? { __STRYKER_ACTIVE_MUTANT__: mutant } : {};
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
    env: { PATH: process.env.PATH ?? '', HOME: cwd, ...activeMutant(), ...env },
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

/** Whether util-linux `script` is here to give a process a real pseudo-terminal. */
export function hasScriptCommand(): boolean {
  return spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;
}

export interface InTerminal {
  /** Everything the terminal showed: stdout and stderr together, with what was typed echoed. */
  readonly screen: () => string;
  /** Types into the terminal, as a person at the keyboard. */
  type(text: string): void;
  readonly done: Promise<{ readonly code: number | null; readonly screen: string }>;
}

const quote = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`;

/**
 * Runs an entry point on a real pseudo-terminal (util-linux `script`): its
 * stdin, stdout and stderr are a TTY, as for a person in a shell. `script -e`
 * exits with the process's code.
 */
export function startInTerminal(
  script: string,
  args: readonly string[],
  env: Record<string, string> = {},
): InTerminal {
  const cwd = mkdtempSync(join(tmpdir(), 'cloudmaster-tty-'));
  // `exec`: the process itself, not a shell around it, gets the terminal's signals (Ctrl-C).
  const command = `exec ${[process.execPath, join(ROOT, script), ...args].map(quote).join(' ')}`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: cwd, TERM: 'dumb', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  const show = (chunk: Buffer): void => {
    screen += chunk.toString().replace(/\r\n/g, '\n');
  };
  child.stdout?.on('data', show);
  child.stderr?.on('data', show);
  const done = new Promise<{ code: number | null; screen: string }>((resolve) => {
    child.on('close', (code) => resolve({ code, screen }));
  });
  // script ends the session when its own stdin ends: keep it open until the process is done.
  void done.then(() => child.stdin?.end());
  return { screen: () => screen, type: (text) => child.stdin?.write(text), done };
}
