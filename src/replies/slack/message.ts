/**
 * A Slack message and its blocks, built within Slack's limits whatever
 * they hold (limits.ts): the plain `text` fallback (notifications, screen
 * readers) and every mrkdwn block take `Mrkdwn` (mrkdwn.ts), so outside
 * strings are escaped in both. Builders here split rather than cut where
 * they can, and clip with "…" where they cannot.
 */
import type { ActionsBlock, Button, ContextBlock, HeaderBlock, KnownBlock, SectionBlock } from '@slack/types';
import { clip, LIMITS } from './limits.ts';
import { clipMrkdwn, type Mrkdwn, md, mrkdwnText } from './mrkdwn.ts';

export { LIMITS } from './limits.ts';
export { code, type Mrkdwn, md } from './mrkdwn.ts';

export interface SlackMessage {
  readonly text: string;
  readonly blocks: KnownBlock[];
}

function mrkdwnObject(text: Mrkdwn, limit: number): { type: 'mrkdwn'; text: string } {
  return { type: 'mrkdwn', text: mrkdwnText(clipMrkdwn(text, limit)) };
}

export function section(text: Mrkdwn): SectionBlock {
  return { type: 'section', text: mrkdwnObject(text, LIMITS.sectionText) };
}

/** A header is plain text: Slack reads nothing in it, so it is clipped, not escaped. */
export function header(text: string): HeaderBlock {
  return { type: 'header', text: { type: 'plain_text', text: clip(text, LIMITS.headerText), emoji: true } };
}

export function context(texts: readonly Mrkdwn[]): ContextBlock {
  return {
    type: 'context',
    elements: texts.slice(0, LIMITS.contextElements).map((text) => mrkdwnObject(text, LIMITS.sectionText)),
  };
}

export function fields(pairs: readonly (readonly [string, Mrkdwn])[]): SectionBlock[] {
  const blocks: SectionBlock[] = [];
  for (let i = 0; i < pairs.length; i += LIMITS.sectionFields) {
    blocks.push({
      type: 'section',
      fields: pairs
        .slice(i, i + LIMITS.sectionFields)
        .map(([label, value]) => mrkdwnObject(md`*${label}*\n${value}`, LIMITS.fieldText)),
    });
  }
  return blocks;
}

/** A button; its value is data a click carries back, so callers keep it within LIMITS.buttonValue. */
export function button(text: string, actionId: string, value: string, style?: 'primary' | 'danger'): Button {
  if (value.length > LIMITS.buttonValue) {
    throw new Error(`a button value of ${value.length} characters (limit ${LIMITS.buttonValue})`);
  }
  return {
    type: 'button',
    text: { type: 'plain_text', text: clip(text, LIMITS.buttonText), emoji: true },
    action_id: actionId,
    value,
    ...(style ? { style } : {}),
  };
}

export function actions(blockId: string, elements: Button[]): ActionsBlock {
  return { type: 'actions', block_id: blockId, elements: elements.slice(0, LIMITS.actionsElements) };
}

/**
 * Packs lines into as few section blocks as the 3,000-character limit
 * allows; a single overlong line is clipped (it is one value, not a row).
 */
export function packLines(lines: readonly Mrkdwn[]): SectionBlock[] {
  const blocks: SectionBlock[] = [];
  let current = '';
  for (const raw of lines) {
    const line = mrkdwnText(clipMrkdwn(raw, LIMITS.sectionText));
    if (current !== '' && current.length + 1 + line.length > LIMITS.sectionText) {
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: current } });
      current = '';
    }
    current = current === '' ? line : `${current}\n${line}`;
  }
  if (current !== '') blocks.push({ type: 'section', text: { type: 'mrkdwn', text: current } });
  return blocks;
}

/** Characters the packed lines will occupy, for page budgeting. */
export function packedSize(lines: readonly Mrkdwn[]): number {
  return lines.reduce((sum, line) => sum + Math.min(mrkdwnText(line).length, LIMITS.sectionText) + 1, 0);
}

const TOO_MANY_BLOCKS = md`:warning: Not everything fits in one Slack message; the rest is left out.`;

export function message(text: Mrkdwn, blocks: KnownBlock[]): SlackMessage {
  const kept =
    blocks.length > LIMITS.blocks
      ? [...blocks.slice(0, LIMITS.blocks - 1), context([TOO_MANY_BLOCKS])]
      : blocks;
  return { text: mrkdwnText(clipMrkdwn(text, LIMITS.fallbackText)), blocks: kept };
}
