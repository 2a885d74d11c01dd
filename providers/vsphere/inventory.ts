/**
 * The inventory a reply needs, read in one paged property-collector pass
 * over a container view: every VM with the properties a machine shows,
 * plus the datacenters, folders, clusters and hosts that say where each
 * runs (and, for `create`, the resource pools and datastores a clone can
 * go to). A list costs one call per page, whatever the number of VMs.
 */
import { CloudmasterError, ErrorCode } from '../../src/errors.ts';
import { CREATE_DATE_PROPERTY, type Placement, VM_PROPERTIES } from './machines.ts';
import {
  type ObjectContent,
  type PageOptions,
  type PropertySpec,
  retrieve,
  withContainerView,
} from './vim25/property-collector.ts';
import type { Vim25Api } from './vim25/session.ts';
import { type ManagedObjectReference, readMoref, readString } from './vim25/values.ts';

const TOPOLOGY: readonly PropertySpec[] = [
  { type: 'Datacenter', paths: ['name', 'vmFolder'] },
  { type: 'Folder', paths: ['name', 'parent'] },
  // Clusters are ComputeResources too: one spec covers both.
  { type: 'ComputeResource', paths: ['name', 'parent', 'resourcePool'] },
  { type: 'HostSystem', paths: ['name', 'parent'] },
];

const CLONE_TARGETS: readonly PropertySpec[] = [
  { type: 'ResourcePool', paths: ['name', 'parent', 'owner'] },
  { type: 'Datastore', paths: ['name'] },
];

export interface Inventory {
  readonly vms: readonly ObjectContent[];
  /** Every other object read, by managed object id (ids are unique within a vCenter). */
  readonly objects: ReadonlyMap<string, ObjectContent>;
  /** False when the page cap stopped the read. */
  readonly complete: boolean;
  readonly pages: number;
  /** The datacenter read, when the read kept to one (a view leaves its own root out). */
  readonly datacenter?: string;
}

export interface InventoryRequest {
  /** A datacenter, or the root folder for all of them. */
  readonly root: ManagedObjectReference;
  /** The root's name when it is a datacenter. */
  readonly datacenter?: string;
  readonly paging: PageOptions;
  /** Also read resource pools and datastores (for `create`). */
  readonly cloneTargets?: boolean;
}

/** 6.7 added `config.createDate`; asking an older server for it faults the whole read. */
export function hasCreateDate(apiVersion: string): boolean {
  const [major = 0, minor = 0] = apiVersion.split('.').map(Number);
  return major > 6 || (major === 6 && minor >= 7);
}

export async function readInventory(api: Vim25Api, request: InventoryRequest): Promise<Inventory> {
  const vmPaths = hasCreateDate(api.content.apiVersion)
    ? [...VM_PROPERTIES, CREATE_DATE_PROPERTY]
    : VM_PROPERTIES;
  const specs = [
    { type: 'VirtualMachine', paths: vmPaths },
    ...TOPOLOGY,
    ...(request.cloneTargets ? CLONE_TARGETS : []),
  ];
  const result = await withContainerView(
    api,
    request.root,
    specs.map((spec) => spec.type),
    (view) => retrieve(api, { view }, specs, request.paging),
  );
  const vms: ObjectContent[] = [];
  const objects = new Map<string, ObjectContent>();
  for (const object of result.objects) {
    if (object.obj.type === 'VirtualMachine') vms.push(object);
    else objects.set(object.obj.value, object);
  }
  return {
    vms,
    objects,
    complete: result.complete,
    pages: result.pages,
    ...(request.datacenter ? { datacenter: request.datacenter } : {}),
  };
}

export function nameOf(object: ObjectContent | undefined): string | undefined {
  return readString(object?.props.get('name'));
}

export function parentOf(object: ObjectContent | undefined): ManagedObjectReference | undefined {
  return readMoref(object?.props.get('parent'));
}

/** The nearest ancestor of this type (a VM's datacenter, a host's cluster). */
export function ancestor(
  inventory: Inventory,
  start: ManagedObjectReference | undefined,
  type: string,
): ObjectContent | undefined {
  const seen = new Set<string>();
  for (let ref = start; ref && !seen.has(ref.value); ref = parentOf(inventory.objects.get(ref.value))) {
    seen.add(ref.value);
    const object = inventory.objects.get(ref.value);
    if (ref.type === type) return object;
  }
  return undefined;
}

export function hostOf(vm: ObjectContent): ManagedObjectReference | undefined {
  return readMoref(vm.props.get('runtime.host'));
}

/** Datacenter, cluster (if the host is in one) and host of a VM. */
export function placementOf(inventory: Inventory, vm: ObjectContent): Placement {
  const host = hostOf(vm);
  const hostObject = host ? inventory.objects.get(host.value) : undefined;
  const cluster = ancestor(inventory, parentOf(hostObject), 'ClusterComputeResource');
  const datacenter = ancestor(inventory, host ?? parentOf(vm), 'Datacenter');
  const names = {
    datacenter: nameOf(datacenter) ?? inventory.datacenter,
    cluster: nameOf(cluster),
    host: nameOf(hostObject),
  };
  return Object.fromEntries(Object.entries(names).filter(([, value]) => value !== undefined));
}

/** The datacenter with this name, for accounts that keep to one. */
export async function findDatacenter(
  api: Vim25Api,
  name: string,
  provider: string,
): Promise<ManagedObjectReference> {
  const { objects } = await withContainerView(api, api.content.rootFolder, ['Datacenter'], (view) =>
    retrieve(api, { view }, [{ type: 'Datacenter', paths: ['name'] }], { pageSize: 1000, maxPages: 10 }),
  );
  const found =
    objects.find((object) => nameOf(object) === name) ??
    objects.find((object) => nameOf(object)?.toLowerCase() === name.toLowerCase());
  if (found) return found.obj;
  const known = objects.map((object) => nameOf(object) ?? object.obj.value);
  throw new CloudmasterError(ErrorCode.ConfigInvalid, `vSphere has no datacenter named "${name}".`, {
    provider,
    hint: `Set \`datacenter:\` of provider ${provider} to one of: ${known.join(', ') || '(none visible to this user)'}.`,
  });
}
