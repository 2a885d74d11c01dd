/** The `bridge:` section: refused without the listener, secrets only from the environment, names and events checked. */
import { describe, expect, it } from 'vitest';
import { PROVIDER_MODULES } from '../../providers/modules.ts';
import { ConfigError, loadConfig } from '../../src/config/load.ts';
import { writeConfig } from '../support/dispatcher.ts';

const TOKEN = 'ci-token-0123456789abcdefghijklmnop';

function problems(yaml: string, env: Record<string, string> = {}): string {
  try {
    loadConfig({
      env: { CLOUDMASTER_CONFIG: writeConfig(yaml), BRIDGE_TOKEN: TOKEN, ...env },
      modules: PROVIDER_MODULES,
    });
    return '';
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.join('\n');
    throw error;
  }
}

const CLIENT = `  clients:\n    - { name: ci, token: "\${BRIDGE_TOKEN}", channels: ["#deploys"], commands: [read, reboot] }\n`;

describe('bridge: in the config', () => {
  it('is refused without a listener port, naming the key', () => {
    expect(problems(`bridge:\n${CLIENT}`)).toMatch(
      /bridge: needs the HTTP listener: set settings\.http\.port \(or PORT\)/,
    );
    expect(problems(`bridge:\n${CLIENT}`, { PORT: '8080' })).toBe('');
    expect(problems(`settings: { http: { port: 0 } }\nbridge:\n${CLIENT}`)).toBe('');
  });

  it('takes tokens and secrets only from the environment, and keeps them for the redactor', () => {
    const yaml = `settings: { http: { port: 0 } }\nbridge:\n  clients:\n    - { name: ci, token: "${TOKEN}" }\n`;
    expect(problems(yaml)).toMatch(/bridge\.clients\.0\.token: write the secret as \$\{ENV_NAME\}/);
    const loaded = loadConfig({
      env: {
        CLOUDMASTER_CONFIG: writeConfig(`settings: { http: { port: 0 } }\nbridge:\n${CLIENT}`),
        BRIDGE_TOKEN: TOKEN,
      },
      modules: PROVIDER_MODULES,
    });
    expect(loaded.secrets).toContain(TOKEN);
    expect([...(loaded.bridge?.clients[0]?.commands ?? [])]).toEqual(
      expect.arrayContaining(['list', 'status', 'reboot']),
    );
  });

  it('names what is wrong: an unknown event, slack.message without channels, a verb that is none', () => {
    const yaml = `settings: { http: { port: 0 } }
bridge:
  clients:
    - { name: ci, token: "\${BRIDGE_TOKEN}", commands: [rebot] }
  webhooks:
    - { name: sink, url: "https://h.example/x", secret: "\${BRIDGE_TOKEN}", events: [jobs.*, slack.message] }
`;
    const found = problems(yaml);
    expect(found).toMatch(/bridge\.clients\.0\.commands: "rebot" is not a verb/);
    expect(found).toMatch(/bridge\.webhooks\.0\.events: "jobs\.\*" matches no event/);
    expect(found).toMatch(/bridge\.webhooks\.0\.channels: slack\.message needs the channels/);
  });

  it('lets policy rules name clients and the api channel', () => {
    const yaml = `settings: { http: { port: 0 } }
policy:
  rules:
    - { users: ['client:ci'], channels: [api], verbs: [reboot], effect: allow, confirm: false }
bridge:
${CLIENT}`;
    expect(problems(yaml)).toBe('');
  });
});
