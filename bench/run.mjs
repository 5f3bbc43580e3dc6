// Streaming benchmark (issue 4): does a long answer stream as smoothly as a short one?
//
//   npm run bench                   widget, naive, floor and deep-chat × 2,000/8,000 tokens × max/200 tok/s
//   npm run bench -- --quick        smoke check: 2,000 tokens, 1 run per cell
//   npm run bench -- --strict       exit 1 when a target fails (otherwise always 0)
//   npm run bench -- --profile      also CPU-profile the widget at 8,000 tokens, source-mapped
//
// More options: --runs N (max-rate cells, default 5), --naive-runs N (default 1: the naive
// baseline needs about two minutes of CPU for one 8,000-token reply), --paced-runs N (200 tok/s
// cells, default 1), --paced-all (at 200 tok/s run every renderer at every size; by default only
// the widget streams the long reply there, as floor and naive would add 40 s and ~2 min),
// --renderers, --sizes, --rates (comma lists: `--renderers widget --sizes 8000 --rates fast`),
// --no-trace, --save-traces (DevTools-loadable traces in bench/results/; heavier, skews the
// numbers), --profile-renderer NAME, --profile-rate fast|N, --out NAME (file in bench/results/,
// default latest.json, so a partial run need not replace the full one).
//
// Headless Chromium (scripts/browser.mjs) loads bench/page.js from a local server that also speaks
// the `stream` protocol over WebSocket and answers `chat` with a seeded reply (bench/reply.mjs).
// Four renderers show it: the real <chat-widget> from dist/, a naive page that re-renders all
// text with marked + DOMPurify on every token, a floor that only appends text nodes, and a peer
// (deep-chat from npm, fed the same tokens through its stream handler). Prints
// medians and the targets, and writes bench/results/latest.json.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { WebSocketServer } from 'ws';
import { launchOptions } from '../scripts/browser.mjs';
import { ensureBuilt, ROOT } from '../test/e2e/harness.js';
import { summarizeProfile } from './profile.mjs';
import { generateReply } from './reply.mjs';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    'paced-runs': { type: 'string', default: '1' },
    'naive-runs': { type: 'string', default: '1' },
    'paced-all': { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    strict: { type: 'boolean', default: false },
    renderers: { type: 'string', default: 'widget,floor,naive,deep-chat' },
    sizes: { type: 'string', default: '2000,8000' },
    rates: { type: 'string', default: 'fast,200' },
    'no-trace': { type: 'boolean', default: false },
    'save-traces': { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    'profile-renderer': { type: 'string', default: 'widget' },
    'profile-rate': { type: 'string', default: 'fast' },
    out: { type: 'string', default: 'latest.json' },
  },
});

const list = (value) =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const RENDERERS = list(args.renderers);
const SIZES = args.quick ? [2000] : list(args.sizes).map(Number);
const RATES = list(args.rates).map((r) => (r === 'fast' || r === 'max' ? 'fast' : Number(r)));
const RUNS = args.quick ? 1 : positive(args.runs, '--runs');
const PACED_RUNS = args.quick ? 1 : positive(args['paced-runs'], '--paced-runs');
const NAIVE_RUNS = args.quick ? 1 : positive(args['naive-runs'], '--naive-runs');
const TRACE = !args['no-trace'] || args['save-traces'];
// DevTools' own categories make a trace the Performance panel can open, at a cost the measured
// numbers then include: for looking into a result, not for the table.
const TRACE_CATEGORIES = args['save-traces']
  ? ['toplevel', 'blink.user_timing', 'devtools.timeline', 'disabled-by-default-devtools.timeline']
  : ['toplevel', 'blink.user_timing'];

for (const r of RENDERERS) {
  if (!['widget', 'floor', 'naive', 'deep-chat'].includes(r))
    throw new Error(`unknown renderer ${r}`);
}
for (const r of RATES) if (r !== 'fast' && !(r > 0)) throw new Error(`bad rate ${r}`);

