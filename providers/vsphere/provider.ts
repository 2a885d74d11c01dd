/**
 * VMware vSphere (a vCenter or a standalone ESXi) over the vim25 SOAP API:
 * reads are one paged property-collector pass over a container view;
 * mutations are the VM's power, clone and destroy methods, followed
 * through their tasks (or, for the guest OS paths, the VM's state).
 */
import { exactMatches } from '../exact-match.ts';
import type { ProviderFor, ProviderSetup } from '../types.ts';
import { openAccount } from './account.ts';
import { create } from './clone.ts';
import type { VsphereConfig } from './config.ts';
import type { vsphereCapabilities } from './index.ts';
import { destroy, reboot, start, stop } from './power.ts';
import { cancelTask, poll } from './progress.ts';

/** `-r` matches the datacenter, the cluster or the host: any part of "DC0/DC0_C0". */
function inRegion(region: string | undefined, wanted: string): boolean {
  const lower = wanted.toLowerCase();
  const parts = (region ?? '').toLowerCase().split('/');
  return parts.includes(lower) || (region ?? '').toLowerCase() === lower;
}

export function createVsphere(setup: ProviderSetup<VsphereConfig>): ProviderFor<typeof vsphereCapabilities> {
  const account = openAccount(setup);
  const { id } = account;

  const listed = (ctx: Parameters<typeof account.run>[0]) =>
    account.run(ctx, { action: 'list VMs' }, async (api) => {
      const inventory = await account.inventory(api);
      const warnings = inventory.complete
        ? []
        : [
            `Only the first ${inventory.pages} pages of VMs were read (maxPages); narrow the list with a filter or raise maxPages.`,
          ];
      return { machines: account.machines(inventory), warnings };
    });

  return {
    id,
    type: 'vsphere',
    async ping(ctx) {
      await account.run(ctx, { action: 'log in' }, async () => undefined);
    },
    async list(query, ctx) {
      const { machines, warnings } = await listed(ctx);
      const filter = query.filter?.toLowerCase();
      return {
        machines: machines.filter(
          (machine) =>
            (query.region === undefined || inRegion(machine.region, query.region)) &&
            (filter === undefined || machine.name.toLowerCase().includes(filter)),
        ),
        stacks: [],
        warnings,
      };
    },
    async status(nameOrId, ctx) {
      // The property collector cannot filter by name: every VM is read and compared here.
      const { machines } = await listed(ctx);
      return exactMatches(machines, nameOrId, { ignoreCase: true });
    },
    reboot: (machine, ctx) => reboot(account, machine, ctx),
    start: (machine, ctx) => start(account, machine, ctx),
    stop: (machine, options, ctx) => stop(account, machine, options, ctx),
    create: (request, ctx) => create(account, request, ctx),
    destroy: (machine, ctx) => destroy(account, machine, ctx),
    poll: (ref, ctx) => poll(account, ref, ctx),
    cancelOperation: (ref, ctx) => cancelTask(account, ref, ctx),
    close: () => account.close(),
  };
}
