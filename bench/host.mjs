// What the widget costs the page that hosts it (issue 15), side by side in one run, with the CPU
// throttled 4× as Lighthouse does for mobile: an article page with no widget, with the loader,
// with the full file, and with a peer (deep-chat, the npm bundle). For each: bytes fetched before
// any interaction, main-thread time until `load` and until the page is idle, and total blocking
// time (the sum of each long task's time over 50 ms). Then, with the loader, the time from the
// first click on the launcher to an open, connected panel.
//
//   npm run bench:host              3 runs per page (medians)
//   node bench/host.mjs --runs 5
//
// The pages are served to the browser by playwright on the reference server's origin (so the
// token endpoint and the socket are its own). Writes bench/results/host.json.
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ROOT,
  ensureBuilt,
  freePort,
  launchBrowserForTestPages,
  socketOrigin,
  startServer,
} from '../test/e2e/harness.js';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const RUNS = Math.max(1, Number(args.runs) || 3);
/** Lighthouse's mobile throttling of the CPU. */
const CPU_SLOWDOWN = 4;
/** The page is idle once no request and no long task came for this long. */
const QUIET_MS = 1500;

const ARTICLE = Array.from(
  { length: 30 },
  (_, i) =>
    `<p>Paragraph ${i + 1} of an ordinary article page, the kind a chat widget is pasted into.</p>`,
).join('\n');

const widget = (ws) =>
  `<chat-widget id="w" server="${ws}/ws" token-url="/api/chat-token"></chat-widget>`;

const PAGES = {
  none: () => '',
  loader: (ws) => `<script src="/dist/chat-widget.loader.js"></script>${widget(ws)}`,
  full: (ws) => `<script type="module" src="/dist/chat-widget.js"></script>${widget(ws)}`,
  'deep-chat': () =>
    '<script type="module" src="/bench/deep-chat.js"></script>' +
    '<deep-chat demo="true" style="position:fixed;bottom:20px;right:20px"></deep-chat>',
};

/** Runs in each page before its scripts: long tasks as they happen. */
function watchTasks() {
  window.__tasks = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      window.__tasks.push({ start: entry.startTime, duration: entry.duration });
    }
  }).observe({ type: 'longtask', buffered: true });
}

