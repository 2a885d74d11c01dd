/** Sends a planned mutation to its provider: the one place a verb becomes a provider method call. */
import type { CallContext, Machine, OperationRef, Provider, Stack } from '../../providers/types.ts';
import type { CommandOf, MutatingVerb } from '../grammar/command.ts';
import type { OperationPlan } from './outcome.ts';

export type MutationCommand = CommandOf<MutatingVerb>;

export function sendMutation(
  provider: Provider,
  command: MutationCommand,
  plan: OperationPlan,
  ctx: CallContext,
): Promise<OperationRef> {
  const missing = (): never => {
    throw new Error(`${provider.id} declares ${command.verb} but does not implement it`);
  };
  const machine = plan.resource as Machine;
  const stack = plan.resource as Stack;
  const stackOptions = {
    ...('environment' in command && command.environment !== undefined
      ? { environment: command.environment }
      : {}),
    ...('service' in command && command.service !== undefined ? { service: command.service } : {}),
  };
  switch (command.verb) {
    case 'reboot':
      return provider.reboot ? provider.reboot(machine, ctx) : missing();
    case 'start':
      return provider.start ? provider.start(machine, ctx) : missing();
    case 'destroy':
      return provider.destroy ? provider.destroy(machine, ctx) : missing();
    case 'stop':
      return provider.stop
        ? provider.stop(machine, { force: command.force, deallocate: command.deallocate }, ctx)
        : missing();
    case 'create':
      return provider.create
        ? provider.create({ name: command.name, params: command.params }, ctx)
        : missing();
    case 'deploy':
      return provider.deploy
        ? provider.deploy(stack, { ...stackOptions, wait: command.wait }, ctx)
        : missing();
    case 'cancel':
      return provider.cancel ? provider.cancel(stack, stackOptions, ctx) : missing();
  }
}
