import { afterEach, describe, expect, it } from 'vitest';
import type { ErrorOutcome, OperationOutcome } from '../../src/dispatch/outcome.ts';
import { type CloudmasterError, ErrorCode } from '../../src/errors.ts';
import { parse } from '../../src/grammar/parse.ts';
import { dispatcherFor } from '../../tests/support/dispatcher.ts';
import { Cloud66Double } from '../../tests/support/doubles/cloud66.ts';
import { callContext, connectModule, pollUntilDone, rejection } from '../../tests/support/provider-kit.ts';
import type { Stack } from '../types.ts';
import { cloud66Module } from './index.ts';

let double: Cloud66Double | undefined;
afterEach(async () => {
  await double?.stop();
  double = undefined;
});

async function connect(token?: string) {
  double = await Cloud66Double.start({ deployMs: 300, cancelMs: 100 });
  const provider = await connectModule(cloud66Module, {
    id: 'c66',
    config: { token: token ?? double.token, endpoint: double.url },
    timeoutMs: 5_000,
    secretSources: { token: 'CLOUD66_TOKEN' },
  });
  return { provider, double };
}

async function stack(
  provider: Awaited<ReturnType<typeof connect>>['provider'],
  name: string,
  environment = 'production',
): Promise<Stack> {
  const found = (await provider.status(name, callContext())).find(
    (r): r is Stack => r.kind === 'stack' && r.environment === environment,
  );
  if (!found) throw new Error(`no ${name}`);
  return found;
}

describe('cloud66: stacks', () => {
  it('lists every stack across pages with environment, status and health words', async () => {
    const { provider, double } = await connect();
    const listing = await provider.list({}, callContext());
    expect(listing.stacks.map((s) => `${s.name}/${s.environment}`)).toEqual([
      'shop/production',
      'blog/production',
      'api/production',
      'api/staging',
    ]);
    expect(
      double.requests
        .filter((r) => r.url.pathname.startsWith('/api/3/stacks.json'))
        .map((r) => r.url.searchParams.get('page')),
    ).toEqual(['1', '2']);
    expect(listing.stacks[0]).toMatchObject({
      kind: 'stack',
      provider: 'c66',
      status: 'deployed',
      providerStatus: 'deployed successfully',
      details: { Health: 'healthy' },
    });
    expect((await provider.list({ stack: 'API' }, callContext())).stacks.map((s) => s.environment)).toEqual([
      'production',
      'staging',
    ]);
  });

  it('shows one stack with its last deployment', async () => {
    const { provider } = await connect();
    const shop = await stack(provider, 'shop');
    expect(shop.lastDeployment).toMatchObject({ outcome: 'success', triggeredBy: 'ci@example.com' });
  });

  it('finds stacks by exact name (any case) or uid, never by part of a name', async () => {
    const { provider } = await connect();
    const found = async (nameOrId: string) =>
      (await provider.status(nameOrId, callContext())).map((s) => `${s.name}/${(s as Stack).environment}`);
    expect(await found('API')).toEqual(['api/production', 'api/staging']);
    expect(await found((await stack(provider, 'api', 'staging')).id)).toEqual(['api/staging']);
    expect(await found('sho')).toEqual([]);
    expect(await found('hop')).toEqual([]);
  });
});

