/**
 * `node bench/profile-summary.ts FILE.cpuprofile [top] [from] [to]`: a V8
 * CPU profile (node --cpu-prof) summarised as self time by file
 * (node_modules collapsed to their package) and by function, and total
 * time of our own functions, largest first. `from` / `to` keep only the
 * samples in that window: the monotonic clock in microseconds
 * (process.hrtime.bigint() / 1000n in any process on the machine), as the
 * profile's own timestamps are, so a load phase can be told from start-up.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly children?: readonly number[];
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Where the process spent its time, second by second (idle excluded): shows start-up apart from load. */
export function busyPerSecond(profile: Profile): number[] {
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  const seconds: number[] = [];
  let at = 0;
  profile.samples.forEach((id, i) => {
    const micros = profile.timeDeltas[i] ?? 0;
    at += micros;
    if (idle.has(id)) return;
    const second = Math.floor(at / 1e6);
    seconds[second] = (seconds[second] ?? 0) + micros / 1000;
  });
  return Array.from(seconds, (ms) => Math.round(ms ?? 0));
}

/** A file's place: the package for node_modules, the repository path for ours, node:… for Node's own. */
export function placeOf(url: string): string {
  if (url === '') return '(native/vm)';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules !== -1) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return `npm:${rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  const repo = /\/(src|providers|bench|bin|tests)\/.*$/.exec(url);
  return repo ? repo[0].slice(1) : url;
}

export function summarize(
  profile: Profile,
  window: Window = {},
): {
  total: number;
  byPlace: Map<string, number>;
  byFunction: Map<string, number>;
  inclusive: Map<string, number>;
} {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const nameOf = (frame: ProfileNode['callFrame']): string =>
    `${frame.functionName || '(anonymous)'} ${placeOf(frame.url)}:${frame.lineNumber + 1}`;
  const byPlace = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const micros = profile.timeDeltas[i] ?? 0;
    at += micros;
    if (at < (window.from ?? 0) || at > (window.to ?? Number.POSITIVE_INFINITY)) return;
    const frame = nodes.get(id)?.callFrame;
    if (!frame) return;
    total += micros;
    const place = placeOf(frame.url);
    byPlace.set(place, (byPlace.get(place) ?? 0) + micros);
    const name = nameOf(frame);
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
    // Inclusive: every function on the stack once, however often it recurs.
    const onStack = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
      const caller = nodes.get(at)?.callFrame;
      if (caller && placeOf(caller.url) !== '(native/vm)') onStack.add(nameOf(caller));
    }
    for (const caller of onStack) inclusive.set(caller, (inclusive.get(caller) ?? 0) + micros);
  });
  return { total, byPlace, byFunction, inclusive };
}

export interface Window {
  readonly from?: number;
  readonly to?: number;
}

/** The summary as text: self time by file and by function, total time of our functions. */
export function summaryText(profile: Profile, window: Window = {}, top = 25): string {
  const { total, byPlace, byFunction, inclusive } = summarize(profile, window);
  const ours = new Map([...inclusive].filter(([name]) => / (src|providers)\//.test(name)));
  const table = (title: string, entries: Map<string, number>): string =>
    [
      `${title} (of ${(total / 1000).toFixed(0)} ms sampled)`,
      ...[...entries]
        .sort((a, b) => b[1] - a[1])
        .slice(0, top)
        .map(
          ([name, micros]) =>
            `${((100 * micros) / total).toFixed(1).padStart(5)}%  ${(micros / 1000).toFixed(0).padStart(6)} ms  ${name}`,
        ),
    ].join('\n');
  return [
    `busy ms per second of the whole profile: ${busyPerSecond(profile).join(' ')}`,
    table('self time by file', byPlace),
    table('self time by function', byFunction),
    table('total time (self + callees) of our functions', ours),
  ].join('\n\n');
}

/** Writes `summary-PID.txt` beside process PID's profile in `dir`, for the given window. */
export function summarizeProfile(dir: string, pid: number, window: Window): void {
  const file = readdirSync(dir).find((name) => name.endsWith(`.${pid}.0.001.cpuprofile`));
  if (!file) return;
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile;
  writeFileSync(join(dir, `summary-${pid}.txt`), `${summaryText(profile, window, 40)}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, topArg, fromArg, toArg] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node bench/profile-summary.ts FILE.cpuprofile [top] [from] [to]\n');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const window = {
    ...(fromArg ? { from: Number(fromArg) } : {}),
    ...(toArg ? { to: Number(toArg) } : {}),
  };
  process.stdout.write(`${summaryText(profile, window, Number(topArg ?? 25))}\n`);
}
