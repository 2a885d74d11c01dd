/** vim25 faults as errors that say what happened and what to do. */
import { CloudmasterError, ErrorCode } from '../../src/errors.ts';
import { type MethodFault, SoapFault } from './vim25/faults.ts';
import { childText } from './vim25/xml.ts';

export interface FaultContext {
  /** The configured provider id ("lab"). */
  readonly provider: string;
  /** What was being done, as a verb phrase: "power on", "list VMs". */
  readonly action: string;
  /** The VM concerned, by name. */
  readonly target?: string;
  /** The environment variable holding the password, named (never shown) in login errors. */
  readonly passwordVariable?: string;
}

const POWER_WORDS: Record<string, string> = {
  poweredOn: 'powered on',
  poweredOff: 'powered off',
  suspended: 'suspended',
};

function powerWords(state: string | undefined): string {
  return state ? (POWER_WORDS[state] ?? state) : 'in another power state';
}

/** One error for one fault; the code decides how replies present it. */
export function faultError(fault: MethodFault, where: FaultContext): CloudmasterError {
  const target = where.target ?? 'the VM';
  // The server's sentence, its full stop dropped: ours ends the message.
  const said = fault.message ? `: ${fault.message.replace(/\.$/, '')}` : '';
  const options = { provider: where.provider };
  switch (fault.type) {
    case 'InvalidLogin': {
      const check = where.passwordVariable ? ` (check ${where.passwordVariable})` : '';
      return new CloudmasterError(
        ErrorCode.ProviderAuth,
        `vSphere rejected the user name or password of provider \`${where.provider}\`${check}.`,
        {
          ...options,
          hint: 'Check its `username` and the password variable; the account may also be locked.',
        },
      );
    }
    case 'NotAuthenticated':
      return new CloudmasterError(
        ErrorCode.ProviderAuth,
        `vSphere ended the session of provider \`${where.provider}\`, and logging in again did not restore it.`,
        { ...options, hint: 'Try again; if it persists, check the account in vCenter.' },
      );
    case 'NoPermission': {
      const privilege = childText(fault.fields, 'privilegeId');
      return new CloudmasterError(
        ErrorCode.ProviderAuth,
        `The vSphere user of provider \`${where.provider}\` may not ${where.action}${privilege ? ` (it lacks ${privilege})` : ''}.`,
        { ...options, hint: 'Give its role that privilege on the VM, its folder or the datacenter.' },
      );
    }
    case 'ManagedObjectNotFound':
      return new CloudmasterError(
        ErrorCode.NotFound,
        `${where.target ?? 'That object'} no longer exists on ${where.provider} (it was deleted or moved).`,
        { ...options, hint: `\`list on ${where.provider}\` shows what is there now.` },
      );
    case 'InvalidPowerState': {
      const existing = childText(fault.fields, 'existingState');
      const requested = childText(fault.fields, 'requestedState');
      const message =
        existing && existing === requested
          ? `${target} is already ${powerWords(existing)}.`
          : `${target} is ${powerWords(existing)}, so vSphere cannot ${where.action} it.`;
      return new CloudmasterError(ErrorCode.InvalidState, message, options);
    }
    case 'TaskInProgress':
      return new CloudmasterError(
        ErrorCode.InvalidState,
        `vSphere is busy with another task on ${target}; try again when it has finished.`,
        options,
      );
    case 'ToolsUnavailable':
      return new CloudmasterError(
        ErrorCode.InvalidState,
        `VMware Tools are not running on ${target}, so vSphere cannot ${where.action} it gracefully.`,
        { ...options, hint: `\`stop ${target} on ${where.provider} --force\` powers it off instead.` },
      );
    case 'InvalidState':
      return new CloudmasterError(
        ErrorCode.InvalidState,
        `vSphere will not ${where.action} ${target} in its current state${said}.`,
        options,
      );
    case 'DuplicateName':
      return new CloudmasterError(
        ErrorCode.BadParameter,
        `vSphere already has an object named ${target} there${said}.`,
        { ...options, hint: 'Pick another name.' },
      );
    case 'InvalidArgument': {
      const property = childText(fault.fields, 'invalidProperty');
      return new CloudmasterError(
        ErrorCode.ProviderRejected,
        `vSphere refused to ${where.action}: ${property ? `${property} is not valid` : 'an argument is not valid'}${said}.`,
        options,
      );
    }
    case 'MethodNotFound':
    case 'NotSupported':
    case 'NotImplemented':
      return new CloudmasterError(
        ErrorCode.Unsupported,
        `This vSphere server cannot ${where.action} (${fault.type})${said}.`,
        options,
      );
    case 'HostNotConnected':
    case 'HostCommunication':
    case 'HostNotReachable':
      return new CloudmasterError(
        ErrorCode.ProviderUnavailable,
        `The host of ${target} is not reachable from vCenter, so it cannot ${where.action}${said}.`,
        options,
      );
    default:
      return new CloudmasterError(
        ErrorCode.ProviderRejected,
        `vSphere refused to ${where.action} (${fault.type})${said}.`,
        options,
      );
  }
}

/** Any failure of a vSphere call, as a CloudmasterError (aborts stay aborts). */
export function vsphereError(error: unknown, where: FaultContext): unknown {
  if (error instanceof CloudmasterError) return error;
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) return error;
  if (error instanceof SoapFault) return faultError(error.fault, where);
  return new CloudmasterError(
    ErrorCode.ProviderUnavailable,
    `vSphere could not ${where.action}: ${error instanceof Error ? error.message : String(error)}`,
    { provider: where.provider, cause: error },
  );
}
