/**
 * What every vSphere verb shares for one configured account: the TLS
 * settings, the session, the inventory root (a datacenter or everything),
 * and the one way failures are worded.
 */
import { readFileSync } from 'node:fs';
import { CloudmasterError, ErrorCode } from '../../src/errors.ts';
import type { CallContext, Clock, Machine, ProviderSetup } from '../types.ts';
import type { VsphereConfig } from './config.ts';
import { type FaultContext, vsphereError } from './errors.ts';
import { findDatacenter, type Inventory, placementOf, readInventory } from './inventory.ts';
import { toMachine } from './machines.ts';
import { type Vim25Api, Vim25Session } from './vim25/session.ts';
import { SoapTransport } from './vim25/transport.ts';
import type { ManagedObjectReference } from './vim25/values.ts';

export interface VsphereAccount {
  readonly id: string;
  readonly config: VsphereConfig;
  readonly clock: Clock;
  /** Runs vSphere work in the session; any failure is worded as doing `action` to `target`. */
  run<T>(
    ctx: CallContext,
    what: Omit<FaultContext, 'provider' | 'passwordVariable'>,
    work: (api: Vim25Api) => Promise<T>,
  ): Promise<T>;
  /** The inventory of the account's datacenter, or of every datacenter. */
  inventory(api: Vim25Api, options?: { readonly cloneTargets?: boolean }): Promise<Inventory>;
  /** The machines an inventory holds, by name. */
  machines(inventory: Inventory): Machine[];
  close(): Promise<void>;
}

function trustedCa(config: VsphereConfig, provider: string): string | undefined {
  if (!config.caFile) return undefined;
  try {
    return readFileSync(config.caFile, 'utf8');
  } catch (error) {
    throw new CloudmasterError(
      ErrorCode.ConfigInvalid,
      `The caFile of provider \`${provider}\` cannot be read: ${(error as Error).message}`,
      { provider },
    );
  }
}

export function openAccount(setup: ProviderSetup<VsphereConfig>): VsphereAccount {
  const { id, config, log } = setup;
  const url = new URL(config.url);
  const provider = { id, label: setup.label };
  if (config.insecure && url.protocol === 'https:') {
    log.warn(
      { url: url.origin },
      `TLS CERTIFICATE VERIFICATION IS OFF for provider ${id} (insecure: true): anyone on the network path can pose as ${url.host} and read its password. Give the CA as caFile instead.`,
    );
  }
  if (url.protocol === 'http:') {
    log.warn(
      { url: url.origin },
      `provider ${id} talks plain http: its password crosses the network unencrypted`,
    );
  }
  const ca = trustedCa(config, id);
  const transport = new SoapTransport({
    url,
    insecure: config.insecure,
    ...(ca ? { ca } : {}),
    timeoutMs: setup.timeoutMs,
    provider,
    log,
  });
  const session = new Vim25Session({
    transport,
    username: config.username,
    password: config.password,
    provider,
    log,
  });
  const passwordVariable = setup.secretSources.password;
  type Root = { readonly ref: ManagedObjectReference; readonly datacenter?: string };
  let root: Promise<Root> | undefined;

  /** The datacenter the account keeps to, found once: managed object ids do not change. */
  const rootOf = (api: Vim25Api): Promise<Root> => {
    if (!config.datacenter) return Promise.resolve({ ref: api.content.rootFolder });
    const name = config.datacenter;
    root ??= findDatacenter(api, name, id).then(
      (ref) => ({ ref, datacenter: name }),
      (error: unknown) => {
        root = undefined;
        throw error;
      },
    );
    return root;
  };

  return {
    id,
    config,
    clock: setup.clock,
    async run(ctx, what, work) {
      try {
        return await session.run(ctx.signal, work);
      } catch (error) {
        throw vsphereError(error, {
          provider: id,
          ...what,
          ...(passwordVariable ? { passwordVariable } : {}),
        });
      }
    },
    async inventory(api, options = {}) {
      const { ref, datacenter } = await rootOf(api);
      return readInventory(api, {
        root: ref,
        ...(datacenter ? { datacenter } : {}),
        paging: { pageSize: config.pageSize, maxPages: config.maxPages },
        ...(options.cloneTargets ? { cloneTargets: true } : {}),
      });
    },
    machines(inventory) {
      return inventory.vms
        .map((vm) => toMachine(vm, placementOf(inventory, vm), id))
        .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    },
    async close() {
      await session.logout();
      transport.close();
    },
  };
}
