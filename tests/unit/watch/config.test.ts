import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROVIDER_MODULES } from '../../../providers/modules.ts';
import { ConfigError, type LoadedConfig, loadConfig } from '../../../src/config/load.ts';
import { watchSectionSchema } from '../../../src/watch/config.ts';
import { SOURCE_PRESETS } from '../../../src/watch/presets.ts';
import { SOURCE_TYPE_NAMES, sourceType } from '../../../src/watch/types/index.ts';

const KNOWN_PRESETS =
  'digitalocean, github, vultr, cloud66, slack, aws, azure, gcp, cloudflare, bitbucket, datadog, twilio';

function loadYaml(yaml: string, env: Record<string, string> = {}): LoadedConfig {
  const dir = mkdtempSync(join(tmpdir(), 'cloudmaster-watch-'));
  const file = join(dir, 'cloudmaster.yml');
  writeFileSync(file, yaml);
  return loadConfig({ env: { CLOUDMASTER_CONFIG: file, ...env }, modules: PROVIDER_MODULES, cwd: dir });
}

function problemsOf(yaml: string, env: Record<string, string> = {}): readonly string[] {
  const error = (() => {
    try {
      loadYaml(yaml, env);
    } catch (caught) {
      return caught;
    }
    throw new Error('expected the config to be refused');
  })();
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).problems;
}

