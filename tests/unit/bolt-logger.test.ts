import { describe, expect, it } from 'vitest';
import { boltLogger } from '../../src/log/bolt-logger.ts';
import { createLogger } from '../../src/log/logger.ts';
import { Redactor } from '../../src/log/redact.ts';

function logged() {
  const lines: Record<string, unknown>[] = [];
  const base = createLogger({
    level: 'debug',
    redactor: new Redactor(['s3cr3t-value-1234']),
    destination: { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  return { slack: boltLogger(base), lines };
}

describe('the Slack SDKs’ logger', () => {
  it('logs a cyclic object the SDK hands over instead of throwing inside the SDK', () => {
    const { slack, lines } = logged();
    const socket: Record<string, unknown> = { state: 'connecting' };
    socket.self = socket;
    expect(() => slack.warn('socket said', socket)).not.toThrow();
    expect(lines[0]?.msg).toMatch(
      /^socket said <ref \*1> \{ state: 'connecting', self: \[Circular \*1\] \}$/,
    );
  });

  it('cuts an object dumped whole, and redacts what it carries', () => {
    const { slack, lines } = logged();
    slack.error('response', { token: 's3cr3t-value-1234', body: 'x'.repeat(10_000) }, 12n);
    const msg = String(lines[0]?.msg);
    expect(msg.length).toBeLessThan(4_200);
    expect(msg).toMatch(/… \(\d+ more characters\)$/);
    expect(msg).toContain('"token":"');
    expect(msg).not.toContain('s3cr3t-value-1234');
  });
});
