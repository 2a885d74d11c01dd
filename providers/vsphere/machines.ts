/** vSphere virtual machines as machines. */
import type { Machine, MachineStatus } from '../types.ts';
import type { ObjectContent } from './vim25/property-collector.ts';
import { readArray, readBoolean, readNumber, readString } from './vim25/values.ts';
import { childrenNamed } from './vim25/xml.ts';

/** The VM properties one property-collector page carries for every VM. */
export const VM_PROPERTIES = [
  'name',
  'runtime.powerState',
  'runtime.connectionState',
  'runtime.host',
  'guest.ipAddress',
  'guest.net',
  'guest.toolsRunningStatus',
  'guest.guestFullName',
  'config.guestFullName',
  'config.hardware.numCPU',
  'config.hardware.memoryMB',
  'config.template',
  'resourcePool',
  'parent',
] as const;

/** Added where the server has it (API 6.7 and later): older ones fault on an unknown property. */
export const CREATE_DATE_PROPERTY = 'config.createDate';

/** Where a VM runs, as the inventory says. */
export interface Placement {
  readonly datacenter?: string;
  readonly cluster?: string;
  readonly host?: string;
}

const POWER_STATES: Record<string, MachineStatus> = {
  poweredOn: 'running',
  poweredOff: 'stopped',
  // A suspended VM holds its memory on disk and runs nothing: stopped, with vSphere's word kept.
  suspended: 'stopped',
};

const TOOLS: Record<string, string> = {
  guestToolsRunning: 'running',
  guestToolsNotRunning: 'not running',
  guestToolsExecutingScripts: 'starting (running scripts)',
};

/** The facts the verbs decide on, kept in details under these names. */
export const TOOLS_DETAIL = 'Tools';

export function toolsRunning(machine: Machine): boolean {
  return machine.details?.[TOOLS_DETAIL] === TOOLS.guestToolsRunning;
}

/** RFC 1918, carrier-grade NAT (RFC 6598) and link-local addresses are not reachable from outside. */
export function isPrivateIpv4(address: string): boolean {
  const [a = -1, b = -1] = address.split('.').map(Number);
  return (
    a === 10 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254)
  );
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Every IPv4 address the guest reports, the primary one first; loopback and link-local left out. */
function guestAddresses(vm: ObjectContent): string[] {
  const addresses = [readString(vm.props.get('guest.ipAddress'))];
  for (const nic of readArray(vm.props.get('guest.net')))
    for (const address of childrenNamed(nic, 'ipAddress')) addresses.push(address.text);
  return [
    ...new Set(
      addresses.filter(
        (address): address is string =>
          address !== undefined &&
          IPV4.test(address) &&
          !address.startsWith('127.') &&
          !address.startsWith('169.254.'),
      ),
    ),
  ];
}

/** "2 vCPU / 4 GiB", "1 vCPU / 512 MiB". */
export function sizeOf(cpus: number | undefined, memoryMb: number | undefined): string | undefined {
  if (cpus === undefined && memoryMb === undefined) return undefined;
  const cpu = cpus === undefined ? undefined : `${cpus} vCPU`;
  const memory =
    memoryMb === undefined
      ? undefined
      : memoryMb < 1024
        ? `${memoryMb} MiB`
        : `${Number((memoryMb / 1024).toFixed(1))} GiB`;
  return [cpu, memory].filter(Boolean).join(' / ');
}

/** "DC0/DC0_C0" for a VM in a cluster, "DC0/DC0_H0" on a standalone host. */
export function regionOf(placement: Placement): string | undefined {
  const where = placement.cluster ?? placement.host;
  if (!where) return placement.datacenter;
  return placement.datacenter ? `${placement.datacenter}/${where}` : where;
}

export function toMachine(vm: ObjectContent, placement: Placement, provider: string): Machine {
  const power = readString(vm.props.get('runtime.powerState')) ?? 'unknown';
  const connection = readString(vm.props.get('runtime.connectionState'));
  const template = readBoolean(vm.props.get('config.template')) === true;
  const cpus = readNumber(vm.props.get('config.hardware.numCPU'));
  const memoryMb = readNumber(vm.props.get('config.hardware.memoryMB'));
  const tools = readString(vm.props.get('guest.toolsRunningStatus'));
  const guestOs =
    readString(vm.props.get('guest.guestFullName')) ?? readString(vm.props.get('config.guestFullName'));
  const created = readString(vm.props.get(CREATE_DATE_PROPERTY));
  const addresses = guestAddresses(vm);
  const publicIp = addresses.find((address) => !isPrivateIpv4(address));
  const privateIp = addresses.find((address) => isPrivateIpv4(address));
  // A VM whose host is unreachable, or whose files are gone, has no trustworthy power state.
  const reachable = connection === undefined || connection === 'connected';

  const details: Record<string, string> = {};
  if (guestOs) details['Guest OS'] = guestOs;
  if (placement.datacenter) details.Datacenter = placement.datacenter;
  if (placement.cluster) details.Cluster = placement.cluster;
  if (placement.host) details.Host = placement.host;
  if (cpus !== undefined) details.CPUs = String(cpus);
  if (memoryMb !== undefined) details.Memory = sizeOf(undefined, memoryMb) ?? '';
  if (tools) details[TOOLS_DETAIL] = TOOLS[tools] ?? tools;
  if (addresses.length > 1) details['IP addresses'] = addresses.join(', ');
  if (template) details.Template = 'yes (clone it with create … template=NAME)';
  if (!reachable && connection) details.Connection = connection;

  const providerStatus = template ? 'template' : reachable ? power : `${power}, ${connection}`;
  const size = sizeOf(cpus, memoryMb);
  const region = regionOf(placement);
  return {
    kind: 'machine',
    provider,
    id: vm.obj.value,
    name: readString(vm.props.get('name')) ?? vm.obj.value,
    status: reachable ? (POWER_STATES[power] ?? 'unknown') : 'unknown',
    providerStatus,
    ...(publicIp ? { publicIpv4: publicIp } : {}),
    ...(privateIp ? { privateIpv4: privateIp } : {}),
    ...(region ? { region } : {}),
    ...(size ? { size } : {}),
    ...(created ? { createdAt: new Date(created).toISOString() } : {}),
    details,
  };
}
