/**
 * What `bin/cloudmaster.js` runs once Node is new enough: `serve` starts the
 * bot (main.ts), `--version` / `version` prints the version, and anything
 * else is a CLI command (cli.ts).
 */
import { VERSION } from './version.ts';

const VERSION_WORDS = ['--version', '-v', 'version'];
const [first, ...rest] = process.argv.slice(2);

function usage(line: string): never {
  process.stderr.write(`${line}\n`);
  process.exit(2);
}

if (first === 'serve') {
  const { serve } = await import('./main.ts');
  await serve(rest);
} else if (first !== undefined && VERSION_WORDS.includes(first)) {
  if (rest.length > 0) usage(`cloudmaster ${first} takes no arguments (it was given: ${rest.join(' ')}).`);
  process.stdout.write(`cloudmaster ${VERSION}\n`);
} else {
  await import('./cli.ts');
}
