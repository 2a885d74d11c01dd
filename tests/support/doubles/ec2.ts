/**
 * A stateful double of the AWS EC2 Query API, as `@aws-sdk/client-ec2`
 * speaks it: form-encoded `Action=…` requests, the region read from the
 * SigV4 credential scope, XML answers in the EC2 namespace, paging with
 * NextToken, instance states that move over time, and EC2's error bodies.
 */
import type { ServerResponse } from 'node:http';
import type { RecordedRequest } from '../http-server.ts';
import { answer, element, errorAnswer, items, state } from './ec2-xml.ts';
import { delay, type ErrorWriter, Faults } from './faults.ts';
import { ProviderDouble } from './provider-double.ts';

export interface Ec2Instance {
  readonly id: string;
  name: string;
  readonly region: string;
  readonly zone: string;
  state: string;
  readonly type: string;
  readonly imageId: string;
  readonly keyName: string | undefined;
  readonly privateIp: string;
  publicIp: string | undefined;
  readonly launchTime: string;
  /** A transition ending at `until`, into `next`. */
  until?: number;
  next?: string;
  reboots: number;
}

export interface Ec2Call {
  readonly action: string;
  readonly region: string;
  readonly params: Readonly<Record<string, string>>;
}

export interface Ec2DoubleOptions {
  /** Instances per region. */
  readonly regions?: Record<string, number>;
  readonly transitionMs?: number;
  readonly latencyMs?: number;
}

function regionOf(request: RecordedRequest): string {
  return (
    /Credential=[^/]+\/\d{8}\/([^/]+)\/\w+\//.exec(String(request.headers.authorization ?? ''))?.[1] ??
    'unknown'
  );
}

/** The access key id the request was signed with. */
function accessKeyOf(request: RecordedRequest): string {
  return /Credential=([^/]+)\//.exec(String(request.headers.authorization ?? ''))?.[1] ?? '';
}

function params(request: RecordedRequest): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(typeof request.body === 'string' ? request.body : ''));
}

