// Shared pieces of the end-to-end tests: a built widget, the real reference
// server as a child process (so it can be killed and restarted), and Chromium.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { launchOptions } from '../../scripts/browser.mjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The tests load the widget from dist/, as a site would: build it when missing. */
export function ensureBuilt() {
  if (
    !existsSync(join(ROOT, 'dist', 'chat-widget.js')) ||
    !existsSync(join(ROOT, 'dist', 'chat-widget.iife.js'))
  ) {
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  }
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Start `node server/main.js`; resolves once it listens. */
export async function startServer({ port, env = {} }) {
  const child = spawn(process.execPath, [join(ROOT, 'server', 'main.js')], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      CHAT_TOKEN_SECRET: 'e2e-secret-that-is-long-enough-for-hs256!!',
      DEMO_BOT_DELAY_MS: '3',
      OPENAI_BASE_URL: '',
      // Every browser of a run is a new visitor from 127.0.0.1, which the per-address limits
      // are there to stop (test/abuse/ tests them).
      CHAT_TOKEN_LIMIT: '100000',
      CHAT_NEW_VISITOR_LIMIT: '100000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  await new Promise((resolve, reject) => {
    const onData = () => {
      if (output.includes(`:${port}`)) {
        child.stdout.off('data', onData);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited (${code}):\n${output}`)));
  });
  return {
    url: `http://127.0.0.1:${port}/`,
    output: () => output,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      await exited;
    },
  };
}

export async function launchBrowser() {
  return chromium.launch(launchOptions());
}

/**
 * Chromium for pages the test fulfils itself (playwright's `route.fulfill`) on the reference
 * server's origin. Such pages get no address, and Chromium's Local Network Access check then
 * refuses their sockets to 127.0.0.1 as if they came from the internet; pages the server serves
 * itself need no such flag.
 */
export async function launchBrowserForTestPages() {
  const options = launchOptions();
  return chromium.launch({
    ...options,
    args: [...options.args, '--disable-features=LocalNetworkAccessChecks'],
  });
}

/** The reference server's socket origin (`ws://127.0.0.1:port`), for pages that name it. */
export function socketOrigin(server) {
  return server.url.replace(/^http/, 'ws').replace(/\/$/, '');
}

/**
 * Shows `html` at `path` on `server`'s origin in `tab` (a test-fulfilled page, see
 * launchBrowserForTestPages), and waits for it to load.
 */
export async function openTestPage(tab, server, path, html) {
  await tab.route(`**${path}`, (route) => route.fulfill({ contentType: 'text/html', body: html }));
  await tab.goto(new URL(path, server.url).href);
}

/** Collect page errors so a test can assert none reached the page. */
export function watchErrors(page) {
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  return errors;
}

/**
 * A widget on a page, found by `selector` (by default the demo page's inline widget): `sel`
 * scopes a selector to it, the rest drive it through a playwright page.
 */
export function widgetOnPage(selector = '#inline-chat') {
  const sel = (s) => `${selector} ${s}`;
  /** Resolves once the widget shows `connected`. */
  const connected = (page, options) =>
    page.locator(sel('[part="status"][data-status="connected"]')).waitFor(options);
  return {
    sel,
    connected,
    /**
     * A new page of `context` on `url`, its uncaught errors kept and `init` (if given) added as
     * an init script; resolves once the widget is connected.
     */
    async open(context, url, { init } = {}) {
      const page = await context.newPage();
      const errors = watchErrors(page);
      if (init) await page.addInitScript(init);
      await page.goto(url);
      await connected(page);
      return { page, errors };
    },
    /** Types `text` into the widget's composer and presses Enter. */
    async send(page, text) {
      const input = page.locator(sel('[part="input"]'));
      await input.fill(text);
      await input.press('Enter');
    },
    /** The widget's complete replies, the greeting left out. */
    completeReplies: (page) =>
      page.locator(sel('[part~="assistant"][data-state="complete"]:not([data-id="greeting"])')),
    /** Resolves once the widget shows exactly `count` complete replies, the greeting left out. */
    repliesComplete: (page, count) =>
      page.waitForFunction(
        (arg) =>
          document
            .querySelector(arg.selector)
            .shadowRoot.querySelectorAll(
              '[part~="assistant"][data-state="complete"]:not([data-id="greeting"])',
            ).length === arg.count,
        { selector, count },
      ),
  };
}
