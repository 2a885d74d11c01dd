/** EC2 Query API answers: XML in the EC2 namespace, `<item>` lists, `<Response><Errors>` errors. */
import { randomUUID } from 'node:crypto';

const NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** `<name>text</name>`, or nothing for an absent value. */
export function element(name: string, value: string | number | boolean | undefined): string {
  return value === undefined ? '' : `<${name}>${escapeXml(String(value))}</${name}>`;
}

export function items(name: string, entries: readonly string[]): string {
  return `<${name}>${entries.map((entry) => `<item>${entry}</item>`).join('')}</${name}>`;
}

export function answer(action: string, body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${NS}">${element('requestId', randomUUID())}${body}</${action}Response>`;
}

export function errorAnswer(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>${element('Code', code)}${element('Message', message)}</Error></Errors>${element('RequestID', randomUUID())}</Response>`;
}

/** EC2's state codes. */
export const STATE_CODES: Record<string, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

export function state(name: string): string {
  return `${element('code', STATE_CODES[name] ?? 0)}${element('name', name)}`;
}
