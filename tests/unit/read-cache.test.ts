import { describe, expect, it } from 'vitest';
import { ReadCache } from '../../src/dispatch/read-cache.ts';

function clock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('read cache', () => {
  it('reuses an answer within its TTL, says how old it is, and asks again after', async () => {
    const time = clock();
    const cache = new ReadCache(time.now);
    let calls = 0;
    const load = async () => ++calls;
    expect(await cache.read('do', 'list', 30_000, false, load)).toEqual({ value: 1 });
    time.advance(12_000);
    expect(await cache.read('do', 'list', 30_000, false, load)).toEqual({ value: 1, ageMs: 12_000 });
    time.advance(18_000);
    expect(await cache.read('do', 'list', 30_000, false, load)).toEqual({ value: 2 });
    expect(calls).toBe(2);
  });

  it('skips the cache for --fresh and refreshes the entry', async () => {
    const time = clock();
    const cache = new ReadCache(time.now);
    let calls = 0;
    const load = async () => ++calls;
    await cache.read('do', 'list', 30_000, false, load);
    expect(await cache.read('do', 'list', 30_000, true, load)).toEqual({ value: 2 });
    time.advance(1_000);
    expect(await cache.read('do', 'list', 30_000, false, load)).toEqual({ value: 2, ageMs: 1_000 });
  });

  it('drops only the mutated provider’s entries', async () => {
    const cache = new ReadCache(clock().now);
    let calls = 0;
    const load = async () => ++calls;
    await cache.read('do', 'list', 30_000, false, load);
    await cache.read('vultr', 'list', 30_000, false, load);
    cache.invalidate('do');
    expect((await cache.read('do', 'list', 30_000, false, load)).value).toBe(3);
    expect((await cache.read('vultr', 'list', 30_000, false, load)).value).toBe(2);
  });

  it('shares one request between concurrent identical reads, and forgets failures', async () => {
    const cache = new ReadCache(clock().now);
    let calls = 0;
    let release: (value: number) => void = () => {};
    const slow = () => {
      calls += 1;
      return new Promise<number>((resolve) => {
        release = resolve;
      });
    };
    const both = Promise.all([
      cache.read('do', 'list', 30_000, false, slow),
      cache.read('do', 'list', 30_000, false, slow),
    ]);
    release(7);
    expect((await both).map((answer) => answer.value)).toEqual([7, 7]);
    expect(calls).toBe(1);
    await expect(
      cache.read('do', 'status:x', 30_000, false, () => Promise.reject(new Error('down'))),
    ).rejects.toThrow('down');
    expect((await cache.read('do', 'status:x', 30_000, false, async () => 'ok')).value).toBe('ok');
  });

  it('never caches with a TTL of zero', async () => {
    const cache = new ReadCache(clock().now);
    let calls = 0;
    await cache.read('demo', 'list', 0, false, async () => ++calls);
    await cache.read('demo', 'list', 0, false, async () => ++calls);
    expect(calls).toBe(2);
  });
});
