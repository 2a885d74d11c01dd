/**
 * A stateful double of Entra ID's token endpoint and Azure Resource
 * Manager, over HTTPS (the SDKs refuse plain HTTP): VMs with instance
 * views, network interfaces and public IPs, and long-running operations
 * followed through `Azure-AsyncOperation` / `Location`, as a real
 * `ClientSecretCredential` and the ARM SDKs drive them.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { json, type RecordedRequest } from '../http-server.ts';
import { testTls } from '../tls.ts';
import { delay, Faults, jsonErrors } from './faults.ts';
import { ProviderDouble } from './provider-double.ts';

export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const CLIENT_ID = '00000000-0000-0000-0000-00000000c11e';
export const SUBSCRIPTION = '00000000-0000-0000-0000-000000000001';

interface DoubleVm {
  group: string;
  name: string;
  location: string;
  size: string;
  power: string;
  provisioning: string;
  nic: string;
  tags: Record<string, string>;
  vmId: string;
  created: string;
}

interface DoubleOperation {
  id: string;
  location: string;
  doneAt: number;
  fails?: string;
  /** Applied when the operation ends. */
  finish: () => void;
}

export interface AzureDoubleOptions {
  readonly clientSecret?: string;
  readonly operationMs?: number;
  readonly latencyMs?: number;
  /** VMs per resource group. */
  readonly groups?: Record<string, number>;
}

export class AzureDouble extends ProviderDouble {
  readonly clientSecret: string;
  readonly vms: DoubleVm[] = [];
  readonly nics = new Map<
    string,
    { group: string; privateIp: string; publicIp?: string; tags: Record<string, string> }
  >();
  readonly publicIps = new Map<string, { group: string; address: string; tags: Record<string, string> }>();
  readonly operations = new Map<string, DoubleOperation>();
  /** Operations of this kind will fail, with this message. */
  readonly failing = new Map<string, string>();
  protected readonly faults = new Faults(
    jsonErrors((status) => ({
      error: {
        code: status === 403 ? 'AuthorizationFailed' : 'InternalError',
        message: `double fault ${status}`,
      },
    })),
  );
  private readonly options: Required<AzureDoubleOptions>;
  private readonly tokens = new Set<string>();

  private constructor(options: AzureDoubleOptions) {
    super();
    this.options = {
      clientSecret: 'azure-test-secret',
      operationMs: 150,
      latencyMs: 0,
      groups: { web: 2, data: 1 },
      ...options,
    };
    this.clientSecret = this.options.clientSecret;
    let n = 0;
    for (const [group, count] of Object.entries(this.options.groups)) {
      for (let i = 1; i <= count; i++) {
        n += 1;
        const name = `${group}-vm-${i}`;
        this.addVm(group, name, i === 2 ? 'deallocated' : 'running', n);
      }
    }
  }

  static async start(options: AzureDoubleOptions = {}): Promise<AzureDouble> {
    const double = new AzureDouble(options);
    const { cert, key } = testTls();
    await double.listen({ cert, key });
    return double;
  }

  /** Both the authorityHost and the ARM endpoint. */
  get url(): string {
    return this.root;
  }

  vm(name: string): DoubleVm | undefined {
    return this.vms.find((vm) => vm.name === name);
  }

  /** A VM; with `withNetwork`, also its NIC (and, for two in three, a public IP). */
  private addVm(
    group: string,
    name: string,
    power: string,
    n: number,
    tags: Record<string, string> = {},
    withNetwork = true,
  ): DoubleVm {
    const nic = `${name}-nic`;
    if (withNetwork) {
      this.nics.set(nic, {
        group,
        privateIp: `10.1.0.${n + 3}`,
        ...(n % 3 !== 0 ? { publicIp: `${name}-ip` } : {}),
        tags: {},
      });
      if (n % 3 !== 0) this.publicIps.set(`${name}-ip`, { group, address: `20.0.0.${n}`, tags: {} });
    }
    const vm: DoubleVm = {
      group,
      name,
      location: n % 2 ? 'westeurope' : 'eastus',
      size: 'Standard_B1s',
      power,
      provisioning: 'Succeeded',
      nic,
      tags,
      vmId: randomUUID(),
      created: new Date(Date.UTC(2026, 4, 1) + n * 3_600_000).toISOString(),
    };
    this.vms.push(vm);
    return vm;
  }