describe('watch: config', () => {
  it('turns presets on by name, overrides one field by field, and adds a source of its own', () => {
    const config = loadYaml(`
watch:
  channel: "#ops-outages"
  presets: [github, aws, gcp]
  sources:
    - name: github
      interval: 1m
    - name: internal
      type: statuspage
      url: https://status.internal.example/api/v2/incidents/unresolved.json
      label: Internal platform
      channel: C0123ABCD
      timeout: 5s
`);
    expect(config.watch?.channel).toBe('#ops-outages');
    expect(config.watch?.sources).toEqual([
      {
        name: 'github',
        label: 'GitHub',
        type: 'statuspage',
        url: 'https://www.githubstatus.com/api/v2/incidents/unresolved.json',
        intervalMs: 60_000,
        timeoutMs: 10_000,
        channel: '#ops-outages',
        preset: 'github',
      },
      {
        name: 'aws',
        label: 'AWS',
        type: 'feed',
        url: 'https://status.aws.amazon.com/rss/all.rss',
        intervalMs: 120_000,
        timeoutMs: 10_000,
        channel: '#ops-outages',
        ignoreOlderThanMs: 86_400_000,
        preset: 'aws',
      },
      expect.objectContaining({ name: 'gcp', type: 'gcp-incidents' }),
      {
        name: 'internal',
        label: 'Internal platform',
        type: 'statuspage',
        url: 'https://status.internal.example/api/v2/incidents/unresolved.json',
        intervalMs: 120_000,
        timeoutMs: 5_000,
        channel: 'C0123ABCD',
      },
    ]);
  });

  it('lets a section interval apply to every source without its own, and a preset be renamed', () => {
    const { watch } = loadYaml(`
watch:
  channel: "#ops"
  interval: 5m
  sources:
    - name: gh-enterprise-status
      preset: github
      url: https://status.ghe.example/api/v2/summary.json
`);
    expect(watch?.sources).toEqual([
      expect.objectContaining({
        name: 'gh-enterprise-status',
        label: 'GitHub',
        url: 'https://status.ghe.example/api/v2/summary.json',
        intervalMs: 300_000,
      }),
    ]);
  });

  it('refuses an interval or timeout a timer cannot hold, and takes a long ignoreOlderThan', () => {
    expect(
      problemsOf(`
watch:
  channel: "#ops"
  timeout: 25d
  sources:
    - name: slow
      type: feed
      url: https://status.example.com/feed
      interval: 30d
`),
    ).toEqual([
      'cloudmaster.yml: watch.timeout: 25d is longer than a timer can hold (at most 24d)',
      'cloudmaster.yml: watch.sources.0.interval: 30d is longer than a timer can hold (at most 24d)',
    ]);
    const { watch } = loadYaml(`
watch:
  channel: "#ops"
  sources:
    - name: history
      type: feed
      url: https://status.example.com/feed
      ignoreOlderThan: 90d
`);
    expect(watch?.sources[0]?.ignoreOlderThanMs).toBe(90 * 86_400_000);
  });

  it('reports every problem of the section, one line each, with near names', () => {
    expect(
      problemsOf(`
watch:
  channel: ops
  sources:
    - name: Mine
      preset: github
    - name: ftp
      type: feed
      url: ftp://status.example.com/feed
    - name: typo
      preset: slack
      intervall: 1m
`),
    ).toEqual([
      'cloudmaster.yml: watch.channel: must be a channel id (C0123ABCD) or a #name',
      'cloudmaster.yml: watch.sources.0.name: must be a lower-case letter, then letters, digits, - or _ (at most 32)',
      'cloudmaster.yml: watch.sources.1.url: must be an http(s) URL',
      'cloudmaster.yml: watch.sources.2: unknown key "intervall"',
    ]);
    // Shape problems come first; once the shape is right, the cross-checks speak.
    expect(
      problemsOf(`
watch:
  channel: "#ops"
  presets: [githib]
  sources:
    - name: feedy
      type: rss
      url: https://status.example.com/history.atom
    - name: bare
    - name: fast
      type: feed
      url: https://status.example.com/feed
      interval: 5s
    - name: slow
      preset: slack
      timeout: 3m
    - name: slow
      preset: slak
    - name: late
      preset: gcp
      timeout: 2m
`),
    ).toEqual([
      `cloudmaster.yml: watch.presets.0: unknown preset "githib" (did you mean github?); known: ${KNOWN_PRESETS}`,
      'cloudmaster.yml: watch.sources.4.name: "slow" is named twice',
      'cloudmaster.yml: watch.sources.0.type: unknown source type "rss"; known: statuspage, slack-status, feed, gcp-incidents, vultr-alerts',
      `cloudmaster.yml: watch.sources.1: source "bare" needs a type and a url, or a preset (one of ${KNOWN_PRESETS})`,
      'cloudmaster.yml: watch.sources.2.interval: polling more often than every 15 s is not allowed',
      `cloudmaster.yml: watch.sources.4.preset: unknown preset "slak" (did you mean slack?); known: ${KNOWN_PRESETS}`,
      'cloudmaster.yml: watch.sources.5.timeout: must be shorter than the interval',
    ]);
  });

  it('needs a channel, and names the section’s known keys for a typo', () => {
    expect(problemsOf('watch:\n  presets: [github]\n')).toEqual([
      'cloudmaster.yml: watch.channel: is required (string)',
    ]);
    expect(problemsOf('watch:\n  channel: "#ops"\n  preset: [github]\n')).toEqual([
      'cloudmaster.yml: watch: unknown key "preset" (did you mean "presets"?); known keys: channel, interval, timeout, presets, sources',
    ]);
  });

  it('leaves the watch out when the file has no section, and the environment-only config too', () => {
    expect(loadYaml('providers:\n  demo:\n    type: simulator\n').watch).toBeUndefined();
    expect(
      loadConfig({ env: { CLOUDMASTER_DEMO: '1' }, modules: PROVIDER_MODULES, cwd: '/nowhere' }).watch,
    ).toBeUndefined();
  });

  it('documents every preset and source type in docs/outage-watch.md', () => {
    const section = readFileSync(new URL('../../../docs/outage-watch.md', import.meta.url), 'utf8');
    for (const preset of SOURCE_PRESETS) expect(section, preset.name).toContain(`\`${preset.name}\``);
    for (const type of SOURCE_TYPE_NAMES) expect(section, type).toContain(`| \`${type}\` |`);
  });

  it('has presets of known types, valid URLs and distinct names', () => {
    expect(new Set(SOURCE_PRESETS.map((p) => p.name)).size).toBe(SOURCE_PRESETS.length);
    for (const preset of SOURCE_PRESETS) {
      expect(sourceType(preset.type), preset.name).toBeDefined();
      expect(new URL(preset.url).protocol, preset.name).toBe('https:');
      const parsed = watchSectionSchema.safeParse({ channel: '#ops', presets: [preset.name] });
      expect(parsed.success, preset.name).toBe(true);
    }
  });
});

