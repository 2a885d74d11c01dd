/**
 * The EC2 Query API's wire format: form requests (flattened `Prefix.N` lists,
 * the region in the SigV4 scope), XML answers in the EC2 namespace with
 * `<item>` lists, and `<Response><Errors>` error bodies.
 */
import { randomUUID } from 'node:crypto';
import { escapeXml } from '../../../providers/vsphere/vim25/xml.ts';
import type { RecordedRequest } from '../http-server.ts';
import type { Ec2Instance } from './ec2.ts';
import { Faults } from './faults.ts';

const NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';
export const OWNER_ID = '123456789012';
export const VPC_ID = 'vpc-0a1b2c3d4e5f67890';
/** The default VPC's `default` security group. */
export const DEFAULT_GROUP = 'sg-0123456789abcdef0';

/** `<name>text</name>`, or nothing for an absent value. */
export function element(name: string, value: string | number | boolean | undefined): string {
  return value === undefined ? '' : `<${name}>${escapeXml(String(value))}</${name}>`;
}

export function items(name: string, entries: readonly string[]): string {
  return `<${name}>${entries.map((entry) => `<item>${entry}</item>`).join('')}</${name}>`;
}

export function answer(action: string, body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${NS}">${element('requestId', randomUUID())}${body}</${action}Response>`;
}

export function errorAnswer(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>${element('Code', code)}${element('Message', message)}</Error></Errors>${element('RequestID', randomUUID())}</Response>`;
}

/** EC2's state codes. */
export const STATE_CODES: Record<string, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

export function state(name: string): string {
  return `${element('code', STATE_CODES[name] ?? 0)}${element('name', name)}`;
}

/** The status and message EC2 answers with for an error code a test injects. */
export function faultAnswer(code: string, action: string): { status: number; message: string } {
  switch (code) {
    case 'RequestLimitExceeded':
      return { status: 503, message: 'Request limit exceeded.' };
    case 'AuthFailure':
      return { status: 401, message: 'AWS was not able to validate the provided access credentials' };
    case 'UnauthorizedOperation':
      return {
        status: 403,
        message: `You are not authorized to perform this operation. User: arn:aws:iam::${OWNER_ID}:user/cloudmaster is not authorized to perform: ec2:${action} because no identity-based policy allows the ec2:${action} action`,
      };
    case 'Unavailable':
      return { status: 503, message: 'The server is overloaded and can’t handle the request.' };
    default:
      return { status: 500, message: 'An internal error has occurred' };
  }
}

function groupSet(ids: readonly string[]): string {
  return items(
    'groupSet',
    ids.map(
      (id) => `${element('groupId', id)}${element('groupName', id === DEFAULT_GROUP ? 'default' : id)}`,
    ),
  );
}

function dnsName(ip: string | undefined, region: string, scope: 'internal' | 'compute'): string | undefined {
  if (ip === undefined) return undefined;
  const host = `ip-${ip.replace(/\./g, '-')}`;
  return scope === 'internal'
    ? `${host}.${region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`}`
    : `ec2-${ip.replace(/\./g, '-')}.${region === 'us-east-1' ? 'compute-1' : `${region}.compute`}.amazonaws.com`;
}

/** One `instancesSet` item, as DescribeInstances and RunInstances write it. */
export function instanceXml(instance: Ec2Instance, launchIndex: number): string {
  return [
    element('instanceId', instance.id),
    element('imageId', instance.imageId),
    `<instanceState>${state(instance.state)}</instanceState>`,
    element('privateDnsName', dnsName(instance.privateIp, instance.region, 'internal')),
    element('dnsName', dnsName(instance.publicIp, instance.region, 'compute') ?? ''),
    element('keyName', instance.keyName),
    element('amiLaunchIndex', launchIndex),
    element('instanceType', instance.type),
    element('launchTime', instance.launchTime),
    `<placement>${element('availabilityZone', instance.zone)}${element('tenancy', 'default')}</placement>`,
    `<monitoring>${element('state', 'disabled')}</monitoring>`,
    element('subnetId', instance.subnetId),
    element('vpcId', instance.vpcId),
    element('privateIpAddress', instance.privateIp),
    element('ipAddress', instance.publicIp),
    groupSet(instance.securityGroups),
    element('architecture', 'x86_64'),
    element('rootDeviceType', 'ebs'),
    element('rootDeviceName', '/dev/xvda'),
    element('virtualizationType', 'hvm'),
    items(
      'tagSet',
      Object.entries(instance.tags).map(([key, value]) => `${element('key', key)}${element('value', value)}`),
    ),
    element('platformDetails', 'Linux/UNIX'),
  ].join('');
}

/** Consecutive instances of one launch share a `reservationSet` item, as EC2 writes them. */
export function reservations(instances: readonly Ec2Instance[]): string {
  const groups: Ec2Instance[][] = [];
  for (const instance of instances) {
    const last = groups.at(-1);
    if (last?.[0]?.reservationId === instance.reservationId) last.push(instance);
    else groups.push([instance]);
  }
  return items('reservationSet', groups.map(reservation));
}

/** A reservation's body: RunInstances answers with one, DescribeInstances lists them. */
export function reservation(instances: readonly Ec2Instance[]): string {
  const first = instances[0];
  return `${element('reservationId', first?.reservationId)}${element('ownerId', OWNER_ID)}${groupSet(first?.securityGroups ?? [])}${items(
    'instancesSet',
    instances.map((instance) => instanceXml(instance, instance.launchIndex)),
  )}`;
}

/** The `instancesSet` of Start/Stop/TerminateInstances: each instance's previous and current state. */
export function stateChanges(changes: readonly { id: string; previous: string; current: string }[]): string {
  return items(
    'instancesSet',
    changes.map(
      ({ id, previous, current }) =>
        `${element('instanceId', id)}<currentState>${state(current)}</currentState><previousState>${state(previous)}</previousState>`,
    ),
  );
}

export function regionItems(regions: readonly string[]): string {
  return items(
    'regionInfo',
    regions.map(
      (name) =>
        `${element('regionName', name)}${element('regionEndpoint', `ec2.${name}.amazonaws.com`)}${element('optInStatus', 'opt-in-not-required')}`,
    ),
  );
}

export class Ec2Error extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, message: string, status = 400) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

