import { describe, expect, it } from 'vitest';
import { readableLogLine } from '../../src/cli/log-lines.ts';

describe('the CLI’s readable log lines', () => {
  it('shows the level, the message, the error and the facts on one line', () => {
    const line = JSON.stringify({
      level: 50,
      time: 1,
      app: 'cloudmaster',
      err: { type: 'CloudmasterError', message: 'no answer', code: 'provider_unavailable' },
      provider: 'do',
      attempts: { made: 3 },
      msg: 'polling an operation failed',
    });
    expect(readableLogLine(line)).toBe(
      'error: polling an operation failed: no answer (provider=do, attempts={"made":3}, code=provider_unavailable)',
    );
  });

  it('escapes terminal control characters that came from outside', () => {
    const line = JSON.stringify({
      level: 40,
      msg: 'unexpected answer',
      err: { message: '\u001b[2J\rgone\u009b' },
    });
    expect(readableLogLine(line)).toBe('warning: unexpected answer: \\u001b[2J\\u000dgone\\u009b');
  });

  it('puts a stack, when debug asked for one, on the lines below', () => {
    const line = JSON.stringify({
      level: 20,
      msg: 'failed',
      err: { message: 'boom', stack: 'Error: boom\n    at one (a.ts:1:1)\n    at two (b.ts:2:2)' },
    });
    expect(readableLogLine(line)).toBe('debug: failed: boom\n  at one (a.ts:1:1)\n  at two (b.ts:2:2)');
  });
});
