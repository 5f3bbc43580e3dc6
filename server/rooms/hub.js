/**
 * Who is connected to which room, for presence and broadcasts. A user may have several sockets
 * in one room (tabs); they join on the first and leave with the last.
 */
import { sendFrame } from '../ws/send.js';

/**
 * @typedef {object} Member
 * @property {import('ws').WebSocket} ws
 * @property {string} userId
 * @property {string} userName
 */

export function createRoomHub() {
  /** @type {Map<string, Set<Member>>} */
  const rooms = new Map();

  /** @param {string} roomId */
  const membersOf = (roomId) => rooms.get(roomId) ?? new Set();

  return {
    /**
     * @param {string} roomId
     * @param {Member} member
     * @returns {boolean} whether this is the user's first socket in the room
     */
    join(roomId, member) {
      const first = !this.onlineUsers(roomId).includes(member.userId);
      const members = rooms.get(roomId) ?? new Set();
      members.add(member);
      rooms.set(roomId, members);
      return first;
    },

    /**
     * @param {string} roomId
     * @param {Member} member
     * @returns {boolean} whether that was the user's last socket in the room
     */
    leave(roomId, member) {
      const members = rooms.get(roomId);
      if (!members?.delete(member)) return false;
      if (members.size === 0) rooms.delete(roomId);
      return !this.onlineUsers(roomId).includes(member.userId);
    },

    /** @param {string} roomId @returns {string[]} distinct user ids, in order of arrival */
    onlineUsers(roomId) {
      return [...new Set([...membersOf(roomId)].map((m) => m.userId))];
    },

    /**
     * @param {string} roomId
     * @param {Record<string, unknown>} frame
     * @param {Member} [except] typically the socket the frame came from
     */
    broadcast(roomId, frame, except) {
      for (const member of membersOf(roomId)) {
        if (member !== except) sendFrame(member.ws, frame);
      }
    },
  };
}

/** @typedef {ReturnType<typeof createRoomHub>} RoomHub */
