// A fault-injecting proxy for the end-to-end hardening tests: one port in front of the reference
// server that forwards plain HTTP (pages, /dist, the token endpoint) and relays WebSockets frame
// by frame, so it can both watch the chat and cut it.
//
//   const proxy = await startProxy({ upstreamPort, seed: 7, routes: { '/page.html': html } });
//   proxy.faults = { enabled: true, dropsPerVisitor: 5 };   // start dropping
//   proxy.stats.drops, proxy.stats.chats                    // what happened
//
// Every relayed socket gets a plan from a seeded PRNG (test/seeded-random.js), so the sequence of decisions
// is the same on every run; only the moments depend on timing. A plan drops the connection
//
//   server-frame  when the n-th frame from the server arrives (mostly mid-reply), unforwarded
//   chat-before   when the client's n-th `chat` frame arrives, which is never forwarded (lost)
//   chat-after    just after forwarding the client's n-th `chat` frame (its ack is lost)
//   timer         after some milliseconds, whatever is going on (often idle)
//
// A drop destroys both TCP connections without a close frame, as a dead network would: the
// browser sees 1006, the server a vanished peer. `dropsPerVisitor` (visitor = the JWT's `sub`)
// caps how often one browser is hit, so the widget's backoff stays in a testable range.
//
// Observations (stats): every `chat` frame forwarded upstream (content, clientMessageId, when),
// server frame counts by type, server `error` frames, refused handshakes (the upstream status
// is relayed to the browser), connections, drops.
import { createServer, request } from 'node:http';
import WebSocket, { WebSocketServer } from 'ws';
import { watchErrors } from './harness.js';
import { seededRandom } from '../seeded-random.js';

/** The default planner: a mix of mid-stream, in-flight-message and idle drops. */
export function defaultPlan(rng) {
  const r = rng();
  if (r < 0.4) return { trigger: 'server-frame', n: 3 + Math.floor(rng() * 80) };
  if (r < 0.55) return { trigger: 'chat-before', n: 1 + Math.floor(rng() * 2) };
  if (r < 0.7)
    return { trigger: 'chat-after', n: 1 + Math.floor(rng() * 2), delayMs: Math.floor(rng() * 40) };
  return { trigger: 'timer', ms: 300 + Math.floor(rng() * 4000) };
}

/** The `sub` of the JWT in `?token=` (not verified: the server does that), or ''. */
function visitorOf(url) {
  try {
    const token = new URL(url, 'http://x').searchParams.get('token') ?? '';
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString());
    return typeof payload.sub === 'string' ? payload.sub : '';
  } catch {
    return '';
  }
}

/**
 * @param {object} options
 * @param {number} options.upstreamPort the reference server, on 127.0.0.1
 * @param {number} [options.seed]
 * @param {Record<string, string | ((req, res) => void)>} [options.routes] served here (HTML
 *   strings, or handlers), everything else goes upstream
 * @param {(rng: () => number, conn: object) => object | null} [options.plan]
 */
