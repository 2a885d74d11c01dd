/**
 * RSS 2.0 and Atom documents into one list of items. Only the reading of
 * XML lives here; what an item means for an incident is feed.ts's business.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';
import { type BodyResult, describeIssues, opening, unreadable } from './body.ts';
import { isoTime } from './text.ts';

export interface FeedItem {
  /** RSS `guid` or Atom `id`. */
  readonly id?: string;
  readonly title: string;
  readonly link?: string;
  /** ISO 8601: RSS `pubDate`, Atom `published`. */
  readonly published?: string;
  /** ISO 8601: Atom `updated`. */
  readonly updated?: string;
  /** RSS `description` / `content:encoded`, Atom `content` / `summary`: usually HTML. */
  readonly text: string;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // Text stays text: a title such as "2024" must not become a number.
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => name === 'item' || name === 'entry' || name === 'link',
});

/** An element's text: a plain string, or the `#text` of one that has attributes. */
function textOf(node: unknown): string | undefined {
  if (typeof node === 'string') return node;
  if (Array.isArray(node)) return textOf(node[0]);
  if (node !== null && typeof node === 'object' && '#text' in node) return textOf(node['#text']);
  return undefined;
}

const elements = z.array(z.record(z.string(), z.unknown())).default([]);
/** An empty element (`<channel/>`, a feed with nothing in it) reads as "". */
const orEmpty = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? {} : value), schema);
const rssSchema = z.object({ rss: orEmpty(z.object({ channel: orEmpty(z.object({ item: elements })) })) });
const atomSchema = z.object({ feed: orEmpty(z.object({ entry: elements })) });

function rssItem(item: Record<string, unknown>): FeedItem {
  const published = isoTime(textOf(item.pubDate) ?? textOf(item['dc:date']));
  const id = textOf(item.guid);
  const link = textOf(item.link);
  return {
    ...(id ? { id } : {}),
    title: textOf(item.title) ?? '',
    ...(link ? { link } : {}),
    ...(published ? { published } : {}),
    text: textOf(item['content:encoded']) ?? textOf(item.description) ?? '',
  };
}

function atomLink(links: unknown): string | undefined {
  if (!Array.isArray(links)) return undefined;
  const attributes = links.filter(
    (link): link is Record<string, unknown> => typeof link === 'object' && link !== null,
  );
  const alternate = attributes.find((link) => link['@_rel'] === undefined || link['@_rel'] === 'alternate');
  const href = alternate?.['@_href'];
  return typeof href === 'string' ? href : undefined;
}

function atomEntry(entry: Record<string, unknown>): FeedItem {
  const published = isoTime(textOf(entry.published));
  const updated = isoTime(textOf(entry.updated));
  const id = textOf(entry.id);
  const link = atomLink(entry.link);
  return {
    ...(id ? { id } : {}),
    title: textOf(entry.title) ?? '',
    ...(link ? { link } : {}),
    ...(published ? { published } : {}),
    ...(updated ? { updated } : {}),
    text: textOf(entry.content) ?? textOf(entry.summary) ?? '',
  };
}

/** The items of an RSS 2.0 or Atom document, or why the body is neither. */
export function readFeedItems(body: string, contentType: string | undefined): BodyResult<FeedItem[]> {
  const what = 'an RSS or Atom feed';
  const problem = unreadable(body, contentType, what);
  if (problem) return { ok: false, reason: problem };
  const valid = XMLValidator.validate(body);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    const shown = body.trimStart().startsWith('<') ? '' : ` ("${opening(body)}")`;
    return {
      ok: false,
      reason: `the answer is not well-formed XML${shown}: ${msg} (line ${line}, column ${col})`,
    };
  }
  let document: unknown;
  try {
    document = parser.parse(body);
  } catch (error) {
    return {
      ok: false,
      reason: `the feed could not be read: ${error instanceof Error ? error.message : 'XML error'}`,
    };
  }
  const rss = rssSchema.safeParse(document);
  if (rss.success) return { ok: true, data: rss.data.rss.channel.item.map(rssItem) };
  const atom = atomSchema.safeParse(document);
  if (atom.success) return { ok: true, data: atom.data.feed.entry.map(atomEntry) };
  const root =
    document && typeof document === 'object' ? Object.keys(document).find((k) => k !== '?xml') : undefined;
  return {
    ok: false,
    reason: root
      ? `not ${what}: the document is <${root}>; ${describeIssues(rss.error.issues)}`
      : `not ${what}: no document element`,
  };
}