describe('cloud66: deploy and cancel, as Igor does', () => {
  it('deploys the services asked for and follows the async action to its end', async () => {
    const { provider, double } = await connect();
    const ref = await provider.deploy(
      await stack(provider, 'shop'),
      { service: 'web,worker', wait: true },
      callContext(),
    );
    expect(double.requests.at(-1)?.body).toEqual({
      services: ['web', 'worker'],
      user_reference: 'cloudmaster',
    });
    expect(ref.accepted).toBe('deployment started (web, worker)');
    const steps = await pollUntilDone(() => provider.poll(ref, callContext()));
    expect(steps[0]).toMatchObject({ state: 'running', step: 'deploying' });
    expect(steps.at(-1)).toMatchObject({
      state: 'succeeded',
      step: 'Completed successfully',
      resource: { status: 'deployed' },
    });
  });

  it('with -w false, queues nothing behind a deployment started elsewhere, and says whose it is', async () => {
    const { provider, double } = await connect();
    const running = double.startDeploymentElsewhere('shop');
    const error = await rejection(
      provider.deploy(await stack(provider, 'shop'), { wait: false }, callContext()),
    );
    expect(error.code).toBe(ErrorCode.InvalidState);
    expect(error.message).toMatch(
      new RegExp(
        `^shop \\(production\\) is already deploying \\(deployment ${running.id} by someone@example\\.com via web, started .+; started elsewhere\\); nothing was queued because of -w false\\.$`,
      ),
    );
    expect(double.requests.some((r) => r.method === 'POST')).toBe(false);
  });

  it('with -w true, queues behind the running deployment and says so, then follows it', async () => {
    const { provider, double } = await connect();
    const running = double.startDeploymentElsewhere('shop');
    const ref = await provider.deploy(await stack(provider, 'shop'), { wait: true }, callContext());
    expect(ref.accepted).toMatch(
      new RegExp(`^queued behind deployment ${running.id} by someone@example\\.com`),
    );
    const steps = await pollUntilDone(() => provider.poll(ref, callContext()));
    expect(steps[0]?.step).toBe('queued behind a running deployment');
    expect(steps.at(-1)?.state).toBe('succeeded');
  });

  it('tells its own running deployment apart from one started elsewhere', async () => {
    const { provider } = await connect();
    await provider.deploy(await stack(provider, 'blog'), { wait: true }, callContext());
    const error = await rejection(
      provider.deploy(await stack(provider, 'blog'), { wait: false }, callContext()),
    );
    expect(error.message).toMatch(/started from Slack by cloudmaster\); nothing was queued/);
  });

  it('cancels: nothing deploying, cancelling, already cancelling', async () => {
    const { provider, double } = await connect();
    const shop = await stack(provider, 'shop');
    expect((await rejection(provider.cancel(shop, {}, callContext()))).message).toBe(
      'Nothing is deploying on shop (production).',
    );
    const running = double.startDeploymentElsewhere('shop');
    const ref = await provider.cancel(shop, {}, callContext());
    expect(ref.operationId).toBe(String(running.id));
    expect(double.requests.at(-1)).toMatchObject({ method: 'DELETE' });
    expect((await rejection(provider.cancel(shop, {}, callContext()))).message).toMatch(
      new RegExp(`^shop \\(production\\) is already cancelling deployment ${running.id}`),
    );
    const steps = await pollUntilDone(() => provider.poll(ref, callContext()));
    expect(steps[0]).toMatchObject({ state: 'running', step: 'cancelling' });
    expect(steps.at(-1)).toMatchObject({ state: 'succeeded', step: `deployment ${running.id} cancelled` });
  });

  it('names the token variable when Cloud 66 refuses the token, and retries a 429', async () => {
    const bad = await connect('wrong');
    expect((await rejection(bad.provider.list({}, callContext()))).message).toBe(
      'Cloud 66 rejected the token of provider `c66` (check CLOUD66_TOKEN).',
    );
    await double?.stop();
    const { provider, double: fresh } = await connect();
    fresh.failNext({ status: 429, retryAfter: 1 });
    expect((await provider.list({}, callContext())).stacks).toHaveLength(4);
  });
});

describe('cloud66 through the dispatcher', () => {
  it('asks for -e when a stack name has several environments, and deploys with it', async () => {
    double = await Cloud66Double.start({ deployMs: 100 });
    const dispatcher = await dispatcherFor(
      `providers:\n  c66: { type: cloud66, token: "\${TEST_C66_TOKEN}", endpoint: "${double.url}", pollInterval: 20ms }\n`,
      [],
      { TEST_C66_TOKEN: double.token },
    );
    const run = (text: string) => {
      const parsed = parse(text);
      if (!parsed.ok) throw new Error(parsed.error.message);
      return dispatcher.run(parsed.command);
    };
    const ambiguous = (await run('deploy -s api')) as ErrorOutcome;
    expect((ambiguous.error as CloudmasterError).code).toBe(ErrorCode.Ambiguous);
    expect((ambiguous.error as CloudmasterError).candidates.join('\n')).toMatch(
      /api \(production\) on c66[\s\S]*api \(staging\) on c66/,
    );
    expect((ambiguous.error as CloudmasterError).hint).toBe(
      'Add `-e ENVIRONMENT` (or `on PROVIDER`) to pick one.',
    );
    const deployed = (await run('deploy -s api -e staging -v web')) as OperationOutcome;
    expect(deployed).toMatchObject({
      kind: 'operation',
      end: 'succeeded',
      plan: { target: { name: 'api' }, options: { environment: 'staging', service: 'web' } },
    });
    const missing = (await run('deploy -s shopp')) as ErrorOutcome;
    expect((missing.error as CloudmasterError).hint).toBe('Did you mean `shop`?');
  });
});
