/**
 * The SessionStore (store.js) in Redis. Keys (prefix `cw:` by default): `sess:HASH` and
 * `login:HASH`, each `{agentId, expiresAt}` expiring with it; a sign-in link is read and deleted
 * in one command, so two processes cannot both redeem it.
 */

/**
 * @param {import('../../platform/redis.js').RedisConnection} redis
 * @param {{ prefix?: string, now?: () => number }} [options]
 * @returns {import('./store.js').SessionStore}
 */
export function createRedisSessionStore(redis, { prefix = 'cw:', now = Date.now } = {}) {
  const { client } = redis;
  return {
    async createSession(tokenHash, agentId, expiresAt) {
      const ttl = Math.max(1, expiresAt - now());
      await client.set(`${prefix}sess:${tokenHash}`, JSON.stringify({ agentId, expiresAt }), {
        expiration: { type: 'PX', value: ttl },
      });
    },

    async getSession(tokenHash) {
      const json = await client.get(`${prefix}sess:${tokenHash}`);
      if (!json) return undefined;
      const session = JSON.parse(json);
      return session.expiresAt > now() ? session : undefined;
    },

    async deleteSession(tokenHash) {
      await client.del(`${prefix}sess:${tokenHash}`);
    },

    async createLoginToken(tokenHash, agentId, expiresAt) {
      const ttl = Math.max(1, expiresAt - now());
      await client.set(`${prefix}login:${tokenHash}`, JSON.stringify({ agentId, expiresAt }), {
        expiration: { type: 'PX', value: ttl },
      });
    },

    async consumeLoginToken(tokenHash) {
      const json = await client.getDel(`${prefix}login:${tokenHash}`);
      if (!json) return undefined;
      const token = JSON.parse(json);
      return token.expiresAt > now() ? token.agentId : undefined;
    },
  };
}
