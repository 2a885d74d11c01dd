/** The redactor: what it replaces, how it treats Errors, cycles and nulls in logs, and that it stays linear. */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.ts';
import { Redactor } from '../../src/log/redact.ts';

const SECRET = 'tc-secret-value-123';

function logged(redactor: Redactor, write: (log: ReturnType<typeof createLogger>) => void): string[] {
  const lines: string[] = [];
  write(
    createLogger({ level: 'info', redactor, destination: { write: (line: string) => lines.push(line) } }),
  );
  return lines;
}

describe('redaction misses, now caught', () => {
  it.each([
    ['{"password":"correct horse battery staple"}', '{"password":"[redacted]"}'],
    ["password: 'correct horse battery'", "password: '[redacted]'"],
    [
      '{"secretAccessKey":"wJalrXUtnFEMI/K7MDENG","clientSecret":"abc def"}',
      '{"secretAccessKey":"[redacted]","clientSecret":"[redacted]"}',
    ],
    [
      '<Credentials><AccessKeyId>ASIA0</AccessKeyId><SecretAccessKey>wJalrXUtn/K7MDENG</SecretAccessKey><SessionToken>FQoGZXIvYXdzEJr</SessionToken></Credentials>',
      '<Credentials><AccessKeyId>ASIA0</AccessKeyId><SecretAccessKey>[redacted]</SecretAccessKey><SessionToken>[redacted]</SessionToken></Credentials>',
    ],
    ['x-amz-security-token: FQoGZXIvYXdzEJrabcdef', 'x-amz-security-token: [redacted]'],
    ['{"x-amz-security-token":"FQoGZXIvYXdz"}', '{"x-amz-security-token":"[redacted]"}'],
    ['Cookie: vmware_soap_session="52a1b2c3-d4e5"; Path=/', 'Cookie: [redacted]'],
    ['set vmware_soap_session="52a1b2c3-d4e5"', 'set vmware_soap_session="[redacted]"'],
    [
      'https://storage/o?X-Goog-Credential=me%40x&X-Goog-Signature=abcdef0123',
      'https://storage/o?X-Goog-Credential=[redacted]&X-Goog-Signature=[redacted]',
    ],
    [
      'https://maps/api?key=AIzaSyA1234567890abcdefghijklmnopqrstuv&q=1',
      'https://maps/api?key=[redacted]&q=1',
    ],
    ['refused AIzaSyA1234567890abcdefghijklmnopqrstuv', 'refused [redacted]'],
    [
      'Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=fe5f80f77d5fa3',
      'Credential=[redacted], SignedHeaders=host, Signature=[redacted]',
    ],
    ['postgres://cm:p@ss@w0rd@db:5432/cm', 'postgres://cm:[redacted]@db:5432/cm'],
    ['{\\"password\\":\\"a b c\\"}', '{\\"password\\":\\"[redacted]\\"}'],
  ])('redacts %j', (input, output) => {
    expect(new Redactor().text(input)).toBe(output);
  });

  it('redacts a configured secret URL-, form-, XML- and JSON-escaped', () => {
    const secret = 'p&ss<w"rd x\'y';
    const redactor = new Redactor([secret]);
    const forms = [
      encodeURIComponent(secret),
      encodeURIComponent(secret).replaceAll('%20', '+'),
      'p&amp;ss&lt;w&quot;rd x&apos;y',
      'p&amp;ss&lt;w&quot;rd x&#39;y',
      JSON.stringify(secret).slice(1, -1),
    ];
    for (const form of forms) expect(redactor.text(`sent ${form} back`)).toBe('sent [redacted] back');
  });

  it('leaves configuration messages that name a token key readable', () => {
    const line = 'cloudmaster.yml: providers.tc.token: environment variable MISSING_TOKEN is not set';
    expect(new Redactor().text(line)).toBe(line);
  });
});

