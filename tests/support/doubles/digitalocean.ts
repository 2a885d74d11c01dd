/**
 * A stateful double of DigitalOcean's v2 API for what a stateless mock
 * cannot show: many pages, actions that take time, droplets that change,
 * and faults on demand (429 with Retry-After, 500s, silence, 401).
 */
import type { ServerResponse } from 'node:http';
import { json, type RecordedRequest } from '../http-server.ts';
import { delay, Faults, jsonErrors } from './faults.ts';
import { ProviderDouble } from './provider-double.ts';

interface DoubleDroplet {
  id: number;
  name: string;
  status: 'new' | 'active' | 'off';
  locked: boolean;
  region: string;
  size: string;
  image: string;
  publicIp: string | undefined;
  privateIp: string;
  createdAt: string;
}

interface DoubleAction {
  id: number;
  type: string;
  dropletId: number;
  startedAt: number;
  doneAt: number;
  errored: boolean;
}

export interface DigitalOceanDoubleOptions {
  readonly droplets?: number;
  /** Names of the first droplets, in order (then web-1, web-2, node-0003…). */
  readonly names?: readonly string[];
  readonly token?: string;
  /** How long an action stays in progress. */
  readonly actionMs?: number;
  /** Delay before every answer. */
  readonly latencyMs?: number;
}

export class DigitalOceanDouble extends ProviderDouble {
  readonly token: string;
  readonly droplets = new Map<number, DoubleDroplet>();
  readonly actions = new Map<number, DoubleAction>();
  protected readonly faults = new Faults(
    jsonErrors((_status, message) => ({
      id: 'server_error',
      message: message ?? 'Something went wrong on our side.',
    })),
  );
  private readonly options: Required<DigitalOceanDoubleOptions>;
  private nextId = 3164444;
  private nextActionId = 36804636;
  /** Action types whose next request will end as errored. */
  readonly erroring = new Set<string>();

  private constructor(options: DigitalOceanDoubleOptions) {
    super();
    this.options = {
      droplets: 5,
      names: [],
      token: 'do-test-token-value',
      actionMs: 150,
      latencyMs: 0,
      ...options,
    };
    this.token = this.options.token;
    for (let i = 1; i <= this.options.droplets; i++) {
      this.addDroplet(
        this.options.names[i - 1] ?? (i <= 2 ? `web-${i}` : `node-${String(i).padStart(4, '0')}`),
        i % 7 === 3 ? 'off' : 'active',
      );
    }
  }

  static async start(options: DigitalOceanDoubleOptions = {}): Promise<DigitalOceanDouble> {
    const double = new DigitalOceanDouble(options);
    await double.listen();
    return double;
  }

  /** The module's endpoint (paths carry /v2). */
  get url(): string {
    return this.root;
  }

  dropletNamed(name: string): DoubleDroplet | undefined {
    return [...this.droplets.values()].find((droplet) => droplet.name === name);
  }

  /** How many actions of `type` ("reboot", "power_on"…) were asked for on the droplet `name`. */
  actionRequests(name: string, type: string): number {
    const id = this.dropletNamed(name)?.id;
    return this.requests.filter(
      (r) =>
        r.method === 'POST' &&
        r.url.pathname === `/v2/droplets/${id}/actions` &&
        (r.body as { type?: string }).type === type,
    ).length;
  }

  private addDroplet(name: string, status: DoubleDroplet['status']): DoubleDroplet {
    const id = this.nextId++;
    const n = this.droplets.size + 1;
    const droplet: DoubleDroplet = {
      id,
      name,
      status,
      locked: false,
      region: ['nyc3', 'ams3', 'sfo3'][n % 3] as string,
      size: 's-1vcpu-1gb',
      image: 'ubuntu-24-04-x64',
      publicIp: `203.0.113.${(n % 250) + 1}`,
      privateIp: `10.10.${Math.floor(n / 250)}.${(n % 250) + 1}`,
      createdAt: new Date(Date.UTC(2026, 0, 1) + n * 60_000).toISOString(),
    };
    this.droplets.set(id, droplet);
    return droplet;
  }

  private body(droplet: DoubleDroplet): Record<string, unknown> {
    this.settle(droplet);
    return {
      id: droplet.id,
      name: droplet.name,
      memory: 1024,
      vcpus: 1,
      disk: 25,
      locked: droplet.locked,
      status: droplet.status,
      created_at: droplet.createdAt,
      features: [],
      backup_ids: [],
      snapshot_ids: [],
      volume_ids: [],
      next_backup_window: null,
      image: { id: 1, name: '24.04 (LTS) x64', distribution: 'Ubuntu', slug: droplet.image },
      size: { slug: droplet.size },
      size_slug: droplet.size,
      networks: {
        v4: [
          ...(droplet.publicIp
            ? [
                {
                  ip_address: droplet.publicIp,
                  netmask: '255.255.240.0',
                  gateway: '203.0.113.1',
                  type: 'public',
                },
              ]
            : []),
          { ip_address: droplet.privateIp, netmask: '255.255.0.0', gateway: '', type: 'private' },
        ],
        v6: [],
      },
      region: {
        slug: droplet.region,
        name: droplet.region.toUpperCase(),
        available: true,
        features: [],
        sizes: [],
      },
      tags: [],
    };
  }

  /** Applies the effect of finished actions. */
  private settle(droplet: DoubleDroplet): void {
    const now = Date.now();
    for (const action of this.actions.values()) {
      if (action.dropletId !== droplet.id || now < action.doneAt || !droplet.locked) continue;
      droplet.locked = false;
      if (action.errored) continue;
      if (action.type === 'reboot' || action.type === 'power_on' || action.type === 'create')
        droplet.status = 'active';
      if (action.type === 'shutdown' || action.type === 'power_off') droplet.status = 'off';
    }
  }

