/**
 * Which Node.js runs cloudmaster, read from package.json's `engines.node`
 * (the one place it is written). Plain JavaScript any Node can parse, so an
 * older Node gets one line naming both versions instead of a stack trace.
 * Understands the forms that field uses: `^X.Y.Z` and `>=X.Y.Z` (minor and
 * patch may be left out), joined by `||`.
 */
import { readFileSync } from 'node:fs';

/** `engines.node` of the package.json beside bin/. */
export function enginesRange() {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  return manifest.engines.node;
}

function parseVersion(text) {
  const match = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a version`);
  return match.slice(1, 4).map((part) => Number(part ?? 0));
}

function compare(a, b) {
  for (let i = 0; i < 3; i += 1) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/** One `^X.Y.Z` or `>=X.Y.Z` term: whether it admits a version, and how to say it. */
function parseTerm(term) {
  const match = /^(\^|>=)\s*(\d+(?:\.\d+){0,2})$/.exec(term.trim());
  if (!match) throw new Error(`cannot read "${term}" in engines.node`);
  const floor = parseVersion(match[2]);
  const shortFloor = `${floor[0]}.${floor[1]}${floor[2] === 0 ? '' : `.${floor[2]}`}`;
  if (match[1] === '^')
    return {
      admits: (version) => version[0] === floor[0] && compare(version, floor) >= 0,
      words: `${shortFloor} or a later ${floor[0]}.x`,
    };
  return { admits: (version) => compare(version, floor) >= 0, words: `${shortFloor} or later` };
}

/** Undefined when `version` satisfies `range`; else the one line to print. */
export function nodeProblem(version, range, executable = '') {
  const terms = range.split('||').map(parseTerm);
  const found = parseVersion(version);
  if (terms.some((term) => term.admits(found))) return undefined;
  const where = executable ? ` (${executable})` : '';
  return `cloudmaster needs Node.js ${terms.map((term) => term.words).join(', or ')}; this is Node.js ${found.join('.')}${where}.`;
}
