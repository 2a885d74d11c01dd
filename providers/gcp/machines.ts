/** Compute Engine instances as machines. */
import type { protos } from '@google-cloud/compute';
import type { Machine, MachineStatus } from '../types.ts';

type Instance = protos.google.cloud.compute.v1.IInstance;

const STATES: Record<string, MachineStatus> = {
  PROVISIONING: 'provisioning',
  STAGING: 'starting',
  RUNNING: 'running',
  STOPPING: 'stopping',
  SUSPENDING: 'stopping',
  SUSPENDED: 'stopped',
  // Compute Engine says TERMINATED for a stopped instance.
  TERMINATED: 'stopped',
  REPAIRING: 'error',
};

/** "…/zones/europe-west1-b" or "zones/europe-west1-b" → "europe-west1-b". */
export function lastSegment(link: string | null | undefined): string | undefined {
  return link ? link.split('/').pop() : undefined;
}

export function zoneOf(machine: Machine): string | undefined {
  return machine.details?.Zone;
}

export function toMachine(instance: Instance, zone: string, provider: string): Machine {
  const nic = instance.networkInterfaces?.[0];
  const publicIp = nic?.accessConfigs?.find((config) => config.natIP)?.natIP ?? undefined;
  const status = instance.status ?? 'UNKNOWN';
  const details: Record<string, string> = { Zone: zone };
  const labels = Object.entries(instance.labels ?? {});
  if (labels.length > 0) details.Labels = labels.map(([key, value]) => `${key}:${value}`).join(', ');
  if (instance.statusMessage) details['Status message'] = instance.statusMessage;
  return {
    kind: 'machine',
    provider,
    id: String(instance.id ?? instance.name ?? '?'),
    name: instance.name ?? '?',
    status: STATES[status] ?? 'unknown',
    providerStatus: status,
    ...(publicIp ? { publicIpv4: publicIp } : {}),
    ...(nic?.networkIP ? { privateIpv4: nic.networkIP } : {}),
    region: zone,
    ...(instance.machineType ? { size: lastSegment(instance.machineType) ?? instance.machineType } : {}),
    ...(instance.creationTimestamp ? { createdAt: instance.creationTimestamp } : {}),
    details,
  };
}
