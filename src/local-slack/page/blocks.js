/**
 * Slack's message formatting, drawn with DOM nodes (never HTML strings, so
 * nothing a message holds can become markup): mrkdwn — *bold*, _italic_,
 * ~strike~, `code`, ```blocks```, > quotes, <links|labels>, <@user> and
 * <#channel> mentions, :emoji: — and the Block Kit blocks the bot sends:
 * header, section (text, fields, accessory), context, divider, actions.
 */

const EMOJI = {
  white_check_mark: '✅',
  warning: '⚠️',
  x: '❌',
  test_tube: '🧪',
  no_entry_sign: '🚫',
  no_entry: '⛔',
  hourglass_flowing_sand: '⏳',
  hourglass: '⌛',
  grey_question: '❔',
  red_circle: '🔴',
  double_vertical_bar: '⏸️',
  arrows_counterclockwise: '🔄',
  ticket: '🎫',
  information_source: 'ℹ️',
  white_circle: '⚪',
  large_yellow_circle: '🟡',
  large_green_circle: '🟢',
  large_blue_circle: '🔵',
  large_orange_circle: '🟠',
  black_circle: '⚫',
  eyes: '👀',
  wrench: '🔧',
  wastebasket: '🗑️',
  rotating_light: '🚨',
  rocket: '🚀',
  raised_hand: '✋',
  memory: '📝',
  mag: '🔍',
  construction: '🚧',
  tada: '🎉',
  thumbsup: '👍',
  '+1': '👍',
  fire: '🔥',
  zap: '⚡',
  cloud: '☁️',
  gear: '⚙️',
  lock: '🔒',
  bell: '🔔',
  clock1: '🕐',
  stopwatch: '⏱️',
  heavy_check_mark: '✔️',
  heavy_plus_sign: '➕',
  heavy_minus_sign: '➖',
  arrow_right: '➡️',
  bulb: '💡',
  sparkles: '✨',
  smile: '😄',
  slightly_smiling_face: '🙂',
  wave: '👋',
  point_right: '👉',
  robot_face: '🤖',
  pause_button: '⏸️',
  arrow_forward: '▶️',
  stop_button: '⏹️',
  recycle: '♻️',
  link: '🔗',
  bookmark: '🔖',
  large_red_square: '🟥',
  large_green_square: '🟩',
  large_yellow_square: '🟨',
  new: '🆕',
  sos: '🆘',
};

const SAFE_SCHEMES = ['http:', 'https:', 'mailto:'];

function decodeEntities(text) {
  return text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
}

function emojify(text) {
  return text.replace(/:([a-z0-9_+-]+):/g, (whole, name) => EMOJI[name] ?? whole);
}

/** Where a marker may open or close: not inside a word. */
function isBoundary(char) {
  return char === undefined || !/[\p{L}\p{N}]/u.test(char);
}

const INLINE = /`([^`\n]+)`|<([^<>\n]+)>|([*_~])/;

/**
 * Inline mrkdwn into `parent`. `ctx` names people and channels:
 * { names: Map(id → name), me: id }.
 */
function inline(parent, text, ctx) {
  let rest = 0;
  const plain = (to) => {
    if (to > rest) parent.append(document.createTextNode(emojify(decodeEntities(text.slice(rest, to)))));
  };
  // A pattern of its own: the call recurses into bold, italic and strike.
  const pattern = new RegExp(INLINE.source, 'g');
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    const at = match.index;
    if (match[1] !== undefined) {
      plain(at);
      const code = document.createElement('code');
      code.textContent = decodeEntities(match[1]);
      parent.append(code);
      rest = pattern.lastIndex;
    } else if (match[2] !== undefined) {
      plain(at);
      parent.append(special(match[2], ctx));
      rest = pattern.lastIndex;
    } else {
      const marker = match[3];
      if (!isBoundary(text[at - 1])) continue;
      const close = findClose(text, marker, at + 1);
      if (close < 0) continue;
      plain(at);
      const tag = { '*': 'strong', _: 'em', '~': 's' }[marker];
      const element = document.createElement(tag);
      inline(element, text.slice(at + 1, close), ctx);
      parent.append(element);
      rest = close + 1;
      pattern.lastIndex = rest;
    }
  }
  plain(text.length);
}

function findClose(text, marker, from) {
  for (let index = text.indexOf(marker, from + 1); index > 0; index = text.indexOf(marker, index + 1)) {
    if (text.slice(from, index).includes('\n')) return -1;
    if (text[index - 1] !== ' ' && isBoundary(text[index + 1])) return index;
  }
  return -1;
}

/** `<…>`: a mention, a channel, a special mention, or a link. */
function special(inner, ctx) {
  const [target, label] = splitOnce(inner, '|');
  const chip = (kind, words, me) => {
    const span = document.createElement('span');
    span.className = `mention${me ? ' me' : ''}`;
    span.dataset.kind = kind;
    span.textContent = words;
    return span;
  };
  if (target.startsWith('@')) {
    const id = target.slice(1);
    return chip('user', `@${label ?? ctx.names.get(id) ?? id}`, id === ctx.me);
  }
  if (target.startsWith('#')) {
    const id = target.slice(1);
    return chip('channel', `#${label ?? ctx.names.get(id) ?? id}`, false);
  }
  if (target.startsWith('!date^')) return document.createTextNode(decodeEntities(label ?? ''));
  if (target.startsWith('!')) {
    const name = target.slice(1).split('^')[0];
    return chip('special', label ? decodeEntities(label) : `@${name}`, false);
  }
  const href = decodeEntities(target);
  let url;
  try {
    url = new URL(href);
  } catch {
    return document.createTextNode(decodeEntities(label ?? target));
  }
  if (!SAFE_SCHEMES.includes(url.protocol)) return document.createTextNode(decodeEntities(label ?? target));
  const link = document.createElement('a');
  link.href = url.href;
  link.target = '_blank';
  link.rel = 'noopener noreferrer';
  link.textContent = decodeEntities(label ?? target);
  return link;
}

