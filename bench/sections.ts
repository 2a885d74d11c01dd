/** One benchmark's section of BENCHMARKS.md, replaced (or appended) by the benchmark that runs alone. */
import { readFileSync, writeFileSync } from 'node:fs';

export function writeBenchmarkSection(heading: string, section: string): void {
  const file = new URL('../BENCHMARKS.md', import.meta.url);
  const report = readFileSync(file, 'utf8');
  const start = report.indexOf(heading);
  if (start === -1) {
    writeFileSync(file, `${report.trimEnd()}\n\n${section}`);
    return;
  }
  const next = report.indexOf('\n## ', start + heading.length);
  const rest = next === -1 ? '' : report.slice(next + 1);
  writeFileSync(file, `${report.slice(0, start)}${section}${rest ? `\n${rest}` : ''}`);
}
