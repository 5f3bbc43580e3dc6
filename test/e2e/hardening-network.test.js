// Issue 5, "nothing lost": five visitors chat through the UI (typing, Enter) with the reference
// server while a fault-injecting proxy (proxy.js, seeded) drops their connections at random
// moments: mid-reply, while a message is in flight (lost before the server, or its ack lost
// after), and when idle. Afterwards, from three points of view (the server's own record of each
// conversation via `sync`, the chat frames the proxy forwarded, and the widget's transcript):
// every message reached the server exactly once, shows once, is `sent`; no reply is left
// `streaming`; no message is answered twice; each status ends `connected`. It prints lost,
// duplicated, stuck, drops and reconnect times (median, max).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ensureBuilt, freePort, launchBrowser, startServer } from './harness.js';
import { median, readWidget, reconnectTimes, startProxy, tally, widgetPage } from './proxy.js';
import { openWidgetPage, visitorConversation, waitForReplies, widgetSettled } from './proxy.js';
import { seededRandom } from '../seeded-random.js';

const SEED = 20_251_122;
const VISITORS = 5;
const MESSAGES_EACH = 11;
const DROPS_EACH = 5;
const WORDS = (
  'amber basil cedar delta ember fjord grove heron inlet juniper kelp lumen maple nectar ' +
  'orchid pebble quartz raven sable tundra umber velvet willow yarrow zephyr'
).split(' ');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

