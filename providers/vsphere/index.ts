/** The `vsphere` provider: VMs of a vCenter or ESXi, over the vim25 SOAP API. */
import type { CapabilityTable, ProviderModule } from '../types.ts';
import { type VsphereConfig, vsphereConfigSchema } from './config.ts';

export const vsphereCapabilities = {
  list: { options: ['region'] },
  status: {},
  reboot: { note: 'through VMware Tools when they run, else a hard reset (the reply says which)' },
  start: {},
  stop: { options: ['force'], note: 'guest OS shutdown through VMware Tools; --force powers off' },
  create: {
    note: 'clone of a template',
    params: {
      template: {
        description: 'the template to clone (a VM too, with allowCloneFromVm)',
        defaultFrom: 'template',
        role: 'source',
      },
      host: { description: 'host to run the clone on', defaultFrom: 'host', role: 'placement' },
      pool: {
        description: 'resource pool, e.g. CLUSTER/Resources',
        defaultFrom: 'resourcePool',
        role: 'placement',
      },
      folder: { description: 'VM folder for the clone', defaultFrom: 'folder', role: 'placement' },
      datastore: { description: 'datastore for its disks', defaultFrom: 'datastore', role: 'placement' },
    },
  },
  destroy: { note: 'powers off, then deletes the VM and its disks' },
} as const satisfies CapabilityTable;

export const vsphereModule: ProviderModule<VsphereConfig, typeof vsphereCapabilities> = {
  type: 'vsphere',
  aliases: ['vmware', 'vcenter'],
  label: 'VMware vSphere',
  configSchema: vsphereConfigSchema,
  secretKeys: ['password'],
  capabilities: vsphereCapabilities,
  fromEnvironment(env) {
    const url = env.VSPHERE_URL;
    const username = env.VSPHERE_USER;
    const password = env.VSPHERE_PASSWORD;
    if (!url || !username || !password) return undefined;
    const insecure = env.VSPHERE_INSECURE === 'true' || env.VSPHERE_INSECURE === '1';
    return {
      id: 'vsphere',
      config: {
        url,
        username,
        password,
        ...(env.VSPHERE_DATACENTER ? { datacenter: env.VSPHERE_DATACENTER } : {}),
        ...(env.VSPHERE_CA_FILE ? { caFile: env.VSPHERE_CA_FILE } : {}),
        ...(insecure ? { insecure: true } : {}),
      },
      sources: { password: 'VSPHERE_PASSWORD' },
    };
  },
  async connect(setup) {
    const { createVsphere } = await import('./provider.ts');
    return createVsphere(setup);
  },
};
