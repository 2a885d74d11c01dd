/**
 * Mutations wait behind a prompt with Confirm/Cancel (or Approve/Reject)
 * buttons: helpers to find that prompt and click on it, as a person would.
 */
import { REQUEST_ACTIONS } from '../../src/replies/slack/confirmation.ts';
import { type FakeSlack, latest, type MessageRecord } from './fake-slack/index.ts';
import { buttonIds } from './fake-slack/payloads.ts';

/**
 * The newest prompt whose text starts with `question` ("Reboot web-2 on
 * demo?"), once it is posted; `since` skips messages posted before (an index into `fake.messages`).
 */
export function prompt(fake: FakeSlack, question: string, since = 0): Promise<MessageRecord> {
  return fake.waitFor(
    () =>
      fake.messages.findLast(
        (m, index) =>
          index >= since &&
          m.versions[0]?.text.startsWith(question) &&
          buttonIds(m.versions[0]?.blocks ?? []).some((id) =>
            Object.values(REQUEST_ACTIONS).includes(id as never),
          ),
      ),
    { description: `a prompt "${question}"` },
  );
}

export type PromptAction = keyof typeof REQUEST_ACTIONS;

/**
 * Clicks one of the prompt's buttons as the prompt first showed it (as the
 * requester unless `userId` says who): a click after it was decided is
 * someone whose Slack had not refreshed the message yet.
 */
export async function click(fake: FakeSlack, message: MessageRecord, action: PromptAction, userId?: string) {
  const first = message.versions[0];
  const value = first ? findValue(first.blocks, REQUEST_ACTIONS[action]) : undefined;
  return fake.clickButton({
    message,
    actionId: REQUEST_ACTIONS[action],
    version: 0,
    ...(value ? { value } : {}),
    ...(userId ? { userId } : {}),
  });
}

/** Waits until the message's latest text matches. */
export function until(fake: FakeSlack, message: MessageRecord, pattern: RegExp, what = `${pattern}`) {
  return fake.waitFor(() => (pattern.test(latest(message).text) ? latest(message) : undefined), {
    description: `the message to read ${what}`,
  });
}

function findValue(blocks: unknown[], actionId: string): string | undefined {
  for (const block of blocks as { elements?: { action_id?: string; value?: string }[] }[]) {
    const element = block.elements?.find((candidate) => candidate.action_id === actionId);
    if (element?.value) return element.value;
  }
  return undefined;
}

/** Confirms the prompt `question` as its requester and waits until `done` holds for its latest text. */
export async function confirmAndFollow(
  fake: FakeSlack,
  question: string,
  done: (text: string) => boolean,
  timeoutMs = 15_000,
): Promise<MessageRecord> {
  const message = await prompt(fake, question);
  await click(fake, message, 'confirm');
  await fake.waitFor(() => message.versions.length > 1 && done(latest(message).text), {
    description: `the final state of "${question}"`,
    timeoutMs,
  });
  return message;
}

/** What the app told only the clicker, through the click's response_url. */
export function noticeTo(fake: FakeSlack, click: { readonly responseUrl: string }): Promise<string> {
  return fake.waitFor(
    () => fake.messages.find((m) => m.responseUrl === click.responseUrl && m.ephemeral)?.text,
    { description: 'a notice to the clicker' },
  );
}

/** The job a message shows (its "job `ID`" fact). */
export function jobIdOf(message: MessageRecord): string {
  const id = /job `([0-9A-Z]{6})`/.exec(JSON.stringify(latest(message).blocks))?.[1];
  if (!id) throw new Error(`message ${message.ts} names no job`);
  return id;
}

/** Waits until the message names its job, and returns the job's id. */
export function jobOf(fake: FakeSlack, message: MessageRecord): Promise<string> {
  return fake.waitFor(() => /job `([0-9A-Z]{6})`/.exec(JSON.stringify(latest(message).blocks))?.[1], {
    description: `message ${message.ts} to name its job`,
  });
}
