/**
 * Who is connected to which room, for presence and broadcasts. A user may have several sockets
 * in one room (tabs, or other processes); they join on the first and leave with the last.
 *
 * Presence is in the store (store.js): with Redis it is shared by every process, and
 * each socket's entry expires `presenceTtlMs` after it was last renewed, so the users of a
 * process that died drop out of the online list. Broadcasts go through platform/ws/channels.js, to the
 * room's sockets on every process.
 */
import { randomUUID } from 'node:crypto';

export const DEFAULT_PRESENCE_TTL_MS = 30_000;

/**
 * @typedef {object} Member
 * @property {import('ws').WebSocket} ws
 * @property {string} userId
 * @property {string} userName
 */

/**
 * @param {object} deps
 * @param {import('./store.js').RoomPresenceStore} deps.presence
 * @param {import('../platform/ws/channels.js').Channels} deps.channels
 * @param {number} [deps.presenceTtlMs]
 * @param {{ error(...args: unknown[]): void }} [deps.logger]
 */
export function createRoomHub({
  presence,
  channels,
  presenceTtlMs = DEFAULT_PRESENCE_TTL_MS,
  logger = console,
}) {
  /** @type {Map<string, Map<Member, string>>} room id → this process's members → socket id */
  const rooms = new Map();
  /** @param {string} roomId */
  const channelOf = (roomId) => `rooms:${roomId}`;

  const renewal = setInterval(
    () => {
      for (const [roomId, members] of rooms) {
        for (const [member, socketId] of members) {
          presence
            .joinRoom(roomId, member.userId, socketId, presenceTtlMs)
            .catch((err) => logger.error('[rooms] presence renewal failed:', err));
        }
      }
    },
    Math.max(100, Math.floor(presenceTtlMs / 3)),
  );
  renewal.unref();

  return {
    /**
     * Resolves once the member's process hears the room's broadcasts.
     * @param {string} roomId
     * @param {Member} member
     * @returns {Promise<boolean>} whether this is the user's first socket in the room
     */
    async join(roomId, member) {
      const socketId = randomUUID();
      const members = rooms.get(roomId) ?? new Map();
      members.set(member, socketId);
      rooms.set(roomId, members);
      // Sent before leave() can send its own: the store sees them in this order.
      const [first] = await Promise.all([
        presence.joinRoom(roomId, member.userId, socketId, presenceTtlMs),
        channels.join(channelOf(roomId), member.ws),
      ]);
      return first;
    },

    /**
     * @param {string} roomId
     * @param {Member} member
     * @returns {Promise<boolean>} whether that was the user's last socket in the room
     */
    async leave(roomId, member) {
      const members = rooms.get(roomId);
      const socketId = members?.get(member);
      if (!members || socketId === undefined) return false;
      members.delete(member);
      if (members.size === 0) rooms.delete(roomId);
      channels.leave(channelOf(roomId), member.ws);
      return (await presence.leaveRoom(roomId, socketId)) !== undefined;
    },

    /** @param {string} roomId @returns {Promise<string[]>} distinct user ids, in order of arrival */
    onlineUsers(roomId) {
      return presence.roomPresence(roomId);
    },

    /**
     * @param {string} roomId
     * @param {Record<string, unknown>} frame
     * @param {Member} [except] typically the socket the frame came from
     */
    broadcast(roomId, frame, except) {
      channels.send(channelOf(roomId), frame, except?.ws);
    },

    close() {
      clearInterval(renewal);
    },
  };
}

/** @typedef {ReturnType<typeof createRoomHub>} RoomHub */
