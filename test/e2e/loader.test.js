// End to end: dist/chat-widget.loader.js on pages served by the reference server. Until intent it
// draws the launcher only (no other download, no socket); on intent it loads chat-widget.js with
// the integrity value baked into it, and the real element takes over in place.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  ROOT,
  ensureBuilt,
  freePort,
  launchBrowserForTestPages,
  openTestPage,
  socketOrigin,
  startServer,
  watchErrors,
} from './harness.js';

/**
 * A page of the server's origin with `body`, served by the test (the loader as `script`);
 * `{ws}` in the markup is the server's socket origin.
 */
function page(
  body,
  { script = '<script src="/dist/chat-widget.loader.js"></script>', lang = 'en' } = {},
) {
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8">${script}</head>
    <body>${body}</body></html>`;
}

const POPUP = '<chat-widget id="w" server="{ws}/ws" token-url="/api/chat-token"></chat-widget>';

describe('the loader, end to end', () => {
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

  /** A new page showing `html` at `/test.html`, with what it fetched and the sockets it opened. */
  async function open(html, { routeFull } = {}) {
    const context = await browser.newContext();
    const tab = await context.newPage();
    const errors = watchErrors(tab);
    const fetched = [];
    const sockets = [];
    tab.on('request', (request) => fetched.push(new URL(request.url()).pathname));
    tab.on('websocket', (socket) => sockets.push(socket.url()));
    if (routeFull) await tab.route('**/dist/chat-widget.js*', routeFull);
    await openTestPage(tab, server, '/test.html', withSocket(html));
    await tab.locator('chat-widget [part="launcher"]').first().waitFor();
    return { context, tab, errors, fetched, sockets };
  }

  const withSocket = (html) => html.replaceAll('{ws}', socketOrigin(server));

  const defined = (tab) =>
    tab.waitForFunction(() => customElements.get('chat-widget') !== undefined);

  it('draws only the launcher until intent, then one click opens the real panel', async () => {
    const { context, tab, errors, fetched, sockets } = await open(page(POPUP));
    const launcher = tab.locator('#w [part="launcher"]');
    assert.equal(await launcher.getAttribute('aria-label'), 'Open chat');
    // Styled from the element's own shadow root, as the real one.
    const box = await launcher.boundingBox();
    assert.ok(box && Math.round(box.width) === 56, `56 px launcher, got ${box?.width}`);
    assert.equal(
      await tab.evaluate(
        () =>
          document.head.querySelectorAll('style').length +
          document.querySelectorAll('link[rel=stylesheet]').length,
      ),
      0,
      'nothing injected into the page',
    );
    assert.ok(!fetched.some((p) => p.endsWith('/chat-widget.js')), fetched.join());
    assert.deepEqual(sockets, []);
    assert.equal(await tab.evaluate(() => customElements.get('chat-widget')), undefined);

    await tab.evaluate(() => {
      window.opens = 0;
      document.querySelector('#w').addEventListener('chat-open', () => (window.opens += 1));
    });
    await launcher.click();
    await defined(tab);
    await tab.locator('#w [part="panel"]:not([hidden])').waitFor();
    await tab.locator('#w [part="status"][data-status="connected"]').waitFor();
    assert.equal(await tab.evaluate(() => window.opens), 1, 'chat-open fired once');
    assert.equal(
      await tab.evaluate(() =>
        document.querySelector('#w').shadowRoot.activeElement?.getAttribute('part'),
      ),
      'input',
    );
    assert.equal(await tab.locator('#w [data-loader]').count(), 0, 'the loader launcher is gone');
    await tab.locator('#w [part="input"]').fill('hello from the loader');
    await tab.locator('#w [part="input"]').press('Enter');
    await tab.locator('#w [part~="assistant"][data-state="complete"]').first().waitFor();
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('loads on pointer over, without opening; properties and listeners set before still work', async () => {
    const { context, tab, fetched } = await open(page(POPUP, { lang: 'fr' }));
    const launcher = tab.locator('#w [part="launcher"]');
    assert.equal(await launcher.getAttribute('aria-label'), 'Ouvrir la discussion');
    await tab.evaluate(() => {
      const el = document.querySelector('#w');
      el.strings = { heading: 'Posez-nous vos questions' };
      el.addEventListener('chat-status', (e) => (window.lastStatus = e.detail.status));
    });
    await launcher.hover();
    await defined(tab);
    assert.ok(fetched.some((p) => p.endsWith('/dist/chat-widget.js')));
    assert.equal(
      await tab.locator('#w [part="panel"][hidden]').count(),
      1,
      'not opened by a hover',
    );
    await tab.locator('#w [part="launcher"]').click();
    await tab.waitForFunction(() => window.lastStatus === 'connected');
    assert.equal(
      await tab.locator('#w [part="header"] h2').textContent(),
      'Posez-nous vos questions',
    );
    await context.close();
  });

  it('says so inside the widget when the full file cannot load, and the next click tries again', async () => {
    let refuse = true;
    const { context, tab } = await open(page(POPUP), {
      routeFull: (route) => (refuse ? route.abort('internetdisconnected') : route.continue()),
    });
    await tab.locator('#w [part="launcher"]').click();
    const alert = tab.locator('#w [role="alert"]');
    await alert.waitFor();
    assert.match(await alert.textContent(), /could not load/);
    refuse = false;
    await tab.locator('#w [part="launcher"]').click();
    await defined(tab);
    await tab.locator('#w [part="panel"]:not([hidden])').waitFor();
    assert.equal(await tab.locator('#w [role="alert"]').count(), 0);
    await context.close();
  });

  it('refuses a full file that is not the one the build pinned', async () => {
    const real = readFileSync(join(ROOT, 'dist', 'chat-widget.js'), 'utf8');
    const { context, tab } = await open(page(POPUP), {
      routeFull: (route) =>
        route.fulfill({
          contentType: 'text/javascript',
          body: `${real}\n;window.tampered = true;`,
        }),
    });
    await tab.locator('#w [part="launcher"]').click();
    await tab.locator('#w [role="alert"]').waitFor();
    assert.equal(await tab.evaluate(() => customElements.get('chat-widget')), undefined);
    assert.equal(await tab.evaluate(() => window.tampered), undefined);
    await context.close();
  });

  it('loads at once for an inline widget, `open`, `preload="idle"`, or a conversation this tab already has', async () => {
    for (const markup of [
      '<chat-widget id="w" mode="inline" server="{ws}/ws" token-url="/api/chat-token"></chat-widget>',
      '<chat-widget id="w" open server="{ws}/ws" token-url="/api/chat-token"></chat-widget>',
    ]) {
      const context = await browser.newContext();
      const tab = await context.newPage();
      await openTestPage(tab, server, '/test.html', withSocket(page(markup)));
      await defined(tab);
      await tab
        .locator('#w [part="status"][data-status="connected"]')
        .waitFor({ state: 'attached' });
      await context.close();
    }
    // preload="idle": the full file comes once the page is idle, and waits closed (no socket).
    {
      const { context, tab, sockets } = await open(
        page(
          '<chat-widget id="w" preload="idle" server="{ws}/ws" token-url="/api/chat-token"></chat-widget>',
        ),
      );
      await defined(tab);
      assert.equal(await tab.locator('#w [part="panel"][hidden]').count(), 1);
      assert.deepEqual(sockets, []);
      await context.close();
    }
    // A tab with a stored conversation for this widget: the same storage module decides.
    const { context, tab, fetched } = await open(page(POPUP));
    await tab.locator('#w [part="launcher"]').click();
    await tab.locator('#w [part="input"]').fill('remember me');
    await tab.locator('#w [part="input"]').press('Enter');
    await tab.locator('#w [part~="assistant"][data-state="complete"]').first().waitFor();
    fetched.length = 0;
    await tab.reload();
    await defined(tab);
    assert.ok(
      fetched.some((p) => p.endsWith('/dist/chat-widget.js')),
      'loaded without intent',
    );
    await context.close();
  });

  it('works as type="module", twice, beside the full file, and for widgets added later', async () => {
    const twice =
      '<script type="module" src="/dist/chat-widget.loader.js"></script>' +
      '<script src="/dist/chat-widget.loader.js"></script>';
    const { context, tab, errors } = await open(page(POPUP, { script: twice }));
    assert.equal(await tab.locator('#w [part="launcher"]').count(), 1);
    await tab.evaluate(() => {
      const late = document.createElement('chat-widget');
      late.id = 'late';
      late.setAttribute('position', 'bottom-left');
      document.body.append(late);
    });
    await tab.locator('#late [part="launcher"]').waitFor();
    // A method called before the element is real loads it, then runs.
    await tab.evaluate(() => document.querySelector('#late').connect());
    // The method call loaded the widget; the late element is real too.
    await defined(tab);
    await tab.waitForFunction(() =>
      document.querySelector('#late').shadowRoot.querySelector('[part="panel"]'),
    );
    await tab.addScriptTag({ type: 'module', url: '/dist/chat-widget.js' });
    assert.deepEqual(errors, []);
    await context.close();
  });
});
