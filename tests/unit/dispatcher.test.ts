import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AnyProviderModule } from '../../providers/registry.ts';
import type { Machine } from '../../providers/types.ts';
import type { Dispatcher } from '../../src/dispatch/dispatcher.ts';
import type {
  ErrorOutcome,
  ListOutcome,
  OperationOutcome,
  Outcome,
  ResourceOutcome,
} from '../../src/dispatch/outcome.ts';
import { SLASH_COMMANDS } from '../../src/entry-points.ts';
import { CloudmasterError, ErrorCode } from '../../src/errors.ts';
import { parse } from '../../src/grammar/parse.ts';
import { dispatcherFor } from '../support/dispatcher.ts';

/**
 * A read-only cloud (list and status, nothing else): the shape of a
 * provider whose API cannot reboot, for the "verb not supported" paths.
 */
const readOnlyModule: AnyProviderModule = {
  type: 'readonly',
  aliases: [],
  label: 'Read-only cloud',
  configSchema: z.strictObject({}),
  secretKeys: [],
  capabilities: { list: {}, status: {} },
  connect: async ({ id }) => {
    const machine: Machine = {
      kind: 'machine',
      provider: id,
      id: 'ro-1',
      name: 'archive-1',
      status: 'running',
      providerStatus: 'up',
    };
    return {
      id,
      type: 'readonly',
      list: async () => ({ machines: [machine], stacks: [], warnings: [] }),
      status: async (name) => (name === machine.name || name === machine.id ? [machine] : []),
    };
  },
};

async function run(dispatcher: Dispatcher, text: string, fixed?: string): Promise<Outcome> {
  const parsed = parse(text);
  if (!parsed.ok) throw new Error(parsed.error.message);
  const spec = SLASH_COMMANDS.find((candidate) => candidate.command === fixed);
  return dispatcher.run(parsed.command, spec?.fixed ? { fixed: spec.fixed } : {});
}

function errorOf(outcome: Outcome): CloudmasterError {
  expect(outcome.kind).toBe('error');
  const { error } = outcome as ErrorOutcome;
  expect(error).toBeInstanceOf(CloudmasterError);
  return error as CloudmasterError;
}

async function firstMachine(dispatcher: Dispatcher, provider: string): Promise<Machine> {
  const listing = (await run(dispatcher, `list on ${provider}`)) as ListOutcome;
  const machine = listing.sections[0]?.listing?.machines[0];
  if (!machine) throw new Error(`${provider} has no machines`);
  return machine;
}

const TWIN_CLOUDS = `
settings: { pollInterval: 10ms }
providers:
  demo: { type: simulator, seed: 42, delays: { reboot: 30ms } }
  lab: { type: simulator, seed: 42 }
  vault: { type: readonly }
`;

describe('dispatcher: provider resolution', () => {
  it('picks an id, a type, or an alias; ids win', async () => {
    const d = await dispatcherFor(TWIN_CLOUDS, [readOnlyModule]);
    const ids = async (text: string) =>
      ((await run(d, text)) as ListOutcome).sections.map((s) => s.provider.id);
    expect(await ids('list on demo')).toEqual(['demo']);
    expect(await ids('list on simulator')).toEqual(['demo', 'lab']);
    expect(await ids('list -p sim')).toEqual(['demo', 'lab']);
    expect(await ids('list')).toEqual(['demo', 'lab', 'vault']);
  });

  it('answers an unknown provider with the configured ones and a suggestion', async () => {
    const d = await dispatcherFor(TWIN_CLOUDS, [readOnlyModule]);
    const error = errorOf(await run(d, 'list on dmeo'));
    expect(error.code).toBe(ErrorCode.UnknownProvider);
    expect(error.message).toBe('There is no provider "dmeo".');
    expect(error.hint).toBe('Did you mean `demo`?');
    expect(error.candidates).toEqual([
      'demo (Simulated cloud)',
      'lab (Simulated cloud)',
      'vault (Read-only cloud)',
    ]);
  });

  it('says clearly when a fixed-provider command has no account of its type', async () => {
    const d = await dispatcherFor(TWIN_CLOUDS, [readOnlyModule]);
    const error = errorOf(await run(d, 'droplets', '/dostat'));
    expect(error.code).toBe(ErrorCode.NoProviders);
    expect(error.message).toBe('No DigitalOcean account is configured.');
    expect(error.hint).toMatch(/DIGITALOCEAN_TOKEN/);
  });
});

