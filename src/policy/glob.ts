/** Name patterns in policy rules: `*` any run of characters, `?` one; case-insensitive. */

const cache = new Map<string, RegExp>();

export function globToRegExp(glob: string): RegExp {
  let pattern = cache.get(glob);
  if (!pattern) {
    const body = [...glob]
      .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
      .join('');
    pattern = new RegExp(`^${body}$`, 'i');
    cache.set(glob, pattern);
  }
  return pattern;
}

export function matchesAny(value: string, globs: readonly string[]): boolean {
  return globs.some((glob) => globToRegExp(glob).test(value));
}
