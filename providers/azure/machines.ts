/** Azure VMs as machines, with IPs joined from the network interfaces and public IPs listed once. */
import type { VirtualMachine } from '@azure/arm-compute';
import type { Machine, MachineStatus } from '../types.ts';

const POWER: Record<string, MachineStatus> = {
  running: 'running',
  starting: 'starting',
  stopping: 'stopping',
  stopped: 'stopped',
  deallocating: 'stopping',
  deallocated: 'stopped',
};
const PROVISIONING: Record<string, MachineStatus> = {
  creating: 'provisioning',
  deleting: 'deleting',
  failed: 'error',
};

/** "/subscriptions/…/resourceGroups/RG/providers/…/virtualMachines/NAME" → ["RG", "NAME"]. */
export function resourceGroupAndName(id: string | undefined): [string, string] | undefined {
  const match = /\/resourceGroups\/([^/]+)\/providers\/[^/]+\/[^/]+\/([^/]+)$/i.exec(id ?? '');
  return match ? [match[1] as string, match[2] as string] : undefined;
}

export interface AddressBook {
  /** NIC id (lower case) → its private IP and the id of its public IP. */
  readonly nics: ReadonlyMap<string, { readonly privateIp?: string; readonly publicIpId?: string }>;
  /** Public IP id (lower case) → address. */
  readonly publicIps: ReadonlyMap<string, string>;
}

function statusOf(vm: VirtualMachine): { status: MachineStatus; word: string } {
  const codes = (vm.instanceView?.statuses ?? []).map((s) => s.code ?? '');
  const power = codes.find((code) => code.startsWith('PowerState/'))?.slice('PowerState/'.length);
  const provisioning = (
    codes.find((code) => code.startsWith('ProvisioningState/'))?.slice('ProvisioningState/'.length) ??
    vm.provisioningState ??
    ''
  ).toLowerCase();
  const fromProvisioning = PROVISIONING[provisioning.split('/')[0] ?? ''];
  if (fromProvisioning) return { status: fromProvisioning, word: provisioning };
  if (power) return { status: POWER[power] ?? 'unknown', word: power };
  return { status: 'unknown', word: provisioning || 'unknown' };
}

export function toMachine(vm: VirtualMachine, provider: string, book: AddressBook): Machine {
  const [resourceGroup = '?', name = vm.name ?? '?'] = resourceGroupAndName(vm.id) ?? [];
  const nicId = vm.networkProfile?.networkInterfaces?.[0]?.id?.toLowerCase();
  const nic = nicId ? book.nics.get(nicId) : undefined;
  const publicIp = nic?.publicIpId ? book.publicIps.get(nic.publicIpId.toLowerCase()) : undefined;
  const { status, word } = statusOf(vm);
  const image = vm.storageProfile?.imageReference;
  const details: Record<string, string> = { 'Resource group': resourceGroup };
  if (vm.vmId) details['VM id'] = vm.vmId;
  if (image?.offer) details.Image = [image.publisher, image.offer, image.sku].filter(Boolean).join(':');
  if (vm.storageProfile?.osDisk?.osType) details.OS = vm.storageProfile.osDisk.osType;
  if (vm.zones && vm.zones.length > 0) details.Zone = vm.zones.join(', ');
  if (vm.tags?.['created-by'] === 'cloudmaster') details['Created by'] = 'cloudmaster';
  return {
    kind: 'machine',
    provider,
    id: `${resourceGroup}/${name}`,
    name,
    status,
    providerStatus: word,
    ...(publicIp ? { publicIpv4: publicIp } : {}),
    ...(nic?.privateIp ? { privateIpv4: nic.privateIp } : {}),
    ...(vm.location ? { region: vm.location } : {}),
    ...(vm.hardwareProfile?.vmSize ? { size: vm.hardwareProfile.vmSize } : {}),
    ...(vm.timeCreated ? { createdAt: new Date(vm.timeCreated).toISOString() } : {}),
    details,
  };
}
