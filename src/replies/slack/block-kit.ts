/**
 * What Slack refuses in a message: the bridge checks the blocks clients
 * send with it (a clear 400 rather than Slack's refusal later), and the
 * fake Slack checks everything it takes with it, so no test passes on a
 * payload real Slack would reject. From the Block
 * Kit reference: at most 50 blocks; a text object holds 1–3,000
 * characters; a section has text or 1–10 fields of at most 2,000 each; a
 * header is plain_text of at most 150; a context has 1–10 elements; an
 * actions block 1–25; a button's text is plain_text of at most 75, its
 * value at most 2,000, its url 3,000; block_id and action_id at most 255
 * and unique in the message; no property Slack does not know. A `text`
 * over 40,000 characters is refused as msg_too_long.
 */

export interface Refusal {
  /** Slack's error code: `invalid_blocks`, `invalid_blocks_format` or `msg_too_long`. */
  readonly error: string;
  /** Slack's own wording: what is wrong, and where (a JSON pointer). */
  readonly problems: readonly string[];
}

const MAX = {
  blocks: 50,
  text: 3000,
  fields: 10,
  field: 2000,
  header: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  url: 3000,
  id: 255,
  messageText: 40_000,
} as const;

const BLOCK_PROPERTIES: Record<string, readonly string[]> = {
  section: ['type', 'block_id', 'text', 'fields', 'accessory', 'expand'],
  header: ['type', 'block_id', 'text'],
  context: ['type', 'block_id', 'elements'],
  actions: ['type', 'block_id', 'elements'],
  divider: ['type', 'block_id'],
};

const BUTTON_PROPERTIES = [
  'type',
  'text',
  'action_id',
  'value',
  'url',
  'style',
  'confirm',
  'accessibility_label',
];
const IMAGE_PROPERTIES = ['type', 'image_url', 'alt_text', 'slack_file'];

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Checker {
  readonly problems: string[] = [];
  private readonly blockIds = new Set<string>();
  private readonly actionIds = new Set<string>();

  private fail(problem: string, at: string): void {
    this.problems.push(`${problem} [json-pointer:${at}]`);
  }

  private known(value: Json, allowed: readonly string[], at: string): void {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) this.fail(`unknown property "${key}"`, `${at}/${key}`);
    }
  }

  private length(value: unknown, max: number, at: string, required = true): void {
    if (value === undefined && !required) return;
    if (typeof value !== 'string') {
      this.fail('must be a string', at);
      return;
    }
    if (value.length === 0) this.fail('must be more than 0 characters', at);
    if (value.length > max) this.fail(`must be less than ${max + 1} characters`, at);
  }

  private id(value: unknown, seen: Set<string>, at: string): void {
    if (value === undefined) return;
    this.length(value, MAX.id, at);
    if (typeof value !== 'string') return;
    if (seen.has(value)) this.fail(`must be unique: "${value}" is used twice`, at);
    seen.add(value);
  }

  text(value: unknown, max: number, at: string, types: readonly string[] = ['plain_text', 'mrkdwn']): void {
    if (!isObject(value)) {
      this.fail('must be a text object', at);
      return;
    }
    if (typeof value.type !== 'string' || !types.includes(value.type)) {
      this.fail(`must be of type ${types.join(' or ')}`, `${at}/type`);
      return;
    }
    this.known(
      value,
      value.type === 'plain_text' ? ['type', 'text', 'emoji'] : ['type', 'text', 'verbatim'],
      at,
    );
    this.length(value.text, max, `${at}/text`);
  }

  private list(value: unknown, min: number, max: number, at: string): unknown[] {
    if (!Array.isArray(value)) {
      this.fail('must be an array', at);
      return [];
    }
    if (value.length < min) this.fail(`must provide at least ${min} items`, at);
    if (value.length > max) this.fail(`no more than ${max} items allowed`, at);
    return value;
  }

  private button(value: unknown, at: string): void {
    if (!isObject(value) || value.type !== 'button') {
      this.fail('must be a button element', at);
      return;
    }
    this.known(value, BUTTON_PROPERTIES, at);
    this.text(value.text, MAX.buttonText, `${at}/text`, ['plain_text']);
    this.id(value.action_id, this.actionIds, `${at}/action_id`);
    this.length(value.value, MAX.buttonValue, `${at}/value`, false);
    this.length(value.url, MAX.url, `${at}/url`, false);
    if (value.style !== undefined && value.style !== 'primary' && value.style !== 'danger')
      this.fail('must be primary or danger', `${at}/style`);
  }

  block(value: unknown, at: string): void {
    if (!isObject(value) || typeof value.type !== 'string') {
      this.fail('must be a block', at);
      return;
    }
    const allowed = BLOCK_PROPERTIES[value.type];
    if (!allowed) {
      this.fail(`unsupported type "${value.type}"`, `${at}/type`);
      return;
    }
    this.known(value, allowed, at);
    this.id(value.block_id, this.blockIds, `${at}/block_id`);
    switch (value.type) {
      case 'section':
        if (value.text === undefined && value.fields === undefined)
          this.fail('must provide text or fields', at);
        if (value.text !== undefined) this.text(value.text, MAX.text, `${at}/text`);
        if (value.fields !== undefined) {
          this.list(value.fields, 1, MAX.fields, `${at}/fields`).forEach((field, index) => {
            this.text(field, MAX.field, `${at}/fields/${index}`);
          });
        }
        if (value.accessory !== undefined) this.button(value.accessory, `${at}/accessory`);
        return;
      case 'header': {
        this.text(value.text, MAX.header, `${at}/text`, ['plain_text']);
        return;
      }
      case 'context':
        this.list(value.elements, 1, MAX.contextElements, `${at}/elements`).forEach((element, index) => {
          const where = `${at}/elements/${index}`;
          if (isObject(element) && element.type === 'image') this.known(element, IMAGE_PROPERTIES, where);
          else this.text(element, MAX.text, where);
        });
        return;
      case 'actions':
        this.list(value.elements, 1, MAX.actionsElements, `${at}/elements`).forEach((element, index) => {
          this.button(element, `${at}/elements/${index}`);
        });
        return;
    }
  }
}

/** Why Slack would refuse this message (chat.* arguments or a response_url body), or undefined. */
export function refusal(args: Record<string, unknown>): Refusal | undefined {
  if (typeof args.text === 'string' && args.text.length > MAX.messageText)
    return { error: 'msg_too_long', problems: [`text is ${args.text.length} characters`] };
  if (args.blocks === undefined) return undefined;
  if (!Array.isArray(args.blocks))
    return { error: 'invalid_blocks_format', problems: ['blocks must be an array'] };
  const checker = new Checker();
  if (args.blocks.length > MAX.blocks)
    checker.problems.push(`no more than ${MAX.blocks} items allowed [json-pointer:/blocks]`);
  args.blocks.forEach((block, index) => {
    checker.block(block, `/blocks/${index}`);
  });
  return checker.problems.length > 0 ? { error: 'invalid_blocks', problems: checker.problems } : undefined;
}
