/** `npx cloudmaster …` / `npm run cli -- …`. */
import { runCli } from './cli/run.ts';

const controller = new AbortController();
process.once('SIGINT', () => controller.abort(new Error('interrupted')));
process.once('SIGTERM', () => controller.abort(new Error('terminated')));

runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  // The terminal to ask "Type yes" on; runCli asks only when it is a TTY.
  stdin: process.stdin,
  env: process.env,
  signal: controller.signal,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`cloudmaster: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
