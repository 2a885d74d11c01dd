/**
 * A Slack message and the limits every message must respect: at most 50
 * blocks, 3,000 characters per section text, a header of 150, and a plain
 * `text` fallback (notifications, screen readers, logs) holding the same
 * names and states as the blocks. Builders here split rather than cut.
 */
import type { ActionsBlock, Button, ContextBlock, HeaderBlock, KnownBlock, SectionBlock } from '@slack/types';

export interface SlackMessage {
  readonly text: string;
  readonly blocks: KnownBlock[];
}

export const LIMITS = {
  blocks: 50,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  /** Slack truncates longer fallback texts; stay well below. */
  fallbackText: 38_000,
  buttonValue: 2000,
} as const;

/** Slack treats &, < and > as control characters in mrkdwn: a machine named `<!channel>` must not ping anyone. */
export function mrkdwnEscape(text: string): string {
  if (!/[&<>]/.test(text)) return text;
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Inline code, safe for any content. */
export function code(text: string): string {
  return `\`${mrkdwnEscape(text.replace(/`/g, "'"))}\``;
}

export function section(text: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

export function header(text: string): HeaderBlock {
  const clipped = text.length > LIMITS.headerText ? `${text.slice(0, LIMITS.headerText - 1)}…` : text;
  return { type: 'header', text: { type: 'plain_text', text: clipped, emoji: true } };
}

export function context(texts: readonly string[]): ContextBlock {
  return {
    type: 'context',
    elements: texts
      .slice(0, LIMITS.contextElements)
      .map((text) => ({ type: 'mrkdwn', text: clip(text, LIMITS.sectionText) })),
  };
}

export function fields(pairs: readonly (readonly [string, string])[]): SectionBlock[] {
  const blocks: SectionBlock[] = [];
  for (let i = 0; i < pairs.length; i += LIMITS.sectionFields) {
    blocks.push({
      type: 'section',
      fields: pairs
        .slice(i, i + LIMITS.sectionFields)
        .map(([label, value]) => ({ type: 'mrkdwn', text: clip(`*${label}*\n${value}`, LIMITS.fieldText) })),
    });
  }
  return blocks;
}

export function button(text: string, actionId: string, value: string, style?: 'primary' | 'danger'): Button {
  return {
    type: 'button',
    text: { type: 'plain_text', text, emoji: true },
    action_id: actionId,
    value,
    ...(style ? { style } : {}),
  };
}

export function actions(blockId: string, elements: Button[]): ActionsBlock {
  return { type: 'actions', block_id: blockId, elements };
}

/** For values a single line may hold; never used to drop list rows. */
function clip(text: string, limit: number): string {
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}

/**
 * Packs lines into as few section blocks as the 3,000-character limit
 * allows; a single overlong line is clipped (it is one value, not a row).
 */
export function packLines(lines: readonly string[]): SectionBlock[] {
  const blocks: SectionBlock[] = [];
  let current = '';
  for (const raw of lines) {
    const line = clip(raw, LIMITS.sectionText);
    if (current !== '' && current.length + 1 + line.length > LIMITS.sectionText) {
      blocks.push(section(current));
      current = '';
    }
    current = current === '' ? line : `${current}\n${line}`;
  }
  if (current !== '') blocks.push(section(current));
  return blocks;
}

/** Characters the packed lines will occupy, for page budgeting. */
export function packedSize(lines: readonly string[]): number {
  return lines.reduce((sum, line) => sum + Math.min(line.length, LIMITS.sectionText) + 1, 0);
}

export function message(text: string, blocks: KnownBlock[]): SlackMessage {
  if (blocks.length > LIMITS.blocks) {
    throw new Error(`a message was built with ${blocks.length} blocks (limit ${LIMITS.blocks})`);
  }
  return { text: clip(text, LIMITS.fallbackText), blocks };
}
