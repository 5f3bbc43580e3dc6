/**
 * Agent sign-in and sessions. A session is a random token in an HttpOnly, SameSite=Strict cookie
 * scoped to `/agent`, so it never travels with a visitor's requests, no other site can make a
 * browser send it, and page scripts cannot read it. The store keeps only its SHA-256, so a leaked
 * store does not leak working sessions. Visitor tokens (JWTs) mean nothing here.
 *
 * One-time sign-in links (for the demo agent, who has no password) are the same idea: a random
 * token in the URL, kept hashed, consumed on first use, and exchanged for a session cookie.
 */
import { createHash, randomBytes } from 'node:crypto';
import { parseCookies } from '../../platform/http/cookies.js';
import { createSemaphore } from '../../platform/limits/semaphore.js';
import { verifyAgainstNothing, verifyPassword } from './passwords.js';

export const SESSION_COOKIE = 'cw_agent';
export const COOKIE_PATH = '/agent';
export const SESSION_TTL_MS = 12 * 60 * 60_000;
export const LOGIN_LINK_TTL_MS = 24 * 60 * 60_000;
/** scrypt checks at once per process; libuv has four threads, and the rest are for others. */
export const DEFAULT_SIGN_IN_CONCURRENCY = 2;
// A short queue smooths a few agents signing in together; a longer one would only let a flood
// make every sign-in wait behind it.
const SIGN_IN_QUEUE = 8;

/** @param {string} token */
const hash = (token) => createHash('sha256').update(token).digest('base64url');
const newToken = () => randomBytes(32).toString('base64url');
const TOKEN = /^[\w-]{43}$/;

/**
 * @typedef {import('./accounts.js').AgentAccount} AgentAccount
 * @typedef {{ agent: AgentAccount, tokenHash: string, expiresAt: number }} AgentSession
 */

/**
 * @param {object} deps
 * @param {import('./store.js').SessionStore} deps.store
 * @param {AgentAccount[]} deps.agents
 * @param {() => number} [deps.now]
 * @param {number} [deps.signInConcurrency] scrypt checks at once
 */
export function createAgentAuth({
  store,
  agents,
  now = Date.now,
  signInConcurrency = DEFAULT_SIGN_IN_CONCURRENCY,
}) {
  const byName = new Map(agents.map((a) => [a.id.toLowerCase(), a]));
  const byId = new Map(agents.map((a) => [a.id, a]));
  const checks = createSemaphore({ max: signInConcurrency, maxWaiting: SIGN_IN_QUEUE });

  return {
    /**
     * @param {unknown} name
     * @param {unknown} password
     * @returns {Promise<{ agent: AgentAccount } | { wrong: true } | { busy: true }>} `busy`:
     *   too many checks running and waiting, nothing was checked
     */
    async checkPassword(name, password) {
      if (typeof name !== 'string' || typeof password !== 'string' || password.length > 1024) {
        return { wrong: true };
      }
      const account = byName.get(name.trim().toLowerCase());
      const checked = await checks.run(async () => {
        if (!account?.passwordHash) return verifyAgainstNothing(password);
        return verifyPassword(password, account.passwordHash);
      });
      if (!checked.ran) return { busy: true };
      return checked.value && account ? { agent: account } : { wrong: true };
    },

    /** @param {AgentAccount} agent @returns {Promise<{ token: string, expiresAt: number }>} */
    async startSession(agent) {
      const token = newToken();
      const expiresAt = now() + SESSION_TTL_MS;
      await store.createSession(hash(token), agent.id, expiresAt);
      return { token, expiresAt };
    },

    /**
     * The session the request's cookie names, if it is live and its agent still configured.
     * @param {import('node:http').IncomingMessage} req
     * @returns {Promise<AgentSession | undefined>}
     */
    async sessionOf(req) {
      const token = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
      if (!token || !TOKEN.test(token)) return undefined;
      const tokenHash = hash(token);
      const session = await store.getSession(tokenHash);
      const agent = session && byId.get(session.agentId);
      return agent && session ? { agent, tokenHash, expiresAt: session.expiresAt } : undefined;
    },

    /** @param {AgentSession} session */
    async endSession(session) {
      await store.deleteSession(session.tokenHash);
    },

    /** @param {string} agentId @returns {Promise<string>} the token for `/agent/login?token=` */
    async createLoginToken(agentId) {
      if (!byId.has(agentId)) throw new Error(`no agent ${agentId}`);
      const token = newToken();
      await store.createLoginToken(hash(token), agentId, now() + LOGIN_LINK_TTL_MS);
      return token;
    },

    /** @param {unknown} token @returns {Promise<AgentAccount | undefined>} */
    async redeemLoginToken(token) {
      if (typeof token !== 'string' || !TOKEN.test(token)) return undefined;
      const agentId = await store.consumeLoginToken(hash(token));
      return agentId === undefined ? undefined : byId.get(agentId);
    },
  };
}

/** @typedef {ReturnType<typeof createAgentAuth>} AgentAuth */

/**
 * @param {string} token
 * @param {{ maxAgeSeconds: number, secure: boolean }} options
 */
export function sessionCookie(token, { maxAgeSeconds, secure }) {
  const parts = [
    `${SESSION_COOKIE}=${token}`,
    `Path=${COOKIE_PATH}`,
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${maxAgeSeconds}`,
  ];
  if (secure) parts.push('Secure');
  return parts.join('; ');
}

/** @param {{ secure: boolean }} options */
export function clearedSessionCookie({ secure }) {
  return sessionCookie('', { maxAgeSeconds: 0, secure });
}

/**
 * Whether the request comes from a page of this server (or from no page at all, which a
 * program's request does). Browsers cannot forge `Origin`.
 * @param {import('node:http').IncomingMessage} req
 * @param {{ required: boolean }} options `required`: a missing Origin is refused too
 */
export function isOwnOrigin(req, { required }) {
  const origin = req.headers.origin;
  if (origin === undefined) return !required;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/** @param {import('node:http').IncomingMessage} req */
export function isHttps(req) {
  if (/** @type {import('node:tls').TLSSocket} */ (req.socket).encrypted) return true;
  const forwarded = req.headers['x-forwarded-proto'];
  return typeof forwarded === 'string' && forwarded.split(',')[0]?.trim() === 'https';
}
