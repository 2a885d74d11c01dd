/** The redactor's API as the logger, the store and the audit use it: secrets added later, checks, deep copies. */
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/log/redact.ts';

describe('the redactor', () => {
  it('shows dates, maps, sets, URLs and bytes in a deep copy as what they hold, secrets redacted', () => {
    const redactor = new Redactor(['s3cr3t-value-1']);
    const copy = redactor.deep({
      at: new Date(Date.UTC(2026, 11, 6, 12, 0, 0)),
      never: new Date(Number.NaN),
      headers: new Map([['authorization-s3cr3t-value-1', 'Bearer s3cr3t-value-1']]),
      tags: new Set(['prod', 's3cr3t-value-1']),
      url: new URL('https://user:s3cr3t-value-1@example.test/path'),
      body: Buffer.from('s3cr3t-value-1'),
    });
    expect(copy).toEqual({
      at: '2026-12-06T12:00:00.000Z',
      never: 'Invalid Date',
      headers: { 'authorization-[redacted]': 'Bearer [redacted]' },
      tags: ['prod', '[redacted]'],
      url: 'https://user:[redacted]@example.test/path',
      body: '[14 bytes]',
    });
  });

  it('keeps the secrets it had when more are added', () => {
    const redactor = new Redactor(['first-secret']);
    redactor.add(['second-secret']);
    expect(redactor.text('first-secret then second-secret')).toBe('[redacted] then [redacted]');
  });

  it('starts with no secrets: plain text passes unchanged, whichever way it was made', () => {
    // "Stryker was here" is what mutation testing puts into an emptied list: a default must stay empty.
    const texts = ['Stryker was here', 'rebooting web-1 on do', 'nothing to hide'];
    for (const redactor of [new Redactor(), new Redactor([])]) {
      for (const text of texts) expect(redactor.text(text)).toBe(text);
      redactor.add([]);
      expect(redactor.holdsSecret(texts.join(' '))).toBe(false);
    }
  });

  it('tells whether a text holds any one of its secrets, in any encoded form', () => {
    const redactor = new Redactor(['alpha-secret', 'a>b<c&d']);
    expect(redactor.holdsSecret('only alpha-secret here')).toBe(true);
    expect(redactor.holdsSecret('<x>a&gt;b&lt;c&amp;d</x>')).toBe(true);
    expect(redactor.holdsSecret('nothing here')).toBe(false);
    expect(new Redactor().holdsSecret('nothing here')).toBe(false);
  });

  it('redacts a configured secret holding > in its XML-escaped form', () => {
    expect(new Redactor(['a>b<c&d']).text('<x>a&gt;b&lt;c&amp;d</x>')).toBe('<x>[redacted]</x>');
  });

  it('keeps an Error’s stack in a deep copy only when asked', () => {
    const error = new Error('failed with top-secret-1');
    const redactor = new Redactor(['top-secret-1']);
    const plain = redactor.deep<unknown>({ error }) as { error: Record<string, unknown> };
    expect(plain.error).toEqual({ type: 'Error', message: 'failed with [redacted]' });
    const debug = redactor.deep<unknown>({ error }, { errorStacks: true }) as {
      error: Record<string, unknown>;
    };
    expect(debug.error.message).toBe('failed with [redacted]');
    expect(String(debug.error.stack)).toMatch(/^Error: failed with \[redacted\]\n\s+at /);
  });

  it('copies arrays, numbers, booleans and nulls as they are, redacting the strings among them', () => {
    const redactor = new Redactor(['top-secret-1']);
    expect(redactor.deep([1, true, null, undefined, 'top-secret-1', { n: 2 }])).toEqual([
      1,
      true,
      null,
      undefined,
      '[redacted]',
      { n: 2 },
    ]);
  });
});
