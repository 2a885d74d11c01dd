/**
 * The `watch:` section of cloudmaster.yml: where outage notices go and which
 * status sources are polled. Built-in presets are turned on by name and
 * overridden field by field by a source of the same name:
 *
 *     watch:
 *       channel: "#ops-outages"
 *       presets: [github, digitalocean, aws]
 *       sources:
 *         - name: github            # the preset, polled every minute
 *           interval: 1m
 *         - name: internal          # a source of its own
 *           type: statuspage
 *           url: https://status.internal.example/api/v2/incidents/unresolved.json
 *           channel: "#platform"
 */
import { z } from 'zod';
import { ageSchema, durationSchema } from '../config/duration.ts';
import { sizeSchema } from '../config/size.ts';
import { suggest } from '../grammar/suggest.ts';
import { findPreset, SOURCE_PRESETS } from './presets.ts';
import type { WatchSource } from './source.ts';
import { SOURCE_TYPE_NAMES } from './types/index.ts';

export interface WatchedSource extends WatchSource {
  /** Where its notices go: its own channel, else the section's. */
  readonly channel: string;
  /** The preset it starts from, if any. */
  readonly preset?: string;
}

export interface WatchSettings {
  readonly channel: string;
  readonly sources: readonly WatchedSource[];
}

const DEFAULT_INTERVAL_MS = 2 * 60_000;
const DEFAULT_TIMEOUT_MS = 10_000;
/** Status pages are shared by everyone; polling one faster than this is not polite. */
const MIN_INTERVAL_MS = 15_000;

const channelSchema = z
  .string()
  .regex(/^(#[a-z0-9][a-z0-9._-]{0,79}|[CG][A-Z0-9]{8,})$/, 'must be a channel id (C0123ABCD) or a #name');

const sourceEntrySchema = z.strictObject({
  name: z
    .string()
    .regex(
      /^[a-z][a-z0-9_-]{0,31}$/,
      'must be a lower-case letter, then letters, digits, - or _ (at most 32)',
    ),
  preset: z.string().optional(),
  type: z.string().optional(),
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  label: z.string().min(1).optional(),
  interval: durationSchema.optional(),
  timeout: durationSchema.optional(),
  ignoreOlderThan: ageSchema.optional(),
  /** The largest answer read; past it the poll fails and says so (default 4MB). */
  maxBodySize: sizeSchema(1024, 64 * 1024 * 1024).optional(),
  channel: channelSchema.optional(),
});
type SourceEntry = z.infer<typeof sourceEntrySchema>;

function nearWords(word: string, known: readonly string[]): string {
  const near = suggest(word, [...known]);
  return `${near.length > 0 ? ` (did you mean ${near.join(' or ')}?)` : ''}; known: ${known.join(', ')}`;
}

const PRESET_NAMES = SOURCE_PRESETS.map((preset) => preset.name);

export const watchSectionSchema = z
  .strictObject({
    channel: channelSchema,
    /** For every source that does not set its own, presets included. */
    interval: durationSchema.optional(),
    timeout: durationSchema.default(DEFAULT_TIMEOUT_MS),
    presets: z.array(z.string()).default([]),
    sources: z.array(sourceEntrySchema).default([]),
  })
  .transform((section, ctx): WatchSettings => {
    const problem = (path: (string | number)[], message: string): void => {
      ctx.addIssue({ code: 'custom', path, message });
    };
    // Presets by name first; a source of the same name replaces its entry, keeping its place.
    const entries = new Map<string, { entry: SourceEntry; path: (string | number)[] }>();
    section.presets.forEach((name, index) => {
      if (!findPreset(name))
        problem(['presets', index], `unknown preset "${name}"${nearWords(name, PRESET_NAMES)}`);
      else entries.set(name, { entry: { name, preset: name }, path: ['presets', index] });
    });
    const named = new Set<string>();
    section.sources.forEach((entry, index) => {
      if (named.has(entry.name)) problem(['sources', index, 'name'], `"${entry.name}" is named twice`);
      named.add(entry.name);
      entries.set(entry.name, { entry, path: ['sources', index] });
    });

    const sources: WatchedSource[] = [];
    for (const { entry, path } of entries.values()) {
      // A source named like a preset, without a url of its own, is that preset.
      const presetName =
        entry.preset ?? (entry.url === undefined && findPreset(entry.name) ? entry.name : undefined);
      const preset = presetName === undefined ? undefined : findPreset(presetName);
      if (presetName !== undefined && !preset) {
        problem([...path, 'preset'], `unknown preset "${presetName}"${nearWords(presetName, PRESET_NAMES)}`);
        continue;
      }
      const type = entry.type ?? preset?.type;
      const url = entry.url ?? preset?.url;
      if (type === undefined || url === undefined) {
        problem(
          path,
          `source "${entry.name}" needs a type and a url, or a preset (one of ${PRESET_NAMES.join(', ')})`,
        );
        continue;
      }
      if (!SOURCE_TYPE_NAMES.includes(type)) {
        problem([...path, 'type'], `unknown source type "${type}"${nearWords(type, SOURCE_TYPE_NAMES)}`);
        continue;
      }
      const intervalMs = entry.interval ?? section.interval ?? preset?.intervalMs ?? DEFAULT_INTERVAL_MS;
      const timeoutMs = entry.timeout ?? section.timeout;
      if (intervalMs < MIN_INTERVAL_MS) {
        problem(
          [...path, 'interval'],
          `polling more often than every ${MIN_INTERVAL_MS / 1000} s is not allowed`,
        );
        continue;
      }
      if (timeoutMs >= intervalMs) {
        problem([...path, 'timeout'], 'must be shorter than the interval');
        continue;
      }
      const ignoreOlderThanMs = entry.ignoreOlderThan ?? preset?.ignoreOlderThanMs;
      sources.push({
        name: entry.name,
        label: entry.label ?? preset?.label ?? entry.name,
        type,
        url,
        intervalMs,
        timeoutMs,
        channel: entry.channel ?? section.channel,
        ...(ignoreOlderThanMs === undefined ? {} : { ignoreOlderThanMs }),
        ...(entry.maxBodySize === undefined ? {} : { maxBodyBytes: entry.maxBodySize }),
        ...(preset ? { preset: preset.name } : {}),
      });
    }
    return { channel: section.channel, sources };
  });
