/** "Did you mean": nearest words by edit distance. */

/**
 * Words longer than this get no suggestions: no name a cloud gives (DNS
 * allows 253 characters) is that long, and the work stays bounded whatever
 * someone types.
 */
export const MAX_SUGGESTED_LENGTH = 256;

let scratch: [Uint32Array, Uint32Array, Uint32Array] = [
  new Uint32Array(64),
  new Uint32Array(64),
  new Uint32Array(64),
];

/** Three rows of at least `cols` cells, reused across calls: allocating them per candidate costs more than comparing. */
function scratchRows(cols: number): [Uint32Array, Uint32Array, Uint32Array] {
  if (scratch[0].length < cols) {
    const size = Math.max(cols, scratch[0].length * 2);
    scratch = [new Uint32Array(size), new Uint32Array(size), new Uint32Array(size)];
  }
  return [scratch[0], scratch[1], scratch[2]];
}

/**
 * Optimal string alignment distance: a swap of two neighbours costs one.
 * With a `limit`, only cells within `limit` of the diagonal are computed and
 * anything farther answers `limit + 1`: linear in the words' length, not
 * quadratic. Three rolling rows, reused: it runs for every candidate word
 * whenever someone mistypes.
 */
export function editDistance(a: string, b: string, limit = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const band = Math.min(limit, Math.max(a.length, b.length));
  const over = band + 1;
  const cols = b.length + 1;
  let [twoBack, previous, current] = scratchRows(cols);
  for (let j = 0; j < cols; j++) previous[j] = Math.min(j, over);
  for (let i = 1; i <= a.length; i++) {
    const from = Math.max(1, i - band);
    const to = Math.min(b.length, i + band);
    current[0] = Math.min(i, over);
    // The row's neighbours outside the band read as "too far" (the rows are reused).
    if (from > 1) current[from - 1] = over;
    if (to < b.length) current[to + 1] = over;
    let rowBest = current[0] as number;
    for (let j = from; j <= to; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let best = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
        over,
      );
      if (
        i > 1 &&
        j > 1 &&
        a.charCodeAt(i - 1) === b.charCodeAt(j - 2) &&
        a.charCodeAt(i - 2) === b.charCodeAt(j - 1)
      ) {
        best = Math.min(best, (twoBack[j - 2] as number) + 1);
      }
      current[j] = best;
      if (best < rowBest) rowBest = best;
    }
    // Every cell of the row is past the limit: so is the answer.
    if (rowBest >= over) return limit + 1;
    [twoBack, previous, current] = [previous, current, twoBack];
  }
  const distance = previous[cols - 1] as number;
  return distance >= over ? limit + 1 : distance;
}

/**
 * The candidates nearest to `word`: within two edits (one for words of three
 * letters or fewer), or starting with it; ties sorted alphabetically.
 */
export function suggest(word: string, candidates: Iterable<string>, max = 3): string[] {
  return nearest(nearCandidates(word, candidates), max);
}

export interface NearCandidate {
  readonly candidate: string;
  /** Edits away; 1 for a word it starts with. Lower is nearer. */
  readonly score: number;
}

/**
 * Every candidate near enough to suggest, nearest first (ties
 * alphabetically). Candidates whose length differs by more than the edit
 * limit are skipped without comparing them, unless they start with `word`.
 */
export function nearCandidates(word: string, candidates: Iterable<string>): NearCandidate[] {
  const lower = word.toLowerCase();
  if (lower.length > MAX_SUGGESTED_LENGTH) return [];
  const limit = lower.length <= 3 ? 1 : 2;
  const scored: NearCandidate[] = [];
  for (const candidate of new Set(candidates)) {
    const target = candidate.toLowerCase();
    if (target === lower) continue;
    if (lower.length >= 2 && target.startsWith(lower)) {
      scored.push({ candidate, score: 1 });
      continue;
    }
    const distance = editDistance(lower, target, limit);
    if (distance <= limit) scored.push({ candidate, score: distance });
  }
  return scored.sort((x, y) => x.score - y.score || x.candidate.localeCompare(y.candidate));
}

/** Only the nearest of a sorted list: "lsit" suggests list, not also ls and exit. */
export function nearest(scored: readonly NearCandidate[], max = 3): string[] {
  const best = scored[0]?.score;
  return scored
    .filter((entry) => entry.score === best)
    .slice(0, max)
    .map((entry) => entry.candidate);
}
