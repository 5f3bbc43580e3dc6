/**
 * The StreamStore (store.js) in Redis, for several processes sharing the `stream`
 * conversations.
 *
 * Keys (prefix `cw:` by default), per conversation: `sc:ID` a hash (the conversation, its
 * handoff, the last `seq`, the reply worker's lease), `so:ID` the message ids in order and
 * `sm:ID` their JSON, `su:ID` agent messages not delivered yet, `sf:ID` a Redis Stream of frames
 * whose entry ids are `SEQ-0`, `sr:ID` and `srt:ID` the reply in progress and its text, `sj:ID`
 * the questions waiting for the bot, `sp:ID` the open visitor sockets. Each is kept for the idle
 * time after the conversation's last use. Across conversations: `sv:VISITOR` → conversation id,
 * `squeue` (a sorted set in asking order), `sassigned`, `supd` (by last change, for the inbox)
 * and `smsg` (the same for conversations with a message: most visitors never write, and the
 * inbox must not read them all), `sworkers` (by lease end, for takeover). Channel `live:ID`
 * carries a conversation's frames.
 *
 * Everything that must not interleave with another process is one Lua script: taking a chat,
 * a message stored together with its frame and the frame's `seq`, a reply step checked against
 * the reply in progress, claiming a lapsed lease. Publishing happens inside those scripts, so a
 * subscriber that hears frame N can read everything up to N. Keys are named inside the scripts,
 * which is fine on one Redis (with replicas, Sentinel) but not on Redis Cluster.
 *
 * Over 400 lines because of those scripts: its keys are named, and its atomic steps written, in
 * this one file.
 */
import { randomBytes } from 'node:crypto';
import { pairs } from '../platform/redis.js';
import { STREAM_LIMITS } from './store.js';

// Helpers every script starts with. ARGV[1] is the prefix, ARGV[2] the idle time in ms.
const PRELUDE = `
local P = ARGV[1]
local TTL = tonumber(ARGV[2])
local function k(name, id) return P .. name .. id end
local PER_CONVERSATION = {'sc:', 'so:', 'sm:', 'su:', 'sf:', 'sr:', 'srt:', 'sj:'}
local function touch(id)
  for _, name in ipairs(PER_CONVERSATION) do redis.call('PEXPIRE', k(name, id), TTL) end
  local visitor = redis.call('HGET', k('sc:', id), 'visitorId')
  if visitor then redis.call('PEXPIRE', k('sv:', visitor), TTL) end
end
local function meta(id)
  return {redis.call('HGETALL', k('sc:', id)), redis.call('LLEN', k('so:', id))}
end
local function exists(id) return redis.call('EXISTS', k('sc:', id)) == 1 end
local function addMessage(id, mid, json, role, content, ts, tsms, undelivered, max)
  redis.call('RPUSH', k('so:', id), mid)
  redis.call('HSET', k('sm:', id), mid, json)
  if undelivered == '1' then redis.call('SADD', k('su:', id), mid) end
  local n = redis.call('LLEN', k('so:', id))
  if n > max then
    local old = redis.call('LRANGE', k('so:', id), 0, n - max - 1)
    redis.call('LTRIM', k('so:', id), n - max, -1)
    for _, o in ipairs(old) do
      redis.call('HDEL', k('sm:', id), o)
      redis.call('SREM', k('su:', id), o)
    end
  end
  redis.call('HSET', k('sc:', id), 'updatedAt', ts)
  redis.call('ZADD', P .. 'supd', tsms, id)
  redis.call('ZADD', P .. 'smsg', tsms, id)
  if role == 'user' then
    redis.call('HSET', k('sc:', id), 'lastVisitorMessage', content, 'lastVisitorMessageAt', ts)
    redis.call('HDEL', k('sc:', id), 'closedAt')
  end
end
`;