export function regionOf(request: RecordedRequest): string {
  return (
    /Credential=[^/]+\/\d{8}\/([^/]+)\/\w+\//.exec(String(request.headers.authorization ?? ''))?.[1] ??
    'unknown'
  );
}

/** The access key id the request was signed with. */
export function accessKeyOf(request: RecordedRequest): string {
  return /Credential=([^/]+)\//.exec(String(request.headers.authorization ?? ''))?.[1] ?? '';
}

export function params(request: RecordedRequest): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(typeof request.body === 'string' ? request.body : ''));
}

/** `Prefix.1`, `Prefix.2`, … → their values in order. */
export function list(values: Record<string, string>, prefix: string): string[] {
  const out: string[] = [];
  for (let n = 1; values[`${prefix}.${n}`] !== undefined; n++) out.push(values[`${prefix}.${n}`] as string);
  return out;
}

/** EC2 filter values take `*` and `?` wildcards. */
export function matches(values: readonly string[], actual: string | undefined): boolean {
  if (actual === undefined) return false;
  return values.some((value) =>
    new RegExp(
      `^${value
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    ).test(actual),
  );
}

/** Faults in EC2's own error body; the route a fault's `matching` sees is "Action region". */
export function ec2Faults(): Faults {
  let action = '';
  return new Faults(
    (response, fault, headers) => {
      const code = fault.code ?? (fault.status === 503 ? 'Unavailable' : 'InternalError');
      response.writeHead(fault.status, { 'Content-Type': 'text/xml;charset=UTF-8', ...headers });
      response.end(errorAnswer(code, faultAnswer(code, action).message));
    },
    (request) => {
      action = params(request).Action ?? '';
      return `${action} ${regionOf(request)}`;
    },
  );
}

export function incorrectState(instance: Ec2Instance, verb: string): Ec2Error {
  return new Ec2Error(
    'IncorrectInstanceState',
    `The instance '${instance.id}' is not in a state from which it can be ${verb}.`,
  );
}

/** An opaque NextToken: the region and the last instance served. */
export function writeToken(region: string, after: string): string {
  return Buffer.from(JSON.stringify({ v: 1, region, after })).toString('base64url');
}

export function readToken(token: string, region: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (parsed.v === 1 && parsed.region === region && typeof parsed.after === 'string') return parsed.after;
  } catch {
    // falls through to the error EC2 gives
  }
  throw invalidToken();
}

export function invalidToken(): Ec2Error {
  return new Ec2Error('InvalidPaginationToken', 'The specified pagination token is not valid or is expired.');
}

/** STS's AssumeRole answer, with the temporary keys the double hands out. */
export function assumeRoleAnswer(key: string, roleArn: string, sessionName: string): string {
  return `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>${element('AccessKeyId', key)}${element('SecretAccessKey', 'assumed-secret')}${element('SessionToken', 'assumed-session-token')}${element('Expiration', new Date(Date.now() + 3_600_000).toISOString())}</Credentials><AssumedRoleUser>${element('Arn', `${roleArn}/${sessionName}`)}${element('AssumedRoleId', 'AROA:cloudmaster')}</AssumedRoleUser></AssumeRoleResult><ResponseMetadata>${element('RequestId', 'sts-1')}</ResponseMetadata></AssumeRoleResponse>`;
}

/** DescribeInstances' MaxResults: 5 to 1000, and not with instance ids (EC2's rules). */
export function pageSize(p: Record<string, string>, withIds: boolean): number {
  if (p.MaxResults === undefined) return Number.POSITIVE_INFINITY;
  if (withIds)
    throw new Ec2Error(
      'InvalidParameterCombination',
      'The parameter instancesSet cannot be used with the parameter maxResults',
    );
  const max = Number(p.MaxResults);
  if (max >= 5 && max <= 1000) return max;
  throw new Ec2Error(
    'InvalidParameterValue',
    `Value ( ${p.MaxResults} ) for parameter maxResults is invalid. Expecting a value ${max < 5 ? 'greater than 5' : 'less than 1000'}.`,
  );
}

const FILTERS: Record<string, (instance: Ec2Instance) => string | undefined> = {
  'instance-id': (i) => i.id,
  'instance-state-name': (i) => i.state,
  'instance-type': (i) => i.type,
  'availability-zone': (i) => i.zone,
  'image-id': (i) => i.imageId,
  'subnet-id': (i) => i.subnetId,
  'key-name': (i) => i.keyName,
};

/** `Filter.N.Name` / `Filter.N.Value.M` as tests an instance must all pass. */
export function filters(p: Record<string, string>): ((instance: Ec2Instance) => boolean)[] {
  const tests: ((instance: Ec2Instance) => boolean)[] = [];
  for (let n = 1; p[`Filter.${n}.Name`] !== undefined; n++) {
    const name = p[`Filter.${n}.Name`] as string;
    const values = list(p, `Filter.${n}.Value`);
    const field = name.startsWith('tag:') ? (i: Ec2Instance) => i.tags[name.slice(4)] : FILTERS[name];
    if (name === 'tag-key') tests.push((i) => Object.keys(i.tags).some((key) => matches(values, key)));
    else if (field) tests.push((i) => matches(values, field(i)));
    else throw new Ec2Error('InvalidParameterValue', `The filter '${name}' is invalid`);
  }
  return tests;
}

/** Most instances RunInstances launches at once. */
export const LAUNCH_LIMIT = 20;

/** RunInstances' parameters, checked as EC2 checks them. */
export function parseLaunch(p: Record<string, string>) {
  for (const name of ['ImageId', 'MinCount', 'MaxCount'])
    if (!p[name]) throw new Ec2Error('MissingParameter', `The request must contain the parameter ${name}`);
  const imageId = p.ImageId as string;
  if (!/^ami-[0-9a-f]{8,17}$/.test(imageId))
    throw new Ec2Error('InvalidAMIID.Malformed', `Invalid id: "${imageId}" (expecting "ami-...")`);
  const min = Number(p.MinCount);
  const max = Number(p.MaxCount);
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max < min)
    throw new Ec2Error(
      'InvalidParameterValue',
      `Invalid value for MinCount (${p.MinCount}) or MaxCount (${p.MaxCount})`,
    );
  if (min > LAUNCH_LIMIT)
    throw new Ec2Error(
      'InstanceLimitExceeded',
      `You have requested more instances (${min}) than your current instance limit of ${LAUNCH_LIMIT} allows for the specified instance type. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.`,
    );
  const subnetId = p.SubnetId;
  if (subnetId !== undefined && !/^subnet-[0-9a-f]+$/.test(subnetId))
    throw new Ec2Error('InvalidSubnetID.NotFound', `The subnet ID '${subnetId}' does not exist`);
  const groups = list(p, 'SecurityGroupId');
  const badGroup = groups.find((group) => !/^sg-[0-9a-f]+$/.test(group));
  if (badGroup)
    throw new Ec2Error(
      'InvalidGroup.NotFound',
      `The security group '${badGroup}' does not exist in VPC '${VPC_ID}'`,
    );
  const tags: Record<string, string> = {};
  for (let n = 1; p[`TagSpecification.${n}.ResourceType`] !== undefined; n++) {
    if (p[`TagSpecification.${n}.ResourceType`] !== 'instance') continue;
    for (let m = 1; p[`TagSpecification.${n}.Tag.${m}.Key`] !== undefined; m++)
      tags[p[`TagSpecification.${n}.Tag.${m}.Key`] as string] =
        p[`TagSpecification.${n}.Tag.${m}.Value`] ?? '';
  }
  return {
    imageId,
    type: p.InstanceType ?? 'm1.small',
    keyName: p.KeyName,
    subnetId,
    securityGroups: groups.length > 0 ? groups : [DEFAULT_GROUP],
    tags,
    count: Math.min(max, LAUNCH_LIMIT),
  };
}
