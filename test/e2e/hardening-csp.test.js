// Issue 5: the built widget under a strict Content-Security-Policy with Trusted Types enforced.
//
// A tiny page server (this file) sends every page with
//
//   default-src 'self'; script-src 'self'; style-src 'self';
//   connect-src 'self' ws://127.0.0.1:* http://127.0.0.1:*; img-src 'self' https:;
//   require-trusted-types-for 'script'; trusted-types <names>
//
// and serves dist/ and a same-origin token endpoint (forwarded to the reference server, whose
// socket the widget talks to directly). First a discovery run, with any policy name allowed,
// records which Trusted Types policies the widget creates (a wrapper around
// trustedTypes.createPolicy installed before any page script). Then, for the ES module and the
// classic script in turn (and the loader, which must need no name of its own), the page allows
// exactly those names and nothing else; the widget
// streams replies with code blocks, links, a table and hostile HTML from the reference server's
// demo bot, and the test asserts zero `securitypolicyviolation` events, zero console errors and
// a rendered, sanitized reply.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT, ensureBuilt, freePort, launchBrowser, startServer } from './harness.js';

const BASE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self' ws://127.0.0.1:* http://127.0.0.1:*",
  "img-src 'self' https:",
  "require-trusted-types-for 'script'",
];

/** Runs in every page before its own scripts: CSP violations and the policies created. */
function instrument() {
  window.__violations = [];
  window.__policies = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__violations.push({
      directive: e.violatedDirective,
      blocked: e.blockedURI,
      sample: e.sample,
      source: `${e.sourceFile}:${e.lineNumber}`,
    });
  });
  const factory = window.trustedTypes;
  if (factory) {
    const create = factory.createPolicy.bind(factory);
    factory.createPolicy = (name, rules) => {
      window.__policies.push(name);
      return create(name, rules);
    };
  }
}

