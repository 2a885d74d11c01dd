/** "Did you mean": nearest words by edit distance. */

/**
 * Optimal string alignment distance: a swap of two neighbours costs one.
 * Three rolling rows, no per-cell allocation: it runs for every candidate
 * word whenever someone mistypes.
 */
export function editDistance(a: string, b: string): number {
  const cols = b.length + 1;
  let twoBack = new Uint16Array(cols);
  let previous = new Uint16Array(cols);
  let current = new Uint16Array(cols);
  for (let j = 0; j < cols; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j < cols; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let best = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
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
    }
    [twoBack, previous, current] = [previous, current, twoBack];
  }
  return previous[cols - 1] as number;
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
