#!/usr/bin/env node
/**
 * `cloudmaster …`: the CLI, `cloudmaster serve` (the bot, what `npm start`
 * runs) and `cloudmaster --version`. Plain JavaScript that checks the Node.js
 * version before any TypeScript is loaded; a checkout runs its sources by
 * type stripping, an installed package the build in dist/.
 */
import { existsSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { fileURLToPath } from 'node:url';
import { enginesRange, nodeProblem } from './node-support.js';

const problem = nodeProblem(process.versions.node, enginesRange(), process.execPath);
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}

// The store and the sources use features Node still calls experimental; that is known, not news to users.
const emitWarning = process.emitWarning;
process.emitWarning = function quietKnownExperiments(warning, ...rest) {
  const type = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type;
  if (type === 'ExperimentalWarning' && /SQLite|Type Stripping/i.test(String(warning))) return;
  return emitWarning.call(process, warning, ...rest);
};

// Compiled code (and, on Node 24, the sources' stripped types) cached on disk: later starts load faster.
// Quiet by design: it never throws, and NODE_DISABLE_COMPILE_CACHE=1 turns it off.
nodeModule.enableCompileCache?.();

// Node refuses to strip types under node_modules, so an installed copy always runs its build.
const source = new URL('../src/entry.ts', import.meta.url);
const fromSource = existsSync(source) && !fileURLToPath(source).split(/[\\/]/).includes('node_modules');
await import(fromSource ? source.href : new URL('../dist/src/entry.js', import.meta.url).href);
