/**
 * A stateful double of the Compute Engine v1 REST API, as the official
 * client's REST transport (`fallback`) calls it: the aggregated list across
 * zones with pages and filters, instance verbs returning zone operations
 * that finish over time, and Google-shaped errors. Every request must carry
 * a JWT signed with the test service account's key, which the double checks.
 */
import { createVerify, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { json, type RecordedRequest } from '../http-server.ts';
import { delay, Faults, jsonErrors } from './faults.ts';
import { ProviderDouble } from './provider-double.ts';

interface DoubleInstance {
  id: string;
  name: string;
  zone: string;
  machineType: string;
  status: string;
  networkIP: string;
  natIP: string | undefined;
  labels: Record<string, string>;
  created: string;
  /** A transition ending at `until`, into `next` (undefined: the instance is gone). */
  until?: number;
  next?: string | undefined;
  gone?: boolean;
}

interface DoubleOperation {
  id: string;
  name: string;
  zone: string;
  type: string;
  target: string;
  doneAt: number;
}

export interface GceDoubleOptions {
  readonly project?: string;
  readonly zones?: Record<string, number>;
  readonly transitionMs?: number;
  readonly latencyMs?: number;
}

export class GceDouble extends ProviderDouble {
  readonly project: string;
  readonly instances: DoubleInstance[] = [];
  readonly operations = new Map<string, DoubleOperation>();
  protected readonly faults = new Faults(
    jsonErrors((status) => ({
      error: { code: status, message: `double fault ${status}`, errors: [] },
    })),
  );
  private readonly options: Required<GceDoubleOptions>;
  private readonly publicKey: KeyObject;
  /** The service-account key file the module is given. */
  readonly keyFile: string;
  private counter = 1;

  private constructor(options: GceDoubleOptions, dir: string) {
    super();
    this.options = {
      project: 'test-project',
      zones: { 'us-central1-a': 3, 'europe-west1-b': 2 },
      transitionMs: 150,
      latencyMs: 0,
      ...options,
    };
    this.project = this.options.project;
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.publicKey = publicKey;
    this.keyFile = join(dir, 'service-account.json');
    writeFileSync(
      this.keyFile,
      JSON.stringify({
        type: 'service_account',
        project_id: this.project,
        private_key_id: 'test-key-1',
        private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
        client_email: `cloudmaster@${this.project}.iam.gserviceaccount.com`,
        client_id: '1234567890',
        token_uri: 'http://127.0.0.1:9/token',
      }),
    );
    for (const [zone, count] of Object.entries(this.options.zones)) {
      for (let i = 1; i <= count; i++)
        this.add(`${zone.split('-')[0]}-vm-${i}`, zone, i === 2 ? 'TERMINATED' : 'RUNNING');
    }
  }

  static async start(dir: string, options: GceDoubleOptions = {}): Promise<GceDouble> {
    const double = new GceDouble(options, dir);
    await double.listen();
    return double;
  }

  /** The module's apiEndpoint and port. */
  get endpoint(): { apiEndpoint: string; port: number } {
    return { apiEndpoint: '127.0.0.1', port: Number(new URL(this.root).port) };
  }

  named(name: string): DoubleInstance | undefined {
    return this.instances.find((instance) => instance.name === name && !instance.gone);
  }

  private add(name: string, zone: string, status: string): DoubleInstance {
    const n = this.counter++;
    const instance: DoubleInstance = {
      id: String(7_000_000_000_000_000_000n + BigInt(n)),
      name,
      zone,
      machineType: 'e2-small',
      status,
      networkIP: `10.128.0.${n + 1}`,
      natIP: status === 'RUNNING' ? `34.1.0.${n}` : undefined,
      labels: {},
      created: new Date(Date.UTC(2026, 2, 1) + n * 86_400_000).toISOString(),
    };
    this.instances.push(instance);
    return instance;
  }

  private settle(instance: DoubleInstance): void {
    if (instance.until !== undefined && Date.now() >= instance.until) {
      if (instance.next === undefined) instance.gone = true;
      else instance.status = instance.next;
      if (instance.status === 'RUNNING') instance.natIP ??= `34.1.0.${Number(instance.id.slice(-3))}`;
      instance.until = undefined;
    }
  }

  private link(path: string): string {
    return `https://www.googleapis.com/compute/v1/projects/${this.project}/${path}`;
  }

  private instanceBody(instance: DoubleInstance): Record<string, unknown> {
    return {
      kind: 'compute#instance',
      id: instance.id,
      creationTimestamp: instance.created,
      name: instance.name,
      machineType: this.link(`zones/${instance.zone}/machineTypes/${instance.machineType}`),
      status: instance.status,
      zone: this.link(`zones/${instance.zone}`),
      networkInterfaces: [
        {
          network: this.link('global/networks/default'),
          networkIP: instance.networkIP,
          accessConfigs: instance.natIP
            ? [{ type: 'ONE_TO_ONE_NAT', name: 'External NAT', natIP: instance.natIP }]
            : [],
        },
      ],
      labels: instance.labels,
      selfLink: this.link(`zones/${instance.zone}/instances/${instance.name}`),
    };
  }

  private operation(zone: string, type: string, target: string): DoubleOperation {
    const n = this.counter++;
    const operation = {
      id: String(900_000 + n),
      name: `operation-${Date.now()}-${n}`,
      zone,
      type,
      target,
      doneAt: Date.now() + this.options.transitionMs,
    };
    this.operations.set(operation.name, operation);
    return operation;
  }

  private operationBody(operation: DoubleOperation): Record<string, unknown> {
    const done = Date.now() >= operation.doneAt;
    return {
      kind: 'compute#operation',
      id: operation.id,
      name: operation.name,
      zone: this.link(`zones/${operation.zone}`),
      operationType: operation.type,
      targetLink: this.link(`zones/${operation.zone}/instances/${operation.target}`),
      status: done ? 'DONE' : 'RUNNING',
      progress: done ? 100 : 0,
      insertTime: new Date(operation.doneAt - this.options.transitionMs).toISOString(),
      selfLink: this.link(`zones/${operation.zone}/operations/${operation.name}`),
    };
  }

  /** The bearer token must be a JWT signed by the service account's private key. */
  private signedByServiceAccount(authorization: string | undefined): boolean {
    const token = authorization?.startsWith('Bearer ') ? authorization.slice(7) : '';
    const [header, payload, signature] = token.split('.');
    if (!header || !payload || !signature) return false;
    return createVerify('RSA-SHA256')
      .update(`${header}.${payload}`)
      .verify(this.publicKey, Buffer.from(signature, 'base64url'));
  }

  protected async handle(request: RecordedRequest, response: ServerResponse): Promise<void> {
    await delay(this.options.latencyMs);
    const error = (status: number, message: string, reason: string) =>
      json(response, status, {
        error: { code: status, message, errors: [{ message, domain: 'global', reason }] },
      });
    if (!this.signedByServiceAccount(request.headers.authorization)) {
      return error(401, 'Request had invalid authentication credentials.', 'authError');
    }
    const base = `/compute/v1/projects/${this.project}`;
    const path = request.url.pathname;
    if (!path.startsWith(base))
      return error(
        403,
        `Required 'compute.instances.list' permission for 'projects/${path.split('/')[4]}'`,
        'forbidden',
      );
    const rest = path.slice(base.length);
    const on = (method: string, pattern: RegExp) => (request.method === method ? pattern.exec(rest) : null);
    const notFound = (what: string) => error(404, `The resource '${what}' was not found`, 'notFound');

    if (on('GET', /^\/aggregated\/instances$/)) {
      const max = Number(request.url.searchParams.get('maxResults') ?? 500);
      const offset = Number(request.url.searchParams.get('pageToken') ?? 0);
      const filter = this.ignoreFilters
        ? null
        : /^(name|id)\s*=\s*"?([^"]+)"?$/.exec(request.url.searchParams.get('filter') ?? '');
      for (const instance of this.instances) this.settle(instance);
      const all = this.instances.filter(
        (i) => !i.gone && (!filter || (filter[1] === 'name' ? i.name === filter[2] : i.id === filter[2])),
      );
      const page = all.slice(offset, offset + max);
      const items: Record<string, unknown> = {};
      for (const zone of Object.keys(this.options.zones)) {
        const inZone = page.filter((i) => i.zone === zone).map((i) => this.instanceBody(i));
        items[`zones/${zone}`] =
          inZone.length > 0
            ? { instances: inZone }
            : { warning: { code: 'NO_RESULTS_ON_PAGE', message: 'There are no results for scope' } };
      }
      return json(response, 200, {
        kind: 'compute#instanceAggregatedList',
        id: `projects/${this.project}/aggregated/instances`,
        items,
        ...(offset + max < all.length ? { nextPageToken: String(offset + max) } : {}),
        selfLink: this.link('aggregated/instances'),
      });
    }
    const got = on('GET', /^\/zones\/([^/]+)\/instances\/([^/]+)$/);
    if (got) {
      const instance = this.instances.find((i) => i.zone === got[1] && i.name === got[2]);
      if (instance) this.settle(instance);
      return instance && !instance.gone
        ? json(response, 200, this.instanceBody(instance))
        : notFound(`projects/${this.project}/zones/${got[1]}/instances/${got[2]}`);
    }
    const acted = on('POST', /^\/zones\/([^/]+)\/instances\/([^/]+)\/(reset|start|stop)$/);
    if (acted) {
      const [, zone = '', name = '', verb = ''] = acted;
      const instance = this.instances.find((i) => i.zone === zone && i.name === name && !i.gone);
      if (!instance) return notFound(`projects/${this.project}/zones/${zone}/instances/${name}`);
      this.settle(instance);
      if (verb === 'reset' && instance.status !== 'RUNNING') {
        return error(
          400,
          `The resource 'projects/${this.project}/zones/${zone}/instances/${name}' is not ready`,
          'resourceNotReady',
        );
      }
      if (verb === 'start')
        Object.assign(instance, {
          status: 'STAGING',
          until: Date.now() + this.options.transitionMs,
          next: 'RUNNING',
        });
      if (verb === 'stop')
        Object.assign(instance, {
          status: 'STOPPING',
          until: Date.now() + this.options.transitionMs,
          next: 'TERMINATED',
          natIP: undefined,
        });
      return json(response, 200, this.operationBody(this.operation(zone, verb, name)));
    }
    const deleted = on('DELETE', /^\/zones\/([^/]+)\/instances\/([^/]+)$/);
    if (deleted) {
      const [, zone = '', name = ''] = deleted;
      const instance = this.instances.find((i) => i.zone === zone && i.name === name && !i.gone);
      if (!instance) return notFound(`projects/${this.project}/zones/${zone}/instances/${name}`);
      Object.assign(instance, {
        status: 'STOPPING',
        until: Date.now() + this.options.transitionMs,
        next: undefined,
      });
      return json(response, 200, this.operationBody(this.operation(zone, 'delete', name)));
    }
    const inserted = on('POST', /^\/zones\/([^/]+)\/instances$/);
    if (inserted) {
      const zone = inserted[1] ?? '';
      const body = request.body as
        | { name?: string; machineType?: string; labels?: Record<string, string> }
        | undefined;
      if (!body?.name || !body.machineType)
        return error(400, "Invalid value for field 'resource.name'", 'invalid');
      if (this.named(body.name))
        return error(
          409,
          `The resource 'projects/${this.project}/zones/${zone}/instances/${body.name}' already exists`,
          'alreadyExists',
        );
      const instance = this.add(body.name, zone, 'PROVISIONING');
      Object.assign(instance, {
        machineType: body.machineType.split('/').pop(),
        labels: body.labels ?? {},
        natIP: undefined,
        until: Date.now() + this.options.transitionMs,
        next: 'RUNNING',
      });
      return json(response, 200, this.operationBody(this.operation(zone, 'insert', body.name)));
    }
    const polled = on('GET', /^\/zones\/([^/]+)\/operations\/([^/]+)$/);
    if (polled) {
      const operation =
        this.operations.get(polled[2] ?? '') ?? [...this.operations.values()].find((o) => o.id === polled[2]);
      if (operation) {
        const target = this.instances.find((i) => i.zone === operation.zone && i.name === operation.target);
        if (target) this.settle(target);
      }
      return operation
        ? json(response, 200, this.operationBody(operation))
        : notFound(`operations/${polled[2]}`);
    }
    error(404, `no route ${request.method} ${path}`, 'notFound');
  }
}
