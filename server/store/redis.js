/** Every slice of the Store (index.js) in Redis, over one pair of connections: `REDIS_URL` set. */
import { createRedisConversationStore } from '../conversations/store.redis.js';
import { connectRedis } from '../platform/redis.js';
import { createRedisPlatformStore } from '../platform/store.redis.js';
import { createRedisRoomStore } from '../rooms/store.redis.js';
import { createRedisStreamStore } from '../stream/store.redis.js';
import { createRedisSessionStore } from '../support/agents/store.redis.js';
import { createRedisSupportStore } from '../support/store.redis.js';

/**
 * @param {import('./index.js').StoreOptions & { redisUrl: string }} options
 * @returns {Promise<import('./index.js').Store>}
 */
export async function createRedisStore(options) {
  const { prefix = 'cw:', now = Date.now, limits = {}, logger } = options;
  const redis = await connectRedis(options.redisUrl, { logger });
  return {
    kind: 'redis',
    ...createRedisPlatformStore(redis, { prefix, now, dedupeTtlMs: options.dedupeTtlMs }),
    conversations: createRedisConversationStore(redis, { ...limits.conversations, prefix, now }),
    stream: createRedisStreamStore(redis, { ...limits.stream, prefix, now }),
    support: createRedisSupportStore(redis, { ...limits.support, prefix, now }),
    sessions: createRedisSessionStore(redis, { prefix, now }),
    rooms: createRedisRoomStore(redis, { prefix }),
    ready: () => redis.ready(),
    close: () => redis.close(),
  };
}
