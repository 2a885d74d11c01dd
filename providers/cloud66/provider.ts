/**
 * Cloud 66 stacks, with Igor's behaviour: deploy queues behind a running
 * deployment unless told `-w false`, and says whose deployment is running;
 * cancel answers "nothing is deploying", "already cancelling" or cancels.
 */
import { z } from 'zod';
import { CloudmasterError, ErrorCode } from '../../src/errors.ts';
import { exactMatches } from '../exact-match.ts';
import { bearerClient } from '../http/bearer-client.ts';
import { collectCursorPages } from '../http/paginate.ts';
import { splitList } from '../params.ts';
import type {
  CallContext,
  OperationProgress,
  ProviderFor,
  ProviderSetup,
  Stack,
  StackStatus,
} from '../types.ts';
import type { Cloud66Config } from './config.ts';
import type { cloud66Capabilities } from './index.ts';
import {
  asyncActionSchema,
  type DeploymentBody,
  deploymentSchema,
  envelope,
  errorMessage,
  genericSchema,
  redeploySchema,
  type StackBody,
  stackSchema,
} from './schemas.ts';

/** Cloud 66's stack status codes, in its own words, and as one of ours. */
const STATUS: Record<number, [string, StackStatus]> = {
  0: ['pending analysis', 'analysing'],
  1: ['deployed successfully', 'deployed'],
  2: ['deployment failed', 'failed'],
  3: ['analysing', 'analysing'],
  4: ['analysed', 'unknown'],
  5: ['queued for deployment', 'queued'],
  6: ['deploying', 'deploying'],
  7: ['unable to analyse', 'failed'],
};
const HEALTH: Record<number, string> = {
  0: 'unknown',
  1: 'building',
  2: 'impaired',
  3: 'healthy',
  4: 'failed',
};

export function toStack(body: StackBody, provider: string, last?: DeploymentBody): Stack {
  const [word, status] = STATUS[body.status] ?? [`status ${body.status}`, 'unknown'];
  const details: Record<string, string> = {};
  if (body.health !== undefined) details.Health = HEALTH[body.health] ?? String(body.health);
  if (body.cloud) details.Cloud = body.cloud;
  if (body.fqdn) details.Address = body.fqdn;
  if (body.git_branch) details.Branch = body.git_branch;
  if (body.maintenance_mode) details.Maintenance = 'on';
  if (body.last_activity_iso) details['Last activity'] = body.last_activity_iso;
  return {
    kind: 'stack',
    provider,
    id: body.uid,
    name: body.name,
    environment: body.environment,
    status,
    providerStatus: word,
    ...(last
      ? {
          lastDeployment: {
            id: String(last.id),
            ...(last.started_at ? { startedAt: last.started_at } : {}),
            ...(last.finished_at ? { finishedAt: last.finished_at } : {}),
            ...(last.is_deploying ? {} : { outcome: last.outcome?.meaning ?? 'unknown' }),
            ...(last.triggered_by ? { triggeredBy: last.triggered_by } : {}),
          },
        }
      : {}),
    details,
  };
}

function who(deployment: DeploymentBody): string {
  const by = deployment.triggered_by ? ` by ${deployment.triggered_by}` : '';
  const via = deployment.triggered_via?.meaning ? ` via ${deployment.triggered_via.meaning}` : '';
  const since = deployment.started_at ? `, started ${deployment.started_at}` : '';
  return `deployment ${deployment.id}${by}${via}${since}`;
}

