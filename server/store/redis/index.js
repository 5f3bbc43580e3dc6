/**
 * The Store (store/index.js) in Redis: `REDIS_URL` set. See store/redis/*.js for the keys.
 */
import { connectRedis } from './connection.js';
import { createRedisConversationStore } from './conversation-store.js';
import { createRedisSupportStore } from './support-store.js';
import { DEFAULT_DEDUPE_TTL_MS } from '../index.js';

// INCR, and the window's expiry set by whoever opens it, in one step.
const COUNT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;

/**
 * @param {import('../index.js').StoreOptions & { redisUrl: string }} options
 * @returns {Promise<import('../index.js').Store>}
 */
export async function createRedisStore(options) {
  const { prefix = 'cw:', now = Date.now, dedupeTtlMs = DEFAULT_DEDUPE_TTL_MS, logger } = options;
  const redis = await connectRedis(options.redisUrl, { logger });
  const { client } = redis;
  return {
    kind: 'redis',
    conversations: createRedisConversationStore(redis, {
      ...options.conversationLimits,
      prefix,
      now,
    }),
    support: createRedisSupportStore(redis, { ...options.supportLimits, prefix, now }),
    recent: {
      async get(key) {
        const json = await client.get(`${prefix}d:${key}`);
        return json === null ? undefined : JSON.parse(json);
      },
      async set(key, value) {
        await client.set(`${prefix}d:${key}`, JSON.stringify(value), {
          expiration: { type: 'PX', value: dedupeTtlMs },
        });
      },
    },
    limiter(name, { limit, windowMs }) {
      const keyOf = (/** @type {string} */ key) => `${prefix}rl:${name}:${key}`;
      return {
        async take(key) {
          const [count, ttl] = await redis.run(COUNT, [keyOf(key)], [windowMs]);
          return {
            allowed: count <= limit,
            limit,
            remaining: Math.max(0, limit - count),
            resetAt: now() + Number(ttl),
          };
        },
        async exceeded(key) {
          return Number(await client.get(keyOf(key))) >= limit;
        },
      };
    },
    ready: () => redis.ready(),
    close: () => redis.close(),
  };
}
