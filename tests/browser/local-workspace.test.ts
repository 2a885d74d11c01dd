/**
 * The local workspace, through its page in a real browser (Debian's
 * Chromium, playwright-core), as a person would use it: the demo's list,
 * confirmations edited in place, someone else's click refused, an approval
 * between two people, a denial naming its rule, threads, ephemeral answers,
 * paging and the outage watch.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsRun, launchBrowser } from '../support/browser.ts';
import { actAs, messageAt, messageWith, openPage, say, startWorkspace } from '../support/local-page.ts';

const TIMEOUT = 20_000;

describe.runIf(browserTestsRun())('the local workspace in a browser', () => {
  let browser: Browser;
  let workspace: Awaited<ReturnType<typeof startWorkspace>> | undefined;
  const pages: Page[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    for (const page of pages.splice(0)) await page.close();
    await workspace?.stop({ graceMs: 1_000, abortMs: 500 });
    workspace = undefined;
  });

  async function start(options: Parameters<typeof startWorkspace>[0] = {}) {
    workspace = await startWorkspace(options);
    return workspace;
  }

  async function open(as: string, channel?: string): Promise<Page> {
    if (!workspace) throw new Error('start a workspace first');
    const page = await openPage(browser, workspace.url, as, channel);
    pages.push(page);
    return page;
  }

  it('/cloudmaster list shows the demo machines', async () => {
    await start();
    const page = await open('U0ALICE');
    await say(page, '/cloudmaster list');
    const listing = messageWith(page, '24 machines and 3 stacks');
    await listing.waitFor({ timeout: TIMEOUT });
    await expect.poll(() => listing.textContent()).toMatch(/web-1 · running/);
    expect(await listing.locator('.author').textContent()).toBe('Igor');
    expect(await listing.locator('.badge').textContent()).toBe('APP');
    // The command itself shows, as Slack shows a command answered in the channel.
    expect(await messageWith(page, '/cloudmaster list').locator('.author').textContent()).toBe('alice');
  });

  it('alice’s reboot asks her to confirm; her click turns the same message into the job, then “rebooted”', async () => {
    await start();
    const page = await open('U0ALICE');
    await say(page, '/cloudmaster reboot web-1');
    const prompt = messageWith(page, 'Reboot web-1 on dev?');
    await prompt.getByRole('button', { name: 'Confirm' }).waitFor({ timeout: TIMEOUT });
    const ts = await prompt.getAttribute('data-ts');
    expect(ts).toBeTruthy();
    await prompt.getByRole('button', { name: 'Confirm' }).click();
    const same = messageAt(page, ts as string);
    await expect.poll(() => same.textContent(), { timeout: TIMEOUT }).toMatch(/Rebooting web-1 on dev…/);
    await expect.poll(() => same.textContent(), { timeout: TIMEOUT }).toMatch(/web-1 on dev rebooted/);
    expect(await same.locator('.edited').textContent()).toBe('(edited)');
    expect(await same.getByRole('button', { name: 'Confirm' }).count()).toBe(0);
  });

  it('bob’s click on alice’s Confirm is refused, to bob alone, and changes nothing', async () => {
    await start();
    const alice = await open('U0ALICE');
    await say(alice, '/cloudmaster reboot web-2');
    const prompt = messageWith(alice, 'Reboot web-2 on dev?');
    await prompt.getByRole('button', { name: 'Confirm' }).waitFor({ timeout: TIMEOUT });
    const ts = (await prompt.getAttribute('data-ts')) as string;

    const bob = await open('U0BOB');
    await messageAt(bob, ts).getByRole('button', { name: 'Confirm' }).click();
    const refusal = bob.locator('#messages .message.ephemeral').last();
    await refusal.waitFor({ timeout: TIMEOUT });
    expect(await refusal.locator('.only-you').textContent()).toBe('Only visible to you');
    expect(await refusal.textContent()).toMatch(/alice/);
    // Alice still has her question, and does not see bob's refusal.
    await expect.poll(() => messageAt(alice, ts).getByRole('button', { name: 'Confirm' }).count()).toBe(1);
    expect(await alice.locator('#messages .message.ephemeral').count()).toBe(0);
  });

  it('a production deploy waits for bob’s Approve and runs after it', async () => {
    await start();
    const alice = await open('U0ALICE');
    await say(alice, '/cloudmaster deploy -s shop -e production');
    const request = messageWith(alice, /needs approval/);
    await request.getByRole('button', { name: 'Approve' }).waitFor({ timeout: TIMEOUT });
    const ts = (await request.getAttribute('data-ts')) as string;
    expect(await request.textContent()).toMatch(/bob/);

    const bob = await open('U0BOB');
    await messageAt(bob, ts).getByRole('button', { name: 'Approve' }).click();
    await expect
      .poll(() => messageAt(alice, ts).textContent(), { timeout: TIMEOUT })
      .toMatch(/approved by @bob/);
    expect(await messageAt(alice, ts).getByRole('button', { name: 'Approve' }).count()).toBe(0);
    // Then it runs: the deployment (6 s in the demo) reports its end to alice.
    await expect
      .poll(() => alice.locator('#messages').textContent(), { timeout: 30_000 })
      .toMatch(/shop.*production.*deployed/);
  }, 60_000);

  it('carol’s change is denied, naming the rule', async () => {
    await start();
    const carol = await open('U0CAROL');
    await say(carol, '/cloudmaster reboot web-1');
    const denial = messageWith(carol, 'carol-only-reads');
    await denial.waitFor({ timeout: TIMEOUT });
    expect(await denial.textContent()).toMatch(/You may not reboot web-1/);
    expect(await denial.locator('.only-you').count()).toBe(1);
  });

  it('a mention is answered in a thread under it', async () => {
    await start();
    const page = await open('U0ALICE');
    await say(page, '@igor status web-1');
    const mention = page.locator('#messages > .message', { hasText: 'status web-1' }).first();
    await mention.locator('.mention', { hasText: '@igor' }).waitFor();
    const reply = mention.locator('.thread .message');
    await reply.first().waitFor({ timeout: TIMEOUT });
    expect(await reply.first().textContent()).toMatch(/web-1/);
    expect(await reply.first().locator('.author').textContent()).toBe('Igor');
  });

  it('an ephemeral answer is shown to its person only, and disappears when you act as another', async () => {
    await start();
    const page = await open('U0ALICE');
    await say(page, '/cloudmaster help');
    const help = messageWith(page, 'Only visible to you');
    await help.waitFor({ timeout: TIMEOUT });
    expect(await help.textContent()).toMatch(/list/);
    await actAs(page, 'bob');
    await page.locator('#presence[data-connected="true"]').waitFor();
    await expect.poll(() => page.locator('#messages .message.ephemeral').count()).toBe(0);
    await expect.poll(() => page.locator('#messages').textContent()).not.toMatch(/\/cloudmaster help/);
  });

  it('Prev and Next page through a long list', async () => {
    await start();
    const page = await open('U0ALICE');
    await say(page, '/cloudmaster list');
    const listing = messageWith(page, 'page 1 of 3');
    await listing.getByRole('button', { name: 'Next ›' }).waitFor({ timeout: TIMEOUT });
    const ts = (await listing.getAttribute('data-ts')) as string;
    await listing.getByRole('button', { name: 'Next ›' }).click();
    const same = messageAt(page, ts);
    await expect.poll(() => same.textContent(), { timeout: TIMEOUT }).toMatch(/page 2 of 3/);
    await same.getByRole('button', { name: '‹ Previous' }).click();
    await expect.poll(() => same.textContent(), { timeout: TIMEOUT }).toMatch(/page 1 of 3/);
  });

  it('the demo outage notice appears in #outages with its buttons', async () => {
    await start({ demoIncidentAfterMs: 0 });
    const page = await open('U0ALICE', 'C0OUTAGES');
    const notice = page.locator('#messages > .message:not(.ephemeral)', { hasText: 'Elevated error rates' });
    await notice.waitFor({ timeout: TIMEOUT });
    expect(await notice.textContent()).toMatch(/Demo Cloud/);
    await notice.getByRole('button', { name: 'Acknowledge' }).click();
    await expect.poll(() => notice.textContent(), { timeout: TIMEOUT }).toMatch(/[Aa]cknowledged by @alice/);
  });

  it('draws Block Kit and mrkdwn as Slack does, and never turns message text into markup', async () => {
    const local = await start();
    const page = await open('U0BOB');
    const response = await fetch(`${local.slack.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${local.slack.botToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        channel: 'C0OPS',
        text: 'fallback',
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: 'A header :rocket:' } },
          {
            type: 'section',
            text: {
              type: 'mrkdwn',
              text: '*bold* _italic_ ~strike~ `code` <https://example.com/x|a link> <@U0BOB> <#C0OPS|ops> :white_check_mark: &lt;img src=x onerror=alert(1)&gt;',
            },
            fields: [
              { type: 'mrkdwn', text: '*Status*\nrunning' },
              { type: 'plain_text', text: 'Region sim-fra1' },
            ],
          },
          { type: 'divider' },
          { type: 'context', elements: [{ type: 'mrkdwn', text: 'a context line' }] },
          {
            type: 'actions',
            elements: [
              { type: 'button', text: { type: 'plain_text', text: 'Go' }, action_id: 'go', style: 'primary' },
              {
                type: 'button',
                text: { type: 'plain_text', text: 'Stop' },
                action_id: 'stop',
                style: 'danger',
              },
            ],
          },
        ],
      }),
    });
    expect(((await response.json()) as { ok: boolean }).ok).toBe(true);
    const message = messageWith(page, 'A header');
    await message.waitFor({ timeout: TIMEOUT });
    expect(await message.locator('.block-header').textContent()).toBe('A header 🚀');
    const section = message.locator('.block.section');
    expect(await section.locator('strong').first().textContent()).toBe('bold');
    expect(await section.locator('em').textContent()).toBe('italic');
    expect(await section.locator('s').textContent()).toBe('strike');
    expect(await section.locator('code').textContent()).toBe('code');
    expect(await section.locator('a').getAttribute('href')).toBe('https://example.com/x');
    expect(await section.locator('a').textContent()).toBe('a link');
    expect(await section.locator('.mention.me').textContent()).toBe('@bob');
    expect(await section.locator('.mention[data-kind="channel"]').textContent()).toBe('#ops');
    expect(await section.textContent()).toContain('✅');
    expect(await section.textContent()).toContain('<img src=x onerror=alert(1)>');
    expect(await section.locator('img').count()).toBe(0);
    expect(await section.locator('.field').count()).toBe(2);
    expect(await message.locator('hr.divider').count()).toBe(1);
    expect(await message.locator('.block.context').textContent()).toBe('a context line');
    expect(await message.locator('.button.primary').textContent()).toBe('Go');
    expect(await message.locator('.button.danger').textContent()).toBe('Stop');
  });

  it('draws a channel of 1,000 messages, every one of them', async () => {
    const local = await start();
    for (let index = 0; index < 1_000; index += 1)
      local.slack.answer(
        'chat.postMessage',
        { channel: 'C0GENERAL', text: `message ${index} for <@U0ALICE>` },
        local.slack.botToken,
      );
    const page = await open('U0ALICE');
    const began = Date.now();
    await page.locator('.sidebar a', { hasText: 'general' }).click();
    await page
      .locator('#messages > .message', { hasText: 'message 999 for @alice' })
      .waitFor({ timeout: TIMEOUT });
    expect(await page.locator('#messages > .message').count()).toBe(1_000);
    // A hang detector, not the benchmark (bench/local-workspace.ts): drawing is linear, ~0.2 s here.
    expect(Date.now() - began).toBeLessThan(15_000);
  });

  it('opens as the first person, autocompletes the manifest’s commands, and answers in the DM with Igor', async () => {
    const local = await start();
    const page = await browser.newPage();
    pages.push(page);
    await page.goto(local.url);
    await page.locator('#presence[data-connected="true"]').waitFor();
    await page.locator('#person option:checked', { hasText: 'alice' }).waitFor({ state: 'attached' });
    await page.locator('#composer').fill('/d');
    await page.locator('#suggestions .option', { hasText: '/dostat' }).waitFor();
    await page.locator('#composer').press('Tab');
    expect(await page.locator('#composer').inputValue()).toBe('/dostat ');
    await page.locator('#composer').fill('');
    await page.locator('.sidebar #dms a', { hasText: 'Igor' }).click();
    await say(page, 'list on dev');
    const answer = page.locator('#messages > .message', { hasText: '24 machines on 1 provider' });
    await answer.waitFor({ timeout: TIMEOUT });
    expect(await answer.locator('.author').textContent()).toBe('Igor');
    expect(local.slack.messages.some((m) => m.channel === 'D0ALICE' && m.author === undefined)).toBe(true);
  });
});