function positive(value, name) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} wants a whole number ≥ 1`);
  return n;
}

function runsFor(renderer, size, rate) {
  const runs = rate === 'fast' ? RUNS : PACED_RUNS;
  if (rate !== 'fast' && renderer !== 'widget' && size > 2000 && !args['paced-all']) return 0;
  // The slow baselines (the naive page, and deep-chat) get --naive-runs: minutes per run.
  return renderer === 'naive' || renderer === 'deep-chat' ? Math.min(runs, NAIVE_RUNS) : runs;
}

const rateLabel = (rate) => (rate === 'fast' ? 'max' : `${rate}/s`);
const fmt = (v, digits = 1) => (v === undefined || Number.isNaN(v) ? '–' : v.toFixed(digits));

// --- server: static files and the `stream` protocol --------------------------------------

const PAGE = `<!doctype html>
<meta charset="utf-8" />
<title>chat-widget bench</title>
<style>
  body { margin: 0; font: 15px/1.5 system-ui, sans-serif; }
  #out, chat-widget { display: block; width: 640px; height: 720px; }
  #out { overflow: auto; white-space: pre-wrap; }
</style>
<div id="out"></div>
<script type="module" src="/bench/page.js"></script>
`;

/**
 * Read once at start: dist/ can be rebuilt while a benchmark is running, and all its runs must
 * measure the same widget (whose hash goes into the results).
 */
function loadFiles() {
  const read = (...path) => readFileSync(join(ROOT, ...path));
  return {
    '/bench/page.js': read('bench', 'page.js'),
    '/dist/chat-widget.js': read('dist', 'chat-widget.js'),
    '/vendor/marked.js': read('node_modules', 'marked', 'lib', 'marked.esm.js'),
    '/vendor/purify.js': read('node_modules', 'dompurify', 'dist', 'purify.es.mjs'),
    '/vendor/deep-chat.js': read('node_modules', 'deep-chat', 'dist', 'deepChat.bundle.js'),
  };
}

function loadSourceMap() {
  try {
    return JSON.parse(readFileSync(join(ROOT, 'dist', 'chat-widget.js.map'), 'utf8'));
  } catch {
    return undefined;
  }
}

async function startServer(files, replies) {
  const http = createServer((req, res) => {
    const { pathname } = new URL(req.url, 'http://x');
    if (pathname === '/') {
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      return res.end(PAGE);
    }
    const body = files[pathname];
    if (!body) {
      res.statusCode = 404;
      return res.end();
    }
    res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
    res.end(body);
  });
  const wss = new WebSocketServer({ server: http });
  // Per run: resolves when its `chat` arrived; `release()` then starts the reply.
  const held = new Map();
  const hold = (run) => {
    if (!held.has(run)) {
      let arrived;
      const chat = new Promise((resolve) => (arrived = resolve));
      held.set(run, { chat, arrived, start: undefined });
    }
    return held.get(run);
  };
  let replyCount = 0;

  wss.on('connection', (ws, req) => {
    const url = new URL(req.url, 'http://x');
    const tokens = replies.get(Number(url.searchParams.get('tokens')));
    const rate = url.searchParams.get('rate');
    const run = url.searchParams.get('run');
    const now = () => new Date().toISOString();
    ws.send(JSON.stringify({ type: 'connection', message: 'Connected', timestamp: now() }));
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data));
      if (frame.type === 'ping') return ws.send(JSON.stringify({ type: 'pong', timestamp: now() }));
      if (frame.type !== 'chat' || !tokens) return;
      const messageId = `bench-${++replyCount}`;
      const timestamp = now();
      // Built ahead, so that at the max rate the writes really are back-to-back. `type` comes
      // first: the page's probe recognises frames by that prefix.
      const frames = tokens.map((token) =>
        JSON.stringify({ type: 'stream-token', messageId, token, timestamp }),
      );
      frames.push(JSON.stringify({ type: 'stream-end', messageId, timestamp }));
      const slot = hold(run);
      slot.start = () => {
        ws.send(JSON.stringify({ type: 'stream-start', messageId, timestamp }));
        if (rate === 'fast') {
          for (const f of frames) ws.send(f);
          return;
        }
        // Token i is due at start + i/rate. A late timer sends everything already due, so the
        // average rate holds although Node's timers only promise "not earlier".
        const interval = 1000 / Number(rate);
        const start = performance.now();
        let i = 0;
        const tick = () => {
          if (ws.readyState !== ws.OPEN) return;
          const due = Math.floor((performance.now() - start) / interval) + 1;
          while (i < Math.min(due, frames.length)) ws.send(frames[i++]);
          if (i < frames.length) {
            setTimeout(tick, Math.max(0, start + i * interval - performance.now()));
          }
        };
        tick();
      };
      slot.arrived();
    });
  });

  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address();
  return {
    http: `http://127.0.0.1:${port}`,
    ws: `ws://127.0.0.1:${port}/`,
    chatArrived: (run) => hold(run).chat,
    release(run) {
      held.get(run).start();
      held.delete(run);
    },
    close: () =>
      new Promise((resolve) => {
        for (const client of wss.clients) client.terminate();
        http.close(resolve);
      }),
  };
}