describe('flaky network: random drops while five visitors chat through the UI', () => {
  let browser;
  let server;
  let proxy;
  let port;
  const routes = {};

  before(async () => {
    ensureBuilt();
    port = await freePort();
    server = await startServer({ port, env: { DEMO_BOT_DELAY_MS: '2' } });
    proxy = await startProxy({ upstreamPort: port, seed: SEED, routes });
    routes['/chat.html'] = widgetPage({ server: `ws://127.0.0.1:${proxy.port}/ws` });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await proxy?.close();
    await server?.kill();
  });

  it(`delivers ${VISITORS * MESSAGES_EACH} typed messages exactly once through ${VISITORS * DROPS_EACH} drops`, async () => {
    const started = Date.now();
    proxy.faults = { enabled: true, dropsPerVisitor: DROPS_EACH };
    const visitors = await Promise.all(
      Array.from({ length: VISITORS }, async (_, v) => {
        const { context, tab, pageErrors } = await openWidgetPage(
          browser,
          `${proxy.url}/chat.html`,
        );
        return { v, context, tab, pageErrors, sent: [] };
      }),
    );

    // Each visitor types at a human-ish, seeded pace, whatever the connection is doing.
    await Promise.all(
      visitors.map(async (visitor) => {
        const rng = seededRandom(SEED + visitor.v);
        const input = visitor.tab.locator('#w [part="input"]');
        for (let i = 0; i < MESSAGES_EACH; i++) {
          const words = Array.from({ length: 3 }, () => WORDS[Math.floor(rng() * WORDS.length)]);
          const text = `visitor ${visitor.v} message ${String(i).padStart(2, '0')} ${words.join(' ')}`;
          await input.fill(text);
          await input.press('Enter');
          visitor.sent.push(text);
          await sleep(200 + Math.floor(rng() * 700));
        }
      }),
    );
    const typedAt = Date.now();

    // Let every visitor take its drops (timer plans hit idle sockets too), then stop dropping.
    const dropsDone = () => proxy.stats.drops.length >= VISITORS * DROPS_EACH;
    for (let waited = 0; !dropsDone() && waited < 60_000; waited += 250) await sleep(250);
    proxy.faults = { enabled: false, dropsPerVisitor: DROPS_EACH };

    // Settle: connected, every message sent, nothing streaming (or give up and report).
    const settled = await Promise.all(
      visitors.map(({ tab }) => widgetSettled(tab, { timeout: 30_000, polling: 200 })),
    );
    // Replies queued on the server come one after another: wait for every one still coming.
    await Promise.all(visitors.map(({ tab, sent }) => waitForReplies(tab, sent)));
    await sleep(500);

    const KINDS = ['lost', 'duplicated', 'stuck', 'silent', 'behind', 'unanswered'];
    const totals = { interrupted: 0, retryOffered: 0, forwards: 0 };
    for (const kind of KINDS) totals[kind] = 0;
    const details = [];
    const reconnects = [];
    let notConnected = 0;
    let pageErrors = 0;
    for (const visitor of visitors) {
      const widget = await visitor.tab.evaluate(readWidget);
      const stored = await visitorConversation({
        port,
        context: visitor.context,
        proxyUrl: proxy.url,
      });
      const result = tally(visitor.sent, widget, stored, proxy.stats.chats);
      for (const key of KINDS) {
        totals[key] += result[key].length;
        for (const item of result[key]) details.push(`visitor ${visitor.v} ${key}: ${item}`);
      }
      totals.interrupted += result.interrupted;
      totals.retryOffered += result.retryOffered;
      totals.forwards += result.forwards;
      reconnects.push(...reconnectTimes(widget.statuses).times);
      if (widget.status !== 'connected') notConnected++;
      pageErrors += visitor.pageErrors.length;
      if (widget.banner) details.push(`visitor ${visitor.v} banner: ${widget.banner}`);
      const count = (list, test) => list.filter(test).length;
      console.log(
        `[network] visitor ${visitor.v}: server stored ${count(stored, (m) => m.role === 'user')} ` +
          `messages and ${count(stored, (m) => m.role === 'assistant' && !m.interrupted)} whole and ` +
          `${count(stored, (m) => m.role === 'assistant' && m.interrupted)} interrupted replies; ` +
          `the widget shows ` +
          `${count(widget.messages, (m) => m.role === 'user')} messages, ` +
          `${count(widget.messages, (m) => m.role === 'assistant' && !m.note)} whole and ` +
          `${result.interrupted} interrupted replies; status ${widget.status}`,
      );
      await visitor.context.close();
    }

    const sentCount = visitors.reduce((n, v) => n + v.sent.length, 0);
    const drops = proxy.stats.drops;
    const byKind = drops.reduce((acc, d) => ({ ...acc, [d.kind]: (acc[d.kind] ?? 0) + 1 }), {});
    const refusals = proxy.stats.serverErrors.filter((e) => e.clientMessageId);
    console.log(
      `[network] ${sentCount} messages typed by ${VISITORS} visitors in ${typedAt - started} ms; ` +
        `${drops.length} drops ${JSON.stringify(byKind)}; ${proxy.stats.connections} connections, ` +
        `${proxy.stats.refused.length} refused handshakes`,
    );
    console.log(
      `[network] lost ${totals.lost}, duplicated ${totals.duplicated}, stuck ${totals.stuck}, ` +
        `silent ${totals.silent} (stored, no reply at all), behind ${totals.behind} (whole on ` +
        `the server, not in the widget); ${totals.unanswered} without a whole reply, ` +
        `${totals.interrupted} interrupted replies shown (${totals.retryOffered} with Retry); ` +
        `${totals.forwards} chat frames forwarded for ${sentCount} messages (resends included)`,
    );
    console.log(
      `[network] reconnect times: ${reconnects.length} reconnects, median ${Math.round(median(reconnects))} ms, ` +
        `max ${Math.max(...reconnects)} ms; settled ${settled.filter(Boolean).length}/${VISITORS}; ` +
        `${Date.now() - started} ms in all`,
    );
    console.log(
      `[network] server refusals of a chat (error with clientMessageId): ${refusals.length}` +
        (refusals.length ? ` ${JSON.stringify([...new Set(refusals.map((e) => e.message))])}` : ''),
    );
    for (const line of details.filter((d) => !d.includes(' unanswered: ')).slice(0, 30)) {
      console.log(`[network]   ${line}`);
    }

    assert.ok(sentCount >= 50, 'at least 50 messages');
    assert.ok(drops.length >= 20, `at least 20 drops (${drops.length})`);
    assert.equal(totals.lost, 0, 'lost');
    assert.equal(totals.duplicated, 0, 'duplicated');
    assert.equal(totals.stuck, 0, 'stuck');
    // Every stored message gets a reply: whole, or (cut by a drop; one process abandons a reply
    // nobody is connected for) interrupted, with Retry. Never nothing at all.
    assert.equal(totals.silent, 0, 'stored messages that got no reply at all');
    // The widget shows what the server has: a reply whole there is whole here.
    assert.equal(totals.behind, 0, 'replies whole on the server but not in the widget');
    assert.equal(totals.retryOffered, totals.interrupted, 'every interrupted reply offers Retry');
    assert.equal(notConnected, 0, 'every widget ends connected');
    assert.equal(pageErrors, 0, 'no uncaught page errors');
  });
});