const CONVERSATION_OF = `${PRELUDE}
local visitor, newId, iso, ms = ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local id = redis.call('GET', k('sv:', visitor))
if id and exists(id) then touch(id) return meta(id) end
id = newId
redis.call('HSET', k('sc:', id), 'id', id, 'visitorId', visitor, 'createdAt', iso, 'updatedAt', iso, 'seq', 0)
redis.call('SET', k('sv:', visitor), id)
redis.call('ZADD', P .. 'supd', ms, id)
touch(id)
return meta(id)
`;

const GET = `${PRELUDE}
local id = ARGV[3]
if not exists(id) then return false end
touch(id)
return meta(id)
`;

const APPEND = `${PRELUDE}
local id = ARGV[3]
if not exists(id) then return 0 end
addMessage(id, ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10], tonumber(ARGV[11]))
touch(id)
return 1
`;

// Many conversations in one call, for listings (the inbox, the queue): read only, so looking at
// the inbox does not keep every conversation in it alive, as in the memory store. One call
// rather than one per conversation, which made each inbox a few hundred round trips that every
// chat's commands queued behind; and one JSON text rather than thousands of reply items, which
// took the listing process milliseconds to decode. ARGV 3 'none' to pass over conversations in
// a handoff without reading them (the inbox's bot list, whose index has every conversation with
// a message), or ''; 4.. the ids. The answer is a JSON array of, for each, the hash with the
// message count as \`messageCount\`, 0 when passed over, or false when it is gone.
const METAS = `${PRELUDE}
local out = {}
for i = 4, #ARGV do
  local id = ARGV[i]
  if ARGV[3] == 'none' and redis.call('HEXISTS', k('sc:', id), 'hs') == 1 then
    out[#out + 1] = 0
  elseif exists(id) then
    local hash = {}
    local flat = redis.call('HGETALL', k('sc:', id))
    for j = 1, #flat, 2 do hash[flat[j]] = flat[j + 1] end
    hash.messageCount = redis.call('LLEN', k('so:', id))
    out[#out + 1] = hash
  else
    out[#out + 1] = false
  end
end
return cjson.encode(out)
`;

const LIST_MESSAGES = `${PRELUDE}
local id = ARGV[3]
if not exists(id) then return false end
touch(id)
local ids = redis.call('LRANGE', k('so:', id), -tonumber(ARGV[4]), -1)
if #ids == 0 then return {} end
return redis.call('HMGET', k('sm:', id), unpack(ids))
`;

const UPDATE_MESSAGE = `${PRELUDE}
local id, mid = ARGV[3], ARGV[4]
local json = redis.call('HGET', k('sm:', id), mid)
if not json then return 0 end
local message = cjson.decode(json)
if ARGV[5] == '1' then message.unanswered = true else message.unanswered = nil end
redis.call('HSET', k('sm:', id), mid, cjson.encode(message))
return 1
`;

const MARK_DELIVERED = `${PRELUDE}
local id, time = ARGV[3], ARGV[4]
local ids = redis.call('SMEMBERS', k('su:', id))
for _, mid in ipairs(ids) do
  local json = redis.call('HGET', k('sm:', id), mid)
  if json then
    local message = cjson.decode(json)
    message.deliveredAt = time
    redis.call('HSET', k('sm:', id), mid, cjson.encode(message))
  end
end
redis.call('DEL', k('su:', id))
return ids
`;