describe('dispatcher: looking names up', () => {
  it('lists every match of a name found on several providers, and uses `on PROVIDER`', async () => {
    const d = await dispatcherFor(TWIN_CLOUDS, [readOnlyModule]);
    const machine = await firstMachine(d, 'demo');
    const error = errorOf(await run(d, `status ${machine.name}`));
    expect(error.code).toBe(ErrorCode.Ambiguous);
    expect(error.message).toBe(`"${machine.name}" matches 2 machines.`);
    expect(error.candidates).toHaveLength(2);
    expect(error.candidates.join('\n')).toMatch(/on demo[\s\S]*on lab/);
    const found = (await run(d, `status ${machine.name} on lab`)) as ResourceOutcome;
    expect(found.kind).toBe('resource');
    expect(found.provider.id).toBe('lab');
    expect(found.resource.name).toBe(machine.name);
  });

  it('uses the one match when a name is unique', async () => {
    const d = await dispatcherFor(TWIN_CLOUDS, [readOnlyModule]);
    const found = (await run(d, 'status archive-1')) as ResourceOutcome;
    expect(found.provider.id).toBe('vault');
    expect(found.unanswered).toEqual([]);
  });

  it('suggests near names when nothing matches', async () => {
    const d = await dispatcherFor(TWIN_CLOUDS, [readOnlyModule]);
    const error = errorOf(await run(d, 'status archiv-1'));
    expect(error.code).toBe(ErrorCode.NotFound);
    expect(error.hint).toBe('Did you mean `archive-1`?');
  });

  it('never guesses for a mutating verb, even with one match, when a provider could not be asked', async () => {
    const d = await dispatcherFor(`
providers:
  demo: { type: simulator, seed: 42 }
  down: { type: simulator, seed: 9, outage: true }
`);
    const machine = await firstMachine(d, 'demo');
    const error = errorOf(await run(d, `reboot ${machine.name}`));
    expect(error.code).toBe(ErrorCode.Ambiguous);
    expect(error.message).toMatch(/could not be asked/);
    expect(error.hint).toBe(`Say \`reboot ${machine.name} on demo\` to go ahead.`);
    // A read uses the match and says which provider did not answer.
    const found = (await run(d, `status ${machine.name}`)) as ResourceOutcome;
    expect(found.provider.id).toBe('demo');
    expect(found.unanswered.map((u) => u.provider.id)).toEqual(['down']);
  });

  it('picks a stack by its environment with -e, after -s STACK or a bare name', async () => {
    const d = await dispatcherFor('providers:\n  demo: { type: simulator, seed: 42 }\n');
    const both = errorOf(await run(d, 'status shop'));
    expect(both.message).toBe('"shop" matches 2 stacks.');
    expect(both.hint).toBe('Add `-e ENVIRONMENT` (or `on PROVIDER`) to pick one.');
    const environment = async (text: string) => {
      const found = (await run(d, text)) as ResourceOutcome;
      expect(found.kind).toBe('resource');
      return found.resource.kind === 'stack' ? `${found.resource.name}/${found.resource.environment}` : '';
    };
    expect(await environment('status -s shop -e production')).toBe('shop/production');
    expect(await environment('status shop -e STAGING')).toBe('shop/staging');
    expect(await environment('status --stack shop --environment=staging')).toBe('shop/staging');
    const none = errorOf(await run(d, 'status -s shop -e qa'));
    expect(none.code).toBe(ErrorCode.NotFound);
    expect(none.message).toBe('Stack "shop" has no environment "qa".');
    expect(none.hint).toBe('It has: production, staging.');
    // An environment belongs to stacks: a machine's name with -e finds no stack.
    const machine = await firstMachine(d, 'demo');
    expect(errorOf(await run(d, `status ${machine.name} -e production`)).message).toBe(
      `No stack named "${machine.name}" on demo.`,
    );
  });

  it('asks for the provider when -e still leaves a stack on several', async () => {
    const d = await dispatcherFor(TWIN_CLOUDS, [readOnlyModule]);
    const error = errorOf(await run(d, 'status -s shop -e production'));
    expect(error.message).toBe('"shop" matches 2 stacks.');
    expect(error.hint).toBe('Add `on PROVIDER`, or use the id.');
    expect(error.candidates.join('\n')).toMatch(/^shop \(production\) on demo.*\nshop \(production\) on lab/);
  });

  it('refuses a mutating verb on a name found twice', async () => {
    const d = await dispatcherFor(TWIN_CLOUDS, [readOnlyModule]);
    const machine = await firstMachine(d, 'demo');
    expect(errorOf(await run(d, `reboot ${machine.name}`)).code).toBe(ErrorCode.Ambiguous);
  });
});

