/**
 * `create` as vSphere does it: a clone of a template (of any VM only where
 * the account allows it) with `CloneVM_Task`. Where the clone goes — host or resource pool, folder,
 * datastore — comes from the command's parameters, else the account's
 * config, else the template's own place. Names are checked against the
 * inventory first, so a typo is answered with near names and nothing is
 * sent.
 */
import { CloudmasterError, ErrorCode } from '../../src/errors.ts';
import { suggest } from '../../src/grammar/suggest.ts';
import { required } from '../params.ts';
import type { CallContext, CreateRequest, OperationRef } from '../types.ts';
import type { VsphereAccount } from './account.ts';
import { hostOf, type Inventory, nameOf, parentOf } from './inventory.ts';
import { reference } from './reference.ts';
import type { ObjectContent } from './vim25/property-collector.ts';
import { startTask } from './vim25/tasks.ts';
import { type ManagedObjectReference, readBoolean, readMoref } from './vim25/values.ts';

interface Choice {
  /** The parameter that names it: `host`, `pool`, `folder`, `datastore`. */
  readonly param: string;
  /** What it is called in replies. */
  readonly what: string;
  readonly types: readonly string[];
  /** Another name it answers to ("DC0_C0/Resources" for a pool). */
  readonly alias?: (object: ObjectContent) => string | undefined;
}

const HOST: Choice = { param: 'host', what: 'host', types: ['HostSystem'] };
const FOLDER: Choice = { param: 'folder', what: 'folder', types: ['Folder'] };
const DATASTORE: Choice = { param: 'datastore', what: 'datastore', types: ['Datastore'] };

function objectsOf(inventory: Inventory, types: readonly string[]): ObjectContent[] {
  return [...inventory.objects.values()].filter((object) => types.includes(object.obj.type));
}

/** The one object of a kind with this name; else near names, or the ways to tell several apart. */
function pick(inventory: Inventory, choice: Choice, value: string, provider: string): ObjectContent {
  const candidates = objectsOf(inventory, choice.types);
  const label = (object: ObjectContent) => choice.alias?.(object) ?? nameOf(object) ?? object.obj.value;
  const matches = candidates.filter((object) => nameOf(object) === value || choice.alias?.(object) === value);
  const [only] = matches;
  if (only && matches.length === 1) return only;
  if (matches.length > 1) {
    throw new CloudmasterError(
      ErrorCode.BadParameter,
      `"${value}" names ${matches.length} ${choice.what}s on ${provider}.`,
      {
        provider,
        hint: `Say which with ${choice.param}=…:`,
        candidates: matches.map(label),
      },
    );
  }
  const near = suggest(value, candidates.map(label));
  throw new CloudmasterError(ErrorCode.BadParameter, `No ${choice.what} named "${value}" on ${provider}.`, {
    provider,
    hint:
      near.length > 0
        ? `Did you mean ${near.map((word) => `${choice.param}=${word}`).join(' or ')}?`
        : undefined,
    candidates: candidates.map(label).slice(0, 10),
  });
}

/** The root resource pool of a host's or cluster's compute resource. */
function rootPoolOf(inventory: Inventory, computeResource: ManagedObjectReference | undefined) {
  return readMoref(
    computeResource ? inventory.objects.get(computeResource.value)?.props.get('resourcePool') : undefined,
  );
}

function poolChoice(inventory: Inventory): Choice {
  return {
    param: 'pool',
    what: 'resource pool',
    types: ['ResourcePool'],
    // Every cluster and host has a root pool called "Resources": its owner tells them apart.
    alias: (pool) => {
      const owner = nameOf(inventory.objects.get(readMoref(pool.props.get('owner'))?.value ?? ''));
      return owner ? `${owner}/${nameOf(pool)}` : undefined;
    },
  };
}

function isTemplate(vm: ObjectContent): boolean {
  return readBoolean(vm.props.get('config.template')) === true;
}

/**
 * The template to clone. A VM that is not marked as one is refused unless
 * the account says `allowCloneFromVm: true`: its clone copies a running
 * machine's disks.
 */