// Compare-and-set on the handoff: the state each operation expects, changed in the same step.
const HANDOFF = `${PRELUDE}
local op, id, iso, ms = ARGV[3], ARGV[4], ARGV[5], ARGV[6]
if not exists(id) then return {0} end
local c = k('sc:', id)
local state = redis.call('HGET', c, 'hs') or ''
local holder = redis.call('HGET', c, 'ha') or ''
local ok = 0
if op == 'enqueue' then
  if state == '' then
    local place = redis.call('INCR', P .. 'sqseq')
    redis.call('HSET', c, 'hs', 'queued', 'hq', ARGV[7], 'qs', place)
    redis.call('ZADD', P .. 'squeue', place, id)
    ok = 1
  end
elseif op == 'dequeue' then
  if state == 'queued' then
    redis.call('HDEL', c, 'hs', 'hq', 'ha', 'ht')
    redis.call('ZREM', P .. 'squeue', id)
    ok = 1
  end
elseif op == 'take' then
  if state == 'queued' then
    if not redis.call('HGET', c, 'hq') then redis.call('HSET', c, 'hq', ARGV[8]) end
    redis.call('HSET', c, 'hs', 'assigned', 'ha', ARGV[7], 'ht', ARGV[8])
    redis.call('ZREM', P .. 'squeue', id)
    redis.call('SADD', P .. 'sassigned', id)
    ok = 1
  end
elseif op == 'transfer' then
  if state == 'assigned' and holder == ARGV[7] then
    redis.call('HSET', c, 'ha', ARGV[8], 'ht', ARGV[9])
    ok = 1
  end
elseif op == 'release' then
  if state == 'assigned' and holder == ARGV[7] then
    redis.call('HDEL', c, 'hs', 'hq', 'ha', 'ht')
    redis.call('SREM', P .. 'sassigned', id)
    if ARGV[8] == '1' then redis.call('HSET', c, 'closedAt', ARGV[9]) end
    ok = 1
  end
elseif op == 'requeue' then
  if state == 'assigned' and holder == ARGV[7] then
    if not redis.call('HGET', c, 'hq') then redis.call('HSET', c, 'hq', iso) end
    local place = redis.call('HGET', c, 'qs') or redis.call('INCR', P .. 'sqseq')
    redis.call('HSET', c, 'hs', 'queued')
    redis.call('HDEL', c, 'ha', 'ht')
    redis.call('SREM', P .. 'sassigned', id)
    redis.call('ZADD', P .. 'squeue', place, id)
    ok = 1
  end
end
if ok == 1 then
  redis.call('HSET', c, 'updatedAt', iso)
  redis.call('ZADD', P .. 'supd', ms, id)
  redis.call('ZADD', P .. 'smsg', 'XX', ms, id)
end
touch(id)
return {ok, meta(id)}
`;

// ARGV: 3 id, 4 entry JSON (without seq), 5 max frames, 6 iso, 7 ms,
// 8–15 a message to store (8 its id, '' for none), 16–20 a reply step (16 op, '' for none).
const PUBLISH = `${PRELUDE}
local id = ARGV[3]
if not exists(id) then return false end
local c, r, rt = k('sc:', id), k('sr:', id), k('srt:', id)
local op, rid = ARGV[16], ARGV[17]
if op == 'start' then
  if redis.call('EXISTS', r) == 1 then return false end
  redis.call('HSET', r, 'messageId', rid, 'questionId', ARGV[18], 'timestamp', ARGV[19])
  redis.call('SET', rt, '')
elseif op == 'token' or op == 'end' or op == 'abort' then
  if redis.call('HGET', r, 'messageId') ~= rid then return false end
  if op == 'token' then
    redis.call('APPEND', rt, ARGV[18])
  elseif op == 'abort' then
    redis.call('DEL', r, rt)
  else
    local reply = {
      messageId = rid,
      role = 'assistant',
      content = redis.call('GET', rt) or '',
      timestamp = redis.call('HGET', r, 'timestamp'),
      replyTo = redis.call('HGET', r, 'questionId'),
    }
    if ARGV[18] == '1' then reply.interrupted = true end
    local json = cjson.encode(reply)
    addMessage(id, rid, json, 'assistant', '', reply.timestamp, ARGV[7], '0', tonumber(ARGV[20]))
    redis.call('DEL', r, rt)
  end
end
if ARGV[8] ~= '' then
  addMessage(id, ARGV[8], ARGV[9], ARGV[10], ARGV[11], ARGV[12], ARGV[13], ARGV[14], tonumber(ARGV[15]))
end
local seq = redis.call('HINCRBY', c, 'seq', 1)
redis.call('XADD', k('sf:', id), 'MAXLEN', '~', ARGV[5], seq .. '-0', 'e', ARGV[4])
redis.call('PUBLISH', P .. 'live:' .. id, '{"seq":' .. seq .. ',' .. string.sub(ARGV[4], 2))
touch(id)
return seq
`;