describe('dispatcher: capabilities', () => {
  it('names the providers that can when the chosen one cannot', async () => {
    const d = await dispatcherFor(TWIN_CLOUDS, [readOnlyModule]);
    const error = errorOf(await run(d, 'reboot archive-1 on vault'));
    expect(error.code).toBe(ErrorCode.Unsupported);
    expect(error.message).toBe('vault (Read-only cloud) cannot reboot.');
    expect(error.candidates).toEqual(['demo (Simulated cloud)', 'lab (Simulated cloud)']);
  });

  it('checks options against what the target provider declares', async () => {
    const d = await dispatcherFor(TWIN_CLOUDS, [readOnlyModule]);
    const machine = await firstMachine(d, 'demo');
    const error = errorOf(await run(d, `stop ${machine.name} on demo --deallocate`));
    expect(error.code).toBe(ErrorCode.Unsupported);
    expect(error.message).toBe('demo (Simulated cloud) cannot stop with --deallocate.');
    expect(error.hint).toBe('No configured provider can.');
  });

  it('checks create parameters and suggests the near one', async () => {
    const d = await dispatcherFor(TWIN_CLOUDS, [readOnlyModule]);
    const error = errorOf(await run(d, 'create vmtest01 on demo sise=small'));
    expect(error.code).toBe(ErrorCode.BadParameter);
    expect(error.message).toBe('create on demo takes no parameter "sise".');
    expect(error.hint).toBe('Did you mean size=…?');
  });

  it('asks which account when a type names several for create', async () => {
    const d = await dispatcherFor(TWIN_CLOUDS, [readOnlyModule]);
    const error = errorOf(await run(d, 'create vmtest01 on simulator'));
    expect(error.code).toBe(ErrorCode.Ambiguous);
    expect(error.candidates).toEqual(['demo (Simulated cloud)', 'lab (Simulated cloud)']);
  });
});

describe('dispatcher: allowed values of create parameters', () => {
  const LIMITED = `
providers:
  demo: { type: simulator, allowed: { region: [sim-nyc1, sim-fra1], image: [debian-12] } }
  aws:
    type: aws
    region: eu-west-1
    securityGroupIds: [sg-base]
    allowed: { security_groups: [sg-base, sg-web], subnet: [subnet-a] }
`;
  const prepare = async (d: Dispatcher, text: string) => {
    const parsed = parse(text);
    if (!parsed.ok || parsed.command.verb !== 'create') throw new Error(`not a create: ${text}`);
    return d.prepare(parsed.command);
  };
  const refusal = (d: Dispatcher, text: string) =>
    prepare(d, text).then(
      () => {
        throw new Error(`expected ${text} to be refused`);
      },
      (error: CloudmasterError) => error,
    );

  it('refuses a value the account does not list, saying which ones it allows, before anything is sent', async () => {
    const d = await dispatcherFor(LIMITED);
    const error = await refusal(d, 'create vm-1 on demo region=sim-sgp1 image=debian-12');
    expect(error.code).toBe(ErrorCode.BadParameter);
    expect(error.message).toBe('region=sim-sgp1 is not allowed on demo.');
    expect(error.hint).toBe(
      'Provider demo allows region= only as one of these (`allowed:` in cloudmaster.yml):',
    );
    expect(error.candidates).toEqual(['sim-nyc1', 'sim-fra1']);
    // Values compare exactly: another case is another name.
    expect((await refusal(d, 'create vm-1 on demo region=SIM-NYC1 image=debian-12')).message).toBe(
      'region=SIM-NYC1 is not allowed on demo.',
    );
    const plan = (await prepare(d, 'create vm-1 on demo region=sim-fra1 image=debian-12')).plan;
    expect(plan.options).toMatchObject({ region: 'sim-fra1', image: 'debian-12' });
  });

  it('refuses a create that leaves a listed parameter to the provider’s own choice', async () => {
    const d = await dispatcherFor(LIMITED);
    const error = await refusal(d, 'create vm-1 on demo image=debian-12');
    expect(error.message).toBe('create on demo needs region=…: the account allows only some values.');
    expect(error.candidates).toEqual(['sim-nyc1', 'sim-fra1']);
    expect((await refusal(d, 'create vm-1 on aws security_groups=sg-web')).message).toBe(
      'create on aws needs subnet=…: the account allows only some values.',
    );
  });

  it('checks each item of a list, and a list of no items is no value', async () => {
    const d = await dispatcherFor(LIMITED);
    expect(
      (await refusal(d, 'create vm-1 on aws subnet=subnet-a security_groups=sg-web,sg-open')).message,
    ).toBe('security_groups=sg-open is not allowed on aws.');
    expect((await refusal(d, 'create vm-1 on aws subnet=subnet-a security_groups=,')).message).toBe(
      'create on aws needs security_groups=…: the account allows only some values.',
    );
    // The account's own default (checked against the list when the config loads) needs no parameter.
    const plan = (await prepare(d, 'create vm-1 on aws subnet=subnet-a')).plan;
    expect(plan.options).toMatchObject({ subnet: 'subnet-a' });
    await prepare(d, 'create vm-1 on aws subnet=subnet-a security_groups=sg-web,sg-base');
  });
});

