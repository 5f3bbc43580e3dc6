/**
 * Keeping this process's sockets counted as open in the store (on every process's view) while
 * they are: each socket's entry expires `ttlMs` after it was last written, so the sockets of a
 * process that died stop counting by themselves. Renewed a slice every second rather than all at
 * once: thousands of renewals in one burst would queue every chat behind them.
 */

/** How long a socket counts as open on another process without being renewed. */
export const PRESENCE_TTL_MS = 60_000;
const TICK_MS = 1000;

/**
 * @template {object} S a socket
 * @param {object} deps
 * @param {() => Iterable<S>} deps.sockets this process's open sockets
 * @param {(socket: S) => Promise<unknown>} deps.renew writes its entry with `PRESENCE_TTL_MS`
 * @param {() => number} [deps.budget] how many may be renewed in one tick; unset: all due
 */
export function startPresenceRenewal({ sockets, renew, budget = () => Infinity }) {
  const everyMs = Math.min(PRESENCE_TTL_MS / 3, 20_000);
  /** @type {WeakMap<S, number>} when each socket's entry was last written */
  const renewed = new WeakMap();
  const timer = setInterval(() => {
    const due = Date.now() - everyMs;
    let left = budget();
    for (const socket of sockets()) {
      if ((renewed.get(socket) ?? 0) > due) continue;
      if (left-- <= 0) break;
      renewed.set(socket, Date.now());
      // A failure is retried at the socket's next turn; until then its entry may lapse.
      renew(socket).catch(() => {});
    }
  }, TICK_MS);
  timer.unref?.();
  return {
    /** @param {S} socket its entry was just written (it attached) */
    written(socket) {
      renewed.set(socket, Date.now());
    },
    stop() {
      clearInterval(timer);
    },
  };
}