  private id(group: string, type: string, name: string): string {
    return `/subscriptions/${SUBSCRIPTION}/resourceGroups/${group}/providers/${type}/${name}`;
  }

  private vmBody(vm: DoubleVm, withStatus: boolean): Record<string, unknown> {
    return {
      id: this.id(vm.group, 'Microsoft.Compute/virtualMachines', vm.name),
      name: vm.name,
      type: 'Microsoft.Compute/virtualMachines',
      location: vm.location,
      tags: vm.tags,
      properties: {
        vmId: vm.vmId,
        hardwareProfile: { vmSize: vm.size },
        storageProfile: {
          imageReference: {
            publisher: 'Canonical',
            offer: 'ubuntu-24_04-lts',
            sku: 'server',
            version: 'latest',
          },
          osDisk: { osType: 'Linux', createOption: 'FromImage', name: `${vm.name}-osdisk` },
        },
        networkProfile: {
          networkInterfaces: [{ id: this.id(vm.group, 'Microsoft.Network/networkInterfaces', vm.nic) }],
        },
        provisioningState: vm.provisioning,
        timeCreated: vm.created,
        ...(withStatus
          ? {
              instanceView: {
                statuses: [
                  {
                    code: `ProvisioningState/${vm.provisioning.toLowerCase()}`,
                    level: 'Info',
                    displayStatus: vm.provisioning,
                  },
                  { code: `PowerState/${vm.power}`, level: 'Info', displayStatus: `VM ${vm.power}` },
                ],
              },
            }
          : {}),
      },
    };
  }

  private operation(location: string, finish: () => void, fails?: string): DoubleOperation {
    this.settle();
    const operation: DoubleOperation = {
      id: randomUUID(),
      location,
      doneAt: Date.now() + this.options.operationMs,
      finish,
      ...(fails ? { fails } : {}),
    };
    this.operations.set(operation.id, operation);
    return operation;
  }

  private settle(): void {
    for (const operation of this.operations.values()) {
      if (Date.now() >= operation.doneAt && !operation.fails) {
        operation.finish();
        operation.finish = () => {};
      }
    }
  }

  private accepted(response: ServerResponse, operation: DoubleOperation, status = 202, body?: unknown): void {
    const base = `${this.url}/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Compute/locations/${operation.location}`;
    json(response, status, body, {
      'Azure-AsyncOperation': `${base}/operations/${operation.id}?api-version=2024-03-01`,
      Location: `${base}/operationResults/${operation.id}?api-version=2024-03-01`,
      'Retry-After': '0',
    });
  }

