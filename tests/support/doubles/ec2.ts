/**
 * A stateful double of the AWS EC2 Query API, as `@aws-sdk/client-ec2`
 * speaks it: form-encoded `Action=…` requests, the region read from the
 * SigV4 credential scope, XML answers in the EC2 namespace, paging with
 * NextToken, instance states that move over time, and EC2's error bodies.
 */
import type { ServerResponse } from 'node:http';
import type { RecordedRequest } from '../http-server.ts';
import {
  accessKeyOf,
  answer,
  assumeRoleAnswer,
  DEFAULT_GROUP,
  Ec2Error,
  ec2Faults,
  element,
  errorAnswer,
  faultAnswer,
  filters,
  incorrectState,
  invalidToken,
  list,
  pageSize,
  params,
  parseLaunch,
  readToken,
  regionItems,
  regionOf,
  reservation,
  reservations,
  stateChanges,
  VPC_ID,
  writeToken,
} from './ec2-xml.ts';
import { delay } from './faults.ts';
import { ProviderDouble } from './provider-double.ts';

export interface Ec2Instance {
  readonly id: string;
  /** The Name tag ('' without one). */
  name: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly region: string;
  readonly zone: string;
  state: string;
  readonly type: string;
  readonly imageId: string;
  readonly keyName: string | undefined;
  readonly subnetId: string;
  readonly vpcId: string;
  readonly securityGroups: readonly string[];
  readonly reservationId: string;
  readonly launchIndex: number;
  readonly privateIp: string;
  publicIp: string | undefined;
  readonly launchTime: string;
  /** A transition ending at `until`, into `next`. */
  until?: number;
  next?: string;
  /** RebootInstances calls it accepted (the state stays `running`). */
  reboots: number;
  /** Whether the last StopInstances that moved it said `Force=true`. */
  forcedStop?: boolean;
  /** Every state it has been in, in order. */
  readonly history: string[];
}

/** A seeded instance; by default the second of a region is stopped, the others run. */
export interface Ec2Seed {
  readonly name: string;
  readonly state?: 'running' | 'stopped';
  readonly type?: string;
  readonly tags?: Record<string, string>;
}

export interface Ec2Call {
  readonly action: string;
  readonly region: string;
  readonly params: Readonly<Record<string, string>>;
}

export interface Ec2DoubleOptions {
  /** Regions, each with an instance count (named `<us>-web-<n>`) or its instances. */
  readonly regions?: Record<string, number | readonly Ec2Seed[]>;
  /** How long pending, stopping and shutting-down last. */
  readonly transitionMs?: number;
  /** Delay before every answer that is not an injected fault. */
  readonly latencyMs?: number;
  /** The clock transitions are measured with. */
  readonly now?: () => number;
}

/** What Start/Stop/TerminateInstances move: from these states, via one, to another (`via` and `to` are no-ops). */
const MOVES: Record<string, { verb: string; from: string[]; via: string; to: string }> = {
  StartInstances: { verb: 'started', from: ['stopped'], via: 'pending', to: 'running' },
  StopInstances: { verb: 'stopped', from: ['running'], via: 'stopping', to: 'stopped' },
  TerminateInstances: {
    verb: 'terminated',
    from: ['pending', 'running', 'stopping', 'stopped'],
    via: 'shutting-down',
    to: 'terminated',
  },
};

export class Ec2Double extends ProviderDouble {
  readonly instances: Ec2Instance[] = [];
  protected readonly faults = ec2Faults();
  /** Delay before every answer that is not an injected fault; tests may change it. */
  latencyMs: number;
  readonly transitionMs: number;
  /** Access key ids EC2 accepts: the static test key, and keys STS handed out. */
  readonly accessKeys = new Set(['AKIDTEST', 'AKIDBENCH']);
  /** Roles assumed through the STS action, in order. */
  readonly assumedRoles: string[] = [];
  readonly regions: readonly string[];
  private readonly now: () => number;
  private counter = 0;

