import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import { createTokenService } from './platform/auth/jwt.js';
import {
  NEW_VISITOR_LIMIT,
  TOKEN_LIMIT,
  createTokenHandler,
} from './platform/auth/token-endpoint.js';
import { createVisitorIdentity, visitorKey } from './platform/auth/visitors.js';
import { API_ADDRESS_LIMIT, createApiHandler } from './platform/http/api.js';
import { createClientAddress } from './platform/http/client-address.js';
import { sendStatus } from './platform/http/respond.js';
import { createStaticHandler } from './platform/http/static.js';
import { DEFAULT_MAX_FRAME_BYTES } from './platform/limits/frames.js';
import { createSocketQuota } from './platform/limits/sockets.js';
import { createOriginPolicy, openOriginsWarning } from './platform/security/origins.js';
import { createChannels } from './platform/ws/channels.js';
import { startHeartbeat } from './platform/ws/heartbeat.js';
import { createUpgradeRouter } from './platform/ws/upgrade.js';
import { createBot } from './bots/index.js';
import { eventsRoutes } from './events/api.js';
import { roomsRoutes } from './rooms/api.js';
import { createRoomHub } from './rooms/hub.js';
import { createRoomResponder } from './rooms/responder.js';
import { createSupportDesk } from './support/desk.js';
import { createStore } from './store/index.js';
import { createDemoConfigHandler } from './demo-config.js';
import { socketRoutes } from './sockets.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

// Enforced: the pages and the widget need no inline script or style, and the demo pages share
// their origin with the agent console, so a script injected into one must not run at all.
const DEMO_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

// The `events` document's REST limit (100 a minute per tenant), applied per visitor here since
// every visitor is their own tenant; the `rooms` calls share it.
const API_RATE_LIMIT = { limit: 100, windowMs: 60_000 };

/**
 * @typedef {object} AppOptions
 * @property {number} [port] 0 picks a free port
 * @property {string} [host] unset: all interfaces
 * @property {string | Uint8Array} [secret] HS256 key for chat tokens; random when unset
 * @property {string | Uint8Array} [visitorSecret] HMAC key for visitor cookies and their public
 *   ids; unset: derived from `secret`
 * @property {import('./bots/index.js').Bot} [bot] overrides `openai` and `demoBotDelayMs`
 * @property {import('./bots/openai-bot.js').OpenAIBotOptions} [openai]
 * @property {number} [demoBotDelayMs]
 * @property {string} [demoDir] served at `/`
 * @property {string} [distDir] served at `/dist/`
 * @property {number} [heartbeatIntervalMs]
 * @property {number} [dedupeTtlMs]
 * @property {number} [dedupeMaxEntries]
 * @property {import('./protocols.js').ProtocolName} [protocol] the demo page's first choice
 * @property {string} [redisUrl] share everything through this Redis, for several processes
 * @property {string} [redisPrefix] its keys start with this (`cw:`), to share one Redis
 * @property {import('./store/index.js').Store} [shared] the store itself (tests); wins over
 *   `redisUrl`, and is not closed with the app
 * @property {{ limit: number, windowMs: number }} [apiRateLimit] per visitor, REST calls
 * @property {number} [maxFrameBytes] larger WebSocket frames close the socket with 1009
 * @property {string[]} [allowedOrigins] normalised origins (platform/security/origins.js); unset: all
 * @property {import('./support/agents/accounts.js').AgentAccount[]} [agents] agent console sign-ins
 * @property {import('./support/agents/hours.js').Hours} [agentHours] when people take chats; unset: always
 * @property {number} [agentOnlineGraceMs] how long an agent whose console closed still counts
 * @property {string} [agentDistDir] the built agent console, served at `/agent/`
 * @property {number} [replyLeaseMs] a reply whose process stops renewing this lease is taken
 *   over and ended as interrupted by another process
 * @property {number} [abandonGraceMs] a reply goes on this long with no socket of its visitor
 *   open anywhere; unset: at once in memory, 10 s with Redis (they may be reconnecting)
 * @property {number} [drainMs] on close, how long replies in progress get to finish before they
 *   are handed over; unset: 0 in memory (nobody could take over), 3 s with Redis
 * @property {number} [roomsPresenceTtlMs] a `rooms` socket counts as online this long after
 *   its process last renewed it (every third of it): the users of a dead process drop out
 * @property {number} [apiAddressLimit] REST calls per client address a minute (1000)
 * @property {number} [tokenLimit] token requests per client address a minute (60)
 * @property {number} [newVisitorLimit] new visitors per client address in 10 minutes (30)
 * @property {import('./store/index.js').StoreLimits} [storeLimits] bounds of the store slices
 *   (byte budgets, caps, the protection of active conversations); unset: their defaults
 * @property {number} [headersTimeoutMs] a request's headers must arrive within this (10 s)
 * @property {number} [requestTimeoutMs] a whole request must arrive within this (30 s)
 * @property {number} [maxSocketsPerVisitor] sockets this process holds for one visitor (20)
 * @property {number} [maxSocketsPerAddress] sockets this process holds for one address (500)
 * @property {number} [signInLimit] agent sign-in attempts per client address a minute (10)
 * @property {number} [signInAccountLimit] agent sign-in attempts per account a minute (5)
 * @property {number} [signInConcurrency] agent password checks at once (2)
 * @property {import('./platform/http/client-address.js').TrustProxy} [trustProxy] which
 *   proxies' `X-Forwarded-For` is believed; unset: the socket address is the client
 * @property {() => number} [now] the clock for opening hours; tests fix it
 * @property {{ error(...args: unknown[]): void }} [logger]
 */

