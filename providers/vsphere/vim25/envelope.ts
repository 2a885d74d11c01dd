/** The SOAP envelope of one vim25 method call. */
import { ManagedObjectReference, type SoapStruct, type SoapValue } from './values.ts';
import { escapeXml, SOAP_ENVELOPE, VIM25, XSD, XSI } from './xml.ts';

function moref(name: string, ref: ManagedObjectReference): string {
  return `<${name} type="${escapeXml(ref.type)}">${escapeXml(ref.value)}</${name}>`;
}

function serialize(name: string, value: SoapValue | undefined): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map((item: SoapValue) => serialize(name, item)).join('');
  if (value instanceof ManagedObjectReference) return moref(name, value);
  if (typeof value === 'object') {
    const struct = value as SoapStruct;
    const type = struct.$type ? ` xsi:type="${escapeXml(struct.$type)}"` : '';
    if (struct.$value !== undefined) return `<${name}${type}>${escapeXml(struct.$value)}</${name}>`;
    const fields = Object.entries(struct)
      .filter(([key]) => !key.startsWith('$'))
      .map(([key, item]) => serialize(key, item))
      .join('');
    return `<${name}${type}>${fields}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/**
 * `<Method xmlns="urn:vim25"><_this …/>…</Method>` in a SOAP 1.1 envelope.
 * Arguments are written in the order given: the method's schema order.
 */
export function envelope(method: string, self: ManagedObjectReference, args: SoapStruct = {}): string {
  const body = Object.entries(args)
    .filter(([key]) => !key.startsWith('$'))
    .map(([key, value]) => serialize(key, value))
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<soapenv:Envelope xmlns:soapenv="${SOAP_ENVELOPE}" xmlns:xsd="${XSD}" xmlns:xsi="${XSI}">` +
    `<soapenv:Body><${method} xmlns="${VIM25}">${moref('_this', self)}${body}</${method}></soapenv:Body>` +
    '</soapenv:Envelope>'
  );
}
