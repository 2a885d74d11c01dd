/**
 * vim25 faults. One fault type reaches us three ways: as a SOAP fault
 * (HTTP 500, `<detail><InvalidLoginFault xsi:type="InvalidLogin">`), as a
 * failed task's `info.error` (`<fault xsi:type="InvalidPowerState">` beside a
 * `localizedMessage`), and inside a property read's `missingSet`. All three
 * become a `MethodFault`.
 */
import { readMoref } from './values.ts';
import { child, childText, type XmlElement, xsiType } from './xml.ts';

export interface MethodFault {
  /** The vim25 fault type: "InvalidLogin", "ManagedObjectNotFound", "InvalidPowerState". */
  readonly type: string;
  /** The server's own words, when it gave any. */
  readonly message: string | undefined;
  /** The fault's fields, for the few whose details we report. */
  readonly fields: XmlElement;
}

/** A useful message, or none: vcsim fills localizedMessage with Go type names ("*types.InvalidPowerState"). */
function usefulMessage(text: string | undefined): string | undefined {
  const trimmed = text?.trim();
  return trimmed && !/^\*?types\./.test(trimmed) ? trimmed : undefined;
}

/** A `LocalizedMethodFault` (task errors, missingSet entries): `<fault xsi:type=…/><localizedMessage>`. */
export function readLocalizedFault(element: XmlElement | undefined): MethodFault | undefined {
  const fault = child(element, 'fault');
  if (!element || !fault) return undefined;
  return {
    type: xsiType(fault) ?? fault.name,
    message: usefulMessage(childText(element, 'localizedMessage')),
    fields: fault,
  };
}

/** A SOAP call that the server answered with a fault. */
export class SoapFault extends Error {
  readonly fault: MethodFault;
  /** The vim25 method that was called. */
  readonly method: string;
  constructor(method: string, fault: MethodFault) {
    super(`${method}: ${fault.type}${fault.message ? ` (${fault.message})` : ''}`);
    this.name = 'SoapFault';
    this.method = method;
    this.fault = fault;
  }
}

/** The fault a `soapenv:Fault` element carries. */
export function readSoapFault(element: XmlElement): MethodFault {
  const detail = child(element, 'detail')?.children[0];
  const faultString = usefulMessage(childText(element, 'faultstring'));
  if (!detail) return { type: 'SystemError', message: faultString, fields: element };
  return { type: xsiType(detail) ?? detail.name.replace(/Fault$/, ''), message: faultString, fields: detail };
}

export function isFaultOfType(error: unknown, ...types: string[]): boolean {
  return error instanceof SoapFault && types.includes(error.fault.type);
}

/** The managed object a `ManagedObjectNotFound` (or `NoPermission`) names. */
export function faultObject(fault: MethodFault): string | undefined {
  return (readMoref(child(fault.fields, 'obj')) ?? readMoref(child(fault.fields, 'object')))?.value;
}
