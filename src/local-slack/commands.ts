/**
 * The slash commands the page offers: those manifest.yml installs in Slack
 * (so the page autocompletes what a workspace would), else the app's own list.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { SLASH_COMMANDS } from '../entry-points.ts';
import type { SlashCommandView } from './views.ts';

/** Beside src/ in a checkout; beside dist/ in an installed package. */
const MANIFESTS = [
  new URL('../../manifest.yml', import.meta.url),
  new URL('../../../manifest.yml', import.meta.url),
];

interface ManifestCommand {
  readonly command?: unknown;
  readonly description?: unknown;
  readonly usage_hint?: unknown;
}

export function slashCommandsOffered(
  manifest: URL | undefined = MANIFESTS.find((url) => existsSync(url)),
): SlashCommandView[] {
  const listed = manifest ? manifestCommands(manifest) : [];
  // An installed package may come without its manifest: the app's own list says the same.
  if (listed.length > 0) return listed;
  return SLASH_COMMANDS.map((spec) => ({
    command: spec.command,
    description: spec.description,
    usageHint: spec.usageHint,
  }));
}

function manifestCommands(manifest: URL): SlashCommandView[] {
  try {
    const parsed = parse(readFileSync(manifest, 'utf8')) as {
      features?: { slash_commands?: ManifestCommand[] };
    };
    const listed = (parsed.features?.slash_commands ?? []).filter(
      (entry): entry is ManifestCommand & { command: string } =>
        typeof entry.command === 'string' && entry.command.startsWith('/'),
    );
    return listed.map((entry) => ({
      command: entry.command,
      description: typeof entry.description === 'string' ? entry.description : '',
      usageHint: typeof entry.usage_hint === 'string' ? entry.usage_hint : '',
    }));
  } catch {
    // An unreadable manifest: the app's own list says the same.
    return [];
  }
}
