/**
 * A stateful double of the Cloud 66 API v3 subset the bot uses: paged
 * stacks, deployments that run for a while, queue behind each other and can
 * be cancelled, async actions to poll; every answer in the `{response}`
 * envelope; faults on demand.
 */
import type { ServerResponse } from 'node:http';
import { json, type RecordedRequest } from '../http-server.ts';
import { Faults, jsonErrors } from './faults.ts';
import { ProviderDouble } from './provider-double.ts';

interface DoubleDeployment {
  id: number;
  actionId: number;
  triggeredBy: string;
  via: 'web' | 'api';
  services: string[];
  start: number;
  end: number;
  cancelled: boolean;
}

interface DoubleStack {
  uid: string;
  name: string;
  environment: string;
  deployments: DoubleDeployment[];
}

export interface Cloud66DoubleOptions {
  readonly token?: string;
  readonly deployMs?: number;
  readonly cancelMs?: number;
  readonly perPage?: number;
}

export class Cloud66Double extends ProviderDouble {
  readonly token: string;
  readonly stacks: DoubleStack[] = [];
  protected readonly faults = new Faults(
    jsonErrors(() => ({
      error: 'server_error',
      error_description: 'Something went wrong',
    })),
  );
  private readonly options: Required<Cloud66DoubleOptions>;
  private nextDeployment = 100;
  private nextAction = 5000;

  private constructor(options: Cloud66DoubleOptions) {
    super();
    this.options = { token: 'c66-test-token', deployMs: 300, cancelMs: 100, perPage: 2, ...options };
    this.token = this.options.token;
    this.addStack('shop', 'production');
    this.addStack('blog', 'production');
    this.addStack('api', 'production');
    this.addStack('api', 'staging');
  }

  static async start(options: Cloud66DoubleOptions = {}): Promise<Cloud66Double> {
    const double = new Cloud66Double(options);
    await double.listen();
    return double;
  }

  /** The module's endpoint: the API base including /api/3. */
  get url(): string {
    return `${this.root}/api/3`;
  }

  stack(name: string, environment = 'production'): DoubleStack {
    const stack = this.stacks.find((s) => s.name === name && s.environment === environment);
    if (!stack) throw new Error(`no stack ${name} ${environment}`);
    return stack;
  }

  /**
   * A deployment started by someone else, in the web UI. It runs for `runsMs`
   * (as long as any deployment unless told): a test that cancels it through
   * Slack gives it long enough to be cancelled however loaded the machine.
   */
  startDeploymentElsewhere(
    name: string,
    environment = 'production',
    runsMs = this.options.deployMs,
  ): DoubleDeployment {
    return this.deploy(this.stack(name, environment), [], 'web', 'someone@example.com', runsMs);
  }

  private addStack(name: string, environment: string): void {
    const uid = `${name}${environment}`
      .padEnd(32, '0')
      .slice(0, 32)
      .replace(/[^0-9a-f]/g, 'a');
    const stack: DoubleStack = { uid, name, environment, deployments: [] };
    const past = Date.now() - 86_400_000;
    stack.deployments.push({
      id: this.nextDeployment++,
      actionId: this.nextAction++,
      triggeredBy: 'ci@example.com',
      via: 'api',
      services: [],
      start: past,
      end: past + 60_000,
      cancelled: false,
    });
    this.stacks.push(stack);
  }

  private deploy(
    stack: DoubleStack,
    services: string[],
    via: 'web' | 'api',
    by: string,
    runsMs = this.options.deployMs,
  ): DoubleDeployment {
    const now = Date.now();
    const last = stack.deployments.at(-1);
    const start = last && last.end > now ? last.end : now;
    const deployment: DoubleDeployment = {
      id: this.nextDeployment++,
      actionId: this.nextAction++,
      triggeredBy: by,
      via,
      services,
      start,
      end: start + runsMs,
      cancelled: false,
    };
    stack.deployments.push(deployment);
    return deployment;
  }

  private running(stack: DoubleStack): DoubleDeployment | undefined {
    const now = Date.now();
    return stack.deployments.find((d) => d.start <= now && now < d.end);
  }

  private stackBody(stack: DoubleStack): Record<string, unknown> {
    const now = Date.now();
    const running = this.running(stack);
    const queued = stack.deployments.some((d) => d.start > now);
    const status = running ? 6 : queued ? 5 : 1;
    return {
      uid: stack.uid,
      name: stack.name,
      git: 'https://example.com/app.git',
      git_branch: 'main',
      environment: stack.environment,
      cloud: 'DigitalOcean',
      fqdn: `${stack.name}.example.c66.me`,
      language: 'ruby',
      framework: 'rails',
      status,
      health: 3,
      last_activity_iso: new Date(stack.deployments.at(-1)?.start ?? now).toISOString(),
      maintenance_mode: false,
      has_loadbalancer: false,
      created_at_iso: '2025-01-01T00:00:00Z',
      updated_at_iso: new Date(now).toISOString(),
      redeploy_hook: null,
    };
  }

