import { describe, expect, it } from 'vitest';
import { serveOptions } from '../../src/serve-options.ts';

describe('npm start / cloudmaster serve options', () => {
  it('reads --slack, --port and --host, in either form', () => {
    expect(serveOptions([], {})).toEqual({ requireSlack: false });
    expect(serveOptions(['--slack', '--port', '3100', '--host=0.0.0.0'], {})).toEqual({
      requireSlack: true,
      port: 3100,
      host: '0.0.0.0',
    });
    expect(serveOptions(['--port=0'], {})).toEqual({ requireSlack: false, port: 0 });
  });

  it('takes CLOUDMASTER_REQUIRE_SLACK as --slack', () => {
    for (const value of ['1', 'true', 'YES'])
      expect(serveOptions([], { CLOUDMASTER_REQUIRE_SLACK: value })).toMatchObject({ requireSlack: true });
    for (const value of ['', '0', 'false'])
      expect(serveOptions([], { CLOUDMASTER_REQUIRE_SLACK: value })).toMatchObject({ requireSlack: false });
  });

  it('names what is wrong, with the usage', () => {
    expect(serveOptions(['--port', '70000'], {})).toEqual({
      problem:
        '--port wants a port number (0-65535), not "70000"; usage: cloudmaster serve [--slack] [--port N] [--host ADDRESS]',
    });
    expect(serveOptions(['--port'], {})).toMatchObject({
      problem: expect.stringMatching(/^--port wants a port number/),
    });
    expect(serveOptions(['--host', 'a b'], {})).toMatchObject({
      problem: expect.stringMatching(/^--host wants an address/),
    });
    expect(serveOptions(['serve'], {})).toMatchObject({
      problem: expect.stringMatching(/^unknown option "serve"/),
    });
  });
});