// --- one measured run --------------------------------------------------------------------

let runCount = 0;

/**
 * Busy time: the main thread's CPU time between two CDP `Performance.getMetrics` calls
 * (`ThreadTime`, Blink's base::ThreadTicks of that thread), the first taken after the question
 * was sent and rendered but before the server releases the reply, the second once the whole
 * reply is rendered and the frame showing its last token is done. Idle time (waiting for tokens
 * at 200 tok/s, or for the next frame) costs no CPU, so it never counts; everything the page does
 * does: receiving frames, JSON, rendering, style, layout, paint, GC. `TaskDuration` (wall time
 * inside tasks) is recorded too, but on a shared 2-core machine it also counts time the thread
 * was ready but descheduled: with other test suites running it was 1.5-2.5× the CPU time and
 * swung 2× between identical runs, so the targets are checked on CPU time (medians). On an idle
 * machine the two agree except for the main thread's blocking waits (frame commit).
 *
 * Long tasks: the page's `longtask` observer counts tasks over 50 ms (wall) in the window. It
 * says nothing about shorter ones, so the longest task comes from a Chromium trace (category
 * `toplevel`: one event per task, with wall and thread time) of the page's main thread between
 * its `bench-start` and `bench-painted` marks. The trace also tells how many of the long tasks
 * really did 50 ms of work and how many were stretched by other processes.
 */