const SNAPSHOT = `${PRELUDE}
local id = ARGV[3]
if not exists(id) then return false end
touch(id)
local ids = redis.call('LRANGE', k('so:', id), 0, -1)
local messages = {}
if #ids > 0 then messages = redis.call('HMGET', k('sm:', id), unpack(ids)) end
return {meta(id), messages, redis.call('HGETALL', k('sr:', id)), redis.call('GET', k('srt:', id)) or ''}
`;

const ADD_JOB = `${PRELUDE}
local id = ARGV[3]
if not exists(id) then return 0 end
if redis.call('LLEN', k('sj:', id)) >= tonumber(ARGV[5]) then return 0 end
redis.call('RPUSH', k('sj:', id), ARGV[4])
touch(id)
return 1
`;

const CLEAR_JOBS = `${PRELUDE}
local ids = redis.call('LRANGE', k('sj:', ARGV[3]), 0, -1)
redis.call('DEL', k('sj:', ARGV[3]))
return ids
`;

// ARGV: 3 id, 4 owner, 5 op (claim, release, expire), 6 now ms, 7 lease ms
const WORKER = `${PRELUDE}
local id, owner, op, now = ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
local c = k('sc:', id)
if not exists(id) then
  redis.call('ZREM', P .. 'sworkers', id)
  return 0
end
local holder = redis.call('HGET', c, 'wo')
local untilMs = tonumber(redis.call('HGET', c, 'wl') or '0')
if op == 'claim' then
  if holder and holder ~= owner and untilMs > now then return 0 end
  local lease = now + tonumber(ARGV[7])
  redis.call('HSET', c, 'wo', owner, 'wl', lease)
  redis.call('ZADD', P .. 'sworkers', lease, id)
  return 1
end
if holder ~= owner then return 0 end
if op == 'release' then
  redis.call('HDEL', c, 'wo', 'wl')
  redis.call('ZREM', P .. 'sworkers', id)
else
  redis.call('HSET', c, 'wl', 0)
  redis.call('ZADD', P .. 'sworkers', 0, id)
end
return 1
`;

/** How many conversations one listing call reads. */
const METAS_PER_CALL = 100;

/**
 * @typedef {import('./store.js').StreamConversation} StreamConversation
 * @typedef {import('./store.js').StreamMessage} StreamMessage
 * @typedef {import('./store.js').LoggedFrame} LoggedFrame
 */

/**
 * @param {import('../platform/redis.js').RedisConnection} redis
 * @param {Partial<typeof STREAM_LIMITS> & { prefix?: string, now?: () => number }} [options]
 * @returns {import('./store.js').StreamStore}
 */
