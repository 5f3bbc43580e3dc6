/**
 * A sliding window for one connection: at most `limit` events in any `windowMs`. Only what is
 * let through counts, so a client that keeps sending past the limit still gets its share.
 *
 * @param {number} limit
 * @param {number} windowMs
 * @param {() => number} [now]
 * @returns {{ take(): boolean }} take() records one event and says whether it was allowed
 */
export function createSlidingWindow(limit, windowMs, now = Date.now) {
  /** @type {number[]} */
  const times = [];
  return {
    take() {
      const time = now();
      while (times.length > 0 && /** @type {number} */ (times[0]) <= time - windowMs) {
        times.shift();
      }
      if (times.length >= limit) return false;
      times.push(time);
      return true;
    },
  };
}

/**
 * @typedef {object} RateDecision
 * @property {boolean} allowed
 * @property {number} limit
 * @property {number} remaining
 * @property {number} resetAt epoch milliseconds when the current window ends
 */

/**
 * Fixed windows per key (a visitor), for the REST APIs. Keys are remembered only while their
 * window runs, and at most `maxKeys` at once, so made-up keys cannot grow memory.
 *
 * @param {{ limit: number, windowMs: number, maxKeys?: number, now?: () => number }} options
 * @returns {{ take(key: string): RateDecision, peek(key: string): RateDecision }} `peek` counts
 *   nothing
 */
export function createKeyedLimiter({ limit, windowMs, maxKeys = 10_000, now = Date.now }) {
  // Insertion order is window-start order, so the front holds the windows that ended first.
  /** @type {Map<string, { count: number, resetAt: number }>} */
  const windows = new Map();

  return {
    take(key) {
      const time = now();
      let window = windows.get(key);
      if (window && window.resetAt <= time) {
        windows.delete(key);
        window = undefined;
      }
      if (!window) {
        // Room for a new window: ended ones go, and the oldest live ones when full.
        for (const [k, w] of windows) {
          if (w.resetAt > time && windows.size < maxKeys) break;
          windows.delete(k);
        }
        window = { count: 0, resetAt: time + windowMs };
        windows.set(key, window);
      }
      const allowed = window.count < limit;
      if (allowed) window.count += 1;
      return { allowed, limit, remaining: limit - window.count, resetAt: window.resetAt };
    },
    peek(key) {
      const time = now();
      const window = windows.get(key);
      const count = window && window.resetAt > time ? window.count : 0;
      const resetAt = window && window.resetAt > time ? window.resetAt : time + windowMs;
      return { allowed: count < limit, limit, remaining: limit - count, resetAt };
    },
  };
}

/**
 * Seconds until a refused client may try again, for `Retry-After`: never 0, which clients read
 * as "at once".
 * @param {number} resetAt epoch milliseconds when the window ends
 * @param {number} [now]
 */
export function retryAfterSeconds(resetAt, now = Date.now()) {
  return Math.max(1, Math.ceil((resetAt - now) / 1000));
}
