/**
 * The CLI's output cannot act on the terminal: control characters from
 * outside (here an incident title on a status page) are shown as `\u001b`,
 * never sent raw, in text as in `--json` (which stays valid JSON).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeConfig } from '../support/dispatcher.ts';
import { run } from '../support/run-process.ts';
import { fixture, StatusFixtureServer } from '../support/status-fixtures.ts';

const PATH = '/api/v2/incidents/unresolved.json';
/** Clears the screen, homes the cursor, retitles the window; then C1's CSI and a right-to-left override. */
const HOSTILE = 'DB outage\u001b[2J\u001b[H\u001b]0;owned\u0007 \u009b31m red \u202e reversed\r';
/** Anything a terminal would act on: C0 but newline and tab, DEL, C1, bidi overrides. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

let pages: StatusFixtureServer;
let config: string;
const data = mkdtempSync(join(tmpdir(), 'cloudmaster-cli-output-'));

beforeAll(async () => {
  pages = await StatusFixtureServer.start();
  pages.serve(PATH, {
    body: fixture('statuspage/open.json').replace(
      '"name": "Disruption with some GitHub services"',
      `"name": ${JSON.stringify(HOSTILE)}`,
    ),
    contentType: 'application/json',
  });
  config = writeConfig(`
providers:
  demo: { type: simulator }
watch:
  channel: C0OUTAGES
  sources:
    - { name: github, label: GitHub, type: statuspage, url: "${pages.url(PATH)}" }
`);
});
afterAll(async () => {
  await pages?.stop();
});

const cli = (args: string[]) =>
  run('bin/cloudmaster.js', args, { CLOUDMASTER_CONFIG: config, CLOUDMASTER_DATA_DIR: data });

describe('CLI output of outside strings', () => {
  it('shows the control characters of an incident title escaped, in text', async () => {
    const result = await cli(['check']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'DB outage\\u001b[2J\\u001b[H\\u001b]0;owned\\u0007 \\u009b31m red \\u202e reversed\\u000d',
    );
    expect(result.stdout).not.toMatch(RAW_CONTROL);
    expect(result.stderr).not.toMatch(RAW_CONTROL);
  });

  it('keeps them escaped in --json, as the same string once parsed', async () => {
    const result = await cli(['check', '--json']);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(RAW_CONTROL);
    const data = JSON.parse(result.stdout) as { sources: { incidents: { title: string }[] }[] };
    expect(data.sources[0]?.incidents[0]?.title).toBe(HOSTILE);
  });
});
