/**
 * Sockets that count as open until an expiry their process renews, in memory: key (a
 * conversation, an agent) → socket id → until when.
 *
 * @param {Map<string, Map<string, number>>} map
 * @param {string} key
 * @returns {number} the key's live sockets, expired ones dropped
 */
export function liveCount(map, key) {
  const sockets = map.get(key);
  if (!sockets) return 0;
  // Presence runs on real time: a store's clock may be fixed (opening hours, in tests).
  const time = Date.now();
  for (const [socketId, until] of sockets) if (until <= time) sockets.delete(socketId);
  if (sockets.size === 0) map.delete(key);
  return sockets.size;
}
