/**
 * What the vsphere tests share: a vcsim with the recording proxy in front,
 * and `vsphere` accounts connected to either (closed — logged out — after
 * each test).
 */

import type { Machine } from '../../providers/types.ts';
import { vsphereModule } from '../../providers/vsphere/index.ts';
import { callContext, connectModule } from './provider-kit.ts';
import { labConfig, Vcsim, type VcsimOptions } from './vcsim.ts';
import { Vim25Proxy } from './vim25-proxy.ts';

export type Lab = Awaited<ReturnType<typeof vsphereModule.connect>>;

export interface ConnectOptions {
  /** Through the recording proxy (HTTPS with the test CA, verified) rather than straight to vcsim. */
  readonly viaProxy?: boolean;
  readonly timeoutMs?: number;
}

export class VsphereLab {
  readonly vcsim: Vcsim;
  readonly proxy: Vim25Proxy;
  private readonly opened: Lab[] = [];

  private constructor(vcsim: Vcsim, proxy: Vim25Proxy) {
    this.vcsim = vcsim;
    this.proxy = proxy;
  }

  static async start(options: VcsimOptions = {}): Promise<VsphereLab> {
    const vcsim = await Vcsim.start(options);
    return new VsphereLab(vcsim, await Vim25Proxy.start(vcsim.url));
  }

  /** An account `lab` on the simulator; `extra` adds to or overrides its config. */
  async connect(extra: Record<string, unknown> = {}, options: ConnectOptions = {}): Promise<Lab> {
    const config = options.viaProxy
      ? { ...labConfig(this.vcsim), url: this.proxy.url, insecure: false, ...extra }
      : labConfig(this.vcsim, extra);
    const lab = await connectModule(vsphereModule, {
      id: 'lab',
      config,
      secretSources: { password: 'VSPHERE_PASSWORD' },
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    });
    this.opened.push(lab);
    return lab;
  }

  /** The simulator's VMs by name, read through a fresh account. */
  async machines(): Promise<Map<string, Machine>> {
    const lab = await this.connect();
    const { machines } = await lab.list({}, callContext());
    return new Map(machines.map((machine) => [machine.name, machine]));
  }

  /** The managed object id of a VM. */
  async idOf(name: string): Promise<string> {
    const id = (await this.machines()).get(name)?.id;
    if (!id) throw new Error(`vcsim has no VM named ${name}`);
    return id;
  }

  /** Logs out every account opened so far and forgets the proxy's calls. */
  async closeAccounts(): Promise<void> {
    await Promise.all(this.opened.splice(0).map((lab) => lab.close?.()));
    this.proxy.reset();
  }

  async stop(): Promise<void> {
    await this.closeAccounts();
    await this.proxy.stop();
    await this.vcsim.stop();
  }
}
