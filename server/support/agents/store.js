/**
 * Agent sessions and one-time sign-in links, by the SHA-256 of their token (auth.js): a leaked
 * store holds no working session. store.memory.js and store.redis.js implement it;
 * test/server/stores/sessions.suite.js is its contract.
 *
 * @typedef {object} SessionStore
 * @property {(tokenHash: string, agentId: string, expiresAt: number) => Promise<void>} createSession
 * @property {(tokenHash: string) => Promise<{ agentId: string, expiresAt: number } | undefined>} getSession
 * @property {(tokenHash: string) => Promise<void>} deleteSession
 * @property {(tokenHash: string, agentId: string, expiresAt: number) => Promise<void>} createLoginToken
 * @property {(tokenHash: string) => Promise<string | undefined>} consumeLoginToken
 *   the agent id, once: the token is gone afterwards whether it was valid or not
 */

/** At most this many sessions, and as many sign-in links, are kept in memory. */
export const SESSION_LIMITS = Object.freeze({ maxSessions: 1000 });