  private constructor(options: Ec2DoubleOptions) {
    super();
    this.transitionMs = options.transitionMs ?? 150;
    this.latencyMs = options.latencyMs ?? 0;
    this.now = options.now ?? Date.now;
    const regions = options.regions ?? { 'us-east-1': 3, 'eu-west-1': 2 };
    this.regions = Object.keys(regions);
    for (const [region, seeds] of Object.entries(regions)) {
      const list =
        typeof seeds === 'number'
          ? Array.from({ length: seeds }, (_, i) => ({ name: `${region.split('-')[0]}-web-${i + 1}` }))
          : seeds;
      list.forEach((seed, i) => {
        this.addInstance(region, { state: i === 1 ? 'stopped' : 'running', ...seed });
      });
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

  /** The live (not terminated) instance with this Name tag, its state brought up to date. */
  named(name: string): Ec2Instance | undefined {
    for (const instance of this.instances) this.settle(instance);
    return this.instances.find((instance) => instance.name === name && instance.state !== 'terminated');
  }

  /** The instance with this id, its state brought up to date. */
  instance(id: string): Ec2Instance | undefined {
    const found = this.instances.find((instance) => instance.id === id);
    if (found) this.settle(found);
    return found;
  }

  /** Every call, faulted ones included, parsed: tests count actions ("exactly one RebootInstances"). */
  get calls(): Ec2Call[] {
    return this.requests.map((request) => {
      const values = params(request);
      return { action: values.Action ?? '', region: regionOf(request), params: values };
    });
  }

  callsOf(action: string, region?: string): Ec2Call[] {
    return this.calls.filter(
      (call) => call.action === action && (region === undefined || call.region === region),
    );
  }

  /**
   * The next `times` calls of `action` (in `region`, or any) answer EC2's error `code` with its
   * status: RequestLimitExceeded 503 (the SDK retries it), AuthFailure 401, UnauthorizedOperation
   * 403, Unavailable 503, anything else 500.
   */
  failAction(action: string, code: string, times = 1, region?: string): void {
    const matching = new RegExp(`^${action} ${region === undefined ? '' : `${region}$`}`);
    this.failNext({ status: faultAnswer(code, action).status, code, matching }, times);
  }

  /** Seeds an instance directly (no request), `running` unless told. */
  addInstance(region: string, seed: Ec2Seed & { imageId?: string; keyName?: string }): Ec2Instance {
    return this.create(region, {
      tags: { Name: seed.name, ...seed.tags },
      state: seed.state ?? 'running',
      type: seed.type ?? 't3.micro',
      imageId: seed.imageId ?? 'ami-0123456789abcdef0',
      keyName: seed.keyName,
      reservationId: undefined,
      launchIndex: 0,
      subnetId: undefined,
      securityGroups: [DEFAULT_GROUP],
    });
  }

  private create(
    region: string,
    spec: Pick<
      Ec2Instance,
      'tags' | 'state' | 'type' | 'imageId' | 'keyName' | 'launchIndex' | 'securityGroups'
    > & {
      reservationId: string | undefined;
      subnetId: string | undefined;
    },
  ): Ec2Instance {
    const n = ++this.counter;
    const hex = n.toString(16).padStart(17, '0');
    const zone = `${region}${spec.subnetId ? (Number.parseInt(spec.subnetId.slice(-1), 16) % 2 ? 'b' : 'a') : n % 2 === 0 ? 'b' : 'a'}`;
    const instance: Ec2Instance = {
      ...spec,
      id: `i-${hex}`,
      name: spec.tags.Name ?? '',
      region,
      zone,
      reservationId: spec.reservationId ?? `r-${hex}`,
      subnetId:
        spec.subnetId ??
        `subnet-0${zone.endsWith('a') ? 'a' : 'b'}${region.length.toString(16)}00000000000000`,
      vpcId: VPC_ID,
      privateIp: `172.31.${n >> 8}.${n & 255}`,
      publicIp: spec.state === 'running' ? `54.0.${n >> 8}.${n & 255}` : undefined,
      launchTime: new Date(Date.UTC(2026, 3, 1) + n * 3_600_000).toISOString(),
      reboots: 0,
      history: [spec.state],
    };
    this.instances.push(instance);
    return instance;
  }

  /** Ends a transition whose time has come (states move lazily, when read). */
  private settle(instance: Ec2Instance): void {
    if (instance.until === undefined || this.now() < instance.until) return;
    instance.state = instance.next ?? instance.state;
    instance.history.push(instance.state);
    instance.until = undefined;
    instance.next = undefined;
    const n = Number.parseInt(instance.id.slice(2), 16);
    const starts = instance.history.filter((s) => s === 'running').length;
    if (instance.state === 'running') instance.publicIp ??= `54.${starts % 200}.${n >> 8}.${n & 255}`;
    if (instance.state === 'stopped' || instance.state === 'terminated') instance.publicIp = undefined;
  }

  private move(instance: Ec2Instance, during: string, next: string): void {
    instance.state = during;
    instance.history.push(during);
    instance.until = this.now() + this.transitionMs;
    instance.next = next;
  }

  protected async handle(request: RecordedRequest, response: ServerResponse): Promise<void> {
    await delay(this.latencyMs);
    const send = (xml: string, status = 200) => {
      response.writeHead(status, { 'Content-Type': 'text/xml;charset=UTF-8' });
      response.end(xml);
    };
    try {
      send(this.act(request));
    } catch (error) {
      if (!(error instanceof Ec2Error)) throw error;
      send(errorAnswer(error.code, error.message), error.status);
    }
  }

  private act(request: RecordedRequest): string {
    const region = regionOf(request);
    const p = params(request);
    const action = p.Action ?? '';
    const denied = () =>
      new Ec2Error('AuthFailure', 'AWS was not able to validate the provided access credentials', 401);
    if (!String(request.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 Credential='))
      throw denied();
    if (action === 'AssumeRole') return this.assumeRole(p);
    if (!this.accessKeys.has(accessKeyOf(request))) throw denied();
    if (p.DryRun === 'true')
      throw new Ec2Error('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
    const here = this.instances.filter((i) => i.region === region);
    for (const instance of here) this.settle(instance);
    switch (action) {
      case 'DescribeRegions': {
        const names = list(p, 'RegionName');
        return answer(
          action,
          regionItems(this.regions.filter((r) => names.length === 0 || names.includes(r))),
        );
      }
      case 'DescribeInstances':
        return answer(action, this.describe(p, region, here));
      case 'RebootInstances': {
        const found = this.targets(p, here);
        const wrong = found.find((i) => i.state !== 'running');
        if (wrong) throw incorrectState(wrong, 'rebooted');
        for (const instance of found) instance.reboots += 1;
        return answer(action, element('return', true));
      }
      case 'StartInstances':
      case 'StopInstances':
      case 'TerminateInstances': {
        const rule = MOVES[action] as (typeof MOVES)[string];
        const found = this.targets(p, here);
        const wrong = found.find((i) => ![...rule.from, rule.via, rule.to].includes(i.state));
        if (wrong) throw incorrectState(wrong, rule.verb);
        const changes = found.map((instance) => {
          const previous = instance.state;
          if (rule.from.includes(previous)) {
            this.move(instance, rule.via, rule.to);
            if (action === 'StopInstances') instance.forcedStop = p.Force === 'true';
          }
          return { id: instance.id, previous, current: instance.state };
        });
        return answer(action, stateChanges(changes));
      }
      case 'RunInstances':
        return answer(action, this.run(p, region));
      default:
        throw new Ec2Error('InvalidAction', `The action ${action} is not valid for this web service.`);
    }
  }

  /** The instances `InstanceId.N` names, all of which must exist in this region. */
  private targets(p: Record<string, string>, here: readonly Ec2Instance[], required = true): Ec2Instance[] {
    const ids = list(p, 'InstanceId');
    if (required && ids.length === 0)
      throw new Ec2Error('MissingParameter', 'The request must contain the parameter InstanceId');
    const malformed = ids.find((id) => !/^i-([0-9a-f]{8}|[0-9a-f]{17})$/.test(id));
    if (malformed) throw new Ec2Error('InvalidInstanceID.Malformed', `Invalid id: "${malformed}"`);
    const missing = ids.filter((id) => !here.some((i) => i.id === id));
    if (missing.length === 1)
      throw new Ec2Error('InvalidInstanceID.NotFound', `The instance ID '${missing[0]}' does not exist`);
    if (missing.length > 1)
      throw new Ec2Error(
        'InvalidInstanceID.NotFound',
        `The instance IDs '${missing.join(', ')}' do not exist`,
      );
    return here.filter((i) => ids.includes(i.id));
  }

  private describe(p: Record<string, string>, region: string, here: readonly Ec2Instance[]): string {
    const ids = list(p, 'InstanceId');
    const max = pageSize(p, ids.length > 0);
    const tests = this.ignoreFilters ? [] : filters(p);
    const pool = (ids.length > 0 ? this.targets(p, here, false) : here).filter((i) =>
      tests.every((test) => test(i)),
    );
    let rest = pool;
    if (p.NextToken) {
      const after = readToken(p.NextToken, region);
      const position = here.findIndex((i) => i.id === after);
      if (position === -1) throw invalidToken();
      rest = pool.filter((i) => here.indexOf(i) > position);
    }
    const page = rest.slice(0, max);
    const last = page.at(-1);
    const next = rest.length > page.length && last ? element('nextToken', writeToken(region, last.id)) : '';
    return `${reservations(page)}${next}`;
  }

  private run(p: Record<string, string>, region: string): string {
    const launch = parseLaunch(p);
    const reservationId = `r-${(this.counter + 1).toString(16).padStart(17, '0')}`;
    const launched = Array.from({ length: launch.count }, (_, launchIndex) => {
      const { count: _count, ...spec } = launch;
      const instance = this.create(region, { ...spec, state: 'pending', reservationId, launchIndex });
      instance.until = this.now() + this.transitionMs;
      instance.next = 'running';
      return instance;
    });
    return reservation(launched);
  }

  /** STS on the same endpoint: hands out temporary keys that EC2 then accepts. */
  private assumeRole(p: Record<string, string>): string {
    this.assumedRoles.push(p.RoleArn ?? '');
    const key = `ASIA${String(this.assumedRoles.length).padStart(16, '0')}`;
    this.accessKeys.add(key);
    return assumeRoleAnswer(key, p.RoleArn ?? '', p.RoleSessionName ?? '');
  }
}
