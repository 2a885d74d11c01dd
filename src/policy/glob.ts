/**
 * Name patterns in policy rules: `*` any run of characters, `?` one;
 * case-insensitive. "Any" means any: line feeds, U+2028 and characters
 * outside the BMP included (flags `s` and `u`), so a name cannot slip past
 * a deny rule by carrying a character `.` would not match.
 */

const cache = new Map<string, RegExp>();

export function globToRegExp(glob: string): RegExp {
  let pattern = cache.get(glob);
  if (!pattern) {
    const body = [...glob]
      .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
      .join('');
    pattern = new RegExp(`^${body}$`, 'isu');
    cache.set(glob, pattern);
  }
  return pattern;
}

export function matchesAny(value: string, globs: readonly string[]): boolean {
  return globs.some((glob) => globToRegExp(glob).test(value));
}
