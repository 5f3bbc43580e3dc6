/** The RoomPresenceStore (store.js) in this process's memory. */

/** @returns {import('./store.js').RoomPresenceStore} */
export function createMemoryRoomStore() {
  /** @type {Map<string, Map<string, { userId: string, until: number, arrived: number }>>} */
  const roomSockets = new Map();
  let arrivals = 0;

  /** @param {string} roomId the room's live sockets, expired ones dropped */
  function liveRoom(roomId) {
    const sockets = roomSockets.get(roomId) ?? new Map();
    // Presence runs on real time: a store's clock may be fixed (opening hours, in tests).
    const time = Date.now();
    for (const [socketId, entry] of sockets) if (entry.until <= time) sockets.delete(socketId);
    if (sockets.size === 0) roomSockets.delete(roomId);
    return sockets;
  }

  return {
    async joinRoom(roomId, userId, socketId, ttlMs) {
      const sockets = liveRoom(roomId);
      roomSockets.set(roomId, sockets);
      const known = sockets.get(socketId);
      const first = !known && ![...sockets.values()].some((s) => s.userId === userId);
      sockets.set(socketId, {
        userId,
        until: Date.now() + ttlMs,
        arrived: known?.arrived ?? ++arrivals,
      });
      return first;
    },

    async leaveRoom(roomId, socketId) {
      const sockets = liveRoom(roomId);
      const entry = sockets.get(socketId);
      sockets.delete(socketId);
      if (sockets.size === 0) roomSockets.delete(roomId);
      if (!entry || [...sockets.values()].some((s) => s.userId === entry.userId)) return undefined;
      return entry.userId;
    },

    async roomPresence(roomId) {
      const sockets = [...liveRoom(roomId).values()].sort((a, b) => a.arrived - b.arrived);
      return [...new Set(sockets.map((s) => s.userId))];
    },
  };
}
