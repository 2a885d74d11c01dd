/**
 * The local workspace's page: conversations on the left, the chosen one in
 * the middle, a composer below; acting as one of the workspace's people.
 * Live: the server's event stream says each message that appears or
 * changes, as the chosen person sees it.
 */
import { blocks, mrkdwn } from './blocks.js';

const $ = (id) => document.getElementById(id);
// One formatter for every message: toLocaleTimeString would make one per call, the slowest part of a long channel.
const clock = new Intl.DateTimeFormat([], { hour: '2-digit', minute: '2-digit' });
const keyOf = (view) => `${view.channel}/${view.ts}`;

const page = {
  /** From /local/state: me, people, channels, commands, bot, team. */
  workspace: undefined,
  /** key → message view, as the current person sees it. */
  messages: new Map(),
  /** key → the message's element, for the open channel. */
  elements: new Map(),
  channel: undefined,
  threadTs: undefined,
  unread: new Set(),
  events: undefined,
  buffered: undefined,
  selected: -1,
  context: undefined,
};

function personParam() {
  return new URLSearchParams(location.search).get('as') ?? localStorage.getItem('cloudmaster.as') ?? '';
}

function names() {
  const map = new Map();
  const { people, channels, bot } = page.workspace;
  for (const person of people) map.set(person.id, person.name);
  for (const channel of channels) if (channel.kind === 'channel') map.set(channel.id, channel.name);
  map.set(bot.id, bot.handle);
  return map;
}

/** What drawing a message needs to know; made once per state, not per message. */
function context() {
  if (!page.context || page.context.workspace !== page.workspace) {
    page.context = {
      workspace: page.workspace,
      names: names(),
      people: new Map(page.workspace.people.map((person) => [person.id, person.name])),
      me: page.workspace.me.id,
      click,
    };
  }
  return page.context;
}

async function post(path, body) {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ as: page.workspace.me.id, ...body }),
  });
  const answer = await response
    .json()
    .catch(() => ({ ok: false, error: `the server answered ${response.status}` }));
  if (!answer.ok) showNotice(answer.error ?? 'that did not work');
  return answer;
}

function showNotice(text) {
  $('notice').textContent = text;
  clearTimeout(showNotice.timer);
  showNotice.timer = setTimeout(() => {
    $('notice').textContent = '';
  }, 8000);
}

async function click(element, node) {
  const key = node.closest('.message')?.dataset.key;
  const view = key ? page.messages.get(key) : undefined;
  if (!view) return;
  if (element.confirm?.text?.text && !window.confirm(element.confirm.text.text)) return;
  if (typeof element.url === 'string' && /^https?:/.test(element.url))
    window.open(element.url, '_blank', 'noopener');
  node.disabled = true;
  try {
    await post('/local/click', {
      channel: view.channel,
      ts: view.ts,
      actionId: element.action_id,
      value: element.value,
    });
  } finally {
    node.disabled = false;
  }
}

// ── Loading ─────────────────────────────────────────────────────────────

async function load(as) {
  page.buffered = [];
  const response = await fetch(`/local/state?as=${encodeURIComponent(as)}`);
  const state = await response.json();
  page.workspace = state;
  page.messages = new Map(state.messages.map((view) => [keyOf(view), view]));
  localStorage.setItem('cloudmaster.as', state.me.id);
  const pending = page.buffered;
  page.buffered = undefined;
  for (const [kind, data] of pending) apply(kind, data);
  drawChrome();
  const [hashChannel, hashTs] = decodeURIComponent(location.hash.slice(1)).split('/');
  const known = (id) => state.channels.some((channel) => channel.id === id);
  const channel = [hashChannel, page.channel, 'C0OPS', state.channels[0]?.id].find((id) => id && known(id));
  openChannel(channel, hashTs);
  setPresence(state.connected);
}

function listen(as) {
  page.events?.close();
  const events = new EventSource(`/local/events?as=${encodeURIComponent(as)}`);
  page.events = events;
  // Every (re)connection starts from the whole state: nothing missed while away.
  let viewer = as;
  events.addEventListener('hello', (event) => {
    const hello = JSON.parse(event.data);
    viewer = hello.as;
    setPresence(hello.connected);
    load(viewer);
  });
  events.addEventListener('refresh', () => load(viewer));
  for (const kind of ['message', 'remove']) {
    events.addEventListener(kind, (event) => {
      const data = JSON.parse(event.data);
      if (page.buffered) page.buffered.push([kind, data]);
      else apply(kind, data);
    });
  }
}

function apply(kind, data) {
  const key = keyOf(data);
  if (kind === 'remove') {
    page.messages.delete(key);
    if (data.channel === page.channel) removeElement(key);
    return;
  }
  page.messages.set(key, data);
  if (!page.workspace) return;
  if (data.channel === page.channel) drawMessage(data, true);
  else {
    page.unread.add(data.channel);
    drawSidebar();
  }
}

function setPresence(connected) {
  const presence = $('presence');
  presence.dataset.connected = String(Boolean(connected));
  const name = page.workspace?.bot.name ?? 'Igor';
  $('presence-text').textContent = connected ? `${name} is connected` : `${name} is not connected`;
}

