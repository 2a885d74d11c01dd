import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { ErrorOutcome, OperationOutcome } from '../../src/dispatch/outcome.ts';
import { CloudmasterError, ErrorCode } from '../../src/errors.ts';
import { parse } from '../../src/grammar/parse.ts';
import { dispatcherFor } from '../../tests/support/dispatcher.ts';
import { Cloud66Double } from '../../tests/support/doubles/cloud66.ts';
import type { CallContext, OperationProgress, Stack } from '../types.ts';
import { cloud66Module } from './index.ts';

let double: Cloud66Double | undefined;
afterEach(async () => {
  await double?.stop();
  double = undefined;
});

const ctx = (): CallContext => ({
  signal: new AbortController().signal,
  fresh: false,
  log: pino({ level: 'silent' }),
});

async function connect(token?: string) {
  double = await Cloud66Double.start({ deployMs: 300, cancelMs: 100 });
  const config = cloud66Module.configSchema.parse({ token: token ?? double.token, endpoint: double.url });
  const provider = await cloud66Module.connect({
    id: 'c66',
    label: 'Cloud 66',
    config,
    timeoutMs: 5_000,
    secretSources: { token: 'CLOUD66_TOKEN' },
    log: pino({ level: 'silent' }),
    clock: Date,
  });
  return { provider, double };
}

async function stack(
  provider: Awaited<ReturnType<typeof connect>>['provider'],
  name: string,
  environment = 'production',
): Promise<Stack> {
  const found = (await provider.status(name, ctx())).find(
    (r): r is Stack => r.kind === 'stack' && r.environment === environment,
  );
  if (!found) throw new Error(`no ${name}`);
  return found;
}

async function until(poll: () => Promise<OperationProgress>): Promise<OperationProgress[]> {
  const seen: OperationProgress[] = [];
  for (let i = 0; i < 200; i++) {
    const progress = await poll();
    seen.push(progress);
    if (progress.state !== 'running') return seen;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('never ended');
}

async function failure(promise: Promise<unknown>): Promise<CloudmasterError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CloudmasterError);
  return error as CloudmasterError;
}

describe('cloud66: stacks', () => {
  it('lists every stack across pages with environment, status and health words', async () => {
    const { provider, double } = await connect();
    const listing = await provider.list({}, ctx());
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
    expect((await provider.list({ stack: 'API' }, ctx())).stacks.map((s) => s.environment)).toEqual([
      'production',
      'staging',
    ]);
  });

  it('shows one stack with its last deployment', async () => {
    const { provider } = await connect();
    const shop = await stack(provider, 'shop');
    expect(shop.lastDeployment).toMatchObject({ outcome: 'success', triggeredBy: 'ci@example.com' });
  });
});

describe('cloud66: deploy and cancel, as Igor does', () => {
  it('deploys the services asked for and follows the async action to its end', async () => {
    const { provider, double } = await connect();
    const ref = await provider.deploy(
      await stack(provider, 'shop'),
      { service: 'web,worker', wait: true },
      ctx(),
    );
    expect(double.requests.at(-1)?.body).toEqual({
      services: ['web', 'worker'],
      user_reference: 'cloudmaster',
    });
    expect(ref.accepted).toBe('deployment started (web, worker)');
    const steps = await until(() => provider.poll(ref, ctx()));
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
    const error = await failure(provider.deploy(await stack(provider, 'shop'), { wait: false }, ctx()));
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
    const ref = await provider.deploy(await stack(provider, 'shop'), { wait: true }, ctx());
    expect(ref.accepted).toMatch(
      new RegExp(`^queued behind deployment ${running.id} by someone@example\\.com`),
    );
    const steps = await until(() => provider.poll(ref, ctx()));
    expect(steps[0]?.step).toBe('queued behind a running deployment');
    expect(steps.at(-1)?.state).toBe('succeeded');
  });

  it('tells its own running deployment apart from one started elsewhere', async () => {
    const { provider } = await connect();
    await provider.deploy(await stack(provider, 'blog'), { wait: true }, ctx());
    const error = await failure(provider.deploy(await stack(provider, 'blog'), { wait: false }, ctx()));
    expect(error.message).toMatch(/started from Slack by cloudmaster\); nothing was queued/);
  });

  it('cancels: nothing deploying, cancelling, already cancelling', async () => {
    const { provider, double } = await connect();
    const shop = await stack(provider, 'shop');
    expect((await failure(provider.cancel(shop, {}, ctx()))).message).toBe(
      'Nothing is deploying on shop (production).',
    );
    const running = double.startDeploymentElsewhere('shop');
    const ref = await provider.cancel(shop, {}, ctx());
    expect(ref.operationId).toBe(String(running.id));
    expect(double.requests.at(-1)).toMatchObject({ method: 'DELETE' });
    expect((await failure(provider.cancel(shop, {}, ctx()))).message).toMatch(
      new RegExp(`^shop \\(production\\) is already cancelling deployment ${running.id}`),
    );
    const steps = await until(() => provider.poll(ref, ctx()));
    expect(steps[0]).toMatchObject({ state: 'running', step: 'cancelling' });
    expect(steps.at(-1)).toMatchObject({ state: 'succeeded', step: `deployment ${running.id} cancelled` });
  });

  it('names the token variable when Cloud 66 refuses the token, and retries a 429', async () => {
    const bad = await connect('wrong');
    expect((await failure(bad.provider.list({}, ctx()))).message).toBe(
      'Cloud 66 rejected the token of provider `c66` (check CLOUD66_TOKEN).',
    );
    await double?.stop();
    const { provider, double: fresh } = await connect();
    fresh.failNext({ status: 429, retryAfter: 1 });
    expect((await provider.list({}, ctx())).stacks).toHaveLength(4);
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
