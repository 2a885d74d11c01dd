/**
 * Characters a new machine's name (and the names `create` is given) may not
 * hold: controls (C0, C1), line and paragraph separators, and format
 * characters — the bidi controls (U+200E/F, U+202A–E, U+2066–9) and the
 * invisible ones among them. They make a name read differently from what it
 * is: in a reply, in the audit, and against a policy glob.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/** The first such character as `U+202E`, or undefined when there is none. */
export function unsafeCharacter(text: string): string | undefined {
  const found = UNSAFE.exec(text)?.[0];
  return found === undefined
    ? undefined
    : `U+${(found.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}