async function measure(browser, base, name, { click = false } = {}) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(watchTasks);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  await cdp.send('Network.enable');
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
  let bytes = 0;
  let lastActivity = Date.now();
  cdp.on('Network.loadingFinished', (e) => {
    bytes += e.encodedDataLength;
    lastActivity = Date.now();
  });
  cdp.on('Network.requestWillBeSent', () => (lastActivity = Date.now()));
  const ws = socketOrigin({ url: base });
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Article</title>
    </head><body><main>${ARTICLE}</main>${PAGES[name](ws)}</body></html>`;
  await page.route('**/article.html', (route) =>
    route.fulfill({ contentType: 'text/html', body: html }),
  );
  await page.route('**/bench/deep-chat.js', (route) =>
    route.fulfill({
      contentType: 'text/javascript',
      body: readFileSync(join(ROOT, 'node_modules', 'deep-chat', 'dist', 'deepChat.bundle.js')),
    }),
  );
  const metric = async (name) => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    return metrics.find((m) => m.name === name).value * 1000;
  };
  const taskTime = () => metric('TaskDuration');
  await page.goto(new URL('/article.html', base).href, { waitUntil: 'load' });
  const atLoad = await taskTime();
  // Idle: no request and no new long task for QUIET_MS.
  let tasksSeen = -1;
  for (;;) {
    const tasks = await page.evaluate(() => window.__tasks.length);
    if (tasks !== tasksSeen) {
      tasksSeen = tasks;
      lastActivity = Math.max(lastActivity, Date.now());
    }
    if (Date.now() - lastActivity >= QUIET_MS) break;
    await page.waitForTimeout(100);
  }
  const atIdle = await taskTime();
  const scriptAtIdle = await metric('ScriptDuration');
  const tasks = await page.evaluate(() => window.__tasks);
  const blocking = tasks.reduce((sum, t) => sum + Math.max(0, t.duration - 50), 0);
  let clickToConnected;
  if (click) {
    await page.evaluate(() => {
      const el = document.querySelector('#w');
      window.__clicked = 0;
      el.addEventListener('pointerdown', () => (window.__clicked = performance.now()), true);
      el.addEventListener('chat-status', (e) => {
        if (e.detail.status === 'connected') window.__connected = performance.now();
      });
    });
    await page.locator('#w [part="launcher"]').click();
    await page.waitForFunction(
      () => window.__connected && document.querySelector('#w').open === true,
      undefined,
      { timeout: 30_000 },
    );
    clickToConnected = await page.evaluate(() => window.__connected - window.__clicked);
  }
  await context.close();
  return { bytes, atLoad, atIdle, scriptAtIdle, blocking, clickToConnected };
}

const median = (values) => {
  const sorted = values.filter((v) => v !== undefined).sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)] : undefined;
};

async function main() {
  ensureBuilt();
  const server = await startServer({ port: await freePort() });
  const launch = launchBrowserForTestPages;
  let browser = await launch();
  const results = {};
  try {
    // Interleaved, so that a busy spell of the machine falls on every page alike.
    const runs = Object.fromEntries(Object.keys(PAGES).map((name) => [name, []]));
    for (let run = 0; run < RUNS; run++) {
      for (const name of Object.keys(PAGES))
        runs[name].push(await measure(browser, server.url, name));
    }
    // A click leaves the browser's pointer on the launcher, where the next page would find it
    // (and load at once, as for a visitor pointing at it): each click gets a browser of its own.
    for (const run of runs.loader) {
      await browser.close();
      browser = await launch();
      run.clickToConnected = (
        await measure(browser, server.url, 'loader', { click: true })
      ).clickToConnected;
    }
    // The machine's noise is larger than the loader's cost: compare within each run (the pages of
    // one run follow each other), then take the median of those shares.
    const share = (key) =>
      median(
        runs.loader.map(
          (r, i) =>
            (r[key] - runs.none[i][key]) / Math.max(1, runs.full[i][key] - runs.none[i][key]),
        ),
      );
    results.shares = { task: share('atIdle'), script: share('scriptAtIdle') };
    for (const [name, list] of Object.entries(runs)) {
      results[name] = Object.fromEntries(
        ['bytes', 'atLoad', 'atIdle', 'scriptAtIdle', 'blocking', 'clickToConnected'].map((key) => [
          key,
          median(list.map((r) => r[key])),
        ]),
      );
    }
  } finally {
    await browser.close();
    await server.kill();
  }
  const kb = (n) => (n / 1024).toFixed(1);
  const ms = (n) => (n === undefined ? '–' : n.toFixed(0));
  console.log(`\nHost page, CPU ${CPU_SLOWDOWN}× slower, medians of ${RUNS} runs:\n`);
  console.log(
    '| page | KB before interaction | main thread ms until load | until idle | of it script | total blocking ms |',
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  const { shares, ...pages } = results;
  for (const [name, r] of Object.entries(pages)) {
    console.log(
      `| ${name} | ${kb(r.bytes)} | ${ms(r.atLoad)} | ${ms(r.atIdle)} | ${ms(r.scriptAtIdle)} | ${ms(r.blocking)} |`,
    );
  }
  const pct = (n) => `${(n * 100).toFixed(1)}%`;
  console.log(
    `\nthe loader's start cost over a page without a widget, as a share of the full file's ` +
      `(median of per-run shares): main thread ${pct(shares.task)}, script ${pct(shares.script)} ` +
      `(target ≤ 5%)`,
  );
  console.log(
    `first click on the loader's launcher → open, connected panel: ` +
      `${ms(results.loader.clickToConnected)} ms (target < 1000 ms)`,
  );
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(
    join(ROOT, 'bench', 'results', 'host.json'),
    `${JSON.stringify({ machine: `${os.cpus()[0]?.model}, ${os.cpus().length} cores`, cpuSlowdown: CPU_SLOWDOWN, runs: RUNS, results }, null, 2)}\n`,
  );
  console.log('\nWrote bench/results/host.json.');
}

await main();
