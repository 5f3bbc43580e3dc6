/**
 * The PlatformStore (store.js) in Redis. Keys (prefix `cw:` by default): `d:KEY` a recently seen
 * client message id, `rl:NAME:KEY` a rate-limit window's count; channel `ch:NAME` carries live
 * payloads (nothing kept).
 */
import { DEFAULT_DEDUPE_TTL_MS } from './store.js';

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
 * @param {import('./redis.js').RedisConnection} redis
 * @param {{ prefix?: string, now?: () => number, dedupeTtlMs?: number }} [options]
 * @returns {import('./store.js').PlatformStore}
 */
export function createRedisPlatformStore(redis, options = {}) {
  const { prefix = 'cw:', now = Date.now, dedupeTtlMs = DEFAULT_DEDUPE_TTL_MS } = options;
  const { client, subscriber } = redis;
  /** @type {Map<string, { listeners: Set<(payload: Record<string, unknown>) => void>, ready: Promise<unknown> }>} */
  const channels = new Map();

  /** @param {string} message @param {string} name */
  function dispatchChannel(message, name) {
    const entry = channels.get(name);
    if (!entry) return;
    for (const listener of entry.listeners) {
      let payload;
      try {
        payload = JSON.parse(message);
      } catch {
        return;
      }
      listener(payload);
    }
  }

  return {
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

    channels: {
      async publishChannel(name, payload) {
        await client.publish(`${prefix}ch:${name}`, JSON.stringify(payload));
      },

      async subscribeChannel(name, listener) {
        const full = `${prefix}ch:${name}`;
        let entry = channels.get(full);
        if (!entry) {
          const listeners = new Set([listener]);
          const ready = subscriber.subscribe(full, dispatchChannel);
          entry = { listeners, ready };
          channels.set(full, entry);
          const own = entry;
          ready.catch(() => {
            if (channels.get(full) === own) channels.delete(full);
          });
        } else {
          entry.listeners.add(listener);
        }
        await entry.ready;
        const own = entry;
        return async () => {
          own.listeners.delete(listener);
          if (own.listeners.size > 0 || channels.get(full) !== own) return;
          channels.delete(full);
          await subscriber.unsubscribe(full, dispatchChannel).catch(() => {});
        };
      },
    },
  };
}