// ── Drawing ─────────────────────────────────────────────────────────────

function drawChrome() {
  const { team, people, me } = page.workspace;
  $('team').textContent = team;
  const select = $('person');
  select.replaceChildren(
    ...people.map((person) => {
      const option = document.createElement('option');
      option.value = person.id;
      option.textContent = person.name;
      option.selected = person.id === me.id;
      return option;
    }),
  );
  drawSidebar();
}

function drawSidebar() {
  const { channels, bot } = page.workspace;
  const entry = (channel, label) => {
    const item = document.createElement('li');
    const link = document.createElement('a');
    link.href = `#${channel.id}`;
    link.dataset.channel = channel.id;
    link.textContent = label;
    if (page.unread.has(channel.id)) link.classList.add('unread');
    if (channel.id === page.channel) link.setAttribute('aria-current', 'page');
    link.addEventListener('click', (event) => {
      event.preventDefault();
      history.replaceState(null, '', `#${channel.id}`);
      openChannel(channel.id);
    });
    item.append(link);
    return item;
  };
  $('channels').replaceChildren(
    ...channels.filter((c) => c.kind === 'channel').map((channel) => entry(channel, `# ${channel.name}`)),
  );
  $('dms').replaceChildren(
    ...channels.filter((c) => c.kind === 'im').map((channel) => entry(channel, bot.name)),
  );
}

function openChannel(id, focusTs) {
  page.channel = id;
  page.unread.delete(id);
  leaveThread();
  drawSidebar();
  const channel = page.workspace.channels.find((candidate) => candidate.id === id);
  const { bot } = page.workspace;
  $('title').textContent = channel ? (channel.kind === 'im' ? bot.name : `# ${channel.name}`) : '';
  $('topic').textContent =
    channel?.kind === 'im'
      ? `Your direct messages with ${bot.name} (app ${bot.app}): write commands without a slash`
      : `Try /cloudmaster help, or mention @${bot.handle}`;
  $('composer').placeholder = channel
    ? `Message ${channel.kind === 'im' ? bot.name : `#${channel.name}`}`
    : '';
  drawChannel();
  if (focusTs) {
    const element = page.elements.get(`${id}/${focusTs}`);
    element?.scrollIntoView({ block: 'center' });
    element?.classList.add('highlight');
  }
}

function drawChannel() {
  const list = $('messages');
  page.elements = new Map();
  const views = [...page.messages.values()]
    .filter((view) => view.channel === page.channel)
    .sort((a, b) => compareTs(a.ts, b.ts));
  const fragment = document.createDocumentFragment();
  for (const view of views) {
    const element = messageElement(view);
    page.elements.set(keyOf(view), element);
    const parent = isReply(view) ? page.elements.get(`${view.channel}/${view.threadTs}`) : undefined;
    if (parent?.thread) parent.thread.append(element);
    else fragment.append(element);
  }
  list.replaceChildren(fragment);
  for (const element of page.elements.values()) {
    if (element.thread?.children.length) drawThreadCount(element);
  }
  list.scrollTop = list.scrollHeight;
}

function isReply(view) {
  return view.threadTs !== undefined && view.threadTs !== view.ts;
}

function compareTs(a, b) {
  const [as, am] = a.split('.').map(Number);
  const [bs, bm] = b.split('.').map(Number);
  return as - bs || am - bm;
}

function drawMessage(view, scroll) {
  const key = keyOf(view);
  const old = page.elements.get(key);
  const element = messageElement(view);
  if (old) {
    // Keep its thread: the replies are elements of their own.
    if (old.thread && element.thread) {
      element.thread.replaceWith(old.thread);
      element.thread = old.thread;
    }
    old.replaceWith(element);
    page.elements.set(key, element);
    return;
  }
  page.elements.set(key, element);
  const parent = isReply(view) ? page.elements.get(`${view.channel}/${view.threadTs}`) : undefined;
  const container = parent?.thread ?? $('messages');
  const later = [...container.children].find(
    (child) => child.dataset.ts && compareTs(child.dataset.ts, view.ts) > 0,
  );
  container.insertBefore(element, later ?? null);
  if (parent) drawThreadCount(parent);
  const list = $('messages');
  if (scroll && !parent) list.scrollTop = list.scrollHeight;
}

function removeElement(key) {
  page.elements.get(key)?.remove();
  page.elements.delete(key);
}

function drawThreadCount(parent) {
  const count = parent.thread.children.length;
  const reply = parent.querySelector(':scope > .body > .thread-actions > button');
  if (reply)
    reply.textContent =
      count > 0 ? `${count} ${count === 1 ? 'reply' : 'replies'} · Reply in thread` : 'Reply in thread';
}

