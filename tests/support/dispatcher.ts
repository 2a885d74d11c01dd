/** Builds a real dispatcher from a cloudmaster.yml text, as the bot does. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { PROVIDER_MODULES } from '../../providers/modules.ts';
import { type AnyProviderModule, connectAccounts } from '../../providers/registry.ts';
import { loadConfig } from '../../src/config/load.ts';
import { Dispatcher } from '../../src/dispatch/dispatcher.ts';
import { ProviderSet } from '../../src/dispatch/provider-set.ts';

/** Writes `yaml` to a fresh temporary folder and returns the file's path. */
export function writeConfig(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cloudmaster-test-'));
  const path = join(dir, 'cloudmaster.yml');
  writeFileSync(path, yaml);
  return path;
}

export async function dispatcherFor(
  yaml: string,
  extraModules: readonly AnyProviderModule[] = [],
  env: Record<string, string> = {},
): Promise<Dispatcher> {
  const modules = [...PROVIDER_MODULES, ...extraModules];
  const config = loadConfig({ env: { CLOUDMASTER_CONFIG: writeConfig(yaml), ...env }, modules });
  const log = pino({ level: 'silent' });
  const connected = await connectAccounts(config.accounts, { log, clock: Date });
  return new Dispatcher({ providers: new ProviderSet(connected), settings: config.settings, log });
}
