import { randomUUID } from 'node:crypto';
import { parseCookies, serializeCookie } from '../http/cookies.js';
import { sendJson, sendStatus } from '../http/respond.js';

export const VISITOR_COOKIE = 'cw_visitor';
// Visitors are anonymous; protocols that show senders (rooms) need some name for them.
export const VISITOR_NAME = 'Visitor';

const VISITOR_COOKIE_MAX_AGE = 365 * 24 * 60 * 60;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `POST /api/chat-token`: what a host page's own backend would do for the widget's `token-url`.
 * The visitor's identity is an anonymous id in an HttpOnly cookie, so it survives reloads
 * (and so de-duplication of resent messages works across reconnects) without any login.
 * The same token is the `api_key` / `token` of every protocol this server speaks, and
 * `user_id` is the id those protocols expect the visitor to use.
 *
 * @param {{ tokens: import('./jwt.js').TokenService }} deps
 * @returns {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => Promise<void>}
 */
export function createTokenHandler({ tokens }) {
  return async function handleTokenRequest(req, res) {
    if (req.method !== 'POST') {
      sendStatus(res, 405, { Allow: 'POST' });
      return;
    }
    // The body carries nothing we need; draining it keeps keep-alive connections usable.
    req.resume();

    /** @type {Record<string, string>} */
    const headers = { 'Cache-Control': 'no-store' };
    let visitorId = parseCookies(req.headers.cookie).get(VISITOR_COOKIE);
    if (!visitorId || !UUID.test(visitorId)) {
      visitorId = randomUUID();
      headers['Set-Cookie'] = serializeCookie(VISITOR_COOKIE, visitorId, {
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

/** @param {import('node:http').IncomingMessage} req */
function isHttps(req) {
  if (/** @type {import('node:tls').TLSSocket} */ (req.socket).encrypted) return true;
  const forwarded = req.headers['x-forwarded-proto'];
  return typeof forwarded === 'string' && forwarded.split(',')[0]?.trim() === 'https';
}
