/**
 * Everything under `/agent`: the console page and its script, sign-in, and the JSON actions
 * agents take. Live updates come over `/agent/ws` (agents/socket.js).
 *
 *   GET    /agent                                   the console (HTML)
 *   GET    /agent/agent-console.js                  its script, from dist/agent/
 *   GET    /agent/login?token=                      one-time sign-in link → session cookie, 303
 *   POST   /agent/api/session  {name, password}     sign in → 200 {agent} + cookie
 *   GET    /agent/api/session                       who am I → 200 {agent}
 *   DELETE /agent/api/session                       sign out; held chats go back to the queue
 *   GET    /agent/api/inbox                         waiting, bot, assigned, left messages, agents
 *   GET    /agent/api/conversations/{id}            the whole transcript and its state
 *   POST   /agent/api/conversations/{id}/take       409 when someone else got it first
 *   POST   /agent/api/conversations/{id}/messages   {content, clientMessageId?} → 201
 *   POST   /agent/api/conversations/{id}/typing     {active} → 204
 *   POST   /agent/api/conversations/{id}/handback   the bot answers again
 *   POST   /agent/api/conversations/{id}/transfer   {agent: id} of a signed-in agent
 *   POST   /agent/api/conversations/{id}/close
 *   POST   /agent/api/left-messages/{id}/resolve
 *
 * Every `/agent/api/` call but sign-in needs the session cookie: without one (a visitor's token
 * in any header is not one) it is 401. Acting on a chat someone else holds, or that nobody
 * holds, is 403, taking a waiting one excepted. Requests from pages of other origins are 403,
 * and bodies must be JSON, which a cross-site form cannot send.
 */
import { STATUS_CODES } from 'node:http';
import { HttpError, readJsonBody } from '../../platform/http/body.js';
import { addressKey } from '../../platform/http/client-address.js';
import { retryAfterSeconds } from '../../platform/limits/rate-limit.js';
import { sendJson } from '../../platform/http/respond.js';
import {
  SESSION_TTL_MS,
  clearedSessionCookie,
  isHttps,
  isOwnOrigin,
  sessionCookie,
} from './auth.js';
import { CONSOLE_HEADERS, CONSOLE_HTML, messagePage } from './page.js';

/** Sign-in attempts allowed per client address, per minute (`AGENT_SIGNIN_LIMIT`). */
export const SIGN_IN_LIMIT = { limit: 10, windowMs: 60_000 };
/**
 * Sign-in attempts allowed per account name, from anywhere (`AGENT_SIGNIN_ACCOUNT_LIMIT`): what
 * many addresses together may guess at one password. An agent under attack waits out the
 * window, or signs in with a one-time link, which this does not limit.
 */
export const SIGN_IN_ACCOUNT_LIMIT = { limit: 5, windowMs: 60_000 };

const STATUS = Object.freeze({ gone: 404, forbidden: 403, conflict: 409, invalid: 422 });

/**
 * @typedef {object} AgentRequest
 * @property {import('node:http').IncomingMessage} req
 * @property {import('node:http').ServerResponse} res
 * @property {string[]} params
 * @property {import('./auth.js').AgentSession} session
 * @property {() => Promise<Record<string, unknown>>} body
 */

/**
 * @param {object} deps
 * @param {import('./auth.js').AgentAuth} deps.auth
 * @param {import('../desk.js').Desk} deps.desk
 * @param {import('../../platform/http/static.js').StaticHandler} deps.serveScript files of dist/agent/
 * @param {{ byAddress: import('../../platform/store.js').SharedLimiter, byAccount: import('../../platform/store.js').SharedLimiter }} deps.signInLimits
 *   sign-in attempts per address and per account, counted in the store so they hold on every
 *   process
 * @param {(req: import('node:http').IncomingMessage) => string} deps.clientAddress the limit's key
 * @returns {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, pathname: string) => Promise<void>}
 */
