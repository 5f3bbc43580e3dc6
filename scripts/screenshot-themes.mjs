// The theme gallery's screenshot for the README: docs/screenshots/themes.png.
import { join } from 'node:path';
import { ROOT, ensureBuilt, freePort, launchBrowser, startServer } from '../test/e2e/harness.js';

ensureBuilt();
const port = await freePort();
const server = await startServer({ port, env: { DEMO_BOT_DELAY_MS: '1' } });
const browser = await launchBrowser();
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 640 } });
  await page.goto(`${server.url}themes.html`);
  // The three chats belong to one visitor, so where the server shares a visitor's
  // conversation across widgets they show the same exchange: one chat, three looks.
  const input = page.locator('.theme-midnight [part="input"]');
  await input.fill('Can you give me a list?');
  await input.press('Enter');
  await page
    .locator('.theme-midnight [part~="assistant"][data-state="complete"]:not([data-id="greeting"])')
    .first()
    .waitFor();
  await page.screenshot({ path: join(ROOT, 'docs/screenshots/themes.png') });
  console.log('wrote docs/screenshots/themes.png');
} finally {
  await browser.close();
  await server.kill();
}