async function measure(browser, server, renderer, size, rate, { profile = false } = {}) {
  const context = await browser.newContext({ viewport: { width: 800, height: 800 } });
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    const cdp = await context.newCDPSession(page);
    const run = String(++runCount);
    const socket = `${server.ws}?tokens=${size}&rate=${rate}&run=${run}`;
    const query = new URLSearchParams({ renderer, server: socket, tokens: String(size) });
    await page.goto(`${server.http}/?${query}`);
    await page.evaluate(() => window.bench.ready);

    // The question is sent and shown before measuring; the server holds the reply until then.
    await page.evaluate(() => window.bench.send());
    await server.chatArrived(run);
    await page.evaluate(() => window.bench.settle());

    await cdp.send('Performance.enable', { timeDomain: 'timeTicks' });
    await cdp.send('HeapProfiler.enable');
    await cdp.send('HeapProfiler.collectGarbage');
    const heapBefore = await cdp.send('Runtime.getHeapUsage');
    // deep-chat's stream makes a trace too large to read back in reasonable time: its cells go
    // without (no CPU split of its long tasks; its CPU time comes from CDP metrics as for all).
    const tracing = TRACE && renderer !== 'deep-chat';
    if (tracing) await browser.startTracing(page, { categories: TRACE_CATEGORIES });
    if (profile) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 250 });
      await cdp.send('Profiler.start');
    }
    const before = metrics(await cdp.send('Performance.getMetrics'));
    server.release(run);
    const probe = await page.evaluate(() => window.bench.finished());
    const after = metrics(await cdp.send('Performance.getMetrics'));
    const cpuProfile = profile ? (await cdp.send('Profiler.stop')).profile : undefined;
    const traceBuffer = tracing ? await browser.stopTracing() : undefined;
    const trace = traceBuffer ? mainThreadTasks(traceBuffer) : undefined;
    if (traceBuffer && args['save-traces']) {
      const name = `trace-${renderer}-${size}-${rateLabel(rate).replace('/s', 'ps')}-${run}.json`;
      writeResult(name, traceBuffer);
    }

    await cdp.send('HeapProfiler.collectGarbage');
    const heapAfter = await cdp.send('Runtime.getHeapUsage');
    const longTasks = await page.evaluate(() => window.bench.longTasks());
    const shape = await page.evaluate(() => window.bench.shape());
    if (errors.length) throw new Error(`${renderer}: page errors: ${errors.join('; ')}`);
    if (probe.tokens !== size) throw new Error(`${renderer}: saw ${probe.tokens}/${size} tokens`);

    const delta = (key) => (after[key] - before[key]) * 1000;
    return {
      cpuMs: delta('ThreadTime'),
      taskMs: delta('TaskDuration'),
      scriptMs: delta('ScriptDuration'),
      styleLayoutMs: delta('RecalcStyleDuration') + delta('LayoutDuration'),
      // Without a trace only tasks over 50 ms are known.
      longestTaskMs: trace
        ? trace.longest
        : longTasks.length
          ? Math.max(...longTasks.map((t) => t.duration))
          : undefined,
      longTasks: longTasks.length,
      paintLatencyMs: probe.paintedAt - probe.lastTokenAt,
      streamMs: Math.max(probe.doneAt, probe.paintedAt) - probe.startedAt,
      heapUsedMB: heapAfter.usedSize / 2 ** 20,
      heapGrowthMB: (heapAfter.usedSize - heapBefore.usedSize) / 2 ** 20,
      ...(trace
        ? {
            longestTaskCpuMs: trace.longestCpu,
            longTasksCpu: trace.over50Cpu,
            cpuByQuarterMs: trace.quarters,
            lateToEarly: trace.quarters[3] / trace.quarters[0],
            tracedTasks: trace.count,
            tracedTaskMs: trace.total,
          }
        : {}),
      ...(probe.updates !== undefined ? { widgetUpdates: probe.updates } : {}),
      shape,
      ...(cpuProfile ? { cpuProfile } : {}),
    };
  } finally {
    await context.close();
  }
}

function metrics({ metrics: list }) {
  return Object.fromEntries(list.map((m) => [m.name, m.value]));
}

/** Tasks of the page's main thread between its `bench-start` and `bench-painted` marks. */
function mainThreadTasks(buffer) {
  const events = JSON.parse(buffer.toString()).traceEvents ?? [];
  const mark = (name) => events.find((e) => e.name === name && e.cat.includes('user_timing'));
  const start = mark('bench-start');
  const end = mark('bench-painted');
  if (!start || !end) return undefined;
  const tasks = events
    .filter(
      (e) =>
        e.pid === start.pid &&
        e.tid === start.tid &&
        e.ph === 'X' &&
        e.cat === 'toplevel' &&
        e.ts + e.dur >= start.ts &&
        e.ts <= end.ts,
    )
    .sort((a, b) => a.ts - b.ts);
  // Nested run loops report tasks inside tasks; only the outermost ones occupy the thread.
  const out = {
    longest: 0,
    longestCpu: 0,
    total: 0,
    count: 0,
    over50Cpu: 0,
    quarters: [0, 0, 0, 0],
  };
  const span = Math.max(1, end.ts - start.ts);
  let reach = -Infinity;
  for (const task of tasks) {
    if (task.ts < reach) continue;
    reach = task.ts + task.dur;
    const wall = task.dur / 1000;
    const cpu = (task.tdur ?? task.dur) / 1000;
    out.longest = Math.max(out.longest, wall);
    out.longestCpu = Math.max(out.longestCpu, cpu);
    out.total += wall;
    out.count++;
    if (cpu > 50) out.over50Cpu++;
    // CPU by quarter of the stream: at a steady token rate, a renderer whose cost per token
    // grows with the text so far spends more in the last quarter than in the first.
    const quarter = Math.min(3, Math.max(0, Math.floor(((task.ts - start.ts) / span) * 4)));
    out.quarters[quarter] += cpu;
  }
  return out;
}

