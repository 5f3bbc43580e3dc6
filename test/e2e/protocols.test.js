// End to end for the protocols other than `stream`: the demo page's protocol picker points the
// widgets at the reference server's events, rooms and threads endpoints, the demo bot answers
// each, and a reload shows the conversation once, with what the server stored.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ensureBuilt, freePort, launchBrowser, startServer, watchErrors } from './harness.js';

const W = '#inline-chat';
const sel = (s) => `${W} ${s}`;
const QUESTION = 'Can you show me a table?';
// A threads reply has no end frame: the widget completes it after a few seconds of silence.
const REPLY_TIMEOUT_MS = 15_000;

describe('events, rooms and threads from the demo page, end to end', () => {
  let browser;
  let server;

  before(async () => {
    ensureBuilt();
    // Started on `events`, so the page's first choice is seen to come from the server.
    server = await startServer({ port: await freePort(), env: { CHAT_PROTOCOL: 'events' } });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.kill();
  });

  const userMessages = (page) => page.locator(sel('[part~="user"]'), { hasText: QUESTION });
  const replies = (page) =>
    page.locator(sel('[part~="assistant"]:not([data-id="greeting"])'), { hasText: 'e-bikes' });
  const completeReplies = (page) =>
    page.locator(sel('[part~="assistant"][data-state="complete"]:not([data-id="greeting"])'));

  /** Opens the demo, picks `protocol` in the playground, waits for the inline chat to connect. */
  async function openWith(context, protocol) {
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(server.url);
    await page.locator('#ctl-protocol').selectOption(protocol);
    await page.waitForFunction(
      (name) => document.querySelector('#inline-chat')?.getAttribute('protocol') === name,
      protocol,
    );
    await page.locator(sel('[part="status"][data-status="connected"]')).waitFor();
    return { page, errors };
  }

  /** Sends the question and waits for the bot's table, rendered and complete. */
  async function askForTable(page) {
    const input = page.locator(sel('[part="input"]'));
    await input.fill(QUESTION);
    await input.press('Enter');
    await completeReplies(page).first().waitFor({ timeout: REPLY_TIMEOUT_MS });
    assert.equal(await completeReplies(page).count(), 1);
    assert.ok((await completeReplies(page).first().locator('table').count()) > 0, 'a table');
    assert.equal(await userMessages(page).getAttribute('data-state'), 'sent');
  }

  /** After a reload: each message once, nothing left streaming. */
  async function assertShownOnce(page) {
    await userMessages(page).first().waitFor();
    await completeReplies(page).first().waitFor();
    assert.equal(await userMessages(page).count(), 1, 'the question once');
    assert.equal(await replies(page).count(), 1, 'the reply once');
    assert.equal(await page.locator(sel('[part~="assistant"][data-state="streaming"]')).count(), 0);
  }

  it('starts on the protocol the server was started with', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.url);
    assert.equal(await page.locator('#ctl-protocol').inputValue(), 'events');
    const attributes = await page.evaluate(() =>
      [...document.querySelectorAll('chat-widget')].map((w) => [
        w.getAttribute('protocol'),
        new URL(w.getAttribute('server') ?? '').pathname,
      ]),
    );
    assert.deepEqual(attributes, [
      ['events', '/ws/chat'],
      ['events', '/ws/chat'],
    ]);
    await context.close();
  });

  it('events: a chat is created, the reply streams in, and history comes back from the server', async () => {
    const context = await browser.newContext();
    const { page, errors } = await openWith(context, 'events');
    await askForTable(page);
    assert.ok(page.url().includes('protocol=events'), 'the choice is kept in the address');

    const history = page.waitForResponse(
      (res) => /\/api\/v1\/chats\/[^/]+\/messages\?/.test(res.url()) && res.status() === 200,
    );
    await page.reload();
    const stored = await (await history).json();
    assert.deepEqual(
      stored.messages.map((m) => m.sender_role),
      ['assistant', 'user'],
      'newest first, as the widget asks',
    );
    assert.equal(stored.messages[1].content, QUESTION);
    await assertShownOnce(page);
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('rooms: the message is posted, the bot answers in the room, the room survives a reload', async () => {
    const context = await browser.newContext();
    const { page, errors } = await openWith(context, 'rooms');
    const posted = page.waitForResponse(
      (res) => /\/api\/v1\/rooms\/[^/]+\/messages\/$/.test(res.url()) && res.status() === 201,
    );
    await askForTable(page);
    const room = new URL((await posted).url()).pathname.split('/')[4];
    const author = await completeReplies(page).first().locator('[part="author"]').textContent();
    assert.equal(author?.trim(), 'Demo Assistant');

    const socket = page.waitForEvent('websocket', (ws) => ws.url().includes('/ws/'));
    await page.reload();
    assert.ok((await socket).url().includes(`/ws/${room}?`), 'the same room after the reload');
    await page.locator(sel('[part="status"][data-status="connected"]')).waitFor();
    await assertShownOnce(page);
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('threads: the reply streams as parts of one message, and history replays once', async () => {
    const context = await browser.newContext();
    const { page, errors } = await openWith(context, 'threads');
    await askForTable(page);

    const socket = page.waitForEvent('websocket', (ws) => ws.url().includes('/chat/ws'));
    await page.reload();
    const replayed = await (
      await socket
    ).waitForEvent('framereceived', (frame) =>
      String(frame.payload).includes('"role":"assistant"'),
    );
    assert.match(String(replayed.payload), /e-bikes compare/, 'the whole reply, from the server');
    await assertShownOnce(page);
    assert.deepEqual(errors, []);
    await context.close();
  });
});
