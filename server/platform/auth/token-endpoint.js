import { parseCookies, serializeCookie } from '../http/cookies.js';
import { sendJson, sendStatus } from '../http/respond.js';

export const VISITOR_COOKIE = 'cw_visitor';
// Visitors are anonymous; protocols that show senders (rooms) need some name for them.
export const VISITOR_NAME = 'Visitor';

const VISITOR_COOKIE_MAX_AGE = 365 * 24 * 60 * 60;

/**
 * `POST /api/chat-token`: what a host page's own backend would do for the widget's `token-url`.
 * The visitor's identity is an anonymous secret in an HttpOnly cookie that only this server can
 * issue (visitors.js), so it survives reloads (and so de-duplication of resent messages works
 * across reconnects) without any login. The same token is the `api_key` / `token` of every
 * protocol this server speaks; `user_id` (the token's `sub`) is the public id derived from the
 * cookie, the id those protocols expect the visitor to use, and never the cookie itself.
 *
 * @param {{ tokens: import('./jwt.js').TokenService, visitors: import('./visitors.js').VisitorIdentity }} deps
 * @returns {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => Promise<void>}
 */
export function createTokenHandler({ tokens, visitors }) {
  return async function handleTokenRequest(req, res) {
    if (req.method !== 'POST') {
      sendStatus(res, 405, { Allow: 'POST' });
      return;
    }
    // The body carries nothing we need; draining it keeps keep-alive connections usable.
    req.resume();

    /** @type {Record<string, string>} */
    const headers = { 'Cache-Control': 'no-store' };
    let visitorId = visitors.open(parseCookies(req.headers.cookie).get(VISITOR_COOKIE));
    if (!visitorId) {
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

/** @param {import('node:http').IncomingMessage} req */
function isHttps(req) {
  if (/** @type {import('node:tls').TLSSocket} */ (req.socket).encrypted) return true;
  const forwarded = req.headers['x-forwarded-proto'];
  return typeof forwarded === 'string' && forwarded.split(',')[0]?.trim() === 'https';
}
