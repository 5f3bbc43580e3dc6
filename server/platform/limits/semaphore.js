/**
 * At most `max` tasks at once, and at most `maxWaiting` waiting for a turn: work past that is
 * refused at once rather than queued, so a flood cannot build a backlog that holds every later
 * request (a sign-in's scrypt check occupies one of libuv's four threads for tens of ms).
 *
 * @param {{ max: number, maxWaiting: number }} options
 */
export function createSemaphore({ max, maxWaiting }) {
  let running = 0;
  /** @type {Array<() => void>} */
  const waiting = [];

  return {
    /**
     * @template T
     * @param {() => Promise<T>} task
     * @returns {Promise<{ ran: true, value: T } | { ran: false }>} `ran: false` when refused
     */
    async run(task) {
      if (running >= max) {
        if (waiting.length >= maxWaiting) return { ran: false };
        await new Promise((/** @type {(value?: unknown) => void} */ resolve) =>
          waiting.push(resolve),
        );
      } else {
        running += 1;
      }
      try {
        return { ran: true, value: await task() };
      } finally {
        // The turn passes straight to the next waiter, so `running` stays as it is then.
        const next = waiting.shift();
        if (next) next();
        else running -= 1;
      }
    },
  };
}
