/** "Did you mean": nearest words by edit distance. */

/** Optimal string alignment distance: a swap of two neighbours costs one. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1);
      }
      const row = d[i];
      if (row) row[j] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * The candidates nearest to `word`: within two edits (one for words of three
 * letters or fewer), or starting with it; ties sorted alphabetically.
 */
export function suggest(word: string, candidates: Iterable<string>, max = 3): string[] {
  const lower = word.toLowerCase();
  const limit = lower.length <= 3 ? 1 : 2;
  const scored: { candidate: string; score: number }[] = [];
  for (const candidate of new Set(candidates)) {
    const target = candidate.toLowerCase();
    if (target === lower) continue;
    const distance = editDistance(lower, target);
    const prefix = lower.length >= 2 && target.startsWith(lower);
    if (distance <= limit || prefix)
      scored.push({ candidate, score: prefix ? Math.min(distance, 1) : distance });
  }
  scored.sort((x, y) => x.score - y.score || x.candidate.localeCompare(y.candidate));
  // Only the nearest: "lsit" suggests list, not also ls and exit.
  const best = scored[0]?.score;
  return scored
    .filter((entry) => entry.score === best)
    .slice(0, max)
    .map((entry) => entry.candidate);
}