function messageElement(view) {
  const { workspace } = page;
  const ctx = context();
  const element = document.createElement('div');
  element.className = `message${view.ephemeral ? ' ephemeral' : ''}`;
  element.dataset.key = keyOf(view);
  element.dataset.ts = view.ts;
  element.dataset.author = view.author;
  const name = view.bot ? workspace.bot.name : (ctx.people.get(view.author) ?? view.author);
  const avatar = document.createElement('div');
  avatar.className = `avatar${view.bot ? ' bot' : ''}`;
  avatar.textContent = name.slice(0, 1).toUpperCase();
  avatar.setAttribute('aria-hidden', 'true');
  const body = document.createElement('div');
  body.className = 'body';
  if (view.ephemeral) {
    const only = document.createElement('div');
    only.className = 'only-you';
    only.textContent = 'Only visible to you';
    body.append(only);
  }
  const meta = document.createElement('div');
  meta.className = 'meta';
  const author = document.createElement('span');
  author.className = 'author';
  author.textContent = name;
  meta.append(author);
  if (view.bot) {
    const badge = document.createElement('span');
    badge.className = 'badge';
    badge.textContent = 'APP';
    badge.title = `app ${workspace.bot.app}`;
    meta.append(badge);
  }
  const time = document.createElement('time');
  time.className = 'time';
  time.dateTime = new Date(view.at).toISOString();
  time.textContent = clock.format(view.at);
  meta.append(time);
  if (view.edited) {
    const edited = document.createElement('span');
    edited.className = 'edited';
    edited.textContent = '(edited)';
    meta.append(edited);
  }
  body.append(meta);
  const content = document.createElement('div');
  content.className = 'content';
  content.append(view.blocks.length > 0 ? blocks(view.blocks, ctx) : mrkdwn(view.text, ctx));
  body.append(content);
  if (!isReply(view) && !view.ephemeral) {
    const actions = document.createElement('div');
    actions.className = 'thread-actions';
    const reply = document.createElement('button');
    reply.type = 'button';
    reply.textContent = 'Reply in thread';
    reply.addEventListener('click', () => enterThread(view.ts));
    actions.append(reply);
    body.append(actions);
    const thread = document.createElement('div');
    thread.className = 'thread';
    body.append(thread);
    element.thread = thread;
  }
  element.append(avatar, body);
  return element;
}

// ── Composer ────────────────────────────────────────────────────────────

function enterThread(ts) {
  page.threadTs = ts;
  $('replying').hidden = false;
  $('composer').focus();
}

function leaveThread() {
  page.threadTs = undefined;
  $('replying').hidden = true;
}

async function send() {
  const composer = $('composer');
  const text = composer.value.trim();
  if (text === '') return;
  hideSuggestions();
  const answer = await post('/local/send', { channel: page.channel, text, threadTs: page.threadTs });
  if (answer.ok) composer.value = '';
}

function suggestions() {
  const text = $('composer').value;
  if (!text.startsWith('/') || /\s/.test(text)) return [];
  return page.workspace.commands.filter((command) => command.command.startsWith(text));
}

function drawSuggestions() {
  const list = $('suggestions');
  const found = suggestions();
  if (found.length === 0) return hideSuggestions();
  page.selected = Math.min(Math.max(page.selected, 0), found.length - 1);
  list.replaceChildren(
    ...found.map((command, index) => {
      const item = document.createElement('div');
      item.className = 'option';
      item.setAttribute('role', 'option');
      item.setAttribute('aria-selected', String(index === page.selected));
      const name = document.createElement('strong');
      name.textContent = command.command;
      const hint = document.createElement('span');
      hint.className = 'hint';
      hint.textContent = `${command.usageHint} — ${command.description}`;
      item.append(name, hint);
      item.addEventListener('mousedown', (event) => {
        event.preventDefault();
        choose(command);
      });
      return item;
    }),
  );
  list.hidden = false;
}

function hideSuggestions() {
  $('suggestions').hidden = true;
  page.selected = -1;
}

function choose(command) {
  $('composer').value = `${command.command} `;
  hideSuggestions();
  $('composer').focus();
}

function onKey(event) {
  const found = $('suggestions').hidden ? [] : suggestions();
  if (found.length > 0 && ['ArrowDown', 'ArrowUp'].includes(event.key)) {
    event.preventDefault();
    page.selected = (page.selected + (event.key === 'ArrowDown' ? 1 : found.length - 1)) % found.length;
    drawSuggestions();
    return;
  }
  if (found.length > 0 && (event.key === 'Tab' || event.key === 'Enter') && page.selected >= 0) {
    event.preventDefault();
    choose(found[page.selected]);
    return;
  }
  if (event.key === 'Escape') {
    hideSuggestions();
    leaveThread();
    return;
  }
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    send();
  }
}

function start() {
  $('composer').addEventListener('keydown', onKey);
  $('composer').addEventListener('input', drawSuggestions);
  $('composer-form').addEventListener('submit', (event) => {
    event.preventDefault();
    send();
  });
  $('leave-thread').addEventListener('click', leaveThread);
  window.addEventListener('hashchange', () => {
    const [channel, ts] = decodeURIComponent(location.hash.slice(1)).split('/');
    if (page.workspace?.channels.some((candidate) => candidate.id === channel)) openChannel(channel, ts);
  });
  $('person').addEventListener('change', (event) => {
    const as = event.target.value;
    const url = new URL(location.href);
    url.searchParams.set('as', as);
    history.replaceState(null, '', url);
    page.unread.clear();
    listen(as);
  });
  listen(personParam());
}

start();
