/**
 * The reference to an operation vSphere accepted: plain JSON holding the
 * task's id (when there is a task) and which path the verb took, so that
 * `poll` can follow it later from the reference alone.
 */
import type { OperationRef } from '../types.ts';
import type { VsphereAccount } from './account.ts';
import type { ManagedObjectReference } from './vim25/values.ts';

/** How a verb was carried out, kept in the reference so `poll` knows what to watch. */
export type OperationPath = 'task' | 'guest';

export function reference(
  account: VsphereAccount,
  verb: OperationRef['verb'],
  target: { readonly id: string; readonly name: string },
  accepted: string,
  started: { readonly path: OperationPath; readonly task?: ManagedObjectReference },
): OperationRef {
  return {
    verb,
    provider: account.id,
    target: { kind: 'machine', id: target.id, name: target.name },
    ...(started.task ? { operationId: started.task.value } : {}),
    startedAt: new Date(account.clock.now()).toISOString(),
    accepted,
    data: { path: started.path },
  };
}
