// End to end: the demo page, the built widget and the reference server, in headless Chromium.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ensureBuilt, freePort, launchBrowser, startServer, widgetOnPage } from './harness.js';

const { sel, open, connected, send, completeReplies, repliesComplete } = widgetOnPage();

describe('stream protocol, end to end', () => {
  let browser;
  let server;
  let port;

  before(async () => {
    ensureBuilt();
    port = await freePort();
    server = await startServer({ port });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.kill();
  });

  const openDemo = (context) => open(context, server.url);

  const replies = (page) =>
    page.locator(sel('[part~="message"][part~="assistant"]:not([data-id="greeting"])'));

  it('streams a markdown reply that renders and completes', async () => {
    const context = await browser.newContext();
    const { page, errors } = await openDemo(context);
    await send(page, 'Can you show me a table?');
    await page.locator(sel('[part="typing"]')).or(replies(page).first()).first().waitFor();
    // While tokens arrive the reply is `streaming`; it settles to `complete`.
    await replies(page).first().waitFor();
    await completeReplies(page).first().waitFor();
    const reply = completeReplies(page).first();
    assert.ok((await reply.locator('table').count()) > 0, 'the table is rendered as a table');
    assert.equal(await page.locator(sel('[part="typing"]')).count(), 0);
    assert.equal(
      await page.locator(sel('[part~="user"]')).first().getAttribute('data-state'),
      'sent',
    );
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('escalates to a human: the banner says honestly that nobody is online, and the answer shows', async () => {
    const context = await browser.newContext();
    const { page } = await openDemo(context);
    const escalated = page.evaluate(
      () =>
        new Promise((resolve) =>
          document
            .querySelector('#inline-chat')
            .addEventListener('chat-escalate', (e) => resolve(e.detail), { once: true }),
        ),
    );
    await page.locator(sel('[part="escalate-button"]')).click();
    assert.ok((await escalated).reason);
    // No agent has signed in to the console on this server, so the visitor is told at once.
    await page.locator(sel('[part="handoff"][data-state="unavailable"]')).waitFor();
    assert.match(
      await page.locator(sel('[part="handoff"]')).innerText(),
      /Nobody is available right now/,
    );
    // Said once, in the banner: the server's own sentence for strict clients is not repeated.
    assert.equal(await page.locator(sel('[part~="system"]')).count(), 0);
    await context.close();
  });

  it('survives the server dying: queues what the user sends, reconnects, loses nothing', async () => {
    const context = await browser.newContext();
    const { page, errors } = await openDemo(context);
    await send(page, 'first, before the crash');
    await completeReplies(page).first().waitFor();

    await server.kill('SIGKILL');
    await page.locator(sel('[part="status"]:not([data-status="connected"])')).waitFor();
    await send(page, 'second, while the server is down');
    const queued = page.locator(sel('[part~="user"]'), {
      hasText: 'second, while the server is down',
    });
    assert.equal(await queued.getAttribute('data-state'), 'sending');

    server = await startServer({ port });
    await connected(page, { timeout: 45_000 });
    await page
      .locator(sel('[part~="user"][data-state="sent"]'), { hasText: 'second, while' })
      .waitFor();
    await repliesComplete(page, 2);
    // Exactly one copy of each message, the first exchange still there.
    assert.equal(
      await page.locator(sel('[part~="user"]'), { hasText: 'first, before the crash' }).count(),
      1,
    );
    assert.equal(
      await page.locator(sel('[part~="user"]'), { hasText: 'second, while' }).count(),
      1,
    );
    assert.equal(await page.locator(sel('[part~="assistant"][data-state="streaming"]')).count(), 0);
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('goes offline with the browser and sends on reconnect', async () => {
    const context = await browser.newContext();
    const { page } = await openDemo(context);
    await context.setOffline(true);
    await page.locator(sel('[part="status"][data-status="offline"]')).waitFor();
    await send(page, 'typed on a train in a tunnel');
    const msg = page.locator(sel('[part~="user"]'), { hasText: 'tunnel' });
    assert.equal(await msg.getAttribute('data-state'), 'sending');
    await context.setOffline(false);
    await page.locator(sel('[part~="user"][data-state="sent"]'), { hasText: 'tunnel' }).waitFor();
    await completeReplies(page).first().waitFor();
    await context.close();
  });

  it('keeps the transcript across a reload in the same tab', async () => {
    const context = await browser.newContext();
    const { page } = await openDemo(context);
    await send(page, 'please remember this line');
    await completeReplies(page).first().waitFor();
    await page.reload();
    await page.locator(sel('[part~="user"]'), { hasText: 'please remember this line' }).waitFor();
    assert.equal(await completeReplies(page).count(), 1);
    const stored = await page.evaluate(() => JSON.stringify(sessionStorage));
    assert.ok(stored.includes('please remember this line'));
    assert.ok(!/eyJ[\w-]+\.[\w-]+\.[\w-]+/.test(stored), 'no JWT in storage');
    await context.close();
  });

  it('opens the popup from its launcher, and Escape closes it back to the launcher', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.url);
    await page.locator('#popup-chat [part="launcher"]').click();
    await page.locator('#popup-chat [part="input"]').waitFor();
    assert.equal(await page.evaluate(() => document.querySelector('#popup-chat').open), true);
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !document.querySelector('#popup-chat').open);
    assert.equal(
      await page.evaluate(() =>
        document.querySelector('#popup-chat').shadowRoot.activeElement?.getAttribute('part'),
      ),
      'launcher',
    );
    await context.close();
  });

  it('tolerates the script being included twice, module and classic', async () => {
    const context = await browser.newContext();
    const { page, errors } = await openDemo(context);
    await page.addScriptTag({ url: '/dist/chat-widget.iife.js' });
    await page.addScriptTag({ url: '/dist/chat-widget.js', type: 'module' });
    await send(page, 'still one widget?');
    await completeReplies(page).first().waitFor();
    assert.deepEqual(errors, []);
    await context.close();
  });
});