function findTemplate(inventory: Inventory, name: string, account: VsphereAccount): ObjectContent {
  const { id: provider, config } = account;
  const named = (vms: readonly ObjectContent[]) =>
    vms.find((vm) => nameOf(vm) === name) ??
    vms.find((vm) => nameOf(vm)?.toLowerCase() === name.toLowerCase());
  const cloneable = config.allowCloneFromVm ? inventory.vms : inventory.vms.filter(isTemplate);
  const found = named(cloneable);
  if (found) return found;
  const templates = inventory.vms.filter(isTemplate).map((vm) => nameOf(vm) ?? vm.obj.value);
  const listed =
    templates.length > 0
      ? `Templates on ${provider}: ${templates.slice(0, 10).join(', ')}.`
      : `${provider} has no templates.`;
  const vm = named(inventory.vms);
  if (vm) {
    throw new CloudmasterError(
      ErrorCode.BadParameter,
      `${nameOf(vm)} on ${provider} is a VM, not a template: ${provider} clones templates only.`,
      {
        provider,
        hint: `${listed} Mark the VM as a template in vSphere, or set \`allowCloneFromVm: true\` for provider ${provider} in cloudmaster.yml.`,
      },
    );
  }
  const near = suggest(
    name,
    cloneable.map((candidate) => nameOf(candidate) ?? candidate.obj.value),
  );
  throw new CloudmasterError(
    ErrorCode.NotFound,
    `No ${config.allowCloneFromVm ? 'template or VM' : 'template'} named "${name}" on ${provider} to clone.`,
    {
      provider,
      hint:
        near.length > 0
          ? `Did you mean ${near.map((word) => `template=${word}`).join(' or ')}?`
          : config.allowCloneFromVm
            ? `\`list on ${provider}\` shows its VMs; any of them can be cloned.`
            : listed,
    },
  );
}

export async function create(
  account: VsphereAccount,
  request: CreateRequest,
  ctx: CallContext,
): Promise<OperationRef> {
  const { id, config } = account;
  const params = request.params;
  const templateName = required(params, 'template', config.template, {
    provider: id,
    configKey: 'template',
    example: 'ubuntu-24-template',
  });
  return account.run(ctx, { action: `clone ${templateName}`, target: request.name }, async (api) => {
    const inventory = await account.inventory(api, { cloneTargets: true });
    const taken = inventory.vms.find((vm) => nameOf(vm)?.toLowerCase() === request.name.toLowerCase());
    if (taken) {
      throw new CloudmasterError(
        ErrorCode.BadParameter,
        `A VM named ${nameOf(taken)} already exists on ${id} (${taken.obj.value}).`,
        { provider: id, hint: 'Pick another name, or destroy the old VM first.' },
      );
    }
    const template = findTemplate(inventory, templateName, account);
    const hostName = params.host ?? config.host;
    const poolName = params.pool ?? config.resourcePool;
    const folderName = params.folder ?? config.folder;
    const datastoreName = params.datastore ?? config.datastore;
    const host = hostName ? pick(inventory, HOST, hostName, id).obj : undefined;
    const pool = poolName
      ? pick(inventory, poolChoice(inventory), poolName, id).obj
      : host
        ? rootPoolOf(inventory, parentOf(inventory.objects.get(host.value)))
        : (readMoref(template.props.get('resourcePool')) ??
          // A template belongs to no pool: its host's cluster (or host) provides one.
          rootPoolOf(inventory, parentOf(inventory.objects.get(hostOf(template)?.value ?? ''))));
    const folder = folderName ? pick(inventory, FOLDER, folderName, id).obj : parentOf(template);
    const datastore = datastoreName ? pick(inventory, DATASTORE, datastoreName, id).obj : undefined;
    if (!pool || !folder) {
      throw new CloudmasterError(
        ErrorCode.BadParameter,
        `vSphere cannot tell where to put ${request.name}.`,
        {
          provider: id,
          hint: `Add ${pool ? 'folder=FOLDER' : 'pool=CLUSTER/Resources or host=HOST'}, or set it for provider ${id} in cloudmaster.yml.`,
        },
      );
    }
    const task = await startTask(api, 'CloneVM_Task', template.obj, {
      folder,
      name: request.name,
      // VirtualMachineCloneSpec and RelocateSpec fields, in schema order.
      spec: {
        location: { ...(datastore ? { datastore } : {}), pool, ...(host ? { host } : {}) },
        template: false,
        powerOn: config.powerOn,
      },
    });
    const where = [hostName ?? poolName, datastoreName].filter(Boolean).join(', ');
    return reference(
      account,
      'create',
      { id: request.name, name: request.name },
      `vSphere is cloning ${nameOf(template)}${where ? ` (${where})` : ''}`,
      { path: 'task', task },
    );
  });
}