/** `Prefix.1`, `Prefix.2`, … → their values in order. */
function list(values: Record<string, string>, prefix: string): string[] {
  return Object.keys(values)
    .filter((key) => new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.\\d+$`).test(key))
    .sort((a, b) => Number(a.split('.').pop()) - Number(b.split('.').pop()))
    .map((key) => values[key] as string);
}

const writeError: ErrorWriter = (response, fault, headers) => {
  response.writeHead(fault.status, { 'Content-Type': 'text/xml;charset=UTF-8', ...headers });
  response.end(errorAnswer(fault.code ?? 'InternalError', `Injected fault ${fault.code ?? fault.status}.`));
};

export class Ec2Double extends ProviderDouble {
  readonly instances: Ec2Instance[] = [];
  protected readonly faults = new Faults(
    writeError,
    (request) => `${params(request).Action ?? ''} ${regionOf(request)}`,
  );
  private readonly options: Required<Ec2DoubleOptions>;
  private counter = 0;
  /** Access key ids EC2 accepts: the static test key, and keys STS handed out. */
  readonly accessKeys = new Set(['AKIDTEST', 'AKIDBENCH']);
  /** Roles assumed through the STS action, in order. */
  readonly assumedRoles: string[] = [];

  private constructor(options: Ec2DoubleOptions) {
    super();
    this.options = {
      regions: { 'us-east-1': 3, 'eu-west-1': 2 },
      transitionMs: 150,
      latencyMs: 0,
      ...options,
    };
    for (const [region, count] of Object.entries(this.options.regions)) {
      for (let i = 1; i <= count; i++)
        this.add(`${region.split('-')[0]}-web-${i}`, region, i === 2 ? 'stopped' : 'running', 't3.micro');
    }
  }

  static async start(options: Ec2DoubleOptions = {}): Promise<Ec2Double> {
    const double = new Ec2Double(options);
    await double.listen();
    return double;
  }

  /** The SDK's `endpoint`. */
  get url(): string {
    return this.root;
  }

  named(name: string): Ec2Instance | undefined {
    return this.instances.find((instance) => instance.name === name && instance.state !== 'terminated');
  }

  /** Every call, faulted ones included, parsed: tests count actions ("exactly one RebootInstances"). */
  get calls(): Ec2Call[] {
    return this.requests.map((request) => {
      const values = params(request);
      return { action: values.Action ?? '', region: regionOf(request), params: values };
    });
  }

  callsOf(action: string): Ec2Call[] {
    return this.calls.filter((call) => call.action === action);
  }

  private add(
    name: string,
    region: string,
    initial: string,
    type: string,
    imageId = 'ami-0123456789abcdef0',
    keyName?: string,
  ): Ec2Instance {
    const n = ++this.counter;
    const instance: Ec2Instance = {
      id: `i-${n.toString(16).padStart(17, '0')}`,
      name,
      region,
      zone: `${region}${n % 2 === 0 ? 'b' : 'a'}`,
      state: initial,
      type,
      imageId,
      keyName,
      privateIp: `172.31.${n >> 8}.${n & 255}`,
      publicIp: initial === 'running' ? `54.0.${n >> 8}.${n & 255}` : undefined,
      launchTime: new Date(Date.UTC(2026, 3, 1) + n * 3_600_000).toISOString(),
      reboots: 0,
    };
    this.instances.push(instance);
    return instance;
  }

  private settle(instance: Ec2Instance): void {
    if (instance.until === undefined || Date.now() < instance.until) return;
    instance.state = instance.next ?? instance.state;
    if (instance.state === 'running') instance.publicIp ??= `54.1.0.${this.counter}`;
    if (instance.state === 'stopped' || instance.state === 'terminated') instance.publicIp = undefined;
    instance.until = undefined;
  }

  private move(instance: Ec2Instance, during: string, next: string): { previous: string; current: string } {
    const previous = instance.state;
    instance.state = during;
    instance.until = Date.now() + this.options.transitionMs;
    instance.next = next;
    return { previous, current: during };
  }

  private instanceXml(instance: Ec2Instance): string {
    return [
      element('instanceId', instance.id),
      element('imageId', instance.imageId),
      `<instanceState>${state(instance.state)}</instanceState>`,
      element('privateIpAddress', instance.privateIp),
      element('ipAddress', instance.publicIp),
      element('keyName', instance.keyName),
      element('instanceType', instance.type),
      element('launchTime', instance.launchTime),
      `<placement>${element('availabilityZone', instance.zone)}${element('tenancy', 'default')}</placement>`,
      element('platformDetails', 'Linux/UNIX'),
      items('tagSet', [`${element('key', 'Name')}${element('value', instance.name)}`]),
    ].join('');
  }

  private reservation(instances: readonly Ec2Instance[]): string {
    return `${element('reservationId', `r-${instances[0]?.id.slice(2) ?? '0'}`)}${element('ownerId', '123456789012')}<groupSet/>${items(
      'instancesSet',
      instances.map((i) => this.instanceXml(i)),
    )}`;
  }

  protected async handle(request: RecordedRequest, response: ServerResponse): Promise<void> {
    await delay(this.options.latencyMs);
    const region = regionOf(request);
    const p = params(request);
    const action = p.Action ?? '';
    const send = (xml: string, status = 200) => {
      response.writeHead(status, { 'Content-Type': 'text/xml;charset=UTF-8' });
      response.end(xml);
    };
    const fail = (status: number, code: string, message: string) => send(errorAnswer(code, message), status);
    if (!String(request.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 Credential=')) {
      return fail(401, 'AuthFailure', 'AWS was not able to validate the provided access credentials');
    }
    if (action === 'AssumeRole') {
      // STS on the same endpoint: hands out temporary keys that EC2 then accepts.
      this.assumedRoles.push(p.RoleArn ?? '');
      const key = `ASIA${String(this.assumedRoles.length).padStart(16, '0')}`;
      this.accessKeys.add(key);
      return send(
        `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>${element('AccessKeyId', key)}${element('SecretAccessKey', 'assumed-secret')}${element('SessionToken', 'assumed-session-token')}${element('Expiration', new Date(Date.now() + 3_600_000).toISOString())}</Credentials><AssumedRoleUser>${element('Arn', `${p.RoleArn}/${p.RoleSessionName}`)}${element('AssumedRoleId', 'AROA:cloudmaster')}</AssumedRoleUser></AssumeRoleResult><ResponseMetadata>${element('RequestId', 'sts-1')}</ResponseMetadata></AssumeRoleResponse>`,
      );
    }
    if (!this.accessKeys.has(accessKeyOf(request))) {
      return fail(401, 'AuthFailure', 'AWS was not able to validate the provided access credentials');
    }
    const here = this.instances.filter((i) => i.region === region);
    for (const instance of here) this.settle(instance);
    const ids = list(p, 'InstanceId');
    const targets = ids.map((id) => here.find((i) => i.id === id));
    const missing = ids.filter((_, index) => !targets[index]);
    const needsTargets = [
      'RebootInstances',
      'StartInstances',
      'StopInstances',
      'TerminateInstances',
      'DescribeInstances',
    ].includes(action);
    if (needsTargets && missing.length > 0) {
      return fail(400, 'InvalidInstanceID.NotFound', `The instance ID '${missing[0]}' does not exist`);
    }
    const found = targets as Ec2Instance[];
    const changes = (moved: { instance: Ec2Instance; previous: string; current: string }[]) =>
      items(
        'instancesSet',
        moved.map(
          ({ instance, previous, current }) =>
            `${element('instanceId', instance.id)}<currentState>${state(current)}</currentState><previousState>${state(previous)}</previousState>`,
        ),
      );
    const refuse = (instance: Ec2Instance, verb: string) =>
      fail(
        400,
        'IncorrectInstanceState',
        `The instance '${instance.id}' is not in a state from which it can be ${verb}.`,
      );

    switch (action) {
      case 'DescribeRegions':
        return send(
          answer(
            action,
            items(
              'regionInfo',
              Object.keys(this.options.regions).map(
                (name) =>
                  `${element('regionName', name)}${element('regionEndpoint', `ec2.${name}.amazonaws.com`)}${element('optInStatus', 'opt-in-not-required')}`,
              ),
            ),
          ),
        );
      case 'DescribeInstances': {
        const filters: [string, string[]][] = [];
        for (let n = 1; p[`Filter.${n}.Name`]; n++)
          filters.push([p[`Filter.${n}.Name`] as string, list(p, `Filter.${n}.Value`)]);
        const matching = (ids.length > 0 ? found : here).filter((instance) =>
          filters.every(([name, values]) =>
            name === 'tag:Name'
              ? values.includes(instance.name)
              : name === 'instance-state-name'
                ? values.includes(instance.state)
                : name === 'instance-id'
                  ? values.includes(instance.id)
                  : true,
          ),
        );
        const max = Number(p.MaxResults ?? 1000);
        const offset = Number(p.NextToken ? Buffer.from(p.NextToken, 'base64').toString() : 0);
        const page = matching.slice(offset, offset + max);
        const next =
          offset + max < matching.length
            ? element('nextToken', Buffer.from(String(offset + max)).toString('base64'))
            : '';
        return send(
          answer(
            action,
            `${items(
              'reservationSet',
              page.map((i) => this.reservation([i])),
            )}${next}`,
          ),
        );
      }
      case 'RebootInstances': {
        const wrong = found.find((i) => i.state !== 'running');
        if (wrong) return refuse(wrong, 'rebooted');
        for (const instance of found) instance.reboots += 1;
        return send(answer(action, element('return', true)));
      }
      case 'StartInstances': {
        const wrong = found.find((i) => i.state !== 'stopped' && i.state !== 'running');
        if (wrong) return refuse(wrong, 'started');
        return send(
          answer(
            action,
            changes(
              found.map((instance) => ({
                instance,
                ...(instance.state === 'running'
                  ? { previous: 'running', current: 'running' }
                  : this.move(instance, 'pending', 'running')),
              })),
            ),
          ),
        );
      }
      case 'StopInstances': {
        const wrong = found.find((i) => i.state !== 'running' && i.state !== 'stopped');
        if (wrong) return refuse(wrong, 'stopped');
        return send(
          answer(
            action,
            changes(
              found.map((instance) => ({
                instance,
                ...(instance.state === 'stopped'
                  ? { previous: 'stopped', current: 'stopped' }
                  : this.move(instance, 'stopping', 'stopped')),
              })),
            ),
          ),
        );
      }
      case 'TerminateInstances':
        return send(
          answer(
            action,
            changes(
              found.map((instance) => ({ instance, ...this.move(instance, 'shutting-down', 'terminated') })),
            ),
          ),
        );
      case 'RunInstances': {
        if (!p.ImageId)
          return fail(400, 'MissingParameter', 'The request must contain the parameter ImageId');
        if (!/^ami-[0-9a-f]+$/.test(p.ImageId))
          return fail(400, 'InvalidAMIID.Malformed', `Invalid id: "${p.ImageId}"`);
        const name = Object.keys(p)
          .filter((key) => /^TagSpecification\.1\.Tag\.\d+\.Key$/.test(key) && p[key] === 'Name')
          .map((key) => p[key.replace(/Key$/, 'Value')])[0];
        const instance = this.add(
          name ?? 'unnamed',
          region,
          'pending',
          p.InstanceType ?? 'm1.small',
          p.ImageId,
          p.KeyName,
        );
        this.move(instance, 'pending', 'running');
        return send(answer(action, this.reservation([instance])));
      }
      default:
        return fail(400, 'InvalidAction', `The action ${action} is not valid for this web service.`);
    }
  }
}
