/**
 * A map whose entries expire a fixed time after they were set and whose size is capped.
 * Every entry lives for the same time, so insertion order is expiry order: expired entries
 * are always at the front of the Map, and pruning stops at the first live one.
 *
 * @template V
 * @param {object} [options]
 * @param {number} [options.ttlMs]
 * @param {number} [options.maxEntries] past this, the oldest entries go first, even if live;
 *   this is what keeps a flood of made-up ids from growing memory without limit
 * @param {() => number} [options.now]
 */
export function createRecentIds({ ttlMs = 10 * 60_000, maxEntries = 10_000, now = Date.now } = {}) {
  /** @type {Map<string, { value: V, expiresAt: number }>} */
  const entries = new Map();

  function prune() {
    const time = now();
    for (const [key, entry] of entries) {
      if (entry.expiresAt > time && entries.size <= maxEntries) break;
      entries.delete(key);
    }
  }

  return {
    /** @param {string} key @returns {V | undefined} */
    get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expiresAt <= now()) {
        entries.delete(key);
        return undefined;
      }
      return entry.value;
    },

    /** @param {string} key @param {V} value */
    set(key, value) {
      // Re-setting moves the key to the back, keeping the Map in expiry order.
      entries.delete(key);
      entries.set(key, { value, expiresAt: now() + ttlMs });
      prune();
    },

    get size() {
      return entries.size;
    },
  };
}
