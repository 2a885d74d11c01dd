import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloud66Module } from '../../providers/cloud66/index.ts';
import type { Stack } from '../../providers/types.ts';
import { contractFile, Prism } from '../support/prism.ts';
import { callContext, connectModule } from '../support/provider-kit.ts';

const file = contractFile('cloud66/cloud66.v3.yaml');
const UID = '5999b763474b0eafa5fafb64bff0ba80';

describe.skipIf(!file)('Cloud 66 contract (Prism)', () => {
  let prism: Prism;
  let provider: Awaited<ReturnType<typeof cloud66Module.connect>>;

  beforeAll(async () => {
    prism = await Prism.start(file as string);
    provider = await connectModule(cloud66Module, {
      id: 'c66',
      config: {
        token: 'contract-token',
        endpoint: `${prism.url}/api/3`,
      },
      timeoutMs: 20_000,
      secretSources: { token: 'CLOUD66_TOKEN' },
    });
  }, 90_000);

  afterAll(async () => {
    await prism?.stop();
  });

  it('lists stacks and reads the example into stack fields', async () => {
    const { stacks } = await provider.list({}, callContext());
    expect(stacks[0]).toMatchObject({
      kind: 'stack',
      provider: 'c66',
      id: UID,
      name: 'Awesome App',
      environment: 'production',
      status: 'deployed',
      providerStatus: 'deployed successfully',
      details: { Health: 'healthy', Cloud: 'DigitalOcean' },
    });
    expect(prism.violations()).toEqual([]);
  });

  it('shows a stack with its last deployment', async () => {
    const [stack] = (await provider.status(UID, callContext())) as Stack[];
    expect(stack?.lastDeployment).toMatchObject({
      id: '107',
      outcome: 'success',
      triggeredBy: 'test@cloud66.com',
    });
    expect(prism.violations()).toEqual([]);
  });

  it('deploys services in the described shape and follows the async action', async () => {
    const [stack] = (await provider.status(UID, callContext())) as Stack[];
    const ref = await provider.deploy(stack as Stack, { wait: true, service: 'web' }, callContext());
    expect(ref.operationId).toBe('40');
    expect(await provider.poll(ref, callContext())).toMatchObject({
      state: 'succeeded',
      step: 'Completed successfully',
    });
    expect(prism.exchanges.find((e) => e.method === 'POST')?.status).toBe(200);
    expect(prism.violations()).toEqual([]);
  });

  it('cancels a running deployment in the described shape', async () => {
    // The examples never show a running deployment: mark the listed one as running so cancel proceeds.
    prism.rewrite = (method, path, body) =>
      method === 'GET' && /\/deployments(\.json)?$/.test(path)
        ? {
            ...(body as object),
            response: ((body as { response: object[] }).response ?? []).map((d) => ({
              ...d,
              is_deploying: true,
            })),
          }
        : body;
    const [stack] = (await provider.status(UID, callContext())) as Stack[];
    const ref = await provider.cancel(stack as Stack, {}, callContext());
    prism.rewrite = undefined;
    expect(ref.operationId).toBe('107');
    // The description has no example deployment: Prism generates one, which may still be deploying.
    expect((await provider.poll(ref, callContext())).step).toMatch(/^(cancelling|deployment 107 .+)$/);
    expect(prism.exchanges.find((e) => e.method === 'DELETE')).toMatchObject({
      status: 200,
      path: `/api/3/stacks/${UID}/deployments/107.json`,
    });
    expect(prism.violations()).toEqual([]);
  });
});