  private deploymentBody(d: DoubleDeployment): Record<string, unknown> {
    const now = Date.now();
    const done = now >= d.end;
    return {
      id: d.id,
      triggered_by: d.triggeredBy,
      triggered_via: { code: d.via === 'web' ? 0 : 1, meaning: d.via },
      started_at: new Date(d.start).toISOString(),
      finished_at: done ? new Date(d.end).toISOString() : null,
      outcome: done
        ? d.cancelled
          ? { code: 3, meaning: 'cancelled' }
          : { code: 1, meaning: 'success' }
        : null,
      git_hash: 'abc123',
      is_head: true,
      is_live: done && !d.cancelled,
      is_deploying: d.start <= now && !done,
    };
  }

  protected async handle(request: RecordedRequest, response: ServerResponse): Promise<void> {
    if (request.headers.authorization !== `Bearer ${this.token}`) {
      return json(response, 401, {
        error: 'invalid_token',
        error_description: 'The access token is invalid',
      });
    }
    const path = request.url.pathname.replace(/\.json$/, '');
    const on = (method: string, pattern: RegExp) => (request.method === method ? pattern.exec(path) : null);
    const byUid = (uid: string | undefined) => this.stacks.find((s) => s.uid === uid);
    const notFound = () => json(response, 404, { error: 'not_found', details: 'Stack not found' });

    if (on('GET', /^\/api\/3\/stacks$/)) {
      const page = Number(request.url.searchParams.get('page') ?? 1);
      const per = this.options.perPage;
      const pages = Math.max(1, Math.ceil(this.stacks.length / per));
      return json(response, 200, {
        response: this.stacks.slice((page - 1) * per, page * per).map((s) => this.stackBody(s)),
        count: this.stacks.length,
        pagination: {
          previous: page > 1 ? page - 1 : null,
          next: page < pages ? page + 1 : null,
          current: page,
          per_page: per,
          count: this.stacks.length,
          pages,
        },
      });
    }
    const one = on('GET', /^\/api\/3\/stacks\/([^/]+)$/);
    if (one) {
      const stack = byUid(one[1]);
      return stack ? json(response, 200, { response: this.stackBody(stack) }) : notFound();
    }
    const listed = on('GET', /^\/api\/3\/stacks\/([^/]+)\/deployments$/);
    if (listed) {
      const stack = byUid(listed[1]);
      if (!stack) return notFound();
      const newest = [...stack.deployments].reverse().map((d) => this.deploymentBody(d));
      return json(response, 200, {
        response: newest,
        count: newest.length,
        pagination: { previous: null, next: null, current: 1, per_page: 30, count: newest.length, pages: 1 },
      });
    }
    const posted = on('POST', /^\/api\/3\/stacks\/([^/]+)\/deployments$/);
    if (posted) {
      const stack = byUid(posted[1]);
      if (!stack) return notFound();
      const queued = this.running(stack) !== undefined;
      const services = ((request.body as { services?: string[] } | undefined)?.services ?? []).slice();
      const deployment = this.deploy(stack, services, 'api', 'bot@example.com');
      return json(response, 200, {
        response: {
          ok: true,
          message: queued ? 'Stack queued for redeployment' : 'Stack redeployment started',
          async_action_id: deployment.actionId,
          queued,
        },
      });
    }
    const single = on('GET', /^\/api\/3\/stacks\/([^/]+)\/deployments\/(\d+)$/);
    if (single) {
      const deployment = byUid(single[1])?.deployments.find((d) => d.id === Number(single[2]));
      return deployment ? json(response, 200, { response: this.deploymentBody(deployment) }) : notFound();
    }
    const cancelled = on('DELETE', /^\/api\/3\/stacks\/([^/]+)\/deployments\/(\d+)$/);
    if (cancelled) {
      const deployment = byUid(cancelled[1])?.deployments.find((d) => d.id === Number(cancelled[2]));
      if (!deployment) return notFound();
      deployment.cancelled = true;
      deployment.end = Math.min(deployment.end, Date.now() + this.options.cancelMs);
      return json(response, 200, { response: { ok: true, message: 'Cancelling deployment' } });
    }
    const action = on('GET', /^\/api\/3\/stacks\/([^/]+)\/actions\/(\d+)$/);
    if (action) {
      const stack = byUid(action[1]);
      const deployment = stack?.deployments.find((d) => d.actionId === Number(action[2]));
      if (!stack || !deployment) return notFound();
      const done = Date.now() >= deployment.end;
      return json(response, 200, {
        response: {
          id: deployment.actionId,
          user: deployment.triggeredBy,
          resource_type: 'stack',
          action: 'application_deployment',
          resource_id: stack.uid,
          started_via: 'api',
          started_at: new Date(deployment.start).toISOString(),
          finished_at: done ? new Date(deployment.end).toISOString() : null,
          finished_success: done ? !deployment.cancelled : null,
          finished_message: done
            ? deployment.cancelled
              ? 'Deployment cancelled'
              : 'Completed successfully'
            : null,
          finished_result: {},
          metadata: { user_reference: 'cloudmaster' },
        },
      });
    }
    json(response, 404, { error: 'not_found', details: `no route ${request.method} ${path}` });
  }
}
