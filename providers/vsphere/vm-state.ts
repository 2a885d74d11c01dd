/** The few facts of one VM that decide how a verb is carried out, read fresh in one call. */
import { retrieve } from './vim25/property-collector.ts';
import type { Vim25Api } from './vim25/session.ts';
import { type ManagedObjectReference, moref, readBoolean, readString } from './vim25/values.ts';

export interface VmState {
  /** poweredOn, poweredOff, suspended. */
  readonly power: string;
  readonly toolsRunning: boolean;
  readonly template: boolean;
}

export function vmRef(id: string): ManagedObjectReference {
  return moref('VirtualMachine', id);
}

/** Faults with ManagedObjectNotFound when the VM is gone. */
export async function readVmState(api: Vim25Api, vm: ManagedObjectReference): Promise<VmState> {
  const { objects } = await retrieve(
    api,
    { objects: [vm] },
    [
      {
        type: 'VirtualMachine',
        paths: ['runtime.powerState', 'guest.toolsRunningStatus', 'config.template'],
      },
    ],
    { pageSize: 1, maxPages: 1 },
  );
  const props = objects[0]?.props;
  return {
    power: readString(props?.get('runtime.powerState')) ?? 'unknown',
    toolsRunning: readString(props?.get('guest.toolsRunningStatus')) === 'guestToolsRunning',
    template: readBoolean(props?.get('config.template')) === true,
  };
}