// --- statistics and output ---------------------------------------------------------------

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function summarize(runs) {
  const out = {};
  for (const key of Object.keys(runs[0])) {
    const values = runs.map((r) => r[key]).filter((v) => typeof v === 'number');
    if (values.length === runs.length) out[key] = median(values);
  }
  out.maxLongTasks = Math.max(...runs.map((r) => r.longTasks));
  return out;
}

const COLUMNS = [
  ['renderer', (c) => c.renderer],
  ['tokens', (c) => String(c.tokens)],
  ['rate', (c) => rateLabel(c.rate)],
  ['runs', (c) => String(c.runs.length)],
  ['cpu ms', (c) => fmt(c.median.cpuMs)],
  ['task ms', (c) => fmt(c.median.taskMs)],
  ['script ms', (c) => fmt(c.median.scriptMs)],
  ['longest ms', (c) => fmt(c.median.longestTaskMs)],
  ['(cpu)', (c) => fmt(c.median.longestTaskCpuMs)],
  ['>50ms', (c) => fmt(c.median.longTasks, 0)],
  ['(cpu)', (c) => fmt(c.median.longTasksCpu, 0)],
  ['q4/q1', (c) => fmt(c.median.lateToEarly, 2)],
  ['paint ms', (c) => fmt(c.median.paintLatencyMs)],
  ['heap MB', (c) => fmt(c.median.heapUsedMB, 2)],
  ['stream ms', (c) => fmt(c.median.streamMs, 0)],
];