function page(script, mode = 'mode="inline"') {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>chat-widget under a strict CSP</title>
    <link rel="stylesheet" href="/page.css" />
    ${script}
  </head>
  <body>
    <chat-widget id="w" ${mode} server="__SERVER__" token-url="/api/chat-token"
      image-hosts="img.example.com"></chat-widget>
  </body>
</html>`;
}

const PAGES = {
  module: page('<script type="module" src="/dist/chat-widget.js"></script>'),
  classic: page('<script src="/dist/chat-widget.iife.js"></script>'),
  // The loader: its launcher (a constructed stylesheet in the shadow root), then the full
  // module through a preload with its integrity value and `import()`, which needs no policy.
  loader: page('<script src="/dist/chat-widget.loader.js"></script>', 'open'),
  // The README allows including the widget twice; the element is defined once.
  both: page(
    '<script src="/dist/chat-widget.iife.js"></script>\n' +
      '    <script type="module" src="/dist/chat-widget.js"></script>',
  ),
};

describe('strict CSP with Trusted Types enforced, end to end', () => {
  let browser;
  let server;
  let pages;
  let pagesUrl;
  /** The `trusted-types` names the next page load allows. */
  let trustedTypes = '*';
  /** The Trusted Types policy names the widget needs, from the discovery run. */
  let needed = [];

  before(async () => {
    ensureBuilt();
    const port = await freePort();
    server = await startServer({ port, env: { DEMO_BOT_DELAY_MS: '1' } });
    pages = createServer(async (req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      const csp = [...BASE_CSP, `trusted-types ${trustedTypes}`].join('; ');
      if (path === '/api/chat-token') {
        // Same origin for the page, as a site's own backend would be.
        const upstream = request(
          { host: '127.0.0.1', port, path, method: req.method, headers: req.headers },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        req.pipe(upstream);
        return;
      }
      const name = path.slice(1).replace(/\.html$/, '');
      if (name in PAGES) {
        res.writeHead(200, { 'Content-Type': 'text/html', 'Content-Security-Policy': csp });
        res.end(PAGES[name].replace('__SERVER__', `ws://127.0.0.1:${port}/ws`));
      } else if (path === '/page.css') {
        res.writeHead(200, { 'Content-Type': 'text/css' });
        res.end('chat-widget { display: block; height: 640px; }');
      } else if (/^\/dist\/[\w.-]+\.js(\.map)?$/.test(path)) {
        try {
          const body = await readFile(join(ROOT, path));
          res.writeHead(200, { 'Content-Type': 'text/javascript' });
          res.end(body);
        } catch {
          res.writeHead(404).end();
        }
      } else {
        // favicon.ico and anything else: nothing, and no console error for it.
        res.writeHead(204).end();
      }
    });
    const pagesPort = await freePort();
    await new Promise((resolve) => pages.listen(pagesPort, '127.0.0.1', resolve));
    pagesUrl = `http://127.0.0.1:${pagesPort}`;
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => pages?.close(resolve));
    await server?.kill();
  });

  async function open(kind) {
    const context = await browser.newContext();
    await context.addInitScript(instrument);
    const tab = await context.newPage();
    const consoleErrors = [];
    const warnings = [];
    tab.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
      if (m.type() === 'warning') warnings.push(m.text());
    });
    tab.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e}`));
    await tab.goto(`${pagesUrl}/${kind}.html`);
    await tab.locator('#w [part="status"][data-status="connected"]').waitFor({ timeout: 15_000 });
    return { context, tab, consoleErrors, warnings };
  }

  async function ask(tab, text, n) {
    const input = tab.locator('#w [part="input"]');
    await input.fill(text);
    await input.press('Enter');
    const done = tab.locator('#w [part~="assistant"][data-state="complete"]');
    await tab.waitForFunction(
      (count) =>
        document
          .querySelector('#w')
          .shadowRoot.querySelectorAll('[part~="assistant"][data-state="complete"]').length >=
        count,
      n,
      { timeout: 15_000 },
    );
    return done.nth(n - 1);
  }

  it('discovers the Trusted Types policies the widget creates', async () => {
    trustedTypes = "* 'allow-duplicates'";
    const names = new Set();
    for (const kind of ['module', 'classic']) {
      const { context, tab } = await open(kind);
      await ask(tab, 'show me some code', 1);
      for (const name of await tab.evaluate(() => window.__policies)) names.add(name);
      await context.close();
    }
    needed = [...names].sort();
    console.log(`[csp] Trusted Types policies the widget creates: ${needed.join(', ')}`);
    console.log(`[csp] so a page enforcing Trusted Types needs: trusted-types ${needed.join(' ')}`);
    assert.ok(needed.length > 0, 'the widget renders through Trusted Types policies');
  });

  for (const kind of Object.keys(PAGES)) {
    it(`${kind} script: streams markdown with zero violations and zero console errors`, async () => {
      assert.ok(needed.length > 0, 'the discovery run came first');
      // Two copies of the widget mean two copies of Lit, each creating `lit-html`: Trusted Types
      // refuses a second policy of one name unless the page allows it (the README says so).
      trustedTypes = kind === 'both' ? `${needed.join(' ')} 'allow-duplicates'` : needed.join(' ');
      const { context, tab, consoleErrors, warnings } = await open(kind);

      const code = await ask(tab, 'show me some code', 1);
      assert.ok((await code.locator('pre code.language-html').count()) === 1, 'an html code block');
      assert.ok((await code.locator('pre code.language-js').count()) === 1, 'a js code block');
      assert.equal(await code.locator('[part="copy-button"]').count(), 2);
      assert.match(await code.locator('pre code.language-html').textContent(), /<chat-widget/);
      assert.equal(await code.locator('p code').first().textContent(), 'POST /api/chat-token');

      const table = await ask(tab, 'compare prices', 2);
      assert.equal(await table.locator('table tbody tr').count(), 3);
      const link = table.locator('a', { hasText: 'full range' });
      assert.equal(await link.getAttribute('href'), 'https://example.com/bikes');
      assert.equal(await link.getAttribute('target'), '_blank');
      assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');

      const hostile = await ask(tab, 'show me the html test', 3);
      assert.equal(await hostile.locator('script, img, iframe, [onerror]').count(), 0);
      assert.match(await hostile.textContent(), /<script>alert\('script'\)<\/script>/);
      assert.equal(await hostile.locator('a[href^="javascript"]').count(), 0);
      const tracker = hostile.locator('a', { hasText: 'tracking pixel' });
      assert.equal(await tracker.getAttribute('href'), 'https://tracker.example.net/pixel.png');

      const violations = await tab.evaluate(() => window.__violations);
      const created = await tab.evaluate(() => window.__policies);
      const errors = [...consoleErrors];
      // Enforcement is real on this page: a raw HTML sink throws.
      const enforced = await tab.evaluate(() => {
        try {
          document.createElement('div').innerHTML = '<b>x</b>';
          return false;
        } catch {
          return true;
        }
      });
      console.log(
        `[csp] ${kind}: trusted-types ${trustedTypes}; policies created: ${created.join(', ')}; ` +
          `${violations.length} violations, ${errors.length} console errors, ` +
          `${warnings.length} warnings; 3 replies rendered (code, table, hostile html)`,
      );
      assert.equal(enforced, true, 'Trusted Types are enforced on the page');
      assert.deepEqual(violations, []);
      assert.deepEqual(errors, []);
      assert.deepEqual([...new Set(created)].sort(), needed);
      await context.close();
    });
  }
});
