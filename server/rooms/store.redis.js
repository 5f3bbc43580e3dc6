/**
 * The RoomPresenceStore (store.js) in Redis. Keys (prefix `cw:` by default): `rp:ROOM` the
 * room's socket ids by expiry, `rpu:ROOM` socket id → arrival and user, `rpn:ROOM` the arrival
 * counter; all of them expire with the room's last socket. Each step is one Lua script, so two
 * processes joining the same user at once cannot both count as their first socket.
 */

// A room's presence: KEYS[1] a sorted set of socket ids by expiry, KEYS[2] a hash socket id →
// "arrival userId", KEYS[3] the room's arrival counter. Expired sockets are dropped first.
const PRUNE_ROOM = `
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
for _, socket in ipairs(dead) do redis.call('HDEL', KEYS[2], socket) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local function userOf(value) return string.sub(value, string.find(value, ' ', 1, true) + 1) end
`;

// ARGV: now, socket id, user id, ttl ms. 1 when the user had no live socket.
const JOIN_ROOM = `${PRUNE_ROOM}
local first = 1
local known = redis.call('HGET', KEYS[2], ARGV[2])
if known then
  first = 0
else
  for _, value in ipairs(redis.call('HVALS', KEYS[2])) do
    if userOf(value) == ARGV[3] then first = 0 end
  end
  local arrival = redis.call('INCR', KEYS[3])
  redis.call('HSET', KEYS[2], ARGV[2], arrival .. ' ' .. ARGV[3])
end
redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[4]), ARGV[2])
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], 2 * tonumber(ARGV[4])) end
return first
`;

// ARGV: now, socket id. The user id when that was their last live socket, else false.
const LEAVE_ROOM = `${PRUNE_ROOM}
local known = redis.call('HGET', KEYS[2], ARGV[2])
redis.call('ZREM', KEYS[1], ARGV[2])
redis.call('HDEL', KEYS[2], ARGV[2])
if not known then return false end
local user = userOf(known)
for _, value in ipairs(redis.call('HVALS', KEYS[2])) do
  if userOf(value) == user then return false end
end
return user
`;

// ARGV: now. The live sockets' "arrival userId" values.
const ROOM_PRESENCE = `${PRUNE_ROOM}
return redis.call('HVALS', KEYS[2])
`;

/**
 * @param {import('../platform/redis.js').RedisConnection} redis
 * @param {{ prefix?: string }} [options]
 * @returns {import('./store.js').RoomPresenceStore}
 */
export function createRedisRoomStore(redis, { prefix = 'cw:' } = {}) {
  const { run } = redis;
  /** @param {string} roomId */
  const roomKeys = (roomId) => [
    `${prefix}rp:${roomId}`,
    `${prefix}rpu:${roomId}`,
    `${prefix}rpn:${roomId}`,
  ];

  return {
    async joinRoom(roomId, userId, socketId, ttlMs) {
      const args = [Date.now(), socketId, userId, ttlMs];
      return (await run(JOIN_ROOM, roomKeys(roomId), args)) === 1;
    },

    async leaveRoom(roomId, socketId) {
      const user = await run(LEAVE_ROOM, roomKeys(roomId), [Date.now(), socketId]);
      return typeof user === 'string' ? user : undefined;
    },

    async roomPresence(roomId) {
      /** @type {string[]} */
      const values = (await run(ROOM_PRESENCE, roomKeys(roomId), [Date.now()])).map(String);
      const sockets = values.map((value) => {
        const space = value.indexOf(' ');
        return { arrived: Number(value.slice(0, space)), userId: value.slice(space + 1) };
      });
      sockets.sort((a, b) => a.arrived - b.arrived);
      return [...new Set(sockets.map((s) => s.userId))];
    },
  };
}
