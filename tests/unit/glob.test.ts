/** Name patterns in policy rules: `*` and `?` are the only special characters; everything else is itself. */
import { describe, expect, it } from 'vitest';
import { globToRegExp, matchesAny } from '../../src/policy/glob.ts';

describe('policy globs', () => {
  it.each([
    ['db.prod-*', 'db.prod-1', 'dbxprod-1'],
    ['a\\d', 'a\\d', 'a1'],
    ['a^b', 'a^b', 'ab'],
    ['a$b', 'a$b', 'ab'],
    ['a|b', 'a|b', 'a'],
    ['a+', 'a+', 'aa'],
    ['(a)', '(a)', 'a'],
    ['[ab]', '[ab]', 'a'],
    ['a]', 'a]', 'a'],
    ['a{2}', 'a{2}', 'aa'],
    ['a}', 'a}', 'a'],
    ['a.b.c', 'a.b.c', 'a.bxc'],
  ])('takes the regex character in %j as itself: matches %j, not %j', (glob, itself, other) => {
    expect(matchesAny(itself, [glob])).toBe(true);
    expect(matchesAny(other, [glob])).toBe(false);
  });

  it('matches the whole name, not a part of it', () => {
    expect(matchesAny('web', ['web'])).toBe(true);
    expect(matchesAny('web-1', ['web'])).toBe(false);
    expect(matchesAny('my-web', ['web'])).toBe(false);
  });

  it('lets * stand for any run of characters, none included, and ? for exactly one', () => {
    expect(matchesAny('web-', ['web-*'])).toBe(true);
    expect(matchesAny('web-1-2', ['web-*'])).toBe(true);
    expect(matchesAny('web-1', ['web-?'])).toBe(true);
    expect(matchesAny('web-', ['web-?'])).toBe(false);
    expect(matchesAny('web-10', ['web-?'])).toBe(false);
    expect(matchesAny('web-x1', ['web-?1'])).toBe(true);
  });

  it('matches in any case, across line breaks, and one character outside the BMP as one', () => {
    expect(matchesAny('Web-1', ['WEB-*'])).toBe(true);
    expect(matchesAny('prod-\nweb', ['prod-*'])).toBe(true);
    expect(matchesAny('web-\u{1F600}', ['web-?'])).toBe(true);
  });

  it('matches a name any glob of a list matches, and none for an empty list', () => {
    const globs = ['db.prod-*', 'web-?'];
    expect(matchesAny('web-1', globs)).toBe(true);
    expect(matchesAny('db.prod-7', globs)).toBe(true);
    expect(matchesAny('cache-1', globs)).toBe(false);
    expect(matchesAny('web-1', [])).toBe(false);
  });

  it('compiles each glob once', () => {
    expect(globToRegExp('compiled-once-*')).toBe(globToRegExp('compiled-once-*'));
  });
});
