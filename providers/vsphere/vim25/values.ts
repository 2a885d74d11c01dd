/**
 * vim25 values, both ways: what a request carries (structs in schema order,
 * managed object references, typed values) and typed readings of what an
 * answer holds.
 */
import { attribute, child, childrenNamed, type XmlElement, xsiType } from './xml.ts';

/** A managed object reference: `<obj type="VirtualMachine">vm-42</obj>`. */
export class ManagedObjectReference {
  readonly type: string;
  readonly value: string;
  constructor(type: string, value: string) {
    this.type = type;
    this.value = value;
  }
  toString(): string {
    return `${this.type}:${this.value}`;
  }
}

export function moref(type: string, value: string): ManagedObjectReference {
  return new ManagedObjectReference(type, value);
}

/**
 * A struct as a request writes it. vim25 types are XML Schema sequences:
 * vCenter rejects fields out of order, so write the keys in schema order.
 * `$type` becomes `xsi:type` (a subtype, e.g. TraversalSpec); `$value`
 * gives a typed simple value (`{ $type: 'xsd:string', $value: 'x' }`).
 */
export interface SoapStruct {
  readonly $type?: string;
  readonly $value?: string;
  readonly [field: string]: SoapValue | undefined;
}

export type SoapValue =
  | string
  | number
  | boolean
  | ManagedObjectReference
  | SoapStruct
  | readonly SoapValue[];

/** The text of a value, or undefined when absent. */
export function readString(element: XmlElement | undefined): string | undefined {
  return element?.text;
}

export function readNumber(element: XmlElement | undefined): number | undefined {
  if (element === undefined || element.text.trim() === '') return undefined;
  const value = Number(element.text);
  return Number.isFinite(value) ? value : undefined;
}

export function readBoolean(element: XmlElement | undefined): boolean | undefined {
  if (element === undefined) return undefined;
  return element.text.trim() === 'true' || element.text.trim() === '1';
}

/** A managed object reference held in an element (`type` attribute, in no namespace). */
export function readMoref(element: XmlElement | undefined): ManagedObjectReference | undefined {
  if (element === undefined) return undefined;
  const type = attribute(element, 'type');
  const value = element.text.trim();
  return type && value ? new ManagedObjectReference(type, value) : undefined;
}

/** The items of an `ArrayOfX` value (`<val xsi:type="ArrayOfGuestNicInfo"><GuestNicInfo>…`). */
export function readArray(element: XmlElement | undefined): XmlElement[] {
  if (element === undefined) return [];
  const type = xsiType(element);
  if (type?.startsWith('ArrayOf')) {
    const item = type.slice('ArrayOf'.length);
    // ArrayOfString holds <string>, ArrayOfManagedObjectReference <ManagedObjectReference>.
    return childrenNamed(element, item).length > 0
      ? childrenNamed(element, item)
      : childrenNamed(element, item.charAt(0).toLowerCase() + item.slice(1));
  }
  return [...element.children];
}

/** A nested field of a struct value: `field(info, 'error', 'fault')`. */
export function field(element: XmlElement | undefined, ...path: string[]): XmlElement | undefined {
  let current = element;
  for (const name of path) current = child(current, name);
  return current;
}
