/**
 * The ConversationStore (store.js) of the `events`, `rooms` and `threads` endpoints
 * in Redis. Keys (prefix `cw:`): `k:KIND:ID` a hash (the conversation), `k:KIND:ID:m` its
 * messages (a list of JSON, the newest kept), `o:OWNER` the owner's conversations by last use,
 * `u:USER` users seen. Everything expires after the idle time since its last use.
 *
 * Differences from the memory store: there is no overall cap on conversations or users (each
 * expires when idle; bound Redis itself with `maxmemory`), the per-owner cap and the per-
 * conversation message cap are kept.
 */
import { pairs } from '../platform/redis.js';
import { DEFAULT_LIMITS } from './store.js';

const PRELUDE = `
local P = ARGV[1]
local TTL = tonumber(ARGV[2])
local function key(kind, id) return P .. 'k:' .. kind .. ':' .. id end
local function touch(kind, id, owner)
  redis.call('PEXPIRE', key(kind, id), TTL)
  redis.call('PEXPIRE', key(kind, id) .. ':m', TTL)
  if owner then
    redis.call('ZADD', P .. 'o:' .. owner, redis.call('INCR', P .. 'k:uses'), kind .. ':' .. id)
    redis.call('PEXPIRE', P .. 'o:' .. owner, TTL)
  end
end
local function meta(kind, id)
  return {redis.call('HGETALL', key(kind, id)), redis.call('LLEN', key(kind, id) .. ':m')}
end
local function use(kind, id)
  local owner = redis.call('HGET', key(kind, id), 'owner')
  if not owner then return false end
  touch(kind, id, owner)
  return true
end
`;

// ARGV: 3 kind, 4 id, 5 owner, 6 data JSON, 7 iso, 8 per-owner cap
const ENSURE = `${PRELUDE}
local kind, id, owner = ARGV[3], ARGV[4], ARGV[5]
if use(kind, id) then return {0, meta(kind, id)} end
local owned = P .. 'o:' .. owner
while redis.call('ZCARD', owned) >= tonumber(ARGV[8]) do
  local stalest = redis.call('ZPOPMIN', owned)[1]
  redis.call('DEL', P .. 'k:' .. stalest, P .. 'k:' .. stalest .. ':m')
end
redis.call('HSET', key(kind, id), 'kind', kind, 'id', id, 'owner', owner,
  'created_at', ARGV[7], 'updated_at', ARGV[7], 'data', ARGV[6])
touch(kind, id, owner)
return {1, meta(kind, id)}
`;

const GET = `${PRELUDE}
if not use(ARGV[3], ARGV[4]) then return false end
return meta(ARGV[3], ARGV[4])
`;

const DELETE = `${PRELUDE}
local kind, id = ARGV[3], ARGV[4]
local owner = redis.call('HGET', key(kind, id), 'owner')
if not owner then return 0 end
redis.call('DEL', key(kind, id), key(kind, id) .. ':m')
redis.call('ZREM', P .. 'o:' .. owner, kind .. ':' .. id)
return 1
`;

// ARGV: 3 kind, 4 id, 5 message JSON, 6 iso, 7 cap, 8 byte budget. The hash field "bytes" is the
// list's total length, kept as messages come and go, so the budget costs no scan.
const APPEND = `${PRELUDE}
local kind, id = ARGV[3], ARGV[4]
if not use(kind, id) then return 0 end
local list = key(kind, id) .. ':m'
local cap, budget = tonumber(ARGV[7]), tonumber(ARGV[8])
redis.call('RPUSH', list, ARGV[5])
local bytes = redis.call('HINCRBY', key(kind, id), 'bytes', string.len(ARGV[5]))
local length = redis.call('LLEN', list)
while length > 1 and (length > cap or bytes > budget) do
  if bytes > budget then redis.call('HSET', key(kind, id), 'truncated', '1') end
  local oldest = redis.call('LPOP', list)
  bytes = redis.call('HINCRBY', key(kind, id), 'bytes', -string.len(oldest))
  length = length - 1
end
redis.call('HSET', key(kind, id), 'updated_at', ARGV[6], 'last_message_at', ARGV[6])
touch(kind, id, nil)
return 1
`;

const MESSAGES = `${PRELUDE}
if not use(ARGV[3], ARGV[4]) then return false end
return redis.call('LRANGE', key(ARGV[3], ARGV[4]) .. ':m', 0, -1)
`;

