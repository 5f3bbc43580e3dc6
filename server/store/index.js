/**
 * The one store interface the server runs on, and its two implementations: in this process's
 * memory (the default, nothing to set up, one process) and in Redis (`REDIS_URL`, any number of
 * processes behind a load balancer). Everything a second process must see goes through it:
 *
 * - `conversations`: the `events`, `rooms` and `threads` conversations (store/memory-store.js);
 * - `support`: the `stream` conversations with their frame logs, the reply workers and their
 *   leases, the handoff queue, agent sessions and presence, the console's events
 *   (store/support-store.js);
 * - `recent`: client message ids seen lately, for de-duplication, each for a fixed time;
 * - `limiter(name, rule)`: fixed-window counters per key (a visitor, an address), so a limit
 *   holds however requests are spread over processes;
 * - `ready()`: whether the store can be used now (`/readyz`); `close()`.
 *
 * tests/server/store-suite.js runs the same tests against both.
 */
import { createRecentIds } from '../platform/recent-ids.js';
import { createKeyedLimiter } from '../platform/limits/rate-limit.js';
import { createMemoryStore } from './memory-store.js';
import { createMemorySupportStore } from './support-store.js';

/**
 * @typedef {object} RecentIds
 * @property {(key: string) => Promise<any>} get
 * @property {(key: string, value: any) => Promise<void>} set kept for the store's `ttlMs`
 *
 * @typedef {object} SharedLimiter
 * @property {(key: string) => Promise<import('../platform/limits/rate-limit.js').RateDecision>} take
 *   counts one event and says whether it was within the limit
 * @property {(key: string) => Promise<boolean>} exceeded whether the limit is reached, counting nothing
 *
 * @typedef {object} Store
 * @property {'memory' | 'redis'} kind
 * @property {import('./memory-store.js').ConversationStore} conversations
 * @property {import('./support-store.js').SupportStore} support
 * @property {RecentIds} recent
 * @property {(name: string, rule: { limit: number, windowMs: number }) => SharedLimiter} limiter
 * @property {() => Promise<boolean>} ready
 * @property {() => Promise<void>} close
 *
 * @typedef {object} StoreOptions
 * @property {string} [redisUrl] unset: memory
 * @property {string} [prefix] Redis key prefix, `cw:` by default
 * @property {number} [dedupeTtlMs]
 * @property {number} [dedupeMaxEntries] memory only: the cap on remembered ids
 * @property {Partial<typeof import('./memory-store.js').DEFAULT_LIMITS>} [conversationLimits]
 * @property {Partial<typeof import('./support-store.js').SUPPORT_LIMITS>} [supportLimits]
 * @property {() => number} [now]
 * @property {{ error(...args: unknown[]): void, warn?(...args: unknown[]): void }} [logger]
 */

export const DEFAULT_DEDUPE_TTL_MS = 10 * 60_000;

/**
 * @param {StoreOptions} [options]
 * @returns {Promise<Store>}
 */
export async function createStore(options = {}) {
  if (options.redisUrl) {
    const { createRedisStore } = await import('./redis/index.js');
    return createRedisStore({ ...options, redisUrl: options.redisUrl });
  }
  return createMemoryStoreSet(options);
}

/**
 * @param {StoreOptions} [options]
 * @returns {Store}
 */
export function createMemoryStoreSet(options = {}) {
  const {
    now = Date.now,
    dedupeTtlMs = DEFAULT_DEDUPE_TTL_MS,
    dedupeMaxEntries = 10_000,
  } = options;
  const seen = createRecentIds({ ttlMs: dedupeTtlMs, maxEntries: dedupeMaxEntries, now });
  return {
    kind: 'memory',
    conversations: createMemoryStore({ ...options.conversationLimits, now }),
    support: createMemorySupportStore({ ...options.supportLimits, now }),
    recent: {
      get: async (key) => structuredClone(seen.get(key)),
      set: async (key, value) => seen.set(key, structuredClone(value)),
    },
    limiter(_name, rule) {
      const limiter = createKeyedLimiter({ ...rule, now });
      return {
        take: async (key) => limiter.take(key),
        exceeded: async (key) => limiter.peek(key).remaining <= 0,
      };
    },
    ready: async () => true,
    close: async () => {},
  };
}
