/**
 * Token-shaped strings and `name: value` fields the redactor replaces even
 * when nobody configured them. Every pattern runs in linear time: no
 * unbounded run is followed by a part that can fail, except where the
 * starts of that run cannot overlap (tested with the inputs that made the
 * earlier patterns quadratic).
 */

export const REDACTED = '[redacted]';

/** Field names whose value is always a secret, however it is written. */
const STRONG_NAMES = 'pass(?:word|wd|phrase)|secret|api[_-]?key|private[_-]?key';
/**
 * Names that are secrets as fields (`token=…`, `"sessionToken": …`,
 * `X-Amz-Security-Token: FQo1…`) but are also ordinary words in sentences
 * ("the token: check …"), so after a bare colon only a value with a digit, or
 * of 16 characters or more, is taken.
 */
const WEAK_NAMES = 'token|session|signature|credential|cookie';
/** camelCase, snake_case and header-case around the name: clientSecret, x-amz-security-token. */
const NAME_TAIL = String.raw`[\w.-]{0,40}`;
/** Optional quote after the key, JSON-escaped too (a JSON body inside a log string). */
const KEY_QUOTE = String.raw`(?:\\?["'])?`;
/** A quoted value runs to its closing quote (or the line's end); a bare one to a delimiter. */
const QUOTED_VALUE = String.raw`"(?:[^"\\\r\n]|\\.)*"?|\\"(?:[^"\\\r\n]|\\[^"\r\n])*(?:\\")?|'[^'\r\n]*'?`;
const BARE_VALUE = String.raw`[^\s"'\\,;&}<>]+`;

/** Keeps the value's quotes around the replacement. */
function redactValue(head: string, value: string): string {
  if (value.startsWith('\\"')) return `${head}\\"${REDACTED}\\"`;
  if (value.startsWith('"')) return `${head}"${REDACTED}"`;
  if (value.startsWith("'")) return `${head}'${REDACTED}'`;
  return `${head}${REDACTED}`;
}

const field = (names: string, separator: string, value: string): RegExp =>
  new RegExp(`((?:${names})${NAME_TAIL}${KEY_QUOTE}\\s{0,5}${separator}\\s{0,5})(${value})`, 'gi');

const SECRET_TAG = new RegExp(`^[\\w:.-]{0,40}(?:${STRONG_NAMES}|${WEAK_NAMES})[\\w:.-]{0,40}$`, 'i');

type Replacement = string | ((match: string, ...groups: string[]) => string);

export const TOKEN_PATTERNS: readonly (readonly [RegExp, Replacement])[] = [
  [/\bxox[abprs]-[A-Za-z0-9-]+/g, REDACTED], // Slack bot and user tokens
  [/\bxapp-[A-Za-z0-9-]+/g, REDACTED], // Slack app-level tokens
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  // An Authorization header of any scheme, as a header line or a JSON field.
  [/\b(authorization["']?\s{0,5}[:=]\s{0,5}["']?)(?!Bearer |Basic )[^"'\r\n,}]+/gi, `$1${REDACTED}`],
  // A Cookie header holds session cookies (vmware_soap_session=…): all of it, to its quote or line's end.
  [
    new RegExp(`(\\b(?:set-)?cookie${KEY_QUOTE}\\s{0,5}[:=]\\s{0,5})(${QUOTED_VALUE}|[^\\r\\n]+)`, 'gi'),
    (_m, head, value) => redactValue(head, value),
  ],
  // The Socket Mode URL carries a ticket; signed URLs carry signatures and credentials.
  [
    /([?&](?:ticket|token|access_token|sig|signature|X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|X-Goog-Signature|X-Goog-Credential|client_secret|password|key)=)[^&\s"']+/gi,
    `$1${REDACTED}`,
  ],
  // user:password@ in a URL (database URLs, proxies); the password may hold an @ of its own.
  [/(\b[a-z][a-z0-9+.-]{0,31}:\/\/[^:/@\s"']{1,256}:)[^/\s"']*@/gi, `$1${REDACTED}@`],
  // password=… / "clientSecret": "correct horse" / x-amz-security-token: … in text, JSON and headers.
  [
    field(STRONG_NAMES, '[:=]', `${QUOTED_VALUE}|${BARE_VALUE}`),
    (_m, head, value) => redactValue(head, value),
  ],
  [field(WEAK_NAMES, '=', `${QUOTED_VALUE}|${BARE_VALUE}`), (_m, head, value) => redactValue(head, value)],
  [field(WEAK_NAMES, ':', QUOTED_VALUE), (_m, head, value) => redactValue(head, value)],
  [
    field(WEAK_NAMES, ':', String.raw`[^\s"'\\,;&}<>:]*\d[^\s"'\\,;&}<>:]*|[^\s"'\\,;&}<>:]{16,}`),
    (_m, head, value) => redactValue(head, value),
  ],
  // <SecretAccessKey>…</SecretAccessKey>, <SessionToken>…: an XML element named like a secret.
  [
    /<([\w:.-]{1,80})>([^<]*)/g,
    (match, tag, value) => (value && SECRET_TAG.test(tag) ? `<${tag}>${REDACTED}` : match),
  ],
  // PEM private keys, whole; one without its end line, to the end of the text.
  [
    /-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----(?:[\s\S]*?-----END [A-Z ]{0,40}PRIVATE KEY-----|[\s\S]*)/g,
    `[redacted private key]`,
  ],
  // AWS access key ids, Google API keys.
  [/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, REDACTED],
  [/\bAIza[0-9A-Za-z_-]{35}/g, REDACTED],
];

/** A cheap first look: a string without any of these cannot match TOKEN_PATTERNS. */
export const MIGHT_HOLD_TOKEN = new RegExp(
  `xox[abprs]-|xapp-|bearer|basic|authorization|ticket=|sig=|key=|://|PRIVATE KEY|AKIA|ASIA|AIza|${STRONG_NAMES}|${WEAK_NAMES}`,
  'i',
);
