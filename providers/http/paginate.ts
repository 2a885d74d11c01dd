/**
 * Collecting every page of a list. A paginator never loops: a cursor seen
 * before, or the page cap, ends it with a warning the reply shows.
 */

export interface Collected<T> {
  readonly items: T[];
  readonly warnings: string[];
}

export interface NumberedPage<T> {
  readonly items: readonly T[];
  /** The last page number, once the provider has said it (links or a total). */
  readonly lastPage?: number;
}

/**
 * Page-numbered lists (DigitalOcean): the first page tells how many there
 * are, then the rest are fetched concurrently, `concurrency` at a time.
 */
export async function collectNumberedPages<T>(options: {
  readonly fetchPage: (page: number) => Promise<NumberedPage<T>>;
  readonly maxPages: number;
  readonly concurrency: number;
  readonly what: string;
}): Promise<Collected<T>> {
  const first = await options.fetchPage(1);
  const last = first.lastPage ?? 1;
  const pages = Math.min(last, options.maxPages);
  const results: (readonly T[])[] = new Array(pages);
  results[0] = first.items;
  let next = 2;
  const worker = async (): Promise<void> => {
    while (next <= pages) {
      const page = next++;
      results[page - 1] = (await options.fetchPage(page)).items;
    }
  };
  await Promise.all(Array.from({ length: Math.max(0, Math.min(options.concurrency, pages - 1)) }, worker));
  const warnings =
    last > pages
      ? [
          `Only the first ${pages} of ${last} pages of ${options.what} were read; narrow the list with a filter.`,
        ]
      : [];
  return { items: results.flat(), warnings };
}

export interface CursorPage<T> {
  readonly items: readonly T[];
  /** The next page's cursor (or page number); absent or empty on the last page. */
  readonly next?: string;
}

/** Cursor lists (Vultr's `meta.links.next`, Cloud 66's `pagination.next`), one page after another. */
export async function collectCursorPages<T>(options: {
  readonly fetchPage: (cursor: string | undefined) => Promise<CursorPage<T>>;
  readonly maxPages: number;
  readonly what: string;
}): Promise<Collected<T>> {
  const items: T[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let page = 1; ; page++) {
    const result = await options.fetchPage(cursor);
    items.push(...result.items);
    const next = result.next;
    if (next === undefined || next === '') return { items, warnings: [] };
    if (seen.has(next)) {
      return {
        items,
        warnings: [`The provider repeated a page of ${options.what}; stopped after ${page} pages.`],
      };
    }
    if (page >= options.maxPages) {
      return {
        items,
        warnings: [
          `Only the first ${page} pages of ${options.what} were read; narrow the list with a filter.`,
        ],
      };
    }
    seen.add(next);
    cursor = next;
  }
}