export function createCloud66(setup: ProviderSetup<Cloud66Config>): ProviderFor<typeof cloud66Capabilities> {
  const { id, config } = setup;
  const http = bearerClient(setup, {
    errorMessage,
    headers: config.account === undefined ? {} : { 'X-Account': String(config.account) },
  });
  /** Deployments this bot started and has not seen finish, by stack: Igor tells them apart. */
  const ours = new Map<string, number | undefined>();
  /** Deployments this bot asked to cancel. */
  const cancelling = new Set<string>();

  const allStacks = (ctx: CallContext) =>
    collectCursorPages({
      what: 'stacks',
      maxPages: config.maxPages,
      fetchPage: async (cursor) => {
        const { data } = await http.request({
          method: 'GET',
          path: '/stacks.json',
          query: { page: cursor ?? 1 },
          schema: envelope(z.array(stackSchema)),
          signal: ctx.signal,
        });
        const next = data.pagination?.next;
        return { items: data.response, ...(next ? { next: String(next) } : {}) };
      },
    });

  const deployments = async (uid: string, ctx: CallContext): Promise<DeploymentBody[]> => {
    const { data } = await http.request({
      method: 'GET',
      path: `/stacks/${encodeURIComponent(uid)}/deployments.json`,
      schema: envelope(z.array(deploymentSchema)),
      signal: ctx.signal,
    });
    return data.response;
  };

  const getStack = async (uid: string, ctx: CallContext): Promise<StackBody> => {
    const { data } = await http.request({
      method: 'GET',
      path: `/stacks/${encodeURIComponent(uid)}.json`,
      schema: envelope(stackSchema),
      signal: ctx.signal,
    });
    return data.response;
  };

  const label = (stack: Stack) => `${stack.name} (${stack.environment})`;

  return {
    id,
    type: 'cloud66',
    async ping(ctx) {
      await http.request({
        method: 'GET',
        path: '/stacks.json',
        schema: envelope(z.array(stackSchema)),
        signal: ctx.signal,
      });
    },
    async list(query, ctx) {
      const { items, warnings } = await allStacks(ctx);
      const wanted = (query.stack ?? query.filter)?.toLowerCase();
      const stacks = items
        .filter((s) => wanted === undefined || s.name.toLowerCase().includes(wanted))
        .map((s) => toStack(s, id));
      return { machines: [], stacks, warnings };
    },
    async status(nameOrId, ctx) {
      const { items } = await allStacks(ctx);
      const matches = exactMatches(
        items.map((s) => ({ ...s, id: s.uid })),
        nameOrId,
        { ignoreCase: true },
      );
      return Promise.all(
        matches.map(async (s) => toStack(s, id, (await deployments(s.uid, ctx).catch(() => []))[0])),
      );
    },
    async deploy(stack, options, ctx) {
      const running = (await deployments(stack.id, ctx)).find((d) => d.is_deploying);
      if (running && !options.wait) {
        const whose = ours.has(stack.id) ? 'started from Slack by cloudmaster' : 'started elsewhere';
        throw new CloudmasterError(
          ErrorCode.InvalidState,
          `${label(stack)} is already deploying (${who(running)}; ${whose}); nothing was queued because of -w false.`,
          { provider: id, hint: 'Leave out `-w false` to queue behind it, or cancel it first.' },
        );
      }
      const services = options.service ? splitList(options.service) : [];
      const { data } = await http.request({
        method: 'POST',
        path: `/stacks/${encodeURIComponent(stack.id)}/deployments.json`,
        body: { ...(services.length > 0 ? { services } : {}), user_reference: 'cloudmaster' },
        schema: envelope(redeploySchema),
        signal: ctx.signal,
      });
      const answer = data.response;
      if (!answer.ok) {
        throw new CloudmasterError(
          ErrorCode.ProviderRejected,
          `Cloud 66 refused: ${answer.message ?? 'the deployment was not accepted'}`,
          { provider: id },
        );
      }
      const queued = answer.queued === true;
      ours.set(stack.id, answer.async_action_id ?? undefined);
      return {
        verb: 'deploy',
        provider: id,
        target: { kind: 'stack', id: stack.id, name: stack.name },
        ...(answer.async_action_id == null ? {} : { operationId: String(answer.async_action_id) }),
        startedAt: new Date().toISOString(),
        accepted: queued
          ? `queued behind ${running ? who(running) : 'a running deployment'}`
          : `deployment started${services.length > 0 ? ` (${services.join(', ')})` : ''}`,
        data: { queued: String(queued), services: services.join(',') },
      };
    },
    async cancel(stack, _options, ctx) {
      const running = (await deployments(stack.id, ctx)).find((d) => d.is_deploying);
      if (!running) {
        throw new CloudmasterError(ErrorCode.InvalidState, `Nothing is deploying on ${label(stack)}.`, {
          provider: id,
        });
      }
      const key = `${stack.id}:${running.id}`;
      if (cancelling.has(key)) {
        throw new CloudmasterError(
          ErrorCode.InvalidState,
          `${label(stack)} is already cancelling ${who(running)}.`,
          { provider: id },
        );
      }
      const { data } = await http.request({
        method: 'DELETE',
        path: `/stacks/${encodeURIComponent(stack.id)}/deployments/${running.id}.json`,
        schema: envelope(genericSchema),
        signal: ctx.signal,
      });
      if (!data.response.ok) {
        throw new CloudmasterError(
          ErrorCode.ProviderRejected,
          `Cloud 66 refused: ${data.response.message ?? 'the cancellation was not accepted'}`,
          { provider: id },
        );
      }
      cancelling.add(key);
      return {
        verb: 'cancel',
        provider: id,
        target: { kind: 'stack', id: stack.id, name: stack.name },
        operationId: String(running.id),
        startedAt: new Date().toISOString(),
        accepted: `cancelling ${who(running)}`,
      };
    },
    async poll(ref, ctx) {
      const uid = ref.target.id;
      if (ref.verb === 'cancel' && ref.operationId) {
        const { data } = await http.request({
          method: 'GET',
          path: `/stacks/${encodeURIComponent(uid)}/deployments/${encodeURIComponent(ref.operationId)}.json`,
          schema: envelope(deploymentSchema),
          signal: ctx.signal,
        });
        if (data.response.is_deploying) return { state: 'running', step: 'cancelling' };
        cancelling.delete(`${uid}:${ref.operationId}`);
        return {
          state: 'succeeded',
          step: `deployment ${ref.operationId} ${data.response.outcome?.meaning ?? 'stopped'}`,
        };
      }
      if (ref.operationId) {
        const { data } = await http.request({
          method: 'GET',
          path: `/stacks/${encodeURIComponent(uid)}/actions/${encodeURIComponent(ref.operationId)}.json`,
          schema: envelope(asyncActionSchema),
          signal: ctx.signal,
        });
        const action = data.response;
        if (!action.finished_at) {
          return {
            state: 'running',
            step: ref.data?.queued === 'true' ? 'queued behind a running deployment' : 'deploying',
          };
        }
        ours.delete(uid);
        const resource = toStack(await getStack(uid, ctx), id);
        return action.finished_success
          ? { state: 'succeeded', step: action.finished_message ?? 'deployed', resource }
          : {
              state: 'failed',
              step: 'failed',
              reason: action.finished_message ?? 'Cloud 66 reports the deployment failed',
              resource,
            };
      }
      // No async action to follow: judge by the stack's own status.
      const resource = toStack(await getStack(uid, ctx), id);
      const progress: Record<StackStatus, OperationProgress> = {
        deploying: { state: 'running', step: 'deploying', resource },
        queued: { state: 'running', step: 'queued', resource },
        cancelling: { state: 'running', step: 'cancelling', resource },
        analysing: { state: 'running', step: 'analysing', resource },
        deployed: { state: 'succeeded', step: 'deployed', resource },
        failed: {
          state: 'failed',
          step: 'failed',
          reason: 'Cloud 66 reports the deployment failed',
          resource,
        },
        unknown: { state: 'running', step: resource.providerStatus, resource },
      };
      return progress[resource.status];
    },
  };
}
