/**
 * The JSON REST APIs of the `events` and `rooms` protocols under `/api/v1/`: route matching,
 * `X-API-Key` authentication (the same JWT the sockets take), a per-visitor rate limit with
 * `X-RateLimit-*` headers, CORS, and errors as `{"detail": "…"}` with a 4xx status.
 *
 * CORS is open (`*`) because credentials travel in a header, never in cookies: a widget on any
 * site may call these endpoints with a token its own backend obtained, as with any API key.
 */
import { STATUS_CODES } from 'node:http';
import { retryAfterSeconds } from '../limits/rate-limit.js';
import { HttpError, readJsonBody } from './body.js';
import { addressKey } from './client-address.js';
import { sendJson } from './respond.js';

// REST calls per client address a minute (`CHAT_API_ADDRESS_LIMIT`): ten visitors' worth, for an
// office behind one address, while one address minting visitors cannot multiply the per-visitor
// limit.
export const API_ADDRESS_LIMIT = 1000;

/**
 * @typedef {object} ApiRequest
 * @property {import('node:http').IncomingMessage} req
 * @property {URL} url
 * @property {string[]} params the route's captures, percent-decoded
 * @property {{ sub: string }} visitor whose token came with the request
 * @property {() => Promise<unknown>} body the parsed JSON body (undefined when empty)
 */

/**
 * @typedef {object} ApiResponse
 * @property {number} status
 * @property {unknown} [body] sent as JSON; none for 204
 */

/**
 * @typedef {object} ApiRoute
 * @property {'GET' | 'POST' | 'DELETE'} method
 * @property {RegExp} path matched against the still-encoded pathname
 * @property {(request: ApiRequest) => Promise<ApiResponse>} handle
 */

const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset',
};

/**
 * @param {object} deps
 * @param {ApiRoute[]} deps.routes
 * @param {import('../auth/jwt.js').TokenService} deps.tokens
 * @param {{ take(key: string): Promise<import('../limits/rate-limit.js').RateDecision> | import('../limits/rate-limit.js').RateDecision }} deps.limiter
 * @param {{ take(key: string): Promise<import('../limits/rate-limit.js').RateDecision> }} [deps.addressLimiter]
 *   calls per client address, whoever's key they carry (or none): many visitors from one
 *   address, and garbage keys, are limited too
 * @param {(req: import('node:http').IncomingMessage) => string} [deps.clientAddress]
 * @returns {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, url: URL) => Promise<void>}
 */
export function createApiHandler({ routes, tokens, limiter, addressLimiter, clientAddress }) {
  return async function handleApi(req, res, url) {
    /** @param {number} status @param {unknown} body @param {Record<string, string>} [headers] */
    const answer = (status, body, headers = {}) => {
      if (body === undefined) {
        res.writeHead(status, { ...CORS_HEADERS, ...headers });
        res.end();
      } else {
        sendJson(res, status, body, { ...CORS_HEADERS, 'Cache-Control': 'no-store', ...headers });
      }
    };
    /** @param {number} status @param {string} [detail] @param {Record<string, string>} [headers] */
    const refuse = (status, detail = STATUS_CODES[status] ?? 'Error', headers = {}) =>
      answer(status, { detail }, headers);

    const matches = routes
      .map((route) => ({ route, found: route.path.exec(url.pathname) }))
      .filter((m) => m.found !== null);
    if (matches.length === 0) {
      req.resume();
      refuse(404, 'Not Found');
      return;
    }
    const allowed = [...new Set(matches.map((m) => m.route.method))];
    if (req.method === 'OPTIONS') {
      req.resume();
      answer(204, undefined, {
        'Access-Control-Allow-Methods': [...allowed, 'OPTIONS'].join(', '),
        'Access-Control-Allow-Headers': 'X-API-Key, Content-Type',
        'Access-Control-Max-Age': '600',
      });
      return;
    }
    const match = matches.find((m) => m.route.method === req.method);
    if (!match?.found) {
      req.resume();
      refuse(405, 'Method Not Allowed', { Allow: [...allowed, 'OPTIONS'].join(', ') });
      return;
    }

    let params;
    try {
      params = match.found.slice(1).map((p) => decodeURIComponent(p ?? ''));
    } catch {
      req.resume();
      refuse(404, 'Not Found');
      return;
    }

    if (addressLimiter && clientAddress) {
      const byAddress = await addressLimiter.take(addressKey(clientAddress(req)));
      if (!byAddress.allowed) {
        req.resume();
        refuse(429, 'Too many requests from your address', {
          'Retry-After': String(retryAfterSeconds(byAddress.resetAt)),
        });
        return;
      }
    }

    const key = req.headers['x-api-key'];
    if (typeof key !== 'string' || key === '') {
      req.resume();
      refuse(401, 'Missing API key: send it in the X-API-Key header');
      return;
    }
    let visitor;
    try {
      visitor = await tokens.verify(key);
    } catch {
      req.resume();
      refuse(401, 'Invalid API key');
      return;
    }

    // Awaited: with several processes the count is kept in the shared store.
    const rate = await limiter.take(visitor.sub);
    const rateHeaders = {
      'X-RateLimit-Limit': String(rate.limit),
      'X-RateLimit-Remaining': String(Math.max(0, rate.remaining)),
      'X-RateLimit-Reset': String(Math.ceil(rate.resetAt / 1000)),
    };
    if (!rate.allowed) {
      req.resume();
      const retryAfter = Math.max(1, Math.ceil((rate.resetAt - Date.now()) / 1000));
      refuse(429, 'Rate limit exceeded', { ...rateHeaders, 'Retry-After': String(retryAfter) });
      return;
    }

    try {
      const response = await match.route.handle({
        req,
        url,
        params,
        visitor,
        body: () => readJsonBody(req),
      });
      req.resume();
      answer(response.status, response.body, rateHeaders);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      if (err.headers.Connection !== 'close') req.resume();
      refuse(err.status, err.detail, { ...rateHeaders, ...err.headers });
    }
  };
}