describe('dispatcher: fan-out', () => {
  it('shows a failing and a slow provider inline while the others answer', async () => {
    const d = await dispatcherFor(`
providers:
  demo: { type: simulator, seed: 1 }
  down: { type: simulator, outage: true }
  slow: { type: simulator, latency: 60s, timeout: 150ms }
`);
    const outcome = (await run(d, 'list')) as ListOutcome;
    const byId = Object.fromEntries(outcome.sections.map((s) => [s.provider.id, s]));
    expect(byId.demo?.listing?.machines.length).toBeGreaterThan(0);
    expect(byId.down?.listing).toBeUndefined();
    expect(byId.down?.error).toMatchObject({ code: ErrorCode.ProviderUnavailable });
    expect(byId.slow?.error).toMatchObject({ code: ErrorCode.ProviderTimeout });
    expect((byId.slow?.error as CloudmasterError | undefined)?.message).toBe(
      'Simulated cloud (slow) did not answer in 150 ms.',
    );
  });

  it('only asks providers that have regions for a region filter', async () => {
    const d = await dispatcherFor(TWIN_CLOUDS, [readOnlyModule]);
    const outcome = (await run(d, 'list -r nowhere-1')) as ListOutcome;
    expect(outcome.sections.map((s) => s.provider.id)).toEqual(['demo', 'lab']);
    expect(outcome.skipped.map((s) => [s.provider.id, s.reason])).toEqual([['vault', 'no regions']]);
    expect(outcome.sections.every((s) => s.listing?.machines.length === 0)).toBe(true);
  });
});

describe('dispatcher: operations', () => {
  it('plans, requests and follows a reboot to its end, reporting each step once', async () => {
    const d = await dispatcherFor(TWIN_CLOUDS, [readOnlyModule]);
    const running = ((await run(d, 'list on demo')) as ListOutcome).sections[0]?.listing?.machines.find(
      (m) => m.status === 'running',
    );
    if (!running) throw new Error('no running machine');
    const events: string[] = [];
    const parsed = parse(`reboot ${running.name} on demo`);
    if (!parsed.ok) throw new Error('parse');
    const outcome = (await d.run(
      parsed.command,
      {},
      {
        planned: (plan) => {
          events.push(`planned ${plan.verb} ${plan.target.name} ${plan.target.id}`);
        },
        accepted: (_plan, ref) => {
          events.push(`accepted ${ref.verb} ${ref.target.id}`);
        },
        progressed: (_plan, progress) => {
          events.push(`${progress.state}`);
        },
      },
    )) as OperationOutcome;
    expect(outcome.kind).toBe('operation');
    expect(outcome.end).toBe('succeeded');
    expect(outcome.last?.resource).toMatchObject({ name: running.name, status: 'running' });
    expect(events[0]).toBe(`planned reboot ${running.name} ${running.id}`);
    expect(events[1]).toBe(`accepted reboot ${running.id}`);
    expect(events.at(-1)).toBe('succeeded');
    expect(new Set(events).size).toBe(events.length);
  });

  it('reports a provider refusal as a failed operation with the provider’s words', async () => {
    const d = await dispatcherFor(TWIN_CLOUDS, [readOnlyModule]);
    const stopped = ((await run(d, 'list on demo')) as ListOutcome).sections[0]?.listing?.machines.find(
      (m) => m.status === 'stopped',
    );
    if (!stopped) throw new Error('no stopped machine in the default simulated cloud');
    const outcome = (await run(d, `stop ${stopped.name} on demo`)) as OperationOutcome;
    expect(outcome.end).toBe('failed');
    expect((outcome.error as CloudmasterError).code).toBe(ErrorCode.InvalidState);
    expect(outcome.ref).toBeUndefined();
  });
});
