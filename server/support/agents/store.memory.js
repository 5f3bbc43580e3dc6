/** The SessionStore (store.js) in this process's memory: expiring, and capped. */
import { SESSION_LIMITS } from './store.js';

/**
 * @param {Partial<typeof SESSION_LIMITS> & { now?: () => number }} [options]
 * @returns {import('./store.js').SessionStore}
 */
export function createMemorySessionStore(options = {}) {
  const { now = Date.now, ...overrides } = options;
  const limits = { ...SESSION_LIMITS, ...overrides };
  /** @type {Map<string, { agentId: string, expiresAt: number }>} oldest first */
  const sessions = new Map();
  /** @type {Map<string, { agentId: string, expiresAt: number }>} oldest first */
  const loginTokens = new Map();

  /** @param {Map<string, { agentId: string, expiresAt: number }>} map */
  function pruneExpiring(map) {
    const time = now();
    for (const [key, value] of map) {
      if (value.expiresAt <= time) map.delete(key);
    }
    while (map.size > limits.maxSessions) {
      const oldest = map.keys().next().value;
      if (oldest === undefined) break;
      map.delete(oldest);
    }
  }

  return {
    async createSession(tokenHash, agentId, expiresAt) {
      sessions.set(tokenHash, { agentId, expiresAt });
      pruneExpiring(sessions);
    },

    async getSession(tokenHash) {
      const session = sessions.get(tokenHash);
      if (!session) return undefined;
      if (session.expiresAt <= now()) {
        sessions.delete(tokenHash);
        return undefined;
      }
      return { ...session };
    },

    async deleteSession(tokenHash) {
      sessions.delete(tokenHash);
    },

    async createLoginToken(tokenHash, agentId, expiresAt) {
      loginTokens.set(tokenHash, { agentId, expiresAt });
      pruneExpiring(loginTokens);
    },

    async consumeLoginToken(tokenHash) {
      const token = loginTokens.get(tokenHash);
      loginTokens.delete(tokenHash);
      if (!token || token.expiresAt <= now()) return undefined;
      return token.agentId;
    },
  };
}