function splitOnce(text, separator) {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

/** mrkdwn into a new element: code blocks, quotes, then inline formatting. */
export function mrkdwn(text, ctx) {
  const root = document.createElement('div');
  root.className = 'text';
  const parts = text.split('```');
  parts.forEach((part, index) => {
    if (index % 2 === 1 && index < parts.length - 1) {
      const pre = document.createElement('pre');
      pre.textContent = decodeEntities(part.replace(/^\n/, ''));
      root.append(pre);
      return;
    }
    const piece = index % 2 === 1 ? `\`\`\`${part}` : part;
    let quote;
    piece.split('\n').forEach((line, lineIndex, lines) => {
      const quoted = line.startsWith('&gt; ') || line.startsWith('> ');
      if (quoted) {
        if (!quote) {
          quote = document.createElement('blockquote');
          root.append(quote);
        } else quote.append(document.createElement('br'));
        inline(quote, line.replace(/^(&gt;|>) /, ''), ctx);
        return;
      }
      quote = undefined;
      inline(root, line, ctx);
      if (lineIndex < lines.length - 1) root.append(document.createTextNode('\n'));
    });
  });
  return root;
}

function textObject(object, ctx) {
  if (!object || typeof object.text !== 'string') return document.createTextNode('');
  if (object.type === 'mrkdwn') return mrkdwn(object.text, ctx);
  const span = document.createElement('span');
  span.className = 'text';
  span.textContent = object.emoji === false ? object.text : emojify(object.text);
  return span;
}

function button(element, ctx) {
  const node = document.createElement('button');
  node.type = 'button';
  node.className = `button${element.style ? ` ${element.style}` : ''}`;
  node.textContent = emojify(element.text?.text ?? element.action_id ?? 'Button');
  node.dataset.actionId = element.action_id ?? '';
  if (element.value !== undefined) node.dataset.value = element.value;
  node.addEventListener('click', () => ctx.click(element, node));
  return node;
}

/** Block Kit blocks into a new element. */
export function blocks(list, ctx) {
  const root = document.createElement('div');
  root.className = 'blocks';
  for (const block of list) {
    const node = document.createElement('div');
    node.className = `block ${block.type}`;
    switch (block.type) {
      case 'header': {
        node.className = 'block block-header';
        node.setAttribute('role', 'heading');
        node.append(textObject(block.text, ctx));
        break;
      }
      case 'section': {
        const main = document.createElement('div');
        main.className = 'section-main';
        if (block.text) main.append(textObject(block.text, ctx));
        if (Array.isArray(block.fields)) {
          const fields = document.createElement('div');
          fields.className = 'fields';
          for (const field of block.fields) {
            const cell = document.createElement('div');
            cell.className = 'field';
            cell.append(textObject(field, ctx));
            fields.append(cell);
          }
          main.append(fields);
        }
        node.append(main);
        if (block.accessory?.type === 'button') node.append(button(block.accessory, ctx));
        break;
      }
      case 'context':
        for (const element of block.elements ?? []) {
          if (element.type === 'image') {
            const image = document.createElement('img');
            image.alt = element.alt_text ?? '';
            if (typeof element.image_url === 'string' && /^https?:/.test(element.image_url))
              image.src = element.image_url;
            node.append(image);
          } else node.append(textObject(element, ctx));
        }
        break;
      case 'divider': {
        const line = document.createElement('hr');
        line.className = 'divider';
        node.append(line);
        break;
      }
      case 'actions':
        for (const element of block.elements ?? []) {
          if (element.type === 'button') node.append(button(element, ctx));
        }
        break;
      default:
        node.className = 'block unsupported';
        node.textContent = `(a ${String(block.type)} block, which this page does not draw)`;
    }
    root.append(node);
  }
  return root;
}
