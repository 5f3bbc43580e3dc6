/** The PlatformStore (store.js) in this process's memory: one process, nothing to set up. */
import { createRecentIds } from './recent-ids.js';
import { createKeyedLimiter } from './limits/rate-limit.js';
import { DEFAULT_DEDUPE_TTL_MS } from './store.js';

/**
 * @param {{ now?: () => number, dedupeTtlMs?: number, dedupeMaxEntries?: number }} [options]
 *   `dedupeMaxEntries` caps the remembered ids
 * @returns {import('./store.js').PlatformStore}
 */
export function createMemoryPlatformStore(options = {}) {
  const {
    now = Date.now,
    dedupeTtlMs = DEFAULT_DEDUPE_TTL_MS,
    dedupeMaxEntries = 10_000,
  } = options;
  const seen = createRecentIds({ ttlMs: dedupeTtlMs, maxEntries: dedupeMaxEntries, now });
  /** @type {Map<string, Set<(payload: Record<string, unknown>) => void>>} */
  const channelListeners = new Map();

  return {
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
    channels: {
      async publishChannel(name, payload) {
        const copyOf = structuredClone(payload);
        const listeners = channelListeners.get(name);
        if (!listeners) return;
        // Asynchronously, as a shared store's subscribers hear it.
        queueMicrotask(() => {
          for (const listener of listeners) listener(structuredClone(copyOf));
        });
      },

      async subscribeChannel(name, listener) {
        const listeners = channelListeners.get(name) ?? new Set();
        channelListeners.set(name, listeners);
        listeners.add(listener);
        return async () => {
          listeners.delete(listener);
          if (listeners.size === 0 && channelListeners.get(name) === listeners) {
            channelListeners.delete(name);
          }
        };
      },
    },
  };
}
