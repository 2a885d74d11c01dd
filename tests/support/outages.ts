/**
 * The outage watch through the fake Slack: the notices in a channel and the
 * replies in their threads, the notices' buttons clicked as a person would,
 * and the watch's clock moved on while status pages say something.
 */

import type { Bot } from '../../src/bot.ts';
import { OUTAGE_ACTIONS } from '../../src/replies/slack/outage-notice.ts';
import { type FakeSlack, latest, type MessageRecord } from './fake-slack/index.ts';
import { buttonIds } from './fake-slack/payloads.ts';
import type { ManualTimers } from './manual-timers.ts';
import type { FixtureRoute, StatusFixtureServer } from './status-fixtures.ts';

/** Where the tests' GitHub status page is served, and the channel its notices go to. */
export const STATUS_PATH = '/api/v2/incidents/unresolved.json';
export const OUTAGE_CHANNEL = 'C0OUTAGES';

/** A cloudmaster.yml watching one GitHub status page on `pages`, every minute; `more` adds sections. */
export function watchConfig(pages: StatusFixtureServer, more = ''): string {
  return `
settings:
  admins: [U0ALICE, U0BOB, U0CAROL, U0DAVE]
providers:
  demo: { type: simulator }
watch:
  channel: ${OUTAGE_CHANNEL}
  interval: 1m
  timeout: 2s
  sources:
    - { name: github, label: GitHub, type: statuspage, url: "${pages.url(STATUS_PATH)}" }
${more}`;
}

/** The bot's top-level posts in `channel`, oldest first. */
export function noticesIn(fake: FakeSlack, channel: string): MessageRecord[] {
  return fake.messages.filter((m) => m.channel === channel && m.threadTs === undefined && !m.ephemeral);
}

/** What the thread under a notice says, oldest first. */
export function threadOf(fake: FakeSlack, notice: MessageRecord): string[] {
  return fake.repliesTo(notice.ts).map((reply) => reply.text);
}

export function hasButtons(message: MessageRecord): boolean {
  return buttonIds(latest(message).blocks).some((id) => Object.values(OUTAGE_ACTIONS).includes(id as never));
}

/** Clicks a notice's button as it first showed it (a second click from a client not yet refreshed). */
export function clickNotice(
  fake: FakeSlack,
  notice: MessageRecord,
  button: keyof typeof OUTAGE_ACTIONS,
  userId = 'U0ALICE',
) {
  return fake.clickButton({ message: notice, actionId: OUTAGE_ACTIONS[button], version: 0, userId });
}

/** What the app told only the clicker (or the one who typed a slash command). */
export function privateAnswer(fake: FakeSlack, delivery: { readonly responseUrl: string }): Promise<string> {
  return fake.waitFor(
    () => fake.messages.find((m) => m.responseUrl === delivery.responseUrl && m.ephemeral)?.text,
    { description: 'a private answer' },
  );
}

/** The answer to a slash command, public or not. */
export async function slash(fake: FakeSlack, text: string, userId = 'U0ALICE'): Promise<MessageRecord> {
  const delivery = await fake.slashCommand({ command: '/cloudmaster', text, userId });
  return fake.waitFor(() => fake.messageFor(delivery.responseUrl), { description: `the answer to ${text}` });
}

/** The page at `path` says `route` for the next `minutes`, polled as the scheduler polls it. */
export async function pageSays(
  pages: StatusFixtureServer,
  path: string,
  route: string | FixtureRoute,
  minutes: number,
  timers: ManualTimers,
  bot: Bot,
): Promise<void> {
  pages.serve(path, route);
  await timers.advanceSettling(minutes * 60_000, () => bot.watch.whenIdle());
}
