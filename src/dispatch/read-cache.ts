/**
 * The read cache: `list` and `status` answers per provider for a TTL. A hit
 * says how old it is; `--fresh` skips it; a mutation through the bot drops
 * that provider's entries. Concurrent identical reads share one request.
 */

interface Entry {
  readonly provider: string;
  readonly at: number;
  readonly value: Promise<unknown>;
}

export interface CachedValue<T> {
  readonly value: T;
  /** Set when the answer came from the cache. */
  readonly ageMs?: number;
}

const MAX_ENTRIES = 1_000;

export class ReadCache {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  async read<T>(
    provider: string,
    key: string,
    ttlMs: number,
    fresh: boolean,
    load: () => Promise<T>,
  ): Promise<CachedValue<T>> {
    if (ttlMs <= 0) return { value: await load() };
    const id = `${provider}\u0000${key}`;
    const now = this.now();
    const hit = this.entries.get(id);
    if (hit && !fresh && now - hit.at < ttlMs) {
      const value = (await hit.value) as T;
      const age = this.now() - hit.at;
      return age > 0 ? { value, ageMs: age } : { value };
    }
    const value = load();
    this.entries.set(id, { provider, at: now, value });
    value.catch(() => {
      // A failed read is not remembered: the next one asks again.
      if (this.entries.get(id)?.value === value) this.entries.delete(id);
    });
    if (this.entries.size > MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return { value: await value };
  }

  /** Drops every entry of a provider (after a mutation through the bot). */
  invalidate(provider: string): void {
    for (const [id, entry] of this.entries) if (entry.provider === provider) this.entries.delete(id);
  }
}
