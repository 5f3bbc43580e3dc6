/**
 * WebSocket protocol pings (not the JSON `ping` frame). Browsers answer them by themselves;
 * a socket that has not answered its previous ping by its next one is dead (sleeping laptop,
 * vanished NAT mapping) and is terminated so its reply and memory are released.
 *
 * Every socket is pinged once per interval, but not all in the same tick: a ping is a write to
 * the socket, and pinging thousands at once held the event loop for half a second, delaying
 * every chat on the process (and processes started together all did it at the same moment).
 * A socket is due one interval after it connected or was last pinged; a short tick pings the
 * sockets that are due, at most twice the even share, so even sockets that all connected at
 * once (a restart) drift apart within an interval instead of being pinged together for good.
 */

/** How often due sockets are pinged: short, so that each tick has only a few. */
const MAX_TICK_MS = 100;

/**
 * @param {import('ws').WebSocketServer} wss
 * @param {number} intervalMs
 * @returns {() => void} stops the heartbeat
 */
export function startHeartbeat(wss, intervalMs) {
  const tickMs = Math.min(MAX_TICK_MS, intervalMs);
  const ticksPerInterval = Math.max(1, Math.round(intervalMs / tickMs));
  let tick = 0;
  /** @type {WeakSet<import('ws').WebSocket>} */
  const awaitingPong = new WeakSet();
  /**
   * The tick each socket is next due at. A Map iterates in insertion order and a socket is
   * always (re)inserted with the latest due tick, so it is in due order: a tick reads its front.
   * @type {Map<import('ws').WebSocket, number>}
   */
  const due = new Map();

  /** @param {import('ws').WebSocket} ws */
  const track = (ws) => {
    if (due.has(ws)) return;
    due.set(ws, tick + ticksPerInterval);
    ws.on('pong', () => awaitingPong.delete(ws));
    ws.once('close', () => due.delete(ws));
  };
  for (const ws of wss.clients) track(ws);
  wss.on('connection', track);

  const timer = setInterval(() => {
    tick += 1;
    let budget = Math.ceil((2 * due.size) / ticksPerInterval);
    for (const [ws, at] of due) {
      // Sockets pinged in this tick went to the back, due an interval later: this stops there.
      if (at > tick || budget-- <= 0) break;
      due.delete(ws);
      if (awaitingPong.has(ws)) {
        ws.terminate();
        continue;
      }
      awaitingPong.add(ws);
      due.set(ws, tick + ticksPerInterval);
      try {
        ws.ping();
      } catch {
        // Not open yet or already closing; its next turn decides.
      }
    }
  }, tickMs);
  timer.unref();

  return () => {
    clearInterval(timer);
    wss.off('connection', track);
    due.clear();
  };
}