export function createAgentHandler({ auth, desk, serveScript, signInLimits, clientAddress }) {
  /**
   * @type {Array<{ method: string, path: RegExp, handle: (request: AgentRequest) => Promise<{ status: number, body?: unknown }> }>}
   */
  const routes = [
    {
      method: 'GET',
      path: /^\/agent\/api\/session$/,
      handle: async ({ session }) => ({
        status: 200,
        body: { agent: publicAccount(session.agent) },
      }),
    },
    {
      method: 'DELETE',
      path: /^\/agent\/api\/session$/,
      handle: async ({ req, res, session }) => {
        await auth.endSession(session);
        await desk.signOut(session.agent);
        res.setHeader('Set-Cookie', clearedSessionCookie({ secure: isHttps(req) }));
        return { status: 204 };
      },
    },
    {
      method: 'GET',
      path: /^\/agent\/api\/inbox$/,
      handle: async () => ({ status: 200, body: await desk.inbox() }),
    },
    {
      method: 'GET',
      path: /^\/agent\/api\/conversations\/([\w-]{1,64})$/,
      handle: async ({ params: [id] }) => {
        const view = await desk.conversationView(/** @type {string} */ (id));
        return view ? { status: 200, body: view } : notFound();
      },
    },
    {
      method: 'POST',
      path: /^\/agent\/api\/conversations\/([\w-]{1,64})\/take$/,
      handle: async ({ params: [id], session }) =>
        outcome(await desk.take(session.agent, /** @type {string} */ (id))),
    },
    {
      method: 'POST',
      path: /^\/agent\/api\/conversations\/([\w-]{1,64})\/messages$/,
      handle: async ({ params: [id], session, body }) => {
        const { content, clientMessageId } = await body();
        const result = await desk.agentMessage(
          session.agent,
          /** @type {string} */ (id),
          content,
          clientMessageId,
        );
        if (result.status !== 'ok') return outcome(result);
        const { message, delivered } = /** @type {{ message: unknown, delivered: boolean }} */ (
          result
        );
        return { status: 201, body: { message, delivered } };
      },
    },
    {
      method: 'POST',
      path: /^\/agent\/api\/conversations\/([\w-]{1,64})\/typing$/,
      handle: async ({ params: [id], session, body }) => {
        const { active } = await body();
        if (typeof active !== 'boolean') return invalid('"active" must be true or false');
        const result = await desk.agentTyping(session.agent, /** @type {string} */ (id), active);
        return result.status === 'ok' ? { status: 204 } : outcome(result);
      },
    },
    {
      method: 'POST',
      path: /^\/agent\/api\/conversations\/([\w-]{1,64})\/handback$/,
      handle: async ({ params: [id], session }) =>
        outcome(await desk.handBack(session.agent, /** @type {string} */ (id))),
    },
    {
      method: 'POST',
      path: /^\/agent\/api\/conversations\/([\w-]{1,64})\/close$/,
      handle: async ({ params: [id], session }) =>
        outcome(await desk.close(session.agent, /** @type {string} */ (id))),
    },
    {
      method: 'POST',
      path: /^\/agent\/api\/conversations\/([\w-]{1,64})\/transfer$/,
      handle: async ({ params: [id], session, body }) => {
        const { agent } = await body();
        return outcome(await desk.transfer(session.agent, /** @type {string} */ (id), agent));
      },
    },
    {
      method: 'POST',
      path: /^\/agent\/api\/left-messages\/([\w-]{1,64})\/resolve$/,
      handle: async ({ params: [id], session }) =>
        (await desk.resolveLeftMessage(session.agent, /** @type {string} */ (id)))
          ? { status: 204 }
          : notFound(),
    },
  ];

  /**
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:http').ServerResponse} res
   * @returns {Promise<{ status: number, body: unknown, headers?: Record<string, string> }>}
   */
  async function signIn(req, res) {
    // Every attempt is counted before its password is checked: counted after, a burst of
    // guesses sent at once would all be checked before the first failure was recorded.
    const byAddress = await signInLimits.byAddress.take(addressKey(clientAddress(req)));
    if (!byAddress.allowed) {
      return tooMany(byAddress.resetAt, 'Too many sign-ins from your address, wait a minute');
    }
    const { name, password } = await jsonBody(req);
    if (typeof name === 'string') {
      const byAccount = await signInLimits.byAccount.take(name.trim().toLowerCase().slice(0, 64));
      if (!byAccount.allowed) {
        return tooMany(byAccount.resetAt, 'Too many sign-ins to this account, wait a minute');
      }
    }
    const checked = await auth.checkPassword(name, password);
    if ('busy' in checked) {
      return {
        status: 503,
        body: { detail: 'Too many sign-ins at once, try again in a moment' },
        headers: { 'Retry-After': '1' },
      };
    }
    if ('wrong' in checked) return { status: 401, body: { detail: 'Wrong name or password' } };
    const { agent } = checked;
    const { token } = await auth.startSession(agent);
    res.setHeader(
      'Set-Cookie',
      sessionCookie(token, { maxAgeSeconds: SESSION_TTL_MS / 1000, secure: isHttps(req) }),
    );
    return { status: 200, body: { agent: publicAccount(agent) } };
  }

  /** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
  async function redeemLink(req, res) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const agent = await auth.redeemLoginToken(url.searchParams.get('token'));
    const headers = { ...CONSOLE_HEADERS, 'Content-Type': 'text/html; charset=utf-8' };
    if (!agent) {
      res.writeHead(401, headers);
      res.end(
        messagePage(
          'This sign-in link does not work',
          'It has been used already or has expired. Ask whoever runs this server for a new one.',
        ),
      );
      return;
    }
    const { token } = await auth.startSession(agent);
    res.writeHead(303, {
      ...CONSOLE_HEADERS,
      Location: '/agent',
      'Set-Cookie': sessionCookie(token, {
        maxAgeSeconds: SESSION_TTL_MS / 1000,
        secure: isHttps(req),
      }),
    });
    res.end();
  }

  return async function handleAgent(req, res, pathname) {
    const method = req.method ?? 'GET';

    if (pathname === '/agent' || pathname === '/agent/') {
      if (method !== 'GET' && method !== 'HEAD') return refuse(req, res, 405);
      req.resume();
      res.writeHead(200, {
        ...CONSOLE_HEADERS,
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Length': Buffer.byteLength(CONSOLE_HTML),
      });
      res.end(method === 'HEAD' ? undefined : CONSOLE_HTML);
      return;
    }
    if (pathname === '/agent/login') {
      if (method !== 'GET') return refuse(req, res, 405);
      req.resume();
      await redeemLink(req, res);
      return;
    }
    if (!pathname.startsWith('/agent/api/')) {
      await serveScript(req, res, pathname.slice('/agent/'.length));
      return;
    }

    if (!isOwnOrigin(req, { required: false })) return refuse(req, res, 403, 'Origin not allowed');
    if (method === 'POST' && !isJson(req)) {
      return refuse(req, res, 415, 'Send JSON (Content-Type: application/json)');
    }

    try {
      if (pathname === '/agent/api/session' && method === 'POST') {
        const { status, body, headers } = await signIn(req, res);
        return answer(req, res, status, body, headers);
      }

      // Who is asking comes before what they ask: nobody learns which routes exist without one.
      const session = await auth.sessionOf(req);
      if (!session) return refuse(req, res, 401, 'Sign in to the agent console first');

      const matches = routes
        .map((route) => ({ route, found: route.path.exec(pathname) }))
        .filter((m) => m.found !== null);
      if (matches.length === 0) return refuse(req, res, 404);
      const match = matches.find((m) => m.route.method === method);
      if (!match?.found) return refuse(req, res, 405);

      const { status, body } = await match.route.handle({
        req,
        res,
        params: match.found.slice(1).map((p) => p ?? ''),
        session,
        body: () => jsonBody(req),
      });
      return answer(req, res, status, body);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      if (err.headers.Connection !== 'close') req.resume();
      return refuse(req, res, err.status, err.detail);
    }
  };
}

/** @param {import('./accounts.js').AgentAccount} agent */
function publicAccount(agent) {
  return { id: agent.id, name: agent.name, ...(agent.avatar ? { avatar: agent.avatar } : {}) };
}

/**
 * @param {{ status: string, detail?: string, conversation?: unknown }} result
 * @returns {{ status: number, body?: unknown }}
 */
function outcome(result) {
  if (result.status === 'ok') return { status: 200, body: { conversation: result.conversation } };
  const status = STATUS[/** @type {keyof typeof STATUS} */ (result.status)] ?? 500;
  return { status, body: { detail: result.detail } };
}

const notFound = () => ({ status: 404, body: { detail: 'Not Found' } });
/** @param {string} detail */
const invalid = (detail) => ({ status: 422, body: { detail } });

/** @param {import('node:http').IncomingMessage} req */
function isJson(req) {
  const type = req.headers['content-type'] ?? '';
  return type.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

/** @param {import('node:http').IncomingMessage} req @returns {Promise<Record<string, unknown>>} */
async function jsonBody(req) {
  const value = await readJsonBody(req);
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new HttpError(422, 'The body must be a JSON object');
  }
  return /** @type {Record<string, unknown>} */ (value);
}

/**
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {unknown} [body]
 * @param {Record<string, string>} [headers]
 */
function answer(req, res, status, body, headers = {}) {
  req.resume();
  if (body === undefined) {
    res.writeHead(status, { 'Cache-Control': 'no-store', ...headers });
    res.end();
  } else {
    sendJson(res, status, body, { 'Cache-Control': 'no-store', ...headers });
  }
}

/**
 * @param {number} resetAt epoch ms when the window ends
 * @param {string} detail why
 * @returns {{ status: number, body: unknown, headers: Record<string, string> }}
 */
function tooMany(resetAt, detail) {
  const seconds = retryAfterSeconds(resetAt);
  return { status: 429, body: { detail }, headers: { 'Retry-After': String(seconds) } };
}

/**
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {string} [detail]
 */
function refuse(req, res, status, detail = STATUS_CODES[status] ?? 'Error') {
  answer(req, res, status, { detail });
}