describe('redaction, pinned', () => {
  it('redacts a lone Slack token, a database password and a configured secret without any keyword', () => {
    const redactor = new Redactor([SECRET]);
    expect(redactor.text('xoxb-1234-abcd')).toBe('[redacted]');
    expect(redactor.text('xapp-1-A0-99')).toBe('[redacted]');
    expect(redactor.text('connecting to postgres://cm:hunter2@db/cm now')).toBe(
      'connecting to postgres://cm:[redacted]@db/cm now',
    );
    expect(redactor.text(`web-1 ${SECRET} web-2`)).toBe('web-1 [redacted] web-2');
  });

  it('takes secrets of six characters, not five; a secret holding another is replaced whole', () => {
    expect(new Redactor(['abcdef']).text('x abcdef y')).toBe('x [redacted] y');
    expect(new Redactor(['abcde']).text('x abcde y')).toBe('x abcde y');
    const nested = new Redactor(['inner1', 'outer-inner1-tail']);
    expect(nested.text('a outer-inner1-tail b inner1')).toBe('a [redacted] b [redacted]');
  });

  it('redacts Bearer after several spaces and an Authorization header spaced around its colon', () => {
    const redactor = new Redactor();
    expect(redactor.text('Bearer    abc.def')).toBe('Bearer [redacted]');
    expect(redactor.text('Authorization : x')).toBe('Authorization : [redacted]');
  });

  it('logs a null as null and a cycle as [Circular], the secret inside it redacted', () => {
    const cycle: Record<string, unknown> = { s: SECRET };
    cycle.self = cycle;
    const [line] = logged(new Redactor([SECRET]), (log) => log.info({ cycle, none: null }, 'x'));
    expect(line).not.toContain(SECRET);
    expect(JSON.parse(line ?? '{}')).toMatchObject({
      cycle: { s: '[redacted]', self: '[Circular]' },
      none: null,
    });
  });

  it('logs an object seen twice side by side in full both times', () => {
    const shared = { a: 1 };
    const [line] = logged(new Redactor(), (log) => log.info({ one: shared, two: shared }, 'x'));
    expect(JSON.parse(line ?? '{}')).toMatchObject({ one: { a: 1 }, two: { a: 1 } });
  });
});

describe('errors in logs', () => {
  it('serialises an Error under any key through the redactor, without its fields', () => {
    const sdkError = Object.assign(new Error(`Request failed ${SECRET}`), {
      config: { headers: { Authorization: 'Basic dXNlcjpwYXNzd29yZA==' } },
      response: { data: 'secret body' },
    });
    const lines = logged(new Redactor([SECRET]), (log) => {
      log.warn({ failure: new Error('outer', { cause: sdkError }) }, 'x');
      log.warn({ nested: { errors: [sdkError] } }, 'y');
      log.error(sdkError);
    });
    const text = lines.join('');
    expect(text).not.toContain('dXNlcjpwYXNzd29yZA');
    expect(text).not.toContain('secret body');
    expect(text).not.toContain(SECRET);
    expect(JSON.parse(lines[0] ?? '{}').failure).toEqual({
      type: 'Error',
      message: 'outer',
      cause: { type: 'Error', message: 'Request failed [redacted]' },
    });
    expect(JSON.parse(lines[1] ?? '{}').nested.errors[0]).toEqual({
      type: 'Error',
      message: 'Request failed [redacted]',
    });
    expect(JSON.parse(lines[2] ?? '{}')).toMatchObject({ msg: 'Request failed [redacted]' });
  });
});

describe('redaction in linear time', () => {
  // Each input took about a second (quadratic) before; linear they take a few ms. Four times those sizes
  // would take 10–20 s quadratic: one second is a generous bound for a linear pass on a busy machine.
  it.each([
    ['"password " + "a."×80k', `password ${'a.'.repeat(80_000)}`],
    ['"x ://" + ":"×160k', `x ://${':'.repeat(160_000)}`],
    ['"token:"×40k', 'token:'.repeat(40_000)],
    ['"password=\\""×40k', 'password="'.repeat(40_000)],
    ['"<" × 320k', '<'.repeat(320_000)],
    ['"a://b:"×50k', 'a://b:'.repeat(50_000)],
    ['PEM starts without ends', '-----BEGIN RSA PRIVATE KEY-----'.repeat(10_000)],
    ['"Bearer " + spaces', `Bearer${' '.repeat(160_000)}`],
  ])('redacts %s within a second', (_name, input) => {
    const redactor = new Redactor([SECRET]);
    const started = performance.now();
    redactor.text(input);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
