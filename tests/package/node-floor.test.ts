import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { enginesRange, nodeProblem } from '../../bin/node-support.js';
import { ROOT, run, startExecutable } from '../support/run-process.ts';

/** The machine's own Node (v20 on these machines), which is older than cloudmaster needs. */
const SYSTEM_NODE = '/usr/bin/node';
/** What the bot runs with wherever it is started as a service (BENCHMARKS.md: RSS under load). */
const SERVE_NODE_FLAGS = '--max-semi-space-size=8';
const systemVersion = existsSync(SYSTEM_NODE)
  ? execFileSync(SYSTEM_NODE, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim()
  : undefined;
const systemProblem = systemVersion ? nodeProblem(systemVersion, enginesRange(), SYSTEM_NODE) : undefined;

describe('the Node.js floor', () => {
  // Checked by running the CLI's demo `list` (the SQLite store) on each release: 22.18 and 22.19 and
  // 24.0–24.6 fail to prepare the store ("column index out of range"), 23.x all do, 22.17 has no type stripping.
  it.each([
    ['18.20.8', false],
    ['20.20.2', false],
    ['22.17.1', false],
    ['22.18.0', false],
    ['22.19.0', false],
    ['22.20.0', true],
    ['22.23.5', true],
    ['23.11.1', false],
    ['24.6.0', false],
    ['24.7.0', true],
    ['24.21.0', true],
    ['25.0.0', true],
  ])('package.json engines admits Node %s: %s', (version, admitted) => {
    expect(nodeProblem(version, enginesRange()) === undefined).toBe(admitted);
  });

  it('names the version found and the versions needed, in one line', () => {
    expect(nodeProblem('22.19.0', enginesRange(), '/opt/node/bin/node')).toBe(
      'cloudmaster needs Node.js 22.20 or a later 22.x, or 24.7 or later; this is Node.js 22.19.0 (/opt/node/bin/node).',
    );
  });

  it('is what npm start runs through', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
      bin: Record<string, string>;
    };
    expect(manifest.scripts.start).toBe(`node ${SERVE_NODE_FLAGS} bin/cloudmaster.js serve`);
    expect(manifest.bin.cloudmaster).toBe('bin/cloudmaster.js');
  });

  it('the container image starts node with the same flags as npm start', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1];
    expect(JSON.parse(entrypoint ?? '[]')).toEqual(['node', SERVE_NODE_FLAGS, '/app/bin/cloudmaster.js']);
  });

  it.skipIf(systemProblem === undefined)(
    `on the machine's older Node (${systemVersion ?? `no ${SYSTEM_NODE}`}), every entry point says so in one line, no stack trace`,
    async () => {
      for (const args of [['list'], ['serve'], ['--version'], ['help']]) {
        const result = await startExecutable(SYSTEM_NODE, [join(ROOT, 'bin/cloudmaster.js'), ...args], {
          CLOUDMASTER_DEMO: '1',
        }).done;
        expect(result.code, args.join(' ')).toBe(1);
        expect(result.stdout).toBe('');
        expect(result.stderr).toBe(`${systemProblem}\n`);
      }
    },
  );
  if (systemProblem === undefined)
    console.warn(
      `skipped the old-Node run: ${SYSTEM_NODE} is ${systemVersion ?? 'missing'}, not older than the floor`,
    );

  it('on a Node it admits, runs the program: the version, the CLI and serve', async () => {
    const version = await run('bin/cloudmaster.js', ['--version']);
    expect(version.stdout).toMatch(/^cloudmaster \d+\.\d+\.\d+\n$/);
    const serve = await run('bin/cloudmaster.js', ['serve', '--slack']);
    expect(serve.code).toBe(1);
    expect(serve.stderr).toMatch(/^cloudmaster cannot connect to Slack: SLACK_BOT_TOKEN .* are not set\./);
    const extra = await run('bin/cloudmaster.js', ['serve', '--now']);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toBe(
      'cloudmaster serve: unknown option "--now"; usage: cloudmaster serve [--slack] [--port N] [--host ADDRESS]\n',
    );
  });
});
