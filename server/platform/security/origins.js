/**
 * The origin allow-list (`CHAT_ALLOWED_ORIGINS`): which web pages may use this server.
 *
 * Browsers always send `Origin` on a WebSocket handshake and on a cross-origin request, and a
 * page cannot forge it, so checking it keeps the widget to the sites it was set up for: another
 * site's page cannot get tokens, open sockets or call the APIs through its visitors' browsers
 * (and spend this server's model). Requests without the header come from programs, not pages,
 * and are let through: the token still guards them, and a program could send any `Origin`.
 *
 * Origins are compared exactly (scheme, host, port), after the normalisation URL applies
 * (lower-case host, default port dropped). The literal origin `null` (sandboxed frames, files) is
 * never on the list.
 */

/**
 * @typedef {object} OriginPolicy
 * @property {string[] | undefined} allowed undefined: every origin is allowed
 * @property {(req: import('node:http').IncomingMessage) => boolean} allows
 * @property {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, pathname: string) => boolean} refuseHttp
 *   answers 403 and returns true when `pathname` is guarded and the origin is not allowed
 */

// The endpoints a page calls with the visitor's cookie or a token: the token endpoint and the
// REST APIs. Static files are not guarded: a page's module scripts are requested with `Origin`
// too, and they hold nothing a foreign page could not fetch anyway.
const GUARDED_PATHS = [/^\/api\/chat-token$/, /^\/api\/v1\//];

/**
 * Reads a comma-separated list such as `https://shop.example,https://www.shop.example`.
 *
 * @param {string} raw
 * @returns {{ origins: string[], invalid: string[] }} the normalised origins, and the entries
 *   that are not an origin (a path, a query, credentials or a scheme other than http(s))
 */
export function parseAllowedOrigins(raw) {
  /** @type {string[]} */
  const origins = [];
  /** @type {string[]} */
  const invalid = [];
  for (const entry of raw.split(',').map((s) => s.trim())) {
    if (entry === '') continue;
    const origin = normalizeOrigin(entry);
    if (!origin) invalid.push(entry);
    else if (!origins.includes(origin)) origins.push(origin);
  }
  return { origins, invalid };
}

/**
 * @param {string[] | undefined} allowedOrigins normalised origins; undefined allows every origin
 * @returns {OriginPolicy}
 */
export function createOriginPolicy(allowedOrigins) {
  const allowed = allowedOrigins === undefined ? undefined : new Set(allowedOrigins);

  /** @param {import('node:http').IncomingMessage} req */
  function allows(req) {
    if (!allowed) return true;
    const header = req.headers.origin;
    if (header === undefined) return true;
    const origin = normalizeOrigin(header);
    return origin !== undefined && allowed.has(origin);
  }

  return {
    allowed: allowedOrigins,
    allows,
    refuseHttp(req, res, pathname) {
      if (!GUARDED_PATHS.some((path) => path.test(pathname)) || allows(req)) return false;
      req.resume();
      const body = JSON.stringify({ detail: 'Origin not allowed' });
      res.writeHead(403, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': Buffer.byteLength(body),
        'Cache-Control': 'no-store',
        // The answer depends on Origin, so a shared cache must not give it to other origins.
        Vary: 'Origin',
      });
      res.end(body);
      return true;
    },
  };
}

/**
 * The startup warning for an open server: with no allow-list, any site's page can embed the
 * widget against this server. Only said when it listens beyond loopback, where that matters.
 *
 * @param {string[] | undefined} allowedOrigins
 * @param {string} address the address the server is bound to
 * @returns {string | undefined}
 */
export function openOriginsWarning(allowedOrigins, address) {
  if (allowedOrigins !== undefined || isLoopback(address)) return undefined;
  return (
    `CHAT_ALLOWED_ORIGINS is not set: pages from any origin may use this server (listening on ` +
    `${address}). Set it to the origins of the sites that embed the widget.`
  );
}

/** @param {string} address */
export function isLoopback(address) {
  const plain = address.replace(/^::ffff:/i, '');
  return plain === '::1' || plain === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(plain);
}

/**
 * @param {string} value
 * @returns {string | undefined} `scheme://host[:port]`, or undefined when it is not an http(s)
 *   origin: anything after the port (a path, a query) or credentials could never match what a
 *   browser sends, so such a list entry is a mistake to report, not something to trim
 */
function normalizeOrigin(value) {
  let url;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username || url.password || url.pathname !== '/' || url.search || url.hash) {
    return undefined;
  }
  return url.origin;
}
