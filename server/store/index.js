/**
 * The store the server runs on: each feature's slice, composed here and nowhere else. Two
 * implementations of every slice: in this process's memory (the default, nothing to set up, one
 * process: memory.js) and in Redis (`REDIS_URL`, any number of processes behind a load
 * balancer: redis.js). Everything a second process must see goes through one of them:
 *
 * - `recent`, `limiter`, `channels`: the platform's (platform/store.js): client message ids seen
 *   lately, rate-limit counters, live channels between processes;
 * - `conversations`: the `events`, `rooms` and `threads` conversations (conversations/store.js);
 * - `stream`: the `stream` conversations with their handoff, frame logs, reply workers and
 *   leases, and the visitor sockets open anywhere (stream/store.js);
 * - `support`: left messages, agents online, the consoles' events (support/store.js);
 * - `sessions`: agent sessions and sign-in links (support/agents/store.js);
 * - `rooms`: who is in which room (rooms/store.js);
 * - `ready()`: whether the store can be used now (`/readyz`); `close()`.
 *
 * Each slice's contract runs against both (test/server/stores/).
 */
import { createMemoryStoreSet } from './memory.js';

/**
 * @typedef {object} Store
 * @property {'memory' | 'redis'} kind
 * @property {import('../platform/store.js').RecentIds} recent
 * @property {(name: string, rule: { limit: number, windowMs: number }) => import('../platform/store.js').SharedLimiter} limiter
 * @property {import('../platform/store.js').ChannelBus} channels
 * @property {import('../conversations/store.js').ConversationStore} conversations
 * @property {import('../stream/store.js').StreamStore} stream
 * @property {import('../support/store.js').SupportStore} support
 * @property {import('../support/agents/store.js').SessionStore} sessions
 * @property {import('../rooms/store.js').RoomPresenceStore} rooms
 * @property {() => Promise<boolean>} ready
 * @property {() => Promise<void>} close
 *
 * @typedef {object} StoreLimits each slice's bounds, to override
 * @property {Partial<typeof import('../conversations/store.js').DEFAULT_LIMITS>} [conversations]
 * @property {Partial<typeof import('../stream/store.js').STREAM_LIMITS>} [stream]
 * @property {Partial<typeof import('../support/store.js').SUPPORT_LIMITS>} [support]
 * @property {Partial<typeof import('../support/agents/store.js').SESSION_LIMITS>} [sessions]
 *
 * @typedef {object} StoreOptions
 * @property {string} [redisUrl] unset: memory
 * @property {string} [prefix] Redis key prefix, `cw:` by default
 * @property {number} [dedupeTtlMs]
 * @property {number} [dedupeMaxEntries] memory only: the cap on remembered ids
 * @property {StoreLimits} [limits]
 * @property {() => number} [now]
 * @property {{ error(...args: unknown[]): void, warn?(...args: unknown[]): void }} [logger]
 */

/**
 * @param {StoreOptions} [options]
 * @returns {Promise<Store>}
 */
export async function createStore(options = {}) {
  if (options.redisUrl) {
    // Loaded only when used: a memory-only server never loads the Redis client.
    const { createRedisStore } = await import('./redis.js');
    return createRedisStore({ ...options, redisUrl: options.redisUrl });
  }
  return createMemoryStoreSet(options);
}

export { createMemoryStoreSet };
