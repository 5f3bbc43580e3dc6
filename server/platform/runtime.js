/**
 * What the long-lived services of one process share: its clock, its timers (cleared at once on
 * shutdown), and the rule that failures after shutdown are not worth a log line (the store is
 * being closed under them).
 */

/**
 * @param {object} deps
 * @param {() => number} deps.now
 * @param {{ error(...args: unknown[]): void }} deps.logger
 */
export function createRuntime({ now, logger }) {
  /** @type {Set<ReturnType<typeof setTimeout>>} */
  const timers = new Set();
  const runtime = {
    /** Set once on shutdown: nothing new starts, nothing more is logged. */
    closed: false,
    now,
    logger,
    iso: () => new Date(now()).toISOString(),

    /** @param {string} what @returns {(err: unknown) => void} */
    logFailure: (what) => (err) => {
      if (!runtime.closed) logger.error(`${what}:`, err);
    },

    /**
     * Runs `fn` once after `ms`, unless the process shuts down first.
     * @param {() => void | Promise<void>} fn catches its own failures
     * @param {number} ms
     */
    later(fn, ms) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        void fn();
      }, ms);
      timer.unref?.();
      timers.add(timer);
    },

    close() {
      runtime.closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
  return runtime;
}

/** @typedef {ReturnType<typeof createRuntime>} Runtime */