  protected async handle(request: RecordedRequest, response: ServerResponse): Promise<void> {
    await delay(this.options.latencyMs);
    const path = request.url.pathname;
    // Entra ID: the two calls MSAL makes with instance discovery disabled.
    if (request.method === 'GET' && path === `/${TENANT}/v2.0/.well-known/openid-configuration`) {
      const base = `${this.url}/${TENANT}`;
      return json(response, 200, {
        token_endpoint: `${base}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: [
          'client_secret_post',
          'private_key_jwt',
          'client_secret_basic',
        ],
        jwks_uri: `${base}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        issuer: `${base}/v2.0`,
        request_uri_parameter_supported: false,
        userinfo_endpoint: `${this.url}/oidc/userinfo`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
        http_logout_supported: true,
        frontchannel_logout_supported: true,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat'],
        tenant_region_scope: 'EU',
        cloud_instance_name: 'microsoftonline.com',
        cloud_graph_host_name: 'graph.windows.net',
        msgraph_host: 'graph.microsoft.com',
        rbac_url: 'https://pas.windows.net',
      });
    }
    if (request.method === 'POST' && path === `/${TENANT}/oauth2/v2.0/token`) {
      const form = new URLSearchParams(typeof request.body === 'string' ? request.body : '');
      if (form.get('client_id') !== CLIENT_ID || form.get('client_secret') !== this.clientSecret) {
        return json(response, 401, {
          error: 'invalid_client',
          error_description: `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${CLIENT_ID}'.\r\nTrace ID: ${randomUUID()}`,
          error_codes: [7000215],
          timestamp: new Date().toISOString(),
          trace_id: randomUUID(),
          correlation_id: randomUUID(),
        });
      }
      const token = `eyJ0eXAiOiJKV1QifQ.${Buffer.from(randomUUID()).toString('base64url')}.signature`;
      this.tokens.add(token);
      return json(response, 200, {
        token_type: 'Bearer',
        expires_in: 3599,
        ext_expires_in: 3599,
        access_token: token,
      });
    }

    // Azure Resource Manager.
    const bearer = String(request.headers.authorization ?? '').replace(/^Bearer /, '');
    if (!this.tokens.has(bearer))
      return json(response, 401, {
        error: { code: 'InvalidAuthenticationToken', message: 'The access token is invalid.' },
      });
    if (!request.url.searchParams.get('api-version'))
      return json(response, 400, {
        error: {
          code: 'MissingApiVersionParameter',
          message: 'The api-version query parameter (?api-version=) is required for all requests.',
        },
      });
    this.settle();
    const sub = `/subscriptions/${SUBSCRIPTION}`;
    const on = (method: string, pattern: RegExp) => (request.method === method ? pattern.exec(path) : null);
    const notFound = (what: string) =>
      json(response, 404, {
        error: {
          code: 'ResourceNotFound',
          message: `The Resource '${what}' under resource group was not found.`,
        },
      });

    if (on('GET', new RegExp(`^${sub}/providers/Microsoft.Compute/virtualMachines$`))) {
      const withStatus = request.url.searchParams.get('statusOnly') === 'true';
      return json(response, 200, { value: this.vms.map((vm) => this.vmBody(vm, withStatus)) });
    }
    if (on('GET', new RegExp(`^${sub}/providers/Microsoft.Network/networkInterfaces$`))) {
      return json(response, 200, {
        value: [...this.nics].map(([name, nic]) => ({
          id: this.id(nic.group, 'Microsoft.Network/networkInterfaces', name),
          name,
          location: 'westeurope',
          tags: nic.tags,
          properties: {
            provisioningState: 'Succeeded',
            ipConfigurations: [
              {
                id: `${this.id(nic.group, 'Microsoft.Network/networkInterfaces', name)}/ipConfigurations/ipconfig1`,
                name: 'ipconfig1',
                properties: {
                  primary: true,
                  privateIPAddress: nic.privateIp,
                  ...(nic.publicIp
                    ? {
                        publicIPAddress: {
                          id: this.id(nic.group, 'Microsoft.Network/publicIPAddresses', nic.publicIp),
                        },
                      }
                    : {}),
                },
              },
            ],
          },
        })),
      });
    }
    if (on('GET', new RegExp(`^${sub}/providers/Microsoft.Network/publicIPAddresses$`))) {
      return json(response, 200, {
        value: [...this.publicIps].map(([name, ip]) => ({
          id: this.id(ip.group, 'Microsoft.Network/publicIPAddresses', name),
          name,
          location: 'westeurope',
          properties: {
            provisioningState: 'Succeeded',
            ipAddress: ip.address,
            publicIPAllocationMethod: 'Static',
          },
        })),
      });
    }
    const opStatus = on(
      'GET',
      new RegExp(
        `^${sub}/providers/Microsoft.Compute/locations/[^/]+/(operations|operationResults)/([^/]+)$`,
      ),
    );
    if (opStatus) {
      const operation = this.operations.get(opStatus[2] ?? '');
      if (!operation) return notFound('operation');
      const done = Date.now() >= operation.doneAt;
      if (opStatus[1] === 'operationResults') return json(response, done ? 200 : 202, undefined);
      const status = !done ? 'InProgress' : operation.fails ? 'Failed' : 'Succeeded';
      return json(response, 200, {
        name: operation.id,
        status,
        startTime: new Date(operation.doneAt - this.options.operationMs).toISOString(),
        ...(done ? { endTime: new Date(operation.doneAt).toISOString() } : {}),
        ...(status === 'Failed' ? { error: { code: 'OperationFailed', message: operation.fails } } : {}),
      });
    }
    const vmPath = new RegExp(
      `^${sub}/resourceGroups/([^/]+)/providers/Microsoft.Compute/virtualMachines/([^/]+)`,
    );
    const action = on('POST', new RegExp(`${vmPath.source}/(restart|start|powerOff|deallocate)$`));
    if (action) {
      const [, group, name, verb = ''] = action;
      const vm = this.vms.find((v) => v.group === group && v.name === name);
      if (!vm) return notFound(`Microsoft.Compute/virtualMachines/${name}`);
      if (verb === 'restart' && vm.power !== 'running') {
        return json(response, 409, {
          error: {
            code: 'OperationNotAllowed',
            message: `Operation 'restart' is not allowed on VM '${name}' since the VM is deallocated or marked to be deallocated.`,
          },
        });
      }
      const during: Record<string, string> = {
        restart: 'starting',
        start: 'starting',
        powerOff: 'stopping',
        deallocate: 'deallocating',
      };
      const after: Record<string, string> = {
        restart: 'running',
        start: 'running',
        powerOff: 'stopped',
        deallocate: 'deallocated',
      };
      vm.power = during[verb] ?? vm.power;
      return this.accepted(
        response,
        this.operation(
          vm.location,
          () => {
            vm.power = after[verb] ?? vm.power;
          },
          this.failing.get(verb),
        ),
      );
    }
    const got = on('GET', new RegExp(`${vmPath.source}$`));
    if (got) {
      const vm = this.vms.find((v) => v.group === got[1] && v.name === got[2]);
      return vm
        ? json(response, 200, this.vmBody(vm, request.url.searchParams.get('$expand') === 'instanceView'))
        : notFound(`Microsoft.Compute/virtualMachines/${got[2]}`);
    }
    const removed = on('DELETE', new RegExp(`${vmPath.source}$`));
    if (removed) {
      const vm = this.vms.find((v) => v.group === removed[1] && v.name === removed[2]);
      if (!vm) return notFound(`Microsoft.Compute/virtualMachines/${removed[2]}`);
      vm.provisioning = 'Deleting';
      return this.accepted(
        response,
        this.operation(
          vm.location,
          () => this.vms.splice(this.vms.indexOf(vm), 1),
          this.failing.get('delete'),
        ),
      );
    }
    const put = on('PUT', new RegExp(`${vmPath.source}$`));
    if (put) {
      const [, group = '', name = ''] = put;
      const body = request.body as {
        location?: string;
        tags?: Record<string, string>;
        properties?: {
          hardwareProfile?: { vmSize?: string };
          networkProfile?: { networkInterfaces?: { id?: string }[] };
        };
      };
      if (!body?.location)
        return json(response, 400, {
          error: {
            code: 'LocationRequired',
            message: 'The location property is required for this definition.',
          },
        });
      const nicName =
        body.properties?.networkProfile?.networkInterfaces?.[0]?.id?.split('/').pop() ?? `${name}-nic`;
      const vm = this.addVm(group, name, 'starting', this.vms.length + 10, body.tags ?? {}, false);
      Object.assign(vm, {
        location: body.location,
        size: body.properties?.hardwareProfile?.vmSize ?? vm.size,
        nic: nicName,
        provisioning: 'Creating',
      });
      return this.accepted(
        response,
        this.operation(
          vm.location,
          () => Object.assign(vm, { provisioning: 'Succeeded', power: 'running' }),
          this.failing.get('createOrUpdate'),
        ),
        201,
        this.vmBody(vm, false),
      );
    }
    const netPath = new RegExp(
      `^${sub}/resourceGroups/([^/]+)/providers/Microsoft.Network/(networkInterfaces|publicIPAddresses)/([^/]+)$`,
    );
    const netPut = on('PUT', netPath);
    if (netPut) {
      const [, group = '', kind, name = ''] = netPut;
      const body = request.body as {
        tags?: Record<string, string>;
        properties?: { ipConfigurations?: { properties?: { publicIPAddress?: { id?: string } } }[] };
      };
      const tags = body?.tags ?? {};
      if (kind === 'publicIPAddresses')
        this.publicIps.set(name, { group, address: `20.0.1.${this.publicIps.size + 1}`, tags });
      else {
        const ip = body?.properties?.ipConfigurations?.[0]?.properties?.publicIPAddress?.id?.split('/').pop();
        this.nics.set(name, {
          group,
          privateIp: `10.1.1.${this.nics.size + 1}`,
          ...(ip ? { publicIp: ip } : {}),
          tags,
        });
      }
      return json(response, 200, {
        id: this.id(group, `Microsoft.Network/${kind}`, name),
        name,
        location: 'westeurope',
        tags,
        properties: { provisioningState: 'Succeeded' },
      });
    }
    const netDelete = on('DELETE', netPath);
    if (netDelete) {
      const [, , kind, name = ''] = netDelete;
      const existed = kind === 'publicIPAddresses' ? this.publicIps.delete(name) : this.nics.delete(name);
      return json(response, existed ? 200 : 204, undefined);
    }
    json(response, 404, { error: { code: 'NoRoute', message: `no route ${request.method} ${path}` } });
  }
}
