// Takes the README's screenshots from the demo page in headless Chromium:
// `node scripts/screenshots.mjs` (builds first when dist/ is missing).
// Writes docs/screenshots/{light,dark,rtl,mobile}.png.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, ensureBuilt, freePort, launchBrowser, startServer } from '../test/e2e/harness.js';

const OUT = join(ROOT, 'docs', 'screenshots');

const shots = [
  {
    name: 'light',
    viewport: { width: 1280, height: 860 },
    attrs: { theme: 'light' },
    ask: 'Can you show me a table?',
  },
  {
    name: 'dark',
    viewport: { width: 1280, height: 860 },
    attrs: { theme: 'dark' },
    ask: 'Show me some code',
  },
  {
    name: 'rtl',
    viewport: { width: 1280, height: 860 },
    attrs: { theme: 'light', lang: 'ar' },
    ask: 'مرحبا! give me a list',
  },
  {
    name: 'mobile',
    viewport: { width: 390, height: 780 },
    attrs: { theme: 'light' },
    ask: 'Can you show me a list?',
    mobile: true,
  },
];

ensureBuilt();
mkdirSync(OUT, { recursive: true });
const port = await freePort();
const server = await startServer({ port, env: { DEMO_BOT_DELAY_MS: '1' } });
const browser = await launchBrowser();
try {
  for (const shot of shots) {
    const context = await browser.newContext({
      viewport: shot.viewport,
      deviceScaleFactor: 1,
      ...(shot.mobile ? { isMobile: true, hasTouch: true } : {}),
    });
    const page = await context.newPage();
    await page.goto(server.url);
    await page.evaluate((attrs) => {
      const el = document.querySelector('#popup-chat');
      for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
      el.open = true;
    }, shot.attrs);
    const input = page.locator('#popup-chat [part="input"]');
    await input.fill(shot.ask);
    await input.press('Enter');
    await page
      .locator('#popup-chat [part~="assistant"][data-state="complete"]:not([data-id="greeting"])')
      .first()
      .waitFor();
    await page.screenshot({ path: join(OUT, `${shot.name}.png`) });
    console.log(`wrote docs/screenshots/${shot.name}.png`);
    await context.close();
  }
} finally {
  await browser.close();
  await server.kill();
}
