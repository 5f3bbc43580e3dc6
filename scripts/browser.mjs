// Which Chromium the tests, the benchmark and the screenshot script launch.
// CHROME_PATH wins; then Debian's /usr/bin/chromium; otherwise Playwright picks
// the browser it manages itself (installed with `npx playwright install` where
// that is possible), so contributors elsewhere are not forced onto Debian.
import { existsSync } from 'node:fs';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';

export function chromiumExecutable() {
  if (process.env.CHROME_PATH) return process.env.CHROME_PATH;
  if (existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  return undefined;
}

// --no-sandbox: CI and the dev machines run as root, where Chromium refuses to
// start sandboxed. The background-networking flags stop Chromium phoning home,
// which a closed network answers with a storm of refused connections.
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchOptions(extra = {}) {
  const executablePath = chromiumExecutable();
  return {
    headless: true,
    args: chromiumArgs,
    ...(executablePath ? { executablePath } : {}),
    ...extra,
  };
}
