/**
 * Who is in a `rooms` room, on every process: each socket's entry expires unless renewed, so the
 * users of a process that died drop out. store.memory.js and store.redis.js implement it;
 * test/server/stores/rooms.suite.js is its contract.
 *
 * @typedef {object} RoomPresenceStore
 * @property {(roomId: string, userId: string, socketId: string, ttlMs: number) => Promise<boolean>} joinRoom
 *   adds or renews the socket; true when it is the user's first live socket in the room
 * @property {(roomId: string, socketId: string) => Promise<string | undefined>} leaveRoom
 *   the socket's user when that was their last live socket in the room
 * @property {(roomId: string) => Promise<string[]>} roomPresence
 *   distinct users with a live socket, in order of their earliest live socket's arrival
 */
export {};