describe('tickets: config', () => {
  it('reads GitHub with its defaults, takes the token from the environment, registers it as a secret', () => {
    const config = loadYaml(
      `tickets:\n  github:\n    owner: acme\n    repo: ops\n    token: \${GITHUB_TOKEN}\n`,
      {
        GITHUB_TOKEN: 'ghp_0123456789abcdefghijklmnopqrstuvwxyz',
      },
    );
    expect(config.tickets).toEqual({
      system: 'github',
      owner: 'acme',
      repo: 'ops',
      token: 'ghp_0123456789abcdefghijklmnopqrstuvwxyz',
      labels: ['outage'],
      endpoint: 'https://api.github.com',
      tokenVariable: 'GITHUB_TOKEN',
    });
    expect(config.secrets).toContain('ghp_0123456789abcdefghijklmnopqrstuvwxyz');
  });

  it('reads Azure DevOps', () => {
    const config = loadYaml(
      `
tickets:
  azureDevops:
    organization: https://dev.azure.com/acme
    project: Operations
    workItemType: Bug
    token: \${AZURE_DEVOPS_PAT}
    tags: [outage, watch]
    areaPath: Operations\\Platform
`,
      { AZURE_DEVOPS_PAT: 'azdo-pat-value-0123456789' },
    );
    expect(config.tickets).toMatchObject({
      system: 'azure-devops',
      organization: 'https://dev.azure.com/acme',
      project: 'Operations',
      workItemType: 'Bug',
      tags: ['outage', 'watch'],
      areaPath: 'Operations\\Platform',
      tokenVariable: 'AZURE_DEVOPS_PAT',
    });
    expect(config.secrets).toContain('azdo-pat-value-0123456789');
  });

  it('refuses a literal token, both systems at once, or neither — and never shows the token', () => {
    const literal = problemsOf(
      'tickets:\n  github:\n    owner: acme\n    repo: ops\n    token: ghp_literal_in_the_file\n',
    );
    expect(literal).toEqual([
      `cloudmaster.yml: tickets.github.token: write the secret as \${ENV_NAME}; secrets are not kept in the config file`,
    ]);
    expect(literal.join('\n')).not.toContain('ghp_literal_in_the_file');
    expect(
      problemsOf(
        `
tickets:
  github: { owner: acme, repo: ops, token: "\${T1}" }
  azureDevops: { organization: "https://dev.azure.com/acme", project: Ops, token: "\${T2}" }
`,
        { T1: 'token-one-value', T2: 'token-two-value' },
      ),
    ).toEqual(['cloudmaster.yml: tickets: configure one ticket system: github or azureDevops, not both']);
    expect(problemsOf('tickets: {}\n')).toEqual(['cloudmaster.yml: tickets: needs github or azureDevops']);
  });

  it('reports an unset variable once, and a bad field with its path', () => {
    expect(
      problemsOf(`tickets:\n  github:\n    owner: acme\n    repo: ops\n    token: \${NOT_SET_TOKEN}\n`),
    ).toEqual(['cloudmaster.yml: tickets.github.token: environment variable NOT_SET_TOKEN is not set']);
    expect(
      problemsOf(`tickets:\n  github:\n    owner: -acme\n    repo: ops\n    token: \${GH}\n`, {
        GH: 'gh-token-value',
      }),
    ).toEqual(['cloudmaster.yml: tickets.github.owner: must be a GitHub user or organization name']);
  });
});