export function createRedisStreamStore(redis, options = {}) {
  const { prefix = 'cw:', now = Date.now, ...overrides } = options;
  const limits = { ...STREAM_LIMITS, ...overrides };
  const { client, subscriber, run } = redis;
  const base = () => [prefix, limits.idleTtlMs];
  const iso = () => new Date(now()).toISOString();

  /** @param {string} script @param {Array<string | number>} args */
  const call = (script, args) => run(script, [], [...base(), ...args]);

  /**
   * @param {unknown} reply `meta(id)` of the scripts: the hash and the message count
   * @returns {StreamConversation | undefined}
   */
  function toConversation(reply) {
    if (!Array.isArray(reply)) return undefined;
    return fromHash(pairs(reply[0]), reply[1]);
  }

  /**
   * @param {Record<string, string>} hash the conversation's hash (`sc:ID`)
   * @param {unknown} messageCount
   * @returns {StreamConversation | undefined}
   */
  function fromHash(hash, messageCount) {
    if (!hash.id) return undefined;
    /** @type {StreamConversation} */
    const conversation = {
      id: hash.id,
      visitorId: hash.visitorId ?? '',
      createdAt: hash.createdAt ?? '',
      updatedAt: hash.updatedAt ?? '',
      handoff: null,
      messageCount: Number(messageCount) || 0,
    };
    if (hash.hs === 'queued' || hash.hs === 'assigned') {
      conversation.handoff = {
        state: hash.hs,
        queuedAt: hash.hq ?? '',
        ...(hash.hs === 'assigned' ? { agentId: hash.ha, assignedAt: hash.ht } : {}),
      };
    }
    if (hash.closedAt) conversation.closedAt = hash.closedAt;
    if (hash.lastVisitorMessage !== undefined) {
      conversation.lastVisitorMessage = hash.lastVisitorMessage;
      conversation.lastVisitorMessageAt = hash.lastVisitorMessageAt;
    }
    return conversation;
  }

  /** @param {StreamMessage} message */
  const messageArgs = (message) => [
    message.messageId,
    JSON.stringify(message),
    message.role,
    message.content,
    message.timestamp,
    Date.parse(message.timestamp) || now(),
    message.role === 'agent' && !message.deliveredAt ? '1' : '0',
    limits.maxMessagesPerConversation,
  ];

  /**
   * @param {string} op
   * @param {string} id
   * @param {Array<string | number>} args
   * @returns {Promise<import('./store.js').HandoffResult>}
   */
  async function handoff(op, id, args) {
    const [ok, meta] = await call(HANDOFF, [op, id, iso(), now(), ...args]);
    return { ok: ok === 1, conversation: toConversation(meta) };
  }

  /**
   * @param {string[]} ids
   * @param {{ skipHandoffs?: boolean }} [options] pass over conversations in a handoff
   * @returns {Promise<Array<StreamConversation | null | undefined>>} null: passed over;
   *   undefined: gone
   */
  async function conversationsById(ids, { skipHandoffs = false } = {}) {
    const found = [];
    // In slices, so one call never holds Redis for long however long the list.
    for (let start = 0; start < ids.length; start += METAS_PER_CALL) {
      const slice = ids.slice(start, start + METAS_PER_CALL);
      const reply = await call(METAS, [skipHandoffs ? 'none' : '', ...slice]);
      /** @type {Array<(Record<string, string> & { messageCount: number }) | 0 | false>} */
      const hashes = JSON.parse(String(reply));
      for (const hash of hashes) {
        found.push(hash === 0 ? null : hash ? fromHash(hash, hash.messageCount) : undefined);
      }
    }
    return found;
  }

  /** @param {string} id */
  const channel = (id) => `${prefix}live:${id}`;
  /** @type {Map<string, Set<(entry: LoggedFrame) => void>>} */
  const listeners = new Map();

  /** @param {string} message @param {string} name */
  function dispatch(message, name) {
    const set = listeners.get(name);
    if (!set) return;
    /** @type {LoggedFrame} */
    let entry;
    try {
      entry = JSON.parse(message);
    } catch {
      return;
    }
    for (const listener of set) listener(entry);
  }

  return {
    async conversationOf(visitorId) {
      const id = `conv_${randomBytes(9).toString('base64url')}`;
      const reply = await call(CONVERSATION_OF, [visitorId, id, iso(), now()]);
      return /** @type {StreamConversation} */ (toConversation(reply));
    },

    async getConversation(id) {
      return toConversation(await call(GET, [id]));
    },

    async listConversations({ handoff: state, limit = Infinity, includeClosed = true } = {}) {
      /** @param {StreamConversation | null | undefined} c @returns {c is StreamConversation} */
      const keep = (c) => {
        if (!c) return false;
        const current = c.handoff?.state ?? 'none';
        if (state !== undefined && current !== state) return false;
        if (state === 'none' && c.messageCount === 0) return false;
        return includeClosed || !c.closedAt;
      };
      /** @type {StreamConversation[]} */
      let found;
      if (state === 'queued' || state === 'assigned') {
        const ids =
          state === 'queued'
            ? await client.zRange(`${prefix}squeue`, 0, -1)
            : await client.sMembers(`${prefix}sassigned`);
        found = (await conversationsById(ids)).filter(keep);
      } else {
        found = [];
        const index = `${prefix}${state === 'none' ? 'smsg' : 'supd'}`;
        // Newest first, a page at a time, until enough match; entries whose conversation
        // expired are dropped on the way.
        const page = 200;
        for (let start = 0; found.length < limit; start += page) {
          const ids = await client.zRange(index, start, start + page - 1, { REV: true });
          if (ids.length === 0) break;
          const conversations = await conversationsById(ids, { skipHandoffs: state === 'none' });
          const gone = ids.filter((_, i) => conversations[i] === undefined);
          if (gone.length > 0) {
            await client.zRem(index, gone);
            start -= gone.length;
          }
          found.push(...conversations.filter(keep));
        }
      }
      return found.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)).slice(0, limit);
    },

    async appendMessage(id, message) {
      return (await call(APPEND, [id, ...messageArgs(message)])) === 1;
    },

    async listMessages(id, { limit = Infinity } = {}) {
      const count = Number.isFinite(limit) ? Math.max(0, limit) : limits.maxMessagesPerConversation;
      if (count === 0) return (await this.getConversation(id)) ? [] : undefined;
      const reply = await call(LIST_MESSAGES, [id, count]);
      if (!Array.isArray(reply)) return undefined;
      return reply.filter((json) => typeof json === 'string').map((json) => JSON.parse(json));
    },

    async updateMessage(id, messageId, { unanswered }) {
      return (await call(UPDATE_MESSAGE, [id, messageId, unanswered ? '1' : '0'])) === 1;
    },

    async markDelivered(id, time) {
      return (await call(MARK_DELIVERED, [id, time])).map(String);
    },

    enqueue: (id, time) => handoff('enqueue', id, [time]),
    dequeue: (id) => handoff('dequeue', id, []),
    take: (id, agentId, time) => handoff('take', id, [agentId, time]),
    transfer: (id, from, to, time) => handoff('transfer', id, [from, to, time]),
    release: (id, agentId, { close, time }) =>
      handoff('release', id, [agentId, close ? '1' : '0', time]),
    requeue: (id, agentId) => handoff('requeue', id, [agentId]),

    async queue() {
      const ids = await client.zRange(`${prefix}squeue`, 0, -1);
      const conversations = await conversationsById(ids);
      const gone = ids.filter((_, i) => conversations[i]?.handoff?.state !== 'queued');
      if (gone.length > 0) await client.zRem(`${prefix}squeue`, gone);
      return ids.filter((id) => !gone.includes(id));
    },

    async publish(id, frame, { message, reply, except, to } = {}) {
      const entry = JSON.stringify({
        frame,
        ...(except ? { except } : {}),
        ...(to ? { to } : {}),
      });
      const messagePart = message ? messageArgs(message) : ['', '', '', '', '', '', '', ''];
      /** @type {Array<string | number>} */
      let replyPart = ['', '', '', '', limits.maxMessagesPerConversation];
      if (reply?.op === 'start') {
        replyPart = ['start', reply.messageId, reply.questionId, reply.timestamp, 0];
      } else if (reply?.op === 'token') {
        replyPart = ['token', reply.messageId, reply.token, '', 0];
      } else if (reply?.op === 'abort') {
        replyPart = ['abort', reply.messageId, '', '', 0];
      } else if (reply?.op === 'end') {
        replyPart = [
          'end',
          reply.messageId,
          reply.interrupted ? '1' : '0',
          '',
          limits.maxMessagesPerConversation,
        ];
      }
      const seq = await call(PUBLISH, [
        id,
        entry,
        limits.maxFramesPerConversation,
        iso(),
        now(),
        ...messagePart,
        ...replyPart,
      ]);
      return typeof seq === 'number' ? seq : undefined;
    },

    async lastSeq(id) {
      return Number(await client.hGet(`${prefix}sc:${id}`, 'seq')) || 0;
    },

    async framesAfter(id, seq) {
      const last = await this.lastSeq(id);
      if (seq > last) return { frames: [], complete: false };
      if (seq === last) return { frames: [], complete: true };
      const entries = await client.xRange(`${prefix}sf:${id}`, `(${seq}-0`, '+');
      const first = entries[0];
      if (!first || Number(first.id.split('-')[0]) !== seq + 1) {
        return { frames: [], complete: false };
      }
      const frames = entries.map((e) => ({
        seq: Number(e.id.split('-')[0]),
        ...JSON.parse(String(e.message.e)),
      }));
      return { frames, complete: true };
    },

    async snapshot(id) {
      const reply = await call(SNAPSHOT, [id]);
      if (!Array.isArray(reply)) return undefined;
      const conversation = /** @type {StreamConversation} */ (toConversation(reply[0]));
      const hash = pairs(reply[0][0]);
      const replyHash = pairs(reply[2]);
      return {
        conversation,
        messages: /** @type {unknown[]} */ (reply[1])
          .filter((json) => typeof json === 'string')
          .map((json) => JSON.parse(String(json))),
        reply: replyHash.messageId
          ? {
              messageId: replyHash.messageId,
              questionId: replyHash.questionId ?? '',
              timestamp: replyHash.timestamp ?? '',
              text: String(reply[3] ?? ''),
            }
          : null,
        seq: Number(hash.seq) || 0,
      };
    },

    async subscribe(id, listener) {
      const name = channel(id);
      let set = listeners.get(name);
      if (!set) {
        set = new Set();
        listeners.set(name, set);
        set.add(listener);
        await subscriber.subscribe(name, dispatch);
      } else {
        set.add(listener);
      }
      const own = set;
      return async () => {
        own.delete(listener);
        if (own.size > 0 || listeners.get(name) !== own) return;
        listeners.delete(name);
        // A process whose Redis is down cannot unsubscribe, and need not: the subscriber will
        // subscribe again only to the channels node-redis still lists, and dispatch ignores the rest.
        await subscriber.unsubscribe(name).catch(() => {});
      };
    },

    onResubscribed: (listener) => {
      redis.onResubscribed(listener);
      return () => redis.onResubscribed(listener);
    },

    async addJob(id, questionId, max) {
      return (await call(ADD_JOB, [id, questionId, max])) === 1;
    },

    async jobs(id) {
      return client.lRange(`${prefix}sj:${id}`, 0, -1);
    },

    async removeJob(id, questionId) {
      return (await client.lRem(`${prefix}sj:${id}`, 1, questionId)) > 0;
    },

    async clearJobs(id) {
      return (await call(CLEAR_JOBS, [id])).map(String);
    },

    async claimWorker(id, owner, leaseMs) {
      return (await call(WORKER, [id, owner, 'claim', Date.now(), leaseMs])) === 1;
    },

    async releaseWorker(id, owner) {
      return (await call(WORKER, [id, owner, 'release', Date.now(), 0])) === 1;
    },

    async expireWorker(id, owner) {
      return (await call(WORKER, [id, owner, 'expire', Date.now(), 0])) === 1;
    },

    async expiredWorkers(time) {
      return client.zRangeByScore(`${prefix}sworkers`, '-inf', time);
    },

    async attachVisitor(id, socketId, ttlMs) {
      const key = `${prefix}sp:${id}`;
      await client
        .multi()
        .zAdd(key, { score: Date.now() + ttlMs, value: socketId })
        .pExpire(key, ttlMs * 2)
        .exec();
    },

    async detachVisitor(id, socketId) {
      await client.zRem(`${prefix}sp:${id}`, socketId);
    },

    async attachedVisitors(id) {
      return client.zCount(`${prefix}sp:${id}`, `(${Date.now()}`, '+inf');
    },
  };
}
