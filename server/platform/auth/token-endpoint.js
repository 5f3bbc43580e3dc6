import { parseCookies, serializeCookie } from '../http/cookies.js';
import { addressKey } from '../http/client-address.js';
import { sendJson, sendStatus } from '../http/respond.js';
import { retryAfterSeconds } from '../limits/rate-limit.js';

export const VISITOR_COOKIE = 'cw_visitor';
// Visitors are anonymous; protocols that show senders (rooms) need some name for them.
export const VISITOR_NAME = 'Visitor';

const VISITOR_COOKIE_MAX_AGE = 365 * 24 * 60 * 60;

/**
 * Token requests per client address (`CHAT_TOKEN_LIMIT`): a widget asks once per connect and
 * every few minutes, so this leaves room for an office behind one address, not for a script
 * minting tokens to open thousands of sockets.
 */
export const TOKEN_LIMIT = { limit: 60, windowMs: 60_000 };
/**
 * New visitors per client address (`CHAT_NEW_VISITOR_LIMIT`): each new identity is another
 * share of the store (its own conversations and caps), so this is what keeps one address from
 * becoming thousands of visitors to crowd the others out.
 */
export const NEW_VISITOR_LIMIT = { limit: 30, windowMs: 10 * 60_000 };

/**
 * `POST /api/chat-token`: what a host page's own backend would do for the widget's `token-url`.
 * The visitor's identity is an anonymous secret in an HttpOnly cookie that only this server can
 * issue (visitors.js), so it survives reloads (and so de-duplication of resent messages works
 * across reconnects) without any login. The same token is the `api_key` / `token` of every
 * protocol this server speaks; `user_id` (the token's `sub`) is the public id derived from the
 * cookie, the id those protocols expect the visitor to use, and never the cookie itself.
 *
 * @param {object} deps
 * @param {import('./jwt.js').TokenService} deps.tokens
 * @param {import('./visitors.js').VisitorIdentity} deps.visitors
 * @param {{ requests: import('../store.js').SharedLimiter, newVisitors: import('../store.js').SharedLimiter }} deps.limits
 *   per client address
 * @param {(req: import('node:http').IncomingMessage) => string} deps.clientAddress
 * @returns {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => Promise<void>}
 */
export function createTokenHandler({ tokens, visitors, limits, clientAddress }) {
  return async function handleTokenRequest(req, res) {
    if (req.method !== 'POST') {
      sendStatus(res, 405, { Allow: 'POST' });
      return;
    }
    // The body carries nothing we need; draining it keeps keep-alive connections usable.
    req.resume();

    /** @type {Record<string, string>} */
    const headers = { 'Cache-Control': 'no-store' };
    const address = addressKey(clientAddress(req));
    // Tokens need nothing else from the store, so an unreachable Redis lets requests through
    // uncounted rather than stopping every widget from signing in again until it is back.
    /** @param {import('../store.js').SharedLimiter} limiter */
    const take = (limiter) => limiter.take(address).catch(() => undefined);
    const allowed = await take(limits.requests);
    if (allowed && !allowed.allowed) {
      tooMany(res, allowed.resetAt, 'Too many token requests from your address');
      return;
    }
    let visitorId = visitors.open(parseCookies(req.headers.cookie).get(VISITOR_COOKIE));
    if (!visitorId) {
      const fresh = await take(limits.newVisitors);
      if (fresh && !fresh.allowed) {
        tooMany(res, fresh.resetAt, 'Too many new visitors from your address');
        return;
      }
      const issued = visitors.issue();
      visitorId = issued.id;
      headers['Set-Cookie'] = serializeCookie(VISITOR_COOKIE, issued.cookie, {
        maxAgeSeconds: VISITOR_COOKIE_MAX_AGE,
        // Only a stricter cookie can come of trusting this header, never a weaker one.
        secure: isHttps(req),
      });
    }

    const token = await tokens.issue(visitorId);
    sendJson(
      res,
      200,
      { token, expires_in: tokens.ttlSeconds, user_id: visitorId, user_name: VISITOR_NAME },
      headers,
    );
  };
}

/**
 * @param {import('node:http').ServerResponse} res
 * @param {number} resetAt
 * @param {string} detail which limit, for the widget's `chat-error` detail and for logs
 */
function tooMany(res, resetAt, detail) {
  sendJson(
    res,
    429,
    { detail },
    { 'Cache-Control': 'no-store', 'Retry-After': String(retryAfterSeconds(resetAt)) },
  );
}

/** @param {import('node:http').IncomingMessage} req */
function isHttps(req) {
  if (/** @type {import('node:tls').TLSSocket} */ (req.socket).encrypted) return true;
  const forwarded = req.headers['x-forwarded-proto'];
  return typeof forwarded === 'string' && forwarded.split(',')[0]?.trim() === 'https';
}
