// On a phone the popup covers the visual viewport, whatever the host page does: here a page that
// overflows sideways (401 px of content in a 390 px screen), which widens the layout viewport
// that `position: fixed` measures against.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ensureBuilt,
  freePort,
  launchBrowserForTestPages,
  openTestPage,
  socketOrigin,
  startServer,
  watchErrors,
} from './harness.js';

describe('the popup on a phone', () => {
  let browser;
  let server;

  before(async () => {
    ensureBuilt();
    server = await startServer({ port: await freePort() });
    browser = await launchBrowserForTestPages();
  });

  after(async () => {
    await browser?.close();
    await server?.kill();
  });

  it('fits the screen when the page is wider than it, Send included', async () => {
    const context = await browser.newContext({
      viewport: { width: 390, height: 780 },
      isMobile: true,
      hasTouch: true,
    });
    const tab = await context.newPage();
    const errors = watchErrors(tab);
    await openTestPage(
      tab,
      server,
      '/wide.html',
      `<!doctype html><html lang="en"><head>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <script type="module" src="/dist/chat-widget.js"></script></head>
        <body style="margin:0"><div style="width:401px;height:40px">a too wide banner</div>
        <chat-widget id="w" open server="${socketOrigin(server)}/ws" token-url="/api/chat-token">
        </chat-widget></body></html>`,
    );
    await tab.locator('#w [part="status"][data-status="connected"]').waitFor({ state: 'attached' });
    const layout = await tab.evaluate(async () => {
      const root = document.querySelector('#w').shadowRoot;
      // The panel's opening motion moves it for a moment: measure where it comes to rest.
      await Promise.all(root.getAnimations().map((animation) => animation.finished));
      const panel = root.querySelector('[part="panel"]').getBoundingClientRect();
      const send = root.querySelector('[part="send-button"]').getBoundingClientRect();
      return {
        page: document.documentElement.scrollWidth,
        screen: visualViewport.width,
        height: visualViewport.height,
        panel: { left: panel.left, width: panel.width, bottom: panel.bottom },
        send: { right: send.right, bottom: send.bottom },
      };
    });
    assert.ok(layout.page > layout.screen, `the page overflows (${layout.page} px)`);
    assert.equal(layout.panel.left, 0);
    assert.equal(layout.panel.width, layout.screen, JSON.stringify(layout));
    assert.ok(layout.panel.bottom <= layout.height, JSON.stringify(layout));
    assert.ok(layout.send.right <= layout.screen, `Send is on screen: ${JSON.stringify(layout)}`);
    assert.ok(layout.send.bottom <= layout.height, `Send is on screen: ${JSON.stringify(layout)}`);
    assert.deepEqual(errors, []);
    await context.close();
  });
});