function table(cells) {
  const rows = cells.map((c) => COLUMNS.map(([, get]) => get(c)));
  const widths = COLUMNS.map(([h], i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r) =>
    r.map((v, i) => (i < 3 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  return [
    line(COLUMNS.map(([h]) => h)),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map(line),
  ].join('\n');
}

function checkTargets(cells) {
  const cell = (renderer, tokens, rate) =>
    cells.find((c) => c.renderer === renderer && c.tokens === tokens && c.rate === rate);
  const cpu = (renderer, tokens) => cell(renderer, tokens, 'fast')?.median.cpuMs;
  const task = (renderer, tokens) => cell(renderer, tokens, 'fast')?.median.taskMs;
  const targets = [];
  const ratio = (name, [a, b], limit, [wa, wb]) => {
    const value = a / b;
    const detail = `cpu ${fmt(a)} / ${fmt(b)} ms; wall-time ratio ${fmt(wa / wb, 2)}`;
    if (a === undefined || b === undefined) targets.push({ name, status: 'SKIP', detail });
    else targets.push({ name, status: value <= limit ? 'PASS' : 'FAIL', value, limit, detail });
  };
  ratio(
    'widget busy ≤ 2× floor (8,000 tokens, max rate)',
    [cpu('widget', 8000), cpu('floor', 8000)],
    2,
    [task('widget', 8000), task('floor', 8000)],
  );
  ratio(
    'widget busy ≤ 1/10 of naive (8,000 tokens, max rate)',
    [cpu('widget', 8000), cpu('naive', 8000)],
    0.1,
    [task('widget', 8000), task('naive', 8000)],
  );
  ratio(
    'widget 8,000-token busy ≤ 4.5× its 2,000-token busy (max rate)',
    [cpu('widget', 8000), cpu('widget', 2000)],
    4.5,
    [task('widget', 8000), task('widget', 2000)],
  );
  const widgetCells = cells.filter((c) => c.renderer === 'widget');
  const name = 'widget tasks over 50 ms = 0 (longtask entries, median of every widget cell)';
  if (widgetCells.length === 0) {
    targets.push({ name, status: 'SKIP', detail: 'no widget cells' });
  } else {
    const value = widgetCells.reduce((sum, c) => sum + c.median.longTasks, 0);
    const worst = Math.max(...widgetCells.map((c) => c.median.maxLongTasks));
    const cpuLong = widgetCells.map((c) => c.median.longTasksCpu);
    const detail =
      `worst single run ${worst}; with ≥ 50 ms of CPU: ` +
      (cpuLong.every((v) => v !== undefined) ? fmt(Math.max(...cpuLong), 0) : '? (no trace)');
    targets.push({ name, status: value === 0 ? 'PASS' : 'FAIL', value, limit: 0, detail });
  }
  return targets;
}

/**
 * A renderer that fell back to plain text (or dropped blocks) would look fast for the wrong
 * reason, so the markdown renderers must show every table, code block and link of the reply.
 */
function shapeProblem(renderer, shape, text) {
  if (renderer === 'floor') return undefined;
  const want = {
    tables: (text.match(/^\| ---/gm) ?? []).length,
    pre: (text.match(/^```/gm) ?? []).length / 2,
    links: (text.match(/\]\(https:/g) ?? []).length,
  };
  const off = Object.keys(want).filter((key) => shape[key] !== want[key]);
  if (off.length === 0) return undefined;
  return `rendered ${off.map((k) => `${shape[k]} ${k} of ${want[k]}`).join(', ')}`;
}

function machine(browserVersion) {
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    chromium: browserVersion,
  };
}

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
  } catch {
    return undefined;
  }
}

function writeResult(name, data) {
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', name), data);
}

// --- main ----------------------------------------------------------------------------------

async function main() {
  ensureBuilt();
  const files = loadFiles();
  const sourceMap = args.profile ? loadSourceMap() : undefined;
  const generated = new Map(SIZES.map((n) => [n, generateReply(n)]));
  const replies = new Map([...generated].map(([n, reply]) => [n, reply.tokens]));
  const warnings = [];
  const server = await startServer(files, replies);
  const browser = await chromium.launch(launchOptions());
  const started = Date.now();
  const loadBefore = os.loadavg()[0];
  const cells = [];
  const notes = [];
  const skipped =
    !args['paced-all'] && RATES.some((r) => r !== 'fast') && SIZES.some((n) => n > 2000);
  notes.push(
    `runs per cell: widget and floor ${RUNS} at max rate, ${PACED_RUNS} at 200 tok/s; ` +
      `naive ${Math.min(RUNS, NAIVE_RUNS)} and ${Math.min(PACED_RUNS, NAIVE_RUNS)} (--naive-runs)`,
  );
  if (skipped) {
    notes.push('at 200 tok/s only the widget streams replies over 2,000 tokens (--paced-all)');
  }
  if (loadBefore > os.cpus().length) {
    notes.push(
      `machine busy (load average ${loadBefore.toFixed(1)} on ${os.cpus().length} cores): ` +
        'wall times (task ms, longest, >50ms, paint) are inflated; cpu ms holds up',
    );
  }
  for (const note of notes) console.log(`note: ${note}`);

  try {
    for (const rate of RATES) {
      for (const size of SIZES) {
        const group = RENDERERS.map((renderer) => ({ renderer, tokens: size, rate, runs: [] }));
        const rounds = Math.max(...group.map((c) => runsFor(c.renderer, size, rate)));
        // Renderers take turns within each round, so a slow spell of the machine hits all alike.
        for (let round = 0; round < rounds; round++) {
          for (const cell of group) {
            if (round >= runsFor(cell.renderer, size, rate)) continue;
            const r = await measure(browser, server, cell.renderer, size, rate);
            cell.runs.push(r);
            const wrong = shapeProblem(cell.renderer, r.shape, generated.get(size).text);
            if (wrong && !warnings.includes(`${cell.renderer} ${size}: ${wrong}`)) {
              warnings.push(`${cell.renderer} ${size}: ${wrong}`);
            }
            process.stderr.write(
              `  ${cell.renderer} ${size} ${rateLabel(rate)} #${round + 1}: cpu ${fmt(r.cpuMs)} ms, ` +
                `task ${fmt(r.taskMs)} ms, longest ${fmt(r.longestTaskMs)} ms ` +
                `(cpu ${fmt(r.longestTaskCpuMs)}), >50ms ${r.longTasks}, ` +
                `paint ${fmt(r.paintLatencyMs)} ms\n`,
            );
          }
        }
        for (const cell of group) {
          if (cell.runs.length === 0) continue;
          cell.median = summarize(cell.runs);
          cells.push(cell);
        }
      }
    }

    let profile;
    if (args.profile) {
      const renderer = args['profile-renderer'];
      const rate = args['profile-rate'] === 'fast' ? 'fast' : Number(args['profile-rate']);
      const size = Math.max(...SIZES);
      const r = await measure(browser, server, renderer, size, rate, { profile: true });
      const file = `profile-${renderer}-${size}-${rateLabel(rate).replace('/s', 'ps')}.cpuprofile`;
      // Opens in DevTools (Performance panel → Load profile) for the whole call tree.
      writeResult(file, JSON.stringify(r.cpuProfile));
      profile = { renderer, tokens: size, rate: rateLabel(rate), file: `bench/results/${file}` };
      Object.assign(profile, summarizeProfile(r.cpuProfile, sourceMap));
    }

    const targets = checkTargets(cells);
    for (const w of warnings) console.log(`warning: ${w}`);
    console.log('');
    console.log(table(cells));
    console.log(
      '\ncpu = main-thread CPU time from the first reply frame to the frame showing the last ' +
        'token (the busy time the targets use); task = wall time inside main-thread tasks; ' +
        'longest = longest task, wall (cpu); >50ms = longtask entries (of them ≥ 50 ms CPU); ' +
        'q4/q1 = CPU in the last quarter of the stream ÷ first quarter (~1 at 200/s if cost per ' +
        'token does not grow); ' +
        'paint = last token arrival → end of the next frame; heap = JS heap after GC. Medians.',
    );
    console.log('');
    for (const t of targets) {
      const value = t.value === undefined ? '' : ` [${fmt(t.value, 3)} vs ${t.limit}]`;
      console.log(`${t.status}  ${t.name}${value}  (${t.detail})`);
    }
    if (profile) {
      console.log(
        `\nCPU profile of ${profile.renderer}, ${profile.tokens} tokens at ${profile.rate} ` +
          `(${fmt(profile.totalMs, 0)} ms sampled; ${profile.file}).`,
      );
      const show = (title, rows) => {
        console.log(title);
        for (const row of rows) console.log(`  ${fmt(row.ms).padStart(8)} ms  ${row.where}`);
      };
      show('Self time by source file:', profile.byFile);
      show('Self time by function:', profile.self);
      show('Inclusive time by widget function (src/):', profile.inclusive);
      show('Inclusive time in marked and DOMPurify:', profile.inclusiveLibraries);
    }

    const result = {
      date: new Date().toISOString(),
      commit: gitCommit(),
      widget: {
        file: 'dist/chat-widget.js',
        sha256: createHash('sha256').update(files['/dist/chat-widget.js']).digest('hex'),
      },
      machine: machine(browser.version()),
      loadAverage: { before: loadBefore, after: os.loadavg()[0] },
      options: {
        quick: args.quick,
        runs: RUNS,
        pacedRuns: PACED_RUNS,
        naiveRuns: NAIVE_RUNS,
        pacedAll: args['paced-all'],
        trace: TRACE,
      },
      notes,
      warnings,
      durationS: Math.round((Date.now() - started) / 1000),
      cells: cells.map(({ renderer, tokens, rate, runs, median: m }) => ({
        renderer,
        tokens,
        rate: rateLabel(rate),
        runs: runs.length,
        median: m,
        raw: runs.map(({ cpuProfile: _, ...r }) => r),
      })),
      targets,
      ...(profile ? { profile } : {}),
    };
    writeResult(args.out, JSON.stringify(result, null, 2) + '\n');
    console.log(`\nWrote bench/results/${args.out} (${result.durationS} s).`);
    if (args.strict && targets.some((t) => t.status === 'FAIL')) process.exitCode = 1;
  } finally {
    await browser.close();
    await server.close();
  }
}

await main();