/**
 * @typedef {import('./store.js').ConversationStore} ConversationStore
 * @typedef {import('./store.js').Conversation} Conversation
 */

/**
 * @param {import('../platform/redis.js').RedisConnection} redis
 * @param {Partial<typeof DEFAULT_LIMITS> & { prefix?: string, now?: () => number }} [options]
 * @returns {ConversationStore}
 */
export function createRedisConversationStore(redis, options = {}) {
  const { prefix = 'cw:', now = Date.now, ...overrides } = options;
  const limits = { ...DEFAULT_LIMITS, ...overrides };
  const perOwner = Math.max(1, limits.maxConversationsPerOwner);
  const { client, run } = redis;
  const iso = () => new Date(now()).toISOString();
  /** @param {string} script @param {Array<string | number>} args */
  const call = (script, args) => run(script, [], [prefix, limits.idleTtlMs, ...args]);

  /** @param {unknown} reply @returns {Conversation | undefined} */
  function toConversation(reply) {
    if (!Array.isArray(reply)) return undefined;
    const hash = pairs(reply[0]);
    if (!hash.id) return undefined;
    return {
      kind: /** @type {Conversation['kind']} */ (hash.kind),
      id: hash.id,
      owner: hash.owner ?? '',
      created_at: hash.created_at ?? '',
      updated_at: hash.updated_at ?? '',
      ...(hash.last_message_at ? { last_message_at: hash.last_message_at } : {}),
      message_count: Number(reply[1]) || 0,
      ...(hash.truncated ? { truncated: /** @type {const} */ (true) } : {}),
      data: JSON.parse(hash.data ?? '{}'),
    };
  }

  return {
    async ensureConversation(kind, id, owner, data = {}) {
      const [created, meta] = await call(ENSURE, [
        kind,
        id,
        owner,
        JSON.stringify(data),
        iso(),
        perOwner,
      ]);
      return {
        conversation: /** @type {Conversation} */ (toConversation(meta)),
        created: created === 1,
      };
    },

    async getConversation(kind, id) {
      return toConversation(await call(GET, [kind, id]));
    },

    async listConversations(kind, owner) {
      const members = await client.zRange(`${prefix}o:${owner}`, 0, -1);
      const ids = members
        .filter((m) => m.startsWith(`${kind}:`))
        .map((m) => m.slice(kind.length + 1));
      const found = await Promise.all(
        ids.map(async (id) => {
          const key = `${prefix}k:${kind}:${id}`;
          const [hash, count] = await client.multi().hGetAll(key).lLen(`${key}:m`).exec();
          const flat = Object.entries(
            /** @type {Record<string, string>} */ (/** @type {unknown} */ (hash ?? {})),
          ).flat();
          return toConversation([flat, count]);
        }),
      );
      const gone = ids.filter((_, i) => !found[i]).map((id) => `${kind}:${id}`);
      if (gone.length > 0) await client.zRem(`${prefix}o:${owner}`, gone);
      return found
        .filter(/** @returns {c is Conversation} */ (c) => c !== undefined)
        .sort((a, b) => b.updated_at.localeCompare(a.updated_at));
    },

    async deleteConversation(kind, id) {
      return (await call(DELETE, [kind, id])) === 1;
    },

    async appendMessage(kind, id, message) {
      const reply = await call(APPEND, [
        kind,
        id,
        JSON.stringify(message),
        iso(),
        limits.maxMessagesPerConversation,
        limits.maxBytesPerConversation,
      ]);
      return reply === 1;
    },

    async listMessages(kind, id, { offset = 0, limit = Infinity, order = 'asc' } = {}) {
      const reply = await call(MESSAGES, [kind, id]);
      if (!Array.isArray(reply)) return undefined;
      const all = reply.map((json) => JSON.parse(String(json)));
      if (order === 'desc') all.reverse();
      return { messages: all.slice(offset, offset + limit), total: all.length };
    },

    async markUserSeen(userId) {
      const key = `${prefix}u:${userId}`;
      const set = await client.set(key, '1', {
        condition: 'NX',
        expiration: { type: 'PX', value: limits.idleTtlMs },
      });
      if (set === 'OK') return true;
      await client.pExpire(key, limits.idleTtlMs);
      return false;
    },
  };
}