  private actionBody(action: DoubleAction): Record<string, unknown> {
    const done = Date.now() >= action.doneAt;
    return {
      id: action.id,
      status: done ? (action.errored ? 'errored' : 'completed') : 'in-progress',
      type: action.type,
      started_at: new Date(action.startedAt).toISOString(),
      completed_at: done ? new Date(action.doneAt).toISOString() : null,
      resource_id: action.dropletId,
      resource_type: 'droplet',
      region_slug: 'nyc3',
    };
  }

  private startAction(droplet: DoubleDroplet, type: string): DoubleAction {
    const action: DoubleAction = {
      id: this.nextActionId++,
      type,
      dropletId: droplet.id,
      startedAt: Date.now(),
      doneAt: Date.now() + this.options.actionMs,
      errored: this.erroring.delete(type),
    };
    this.actions.set(action.id, action);
    droplet.locked = true;
    return action;
  }

  protected async handle(request: RecordedRequest, response: ServerResponse): Promise<void> {
    await delay(this.options.latencyMs);
    const route = `${request.method} ${request.url.pathname}`;
    if (request.headers.authorization !== `Bearer ${this.token}`) {
      json(response, 401, { id: 'Unauthorized', message: 'Unable to authenticate you' });
      return;
    }
    const notFound = () =>
      json(response, 404, {
        id: 'not_found',
        message: 'The resource you were accessing could not be found.',
      });
    const rate = {
      'ratelimit-limit': '5000',
      'ratelimit-remaining': '4999',
      'ratelimit-reset': String(Math.floor(Date.now() / 1000) + 60),
    };
    const path = request.url.pathname;
    const on = (method: string, pattern: RegExp): RegExpExecArray | null =>
      request.method === method ? pattern.exec(path) : null;

    if (on('GET', /^\/v2\/droplets$/)) {
      const perPage = Number(request.url.searchParams.get('per_page') ?? 20);
      const page = Number(request.url.searchParams.get('page') ?? 1);
      const name = this.ignoreFilters ? undefined : request.url.searchParams.get('name')?.toLowerCase();
      const all = [...this.droplets.values()].filter(
        (d) => name === undefined || d.name.toLowerCase() === name,
      );
      const last = Math.max(1, Math.ceil(all.length / perPage));
      const link = (p: number) => `${this.url}/v2/droplets?page=${p}&per_page=${perPage}`;
      const links =
        page < last
          ? { next: link(page + 1), last: link(last) }
          : page > 1
            ? { first: link(1), prev: link(page - 1) }
            : {};
      const droplets = all.slice((page - 1) * perPage, page * perPage).map((d) => this.body(d));
      return json(response, 200, { droplets, links: { pages: links }, meta: { total: all.length } }, rate);
    }
    const one = on('GET', /^\/v2\/droplets\/(\d+)$/);
    if (one) {
      const droplet = this.droplets.get(Number(one[1]));
      return droplet ? json(response, 200, { droplet: this.body(droplet) }, rate) : notFound();
    }
    const gone = on('DELETE', /^\/v2\/droplets\/(\d+)$/);
    if (gone) return this.droplets.delete(Number(gone[1])) ? json(response, 204, undefined) : notFound();
    const acted = on('POST', /^\/v2\/droplets\/(\d+)\/actions$/);
    if (acted) {
      const droplet = this.droplets.get(Number(acted[1]));
      if (!droplet) return notFound();
      this.settle(droplet);
      const type = (request.body as { type?: string } | undefined)?.type ?? '';
      if (!['reboot', 'power_on', 'shutdown', 'power_off'].includes(type)) {
        return json(response, 422, {
          id: 'unprocessable_entity',
          message: `${type} is not a valid action type`,
        });
      }
      if (droplet.locked)
        return json(response, 422, {
          id: 'unprocessable_entity',
          message: 'Droplet already has a pending event.',
        });
      if (type === 'power_on' && droplet.status === 'active') {
        return json(response, 422, { id: 'unprocessable_entity', message: 'Droplet is already powered on.' });
      }
      return json(response, 201, { action: this.actionBody(this.startAction(droplet, type)) }, rate);
    }
    const polled = on('GET', /^\/v2\/actions\/(\d+)$/);
    if (polled) {
      const action = this.actions.get(Number(polled[1]));
      if (!action) return notFound();
      const droplet = this.droplets.get(action.dropletId);
      if (droplet) this.settle(droplet);
      return json(response, 200, { action: this.actionBody(action) }, rate);
    }
    if (on('POST', /^\/v2\/droplets$/)) {
      const body = request.body as
        | { name?: string; region?: string; size?: string; image?: string }
        | undefined;
      if (!body?.name || !body.size || !body.image) {
        return json(response, 422, {
          id: 'unprocessable_entity',
          message: 'You specified an invalid size for Droplet creation.',
        });
      }
      const droplet = this.addDroplet(body.name, 'new');
      droplet.region = body.region ?? 'nyc3';
      droplet.size = body.size;
      const action = this.startAction(droplet, 'create');
      const links = {
        actions: [{ id: action.id, rel: 'create', href: `${this.url}/v2/actions/${action.id}` }],
      };
      return json(response, 202, { droplet: this.body(droplet), links }, rate);
    }
    json(response, 404, { id: 'not_found', message: `no route ${route}` });
  }
}
