/**
 * Reading SOAP answers with their namespaces resolved. vim25 answers carry
 * the same attribute name in two namespaces on one element —
 * `XMLSchema-instance:type="ManagedObjectReference" type="HostSystem"` —
 * and declare prefixes wherever they like, so a reader that drops or
 * trusts prefixes reads them wrong. fast-xml-parser does the parsing; this
 * file resolves every prefix against the declarations in scope.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
export const XSD = 'http://www.w3.org/2001/XMLSchema';
export const SOAP_ENVELOPE = 'http://schemas.xmlsoap.org/soap/envelope/';
export const VIM25 = 'urn:vim25';

export interface XmlAttribute {
  /** Local name. */
  readonly name: string;
  /** Unprefixed attributes belong to no namespace. */
  readonly namespace: string | undefined;
  readonly value: string;
}

export interface XmlElement {
  /** Local name, without any prefix. */
  readonly name: string;
  readonly namespace: string | undefined;
  readonly attributes: readonly XmlAttribute[];
  readonly children: readonly XmlElement[];
  /** The element's own text, entities decoded. */
  readonly text: string;
  /** Prefixes in scope here, to resolve QName values such as `xsd:string`. */
  readonly prefixes: ReadonlyMap<string, string>;
}

export class XmlSyntaxError extends Error {
  constructor(detail: string) {
    super(`not well-formed XML: ${detail}`);
    this.name = 'XmlSyntaxError';
  }
}

type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, string> };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

function split(qualified: string): { prefix: string | undefined; local: string } {
  const colon = qualified.indexOf(':');
  return colon < 0
    ? { prefix: undefined, local: qualified }
    : { prefix: qualified.slice(0, colon), local: qualified.slice(colon + 1) };
}

function resolve(tag: string, node: OrderedNode, inherited: ReadonlyMap<string, string>): XmlElement {
  const raw = node[':@'] ?? {};
  let prefixes = inherited;
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'xmlns' || key.startsWith('xmlns:')) {
      if (prefixes === inherited) prefixes = new Map(inherited);
      (prefixes as Map<string, string>).set(key === 'xmlns' ? '' : key.slice(6), value);
    }
  }
  const attributes: XmlAttribute[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'xmlns' || key.startsWith('xmlns:')) continue;
    const { prefix, local } = split(key);
    attributes.push({ name: local, namespace: prefix ? prefixes.get(prefix) : undefined, value });
  }
  const { prefix, local } = split(tag);
  const children: XmlElement[] = [];
  let text = '';
  for (const item of (node[tag] as OrderedNode[] | undefined) ?? []) {
    const [key] = Object.keys(item).filter((name) => name !== ':@');
    if (key === undefined) continue;
    if (key === '#text') text += String(item[key]);
    else if (!key.startsWith('#') && !key.startsWith('?')) children.push(resolve(key, item, prefixes));
  }
  return {
    name: local,
    namespace: prefixes.get(prefix ?? ''),
    attributes,
    children,
    text,
    prefixes,
  };
}

/** The document's root element. A DOCTYPE is refused: vim25 never sends one, and entities could blow up. */
export function parseXml(text: string): XmlElement {
  if (/<!DOCTYPE/i.test(text)) throw new XmlSyntaxError('a DOCTYPE is not accepted');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new XmlSyntaxError(`${valid.err.msg} (line ${valid.err.line})`);
  const nodes = parser.parse(text) as OrderedNode[];
  for (const node of nodes) {
    const [tag] = Object.keys(node).filter((name) => name !== ':@');
    if (tag !== undefined && !tag.startsWith('#') && !tag.startsWith('?'))
      return resolve(tag, node, new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]));
  }
  throw new XmlSyntaxError('no root element');
}

/** The first child with this local name (in any namespace: vim25 answers put everything in one). */
export function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((candidate) => candidate.name === name);
}

export function childrenNamed(element: XmlElement | undefined, name: string): XmlElement[] {
  return element ? element.children.filter((candidate) => candidate.name === name) : [];
}

export function childText(element: XmlElement | undefined, name: string): string | undefined {
  return child(element, name)?.text;
}

export function attribute(element: XmlElement, name: string, namespace?: string): string | undefined {
  return element.attributes.find((item) => item.name === name && item.namespace === namespace)?.value;
}

/** The local part of the element's `xsi:type`, matched by namespace, whatever the prefix. */
export function xsiType(element: XmlElement): string | undefined {
  const value = attribute(element, 'type', XSI);
  return value === undefined ? undefined : split(value).local;
}

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
