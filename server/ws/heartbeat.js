/**
 * WebSocket protocol pings (not the JSON `ping` frame). Browsers answer them by themselves;
 * a socket that has not answered the previous ping by the next tick is dead (sleeping laptop,
 * vanished NAT mapping) and is terminated so its reply and memory are released.
 *
 * @param {import('ws').WebSocketServer} wss
 * @param {number} intervalMs
 * @returns {() => void} stops the heartbeat
 */
export function startHeartbeat(wss, intervalMs) {
  /** @type {WeakSet<import('ws').WebSocket>} */
  const awaitingPong = new WeakSet();

  const onConnection = (/** @type {import('ws').WebSocket} */ ws) => {
    ws.on('pong', () => awaitingPong.delete(ws));
  };
  wss.on('connection', onConnection);

  const timer = setInterval(() => {
    for (const ws of wss.clients) {
      if (awaitingPong.has(ws)) {
        ws.terminate();
        continue;
      }
      awaitingPong.add(ws);
      try {
        ws.ping();
      } catch {
        // Not open yet or already closing; the next tick decides.
      }
    }
  }, intervalMs);
  timer.unref();

  return () => {
    clearInterval(timer);
    wss.off('connection', onConnection);
  };
}