/**
 * @param {AppOptions} [options]
 * @returns {Promise<{ server: import('node:http').Server, url: string, bot: import('./bots/index.js').Bot, shared: import('./store/index.js').Store, createLoginLink(agentId: string): Promise<string>, close(): Promise<void> }>}
 */
export async function createApp(options = {}) {
  const {
    port = 0,
    host,
    secret,
    demoDir = join(REPO_ROOT, 'demo'),
    distDir = join(REPO_ROOT, 'dist'),
    heartbeatIntervalMs = 30_000,
    dedupeTtlMs = 10 * 60_000,
    dedupeMaxEntries = 10_000,
    protocol = 'stream',
    apiRateLimit = API_RATE_LIMIT,
    logger = console,
  } = options;
  const shared =
    options.shared ??
    (await createStore({
      redisUrl: options.redisUrl,
      prefix: options.redisPrefix,
      dedupeTtlMs,
      dedupeMaxEntries,
      limits: options.storeLimits,
      now: options.now,
      logger,
    }));
  const ownsShared = !options.shared;
  const store = shared.conversations;
  const multiProcess = shared.kind !== 'memory';
  const bot = options.bot ?? createBot(options);
  // Aborts what outlives a socket (a room's reply) when the server closes.
  const shutdown = new AbortController();

  const tokens = createTokenService({ secret });
  const clientAddress = createClientAddress(options.trustProxy);
  const visitors = createVisitorIdentity({ key: visitorKey(options.visitorSecret, secret) });
  const handleToken = createTokenHandler({
    tokens,
    visitors,
    limits: {
      requests: shared.limiter('token', {
        ...TOKEN_LIMIT,
        limit: options.tokenLimit ?? TOKEN_LIMIT.limit,
      }),
      newVisitors: shared.limiter('new-visitor', {
        ...NEW_VISITOR_LIMIT,
        limit: options.newVisitorLimit ?? NEW_VISITOR_LIMIT.limit,
      }),
    },
    clientAddress,
  });
  const serveDemoConfig = createDemoConfigHandler({ protocol });
  const channels = createChannels({ bus: shared.channels, logger });
  const hub = createRoomHub({
    presence: shared.rooms,
    channels,
    presenceTtlMs: options.roomsPresenceTtlMs,
    logger,
  });
  const responder = createRoomResponder({ store, hub, bot, signal: shutdown.signal, logger });
  const handleApi = createApiHandler({
    routes: [...eventsRoutes({ store }), ...roomsRoutes({ store, hub, responder })],
    tokens,
    limiter: shared.limiter('api', apiRateLimit),
    addressLimiter: shared.limiter('api-address', {
      limit: options.apiAddressLimit ?? API_ADDRESS_LIMIT,
      windowMs: 60_000,
    }),
    clientAddress,
  });
  const serveDemo = createStaticHandler({
    root: demoDir,
    htmlHeaders: { 'Content-Security-Policy': DEMO_CSP },
  });
  const serveDist = createStaticHandler({ root: distDir });

  /** @type {Promise<void> | undefined} set once close() begins: `/readyz` fails from then on */
  let closing;
  const origins = createOriginPolicy(options.allowedOrigins);
  /** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
  async function handleRequest(req, res) {
    try {
      // Kept percent-encoded: the static handler decodes, then checks containment.
      const pathname = (req.url ?? '/').split('?')[0] ?? '/';
      // Before the origin check: load balancers and orchestrators send no Origin, and these
      // say nothing about anyone.
      if (pathname === '/healthz') return sendHealth(res, true);
      if (pathname === '/readyz') return sendHealth(res, !closing && (await shared.ready()));
      if (origins.refuseHttp(req, res, pathname)) return; // 403 (platform/security/origins.js)
      if (pathname === '/api/chat-token') await handleToken(req, res);
      else if (pathname.startsWith('/api/v1/')) {
        await handleApi(req, res, new URL(req.url ?? '/', 'http://localhost'));
      } else if (pathname === '/agent' || pathname.startsWith('/agent/')) {
        await desk.handleHttp(req, res, pathname);
      } else if (pathname === '/demo-config.js') serveDemoConfig(req, res);
      else if (pathname.startsWith('/dist/')) await serveDist(req, res, pathname.slice(6));
      else if (pathname.startsWith('/')) await serveDemo(req, res, pathname.slice(1));
      else sendStatus(res, 400);
    } catch (err) {
      logger.error('[http] request failed:', err);
      if (!res.headersSent) sendStatus(res, 500);
      else res.destroy();
    }
  }
  // handleRequest answers its own failures (500), so nothing is left to catch here.
  const headersTimeout = options.headersTimeoutMs ?? 10_000;
  // Node checks the timeouts below only this often (30 s by default, longer than they are).
  const connectionsCheckingInterval = Math.min(2000, Math.max(50, headersTimeout / 2));
  const server = createServer(
    { connectionsCheckingInterval },
    (req, res) => void handleRequest(req, res),
  );
  // Chosen, not Node's defaults: a client gets 10 s to send its headers and 30 s for a whole
  // request (bodies are 16 KiB at most), so a trickle of bytes cannot hold a connection for
  // minutes. An idle keep-alive connection is closed after 65 s, longer than nginx keeps its
  // own idle upstream connections (deploy/nginx.conf: 60 s), so nginx never reuses one this
  // server is closing. WebSockets are past these once upgraded.
  server.headersTimeout = headersTimeout;
  server.requestTimeout = options.requestTimeoutMs ?? 30_000;
  server.keepAliveTimeout = 65_000;

  const maxPayload = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES; // platform/limits/frames.js
  const wss = new WebSocketServer({ noServer: true, maxPayload });
  const stopHeartbeat = startHeartbeat(wss, heartbeatIntervalMs);
  const desk = createSupportDesk({
    ...options,
    streamStore: shared.stream,
    supportStore: shared.support,
    sessionStore: shared.sessions,
    abandonGraceMs: options.abandonGraceMs ?? (multiProcess ? 10_000 : 0),
    agentDistDir: options.agentDistDir ?? join(distDir, 'agent'),
    bot,
    seen: shared.recent,
    limiter: shared.limiter,
    wss,
    clientAddress,
    logger,
  });
  const routes = socketRoutes({
    store,
    bot,
    stream: desk.stream,
    hub,
    channels,
    logger,
  });
  const routeUpgrade = createUpgradeRouter({
    wss,
    tokens,
    routes,
    allowOrigin: origins.allows,
    quota: createSocketQuota({
      perVisitor: options.maxSocketsPerVisitor,
      perAddress: options.maxSocketsPerAddress,
    }),
    clientAddress,
    logger,
  });
  // The agent socket answers to the console's session cookie and this server's own origin, not
  // to a visitor token and the embedding sites' origins.
  server.on('upgrade', (req, socket, head) => {
    if (!desk.handleUpgrade(req, socket, head)) routeUpgrade(req, socket, head);
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(undefined);
    });
  });

  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  const openWarning = openOriginsWarning(options.allowedOrigins, address.address);
  if (openWarning) console.warn(`warning: ${openWarning}`);
  const shownHost =
    !host || host === '0.0.0.0' || host === '::'
      ? 'localhost'
      : host.includes(':')
        ? `[${host}]`
        : host;
  const url = `http://${shownHost}:${address.port}/`;

  /**
   * Stops taking connections, tells `stream` widgets to reconnect (to another process) now,
   * closes every socket, lets replies in progress finish for `drainMs` (with Redis their frames
   * still reach the visitors, wherever they reconnected) and leaves the rest to be taken over.
   */
  function close() {
    closing ??= (async () => {
      server.close();
      const drained = desk.drain(options.drainMs ?? (multiProcess ? 3000 : 0));
      desk.sayReconnect();
      shutdown.abort();
      stopHeartbeat();
      hub.close();
      // No close code, as the deployed server does on shutdown: browsers report 1005.
      for (const ws of wss.clients) ws.close();
      server.closeAllConnections();
      await waitForSockets(wss, 1000);
      wss.close();
      await drained;
      desk.shutdown();
      if (ownsShared) await shared.close();
    })();
    return closing;
  }

  /** @param {string} agentId */
  const createLoginLink = (agentId) => desk.createLoginLink(agentId, url);
  return { server, url, bot, shared, createLoginLink, close };
}

/** @param {import('node:http').ServerResponse} res @param {boolean} ok */
function sendHealth(res, ok) {
  res.writeHead(ok ? 200 : 503, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-store',
  });
  res.end(JSON.stringify({ status: ok ? 'ok' : 'unavailable' }));
}

/**
 * @param {WebSocketServer} wss
 * @param {number} graceMs how long clients get to answer the close handshake
 */
async function waitForSockets(wss, graceMs) {
  const open = [...wss.clients];
  if (open.length === 0) return;
  let timer;
  const closed = Promise.all(open.map((ws) => new Promise((r) => ws.once('close', r))));
  const late = new Promise((r) => {
    timer = setTimeout(r, graceMs);
  });
  await Promise.race([closed, late]);
  clearTimeout(timer);
  for (const ws of wss.clients) ws.terminate();
}
