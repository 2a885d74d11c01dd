/**
 * A stateful double of Vultr's v2 API: cursor pages, power calls that
 * answer 204 and change the instance over time, faults on demand.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { json, type RecordedRequest } from '../http-server.ts';
import { Faults, jsonErrors } from './faults.ts';
import { ProviderDouble } from './provider-double.ts';

interface DoubleInstance {
  id: string;
  label: string;
  region: string;
  plan: string;
  mainIp: string;
  status: 'active' | 'pending';
  power: 'running' | 'stopped';
  server: 'ok' | 'installingbooting' | 'none';
  /** When a transition ends, and what it ends in. */
  until?: number;
  after?: Partial<Pick<DoubleInstance, 'status' | 'power' | 'server'>>;
  created: string;
}

export interface VultrDoubleOptions {
  readonly instances?: number;
  /** Labels of the first instances, in order (then vu-web-1, vu-web-2, vu-node-3…). */
  readonly labels?: readonly string[];
  readonly token?: string;
  readonly actionMs?: number;
}

export class VultrDouble extends ProviderDouble {
  readonly token: string;
  readonly instances: DoubleInstance[] = [];
  protected readonly faults = new Faults(
    jsonErrors((status) => ({ error: `Vultr double fault ${status}`, status })),
  );
  private readonly options: Required<VultrDoubleOptions>;

  private constructor(options: VultrDoubleOptions) {
    super();
    this.options = { instances: 4, labels: [], token: 'vultr-test-key', actionMs: 150, ...options };
    this.token = this.options.token;
    for (let i = 1; i <= this.options.instances; i++)
      this.add(
        this.options.labels[i - 1] ?? (i <= 2 ? `vu-web-${i}` : `vu-node-${i}`),
        i === 3 ? 'stopped' : 'running',
      );
  }

  static async start(options: VultrDoubleOptions = {}): Promise<VultrDouble> {
    const double = new VultrDouble(options);
    await double.listen();
    return double;
  }

  /** The module's endpoint: the API base including /v2. */
  get url(): string {
    return `${this.root}/v2`;
  }

  named(label: string): DoubleInstance | undefined {
    return this.instances.find((instance) => instance.label === label);
  }

  private add(label: string, power: DoubleInstance['power']): DoubleInstance {
    const n = this.instances.length + 1;
    const instance: DoubleInstance = {
      id: randomUUID(),
      label,
      region: ['ewr', 'ams', 'sjc'][n % 3] as string,
      plan: 'vc2-1c-1gb',
      mainIp: `198.51.100.${n}`,
      status: 'active',
      power,
      server: power === 'running' ? 'ok' : 'none',
      created: new Date(Date.UTC(2026, 1, 1) + n * 3_600_000).toISOString(),
    };
    this.instances.push(instance);
    return instance;
  }

  private settle(instance: DoubleInstance): void {
    if (instance.until !== undefined && Date.now() >= instance.until) {
      Object.assign(instance, instance.after);
      instance.until = undefined;
      instance.after = undefined;
    }
  }

  private body(instance: DoubleInstance): Record<string, unknown> {
    this.settle(instance);
    return {
      id: instance.id,
      os: 'Ubuntu 24.04 LTS x64',
      ram: 1024,
      disk: 25,
      main_ip: instance.status === 'pending' ? '0.0.0.0' : instance.mainIp,
      vcpu_count: 1,
      region: instance.region,
      plan: instance.plan,
      date_created: instance.created,
      status: instance.status,
      allowed_bandwidth: 1000,
      netmask_v4: '255.255.254.0',
      gateway_v4: '198.51.100.1',
      power_status: instance.power,
      server_status: instance.server,
      v6_networks: [],
      label: instance.label,
      internal_ip: '',
      kvm: 'https://console.example/kvm',
      hostname: instance.label,
      os_id: 2284,
      app_id: 0,
      image_id: '',
      firewall_group_id: '',
      features: [],
      tags: [],
    };
  }

  private transition(
    instance: DoubleInstance,
    during: Partial<DoubleInstance>,
    after: DoubleInstance['after'],
  ): void {
    Object.assign(instance, during);
    instance.until = Date.now() + this.options.actionMs;
    instance.after = after;
  }

  protected async handle(request: RecordedRequest, response: ServerResponse): Promise<void> {
    if (request.headers.authorization !== `Bearer ${this.token}`) {
      return json(response, 401, { error: 'Invalid API token.', status: 401 });
    }
    const path = request.url.pathname;
    const on = (method: string, pattern: RegExp) => (request.method === method ? pattern.exec(path) : null);
    const find = (id: string | undefined) => this.instances.find((instance) => instance.id === id);
    const notFound = () => json(response, 404, { error: 'Invalid instance-id.', status: 404 });

    if (on('GET', /^\/v2\/instances$/)) {
      const perPage = Number(request.url.searchParams.get('per_page') ?? 100);
      const cursor = request.url.searchParams.get('cursor');
      const label = this.ignoreFilters ? null : request.url.searchParams.get('label');
      const region = this.ignoreFilters ? null : request.url.searchParams.get('region');
      const all = this.instances.filter(
        (i) => (label === null || i.label === label) && (region === null || i.region === region),
      );
      const offset = cursor ? Number(Buffer.from(cursor, 'base64url').toString()) : 0;
      const next =
        offset + perPage < all.length ? Buffer.from(String(offset + perPage)).toString('base64url') : '';
      const instances = all.slice(offset, offset + perPage).map((i) => this.body(i));
      return json(response, 200, { instances, meta: { total: all.length, links: { next, prev: '' } } });
    }
    const one = on('GET', /^\/v2\/instances\/([^/]+)$/);
    if (one) {
      const instance = find(one[1]);
      return instance ? json(response, 200, { instance: this.body(instance) }) : notFound();
    }
    const powered = on('POST', /^\/v2\/instances\/([^/]+)\/(reboot|start|halt)$/);
    if (powered) {
      const instance = find(powered[1]);
      if (!instance) return notFound();
      this.settle(instance);
      if (powered[2] === 'halt') this.transition(instance, {}, { power: 'stopped', server: 'none' });
      else this.transition(instance, { power: 'running', server: 'installingbooting' }, { server: 'ok' });
      return json(response, 204, undefined);
    }
    if (on('POST', /^\/v2\/instances$/)) {
      const body = request.body as
        | { region?: string; plan?: string; label?: string; os_id?: number; image_id?: string }
        | undefined;
      if (!body?.region || !body.plan)
        return json(response, 400, { error: 'Invalid region or plan.', status: 400 });
      const instance = this.add(body.label ?? 'unnamed', 'stopped');
      instance.region = body.region;
      instance.plan = body.plan;
      this.transition(
        instance,
        { status: 'pending', power: 'stopped', server: 'none' },
        { status: 'active', power: 'running', server: 'ok' },
      );
      return json(response, 202, { instance: this.body(instance) });
    }
    const deleted = on('DELETE', /^\/v2\/instances\/([^/]+)$/);
    if (deleted) {
      const index = this.instances.findIndex((instance) => instance.id === deleted[1]);
      if (index === -1) return notFound();
      this.instances.splice(index, 1);
      return json(response, 204, undefined);
    }
    json(response, 404, { error: `no route ${request.method} ${path}`, status: 404 });
  }
}
