/** EC2 instances as machines. */
import type { Instance } from '@aws-sdk/client-ec2';
import type { Machine, MachineStatus } from '../types.ts';

const STATES: Record<string, MachineStatus> = {
  pending: 'provisioning',
  running: 'running',
  'shutting-down': 'deleting',
  terminated: 'deleting',
  stopping: 'stopping',
  stopped: 'stopped',
};

export function nameTag(instance: Instance): string | undefined {
  return instance.Tags?.find((tag) => tag.Key === 'Name')?.Value;
}

/** The region is kept in the details: mutations need it, and the AZ alone does not always say it. */
export function regionOf(machine: Machine): string | undefined {
  return machine.details?.Region;
}

export function toMachine(instance: Instance, region: string, provider: string): Machine {
  const state = instance.State?.Name ?? 'unknown';
  const details: Record<string, string> = { Region: region };
  if (instance.ImageId) details.Image = instance.ImageId;
  if (instance.KeyName) details['Key pair'] = instance.KeyName;
  if (instance.PlatformDetails) details.Platform = instance.PlatformDetails;
  if (instance.StateReason?.Message) details['State reason'] = instance.StateReason.Message;
  const az = instance.Placement?.AvailabilityZone;
  return {
    kind: 'machine',
    provider,
    id: instance.InstanceId ?? '?',
    name: nameTag(instance) ?? instance.InstanceId ?? '?',
    status: STATES[state] ?? 'unknown',
    providerStatus: state,
    ...(instance.PublicIpAddress ? { publicIpv4: instance.PublicIpAddress } : {}),
    ...(instance.PrivateIpAddress ? { privateIpv4: instance.PrivateIpAddress } : {}),
    region: az ?? region,
    ...(instance.InstanceType ? { size: instance.InstanceType } : {}),
    ...(instance.LaunchTime ? { createdAt: instance.LaunchTime.toISOString() } : {}),
    details,
  };
}