export async function startProxy({ upstreamPort, seed = 1, routes = {}, plan = defaultPlan }) {
  const rng = seededRandom(seed);
  const start = Date.now();
  const stats = {
    connections: 0,
    refused: [],
    drops: [],
    chats: [],
    serverFrames: {},
    serverErrors: [],
  };
  const dropsBy = new Map();
  const live = new Set();
  const proxy = {
    /** `enabled`: plan drops for new connections; `dropsPerVisitor`: cap per browser. */
    faults: { enabled: false, dropsPerVisitor: Infinity },
    stats,
    port: 0,
    url: '',
    /** Drops every relayed connection now. */
    dropAll(kind = 'manual') {
      for (const conn of live) conn.drop(kind);
    },
    close,
  };

  const http = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const route = routes[path];
    if (typeof route === 'string') {
      res.writeHead(200, { 'Content-Type': 'text/html', 'Cache-Control': 'no-store' });
      res.end(route);
      return;
    }
    if (typeof route === 'function') {
      route(req, res);
      return;
    }
    const upstream = request(
      {
        host: '127.0.0.1',
        port: upstreamPort,
        path: req.url,
        method: req.method,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
      res.end('upstream unreachable');
    });
    req.pipe(upstream);
  });

  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  let nextId = 0;

  http.on('upgrade', (req, socket, head) => {
    const conn = {
      id: ++nextId,
      visitor: visitorOf(req.url ?? ''),
      client: undefined,
      upstream: undefined,
      plan: null,
      dropped: false,
      chatsIn: 0,
      framesOut: 0,
      timer: undefined,
      drop: () => {},
    };
    const pending = [];
    const upstream = new WebSocket(`ws://127.0.0.1:${upstreamPort}${req.url}`, {
      perMessageDeflate: false,
      ...(req.headers.origin ? { origin: req.headers.origin } : {}),
      headers: req.headers.cookie ? { cookie: req.headers.cookie } : {},
    });
    conn.upstream = upstream;
    upstream.on('unexpected-response', (_req, answer) => {
      stats.refused.push({
        at: Date.now() - start,
        status: answer.statusCode,
        visitor: conn.visitor,
      });
      socket.end(
        `HTTP/1.1 ${answer.statusCode} ${answer.statusMessage}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      );
      answer.resume();
    });
    upstream.on('error', () => {
      if (!conn.client) {
        stats.refused.push({ at: Date.now() - start, status: 502, visitor: conn.visitor });
        socket.end('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      }
    });
    upstream.on('message', (data, isBinary) => {
      if (conn.client) fromServer(conn, data, isBinary);
      else pending.push([data, isBinary]);
    });
    upstream.on('open', () => {
      if (socket.destroyed) {
        upstream.terminate();
        return;
      }
      wss.handleUpgrade(req, socket, head, (client) => {
        conn.client = client;
        stats.connections++;
        live.add(conn);
        wire(conn);
        for (const [data, isBinary] of pending.splice(0)) fromServer(conn, data, isBinary);
      });
    });
    socket.on('error', () => upstream.terminate());
  });

  function wire(conn) {
    const { client, upstream } = conn;
    const budget = proxy.faults.dropsPerVisitor;
    if (proxy.faults.enabled && (dropsBy.get(conn.visitor) ?? 0) < budget) {
      conn.plan = plan(rng, conn);
    }
    conn.drop = (kind) => {
      if (conn.dropped) return;
      conn.dropped = true;
      clearTimeout(conn.timer);
      live.delete(conn);
      stats.drops.push({ at: Date.now() - start, kind, conn: conn.id, visitor: conn.visitor });
      dropsBy.set(conn.visitor, (dropsBy.get(conn.visitor) ?? 0) + 1);
      client.terminate();
      upstream.terminate();
    };
    if (conn.plan?.trigger === 'timer') {
      conn.timer = setTimeout(() => conn.drop('timer'), conn.plan.ms);
    }
    client.on('message', (data, isBinary) => {
      if (conn.dropped) return;
      let frame;
      try {
        frame = isBinary ? undefined : JSON.parse(data.toString());
      } catch {
        frame = undefined;
      }
      if (frame?.type === 'chat') {
        conn.chatsIn++;
        const planned = conn.plan;
        if (planned?.trigger === 'chat-before' && conn.chatsIn === planned.n) {
          conn.drop('chat-before');
          return;
        }
        stats.chats.push({
          at: Date.now() - start,
          conn: conn.id,
          visitor: conn.visitor,
          content: frame.content,
          clientMessageId: frame.clientMessageId,
        });
        if (upstream.readyState === WebSocket.OPEN) upstream.send(data, { binary: isBinary });
        if (planned?.trigger === 'chat-after' && conn.chatsIn === planned.n) {
          conn.timer = setTimeout(() => conn.drop('chat-after'), planned.delayMs);
        }
        return;
      }
      if (upstream.readyState === WebSocket.OPEN) upstream.send(data, { binary: isBinary });
    });
    const closeOther = (other) => (code) => {
      if (conn.dropped) return;
      conn.dropped = true;
      clearTimeout(conn.timer);
      live.delete(conn);
      const relay = code >= 1000 && code < 5000 && ![1004, 1005, 1006, 1015].includes(code);
      if (other.readyState === WebSocket.OPEN && relay) other.close(code);
      else other.terminate();
    };
    client.on('close', closeOther(upstream));
    upstream.on('close', closeOther(client));
    client.on('error', () => upstream.terminate());
    upstream.on('error', () => client.terminate());
  }

  function fromServer(conn, data, isBinary) {
    if (conn.dropped) return;
    conn.framesOut++;
    let frame;
    try {
      frame = isBinary ? undefined : JSON.parse(data.toString());
    } catch {
      frame = undefined;
    }
    const type = frame?.type ?? '(unparsed)';
    stats.serverFrames[type] = (stats.serverFrames[type] ?? 0) + 1;
    if (type === 'error') {
      stats.serverErrors.push({
        at: Date.now() - start,
        visitor: conn.visitor,
        message: frame.message,
        clientMessageId: frame.clientMessageId,
      });
    }
    if (conn.plan?.trigger === 'server-frame' && conn.framesOut === conn.plan.n) {
      conn.drop('server-frame');
      return;
    }
    if (conn.client.readyState === WebSocket.OPEN) conn.client.send(data, { binary: isBinary });
  }

  async function close() {
    for (const conn of live) {
      conn.client?.terminate();
      conn.upstream?.terminate();
    }
    const closed = new Promise((resolve) => http.close(resolve));
    http.closeAllConnections();
    await closed;
  }

  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  proxy.port = http.address().port;
  proxy.url = `http://127.0.0.1:${proxy.port}`;
  return proxy;
}

// --- helpers for the tests that drive a page through the proxy ---------------------------------

/** A page with one inline widget; `script` is the widget's URL (forwarded to the server). */
export function widgetPage({
  server,
  tokenUrl = '/api/chat-token',
  script = '/dist/chat-widget.js',
}) {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>chat-widget hardening</title>
    <script type="module" src="${script}"></script>
  </head>
  <body>
    <chat-widget id="w" mode="inline" server="${server}" token-url="${tokenUrl}"
      style="display: block; height: 700px"></chat-widget>
  </body>
</html>`;
}

/**
 * For `context.addInitScript`: keeps every `chat-status` and `chat-error` with its time, so a
 * test can compute reconnect times and see what the page was told.
 */
export function recordWidgetEvents() {
  window.__statuses = [];
  window.__errors = [];
  document.addEventListener('chat-status', (e) =>
    window.__statuses.push({ status: e.detail.status, at: Date.now() }),
  );
  document.addEventListener('chat-error', (e) =>
    window.__errors.push({ ...e.detail, at: Date.now() }),
  );
}

/** Milliseconds from each loss of `connected` (after the first) to the next `connected`. */
export function reconnectTimes(statuses) {
  const times = [];
  let connectedOnce = false;
  let lostAt;
  for (const { status, at } of statuses) {
    if (status === 'connected') {
      if (lostAt !== undefined) times.push(at - lostAt);
      lostAt = undefined;
      connectedOnce = true;
    } else if (connectedOnce && lostAt === undefined) {
      lostAt = at;
    }
  }
  return { times, pending: lostAt !== undefined };
}

export function median(values) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The server's own record of a visitor's conversation, through its public interfaces only: a
 * token for the visitor's cookie from the token endpoint (or `token`), then a `sync` on a fresh
 * socket.
 */
export async function serverConversation({ port, cookie, origin, token: given }) {
  const token =
    given ??
    (
      await (
        await fetch(`http://127.0.0.1:${port}/api/chat-token`, {
          method: 'POST',
          headers: { cookie },
        })
      ).json()
    ).token;
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${encodeURIComponent(token)}`, {
    origin,
  });
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no sync answer')), 5000);
      ws.on('error', reject);
      ws.on('message', (data) => {
        const frame = JSON.parse(data.toString());
        if (frame.type === 'connection') ws.send(JSON.stringify({ type: 'sync' }));
        if (frame.type === 'sync') {
          clearTimeout(timer);
          resolve(frame.messages);
        }
      });
    });
  } finally {
    ws.terminate();
  }
}

/** What the widget shows, read from its shadow DOM. */
export function readWidget() {
  const root = document.querySelector('#w').shadowRoot;
  const messages = [...root.querySelectorAll('[part~="message"]')].map((m) => ({
    role: m.getAttribute('part').split(' ')[1],
    state: m.dataset.state,
    note: m.dataset.note ?? null,
    text: m.querySelector('[part="content"]')?.textContent ?? '',
    retry: [...m.querySelectorAll('button')].some((b) => /retry/i.test(b.textContent ?? '')),
  }));
  return {
    messages,
    status: root.querySelector('[part="status"]').dataset.status,
    banner: root.querySelector('[part="error"] p')?.textContent ?? null,
    statuses: window.__statuses,
    errors: window.__errors,
  };
}

/**
 * Per content sent, from three points of view: the server's record (`sync`, in order: its one
 * reply worker answers questions one at a time, so the k-th reply belongs to the k-th
 * question), the widget's transcript, and the chat frames the proxy forwarded. The demo bot
 * quotes what it answers, so a whole reply names its question.
 *
 * - lost: not stored by the server, not shown by the widget, or never forwarded
 * - duplicated: stored or shown twice, sent under two client ids, or answered whole twice
 * - stuck: a message not `sent`, or a reply still `streaming`
 * - silent: stored, but no reply at all on the server, not even an interrupted one
 * - behind: answered whole on the server, not in the widget
 * - unanswered: no whole reply anywhere (its reply was interrupted; Retry is offered)
 */
export function tally(sent, widget, server, chats) {
  const out = {
    lost: [],
    duplicated: [],
    stuck: [],
    silent: [],
    behind: [],
    unanswered: [],
    forwards: 0,
    interrupted: 0,
    retryOffered: 0,
  };
  const user = (m) => m.role === 'user';
  const waiting = [];
  const replied = new Set();
  for (const m of server) {
    if (m.role === 'user') waiting.push(m.content);
    else if (m.role === 'assistant' && waiting.length > 0) replied.add(waiting.shift());
  }
  for (const content of sent) {
    const serverUser = server.filter((m) => m.role === 'user' && m.content === content).length;
    const serverWhole = server.filter(
      (m) => m.role === 'assistant' && !m.interrupted && m.content.includes(content),
    ).length;
    const shown = widget.messages.filter((m) => user(m) && m.text === content);
    const widgetWhole = widget.messages.filter(
      (m) =>
        m.role === 'assistant' && m.state === 'complete' && !m.note && m.text.includes(content),
    ).length;
    const forwarded = chats.filter((c) => c.content === content);
    const ids = new Set(forwarded.map((c) => c.clientMessageId));
    out.forwards += forwarded.length;
    if (serverUser === 0 || shown.length === 0 || forwarded.length === 0) out.lost.push(content);
    if (serverUser > 1 || shown.length > 1 || serverWhole > 1 || widgetWhole > 1 || ids.size > 1) {
      out.duplicated.push(
        `${content} (stored ${serverUser}×, answered whole ${serverWhole}×; shown ` +
          `${shown.length}×, answered whole ${widgetWhole}× in the widget; ${ids.size} client ids)`,
      );
    }
    if (serverUser > 0 && !replied.has(content)) out.silent.push(content);
    if (serverWhole > 0 && widgetWhole === 0) out.behind.push(content);
    if (serverWhole === 0 && widgetWhole === 0) out.unanswered.push(content);
  }
  for (const m of widget.messages) {
    if ((user(m) && m.state !== 'sent') || m.state === 'streaming') {
      out.stuck.push(`${m.role} ${m.state}: ${m.text.slice(0, 60)}`);
    }
    if (m.note === 'interrupted') {
      out.interrupted++;
      if (m.retry) out.retryOffered++;
    }
  }
  return out;
}

/**
 * For `tab.waitForFunction`: every content has a complete, uninterrupted reply quoting it (the
 * demo bot quotes what it answers), so no answer is still on its way.
 */
export function everyContentAnswered(contents) {
  const root = document.querySelector('#w').shadowRoot;
  const replies = [...root.querySelectorAll('[part~="assistant"][data-state="complete"]')]
    .filter((m) => !m.dataset.note)
    .map((m) => m.querySelector('[part="content"]')?.textContent ?? '');
  return contents.every((c) => replies.some((r) => r.includes(c)));
}

/**
 * A fresh browser context on a page of `widgetPage`, with the widget's events recorded
 * (recordWidgetEvents) and uncaught page errors kept; resolves once the widget is connected.
 */
export async function openWidgetPage(browser, url) {
  const context = await browser.newContext();
  await context.addInitScript(recordWidgetEvents);
  const tab = await context.newPage();
  const pageErrors = watchErrors(tab);
  await tab.goto(url);
  await tab.locator('#w [part="status"][data-status="connected"]').waitFor({ timeout: 20_000 });
  return { context, tab, pageErrors };
}

/**
 * Resolves true once the widget is connected with every message sent, nothing streaming and
 * nobody typing; false if that does not happen within `timeout`.
 */
export function widgetSettled(tab, { timeout = 30_000, polling = 100 } = {}) {
  return tab
    .waitForFunction(
      () => {
        const root = document.querySelector('#w').shadowRoot;
        return (
          root.querySelector('[part="status"]').dataset.status === 'connected' &&
          !root.querySelector('[part~="user"]:not([data-state="sent"])') &&
          !root.querySelector('[data-state="streaming"]') &&
          !root.querySelector('[part="typing"]')
        );
      },
      undefined,
      { timeout, polling },
    )
    .then(
      () => true,
      () => false,
    );
}

/**
 * Waits up to 20 s for a whole reply to each of `contents` (replies queued on the server come
 * one after another); never fails: tally() reports what is missing.
 */
export function waitForReplies(tab, contents) {
  return tab
    .waitForFunction(everyContentAnswered, contents, { timeout: 20_000, polling: 250 })
    .catch(() => undefined);
}

/** serverConversation of the visitor whose cookie a browser context got through the proxy. */
export async function visitorConversation({ port, context, proxyUrl }) {
  const cookie = (await context.cookies(proxyUrl))
    .filter((c) => c.name === 'cw_visitor')
    .map((c) => `${c.name}=${c.value}`)
    .join('; ');
  return serverConversation({ port, cookie, origin: proxyUrl });
}
