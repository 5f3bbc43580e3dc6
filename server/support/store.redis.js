/**
 * The SupportStore (store.js) in Redis. Keys (prefix `cw:` by default): `left` (id → JSON) and
 * `lefto` (ids in order, with the `leftseq` counter) the left messages; `agents` every agent seen,
 * `ag:AGENT` their console socket ids by expiry, `agg:AGENT` the grace after the last one closed.
 * Channel `console` carries the consoles' events.
 */
import { SUPPORT_LIMITS, newLeftMessage } from './store.js';

// Every script gets the key prefix as ARGV[1].
const PRELUDE = `
local P = ARGV[1]
local function k(name, id) return P .. name .. id end
`;

const ADD_LEFT = `${PRELUDE}
local id, json, max = ARGV[2], ARGV[3], tonumber(ARGV[4])
redis.call('HSET', P .. 'left', id, json)
redis.call('ZADD', P .. 'lefto', redis.call('INCR', P .. 'leftseq'), id)
local extra = redis.call('ZCARD', P .. 'lefto') - max
if extra > 0 then
  for _, old in ipairs(redis.call('ZPOPMIN', P .. 'lefto', extra)) do
    redis.call('HDEL', P .. 'left', old)
  end
end
return 1
`;

const RESOLVE_LEFT = `${PRELUDE}
local json = redis.call('HGET', P .. 'left', ARGV[2])
if not json then return 0 end
local record = cjson.decode(json)
if record.resolvedAt then return 0 end
record.resolvedAt = ARGV[4]
record.resolvedBy = ARGV[3]
redis.call('HSET', P .. 'left', ARGV[2], cjson.encode(record))
return 1
`;

const DETACH_AGENT = `${PRELUDE}
local agent, socket, now, grace = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
redis.call('ZREM', k('ag:', agent), socket)
if redis.call('ZCOUNT', k('ag:', agent), '(' .. now, '+inf') == 0 then
  redis.call('SET', k('agg:', agent), '1', 'PX', grace)
end
return 1
`;

const ONLINE_AGENTS = `${PRELUDE}
local now = ARGV[2]
local online = {}
for _, agent in ipairs(redis.call('SMEMBERS', P .. 'agents')) do
  redis.call('ZREMRANGEBYSCORE', k('ag:', agent), '-inf', now)
  if redis.call('ZCARD', k('ag:', agent)) > 0 or redis.call('EXISTS', k('agg:', agent)) == 1 then
    table.insert(online, agent)
  end
end
return online
`;

/**
 * @param {import('../platform/redis.js').RedisConnection} redis
 * @param {Partial<typeof SUPPORT_LIMITS> & { prefix?: string, now?: () => number }} [options]
 * @returns {import('./store.js').SupportStore}
 */
export function createRedisSupportStore(redis, options = {}) {
  const { prefix = 'cw:', now = Date.now, ...overrides } = options;
  const limits = { ...SUPPORT_LIMITS, ...overrides };
  const { client, subscriber, run } = redis;
  const iso = () => new Date(now()).toISOString();
  /** @param {string} script @param {Array<string | number>} args */
  const call = (script, args) => run(script, [], [prefix, ...args]);

  /** @type {Set<(event: Record<string, unknown>) => void>} */
  const consoleListeners = new Set();
  let consoleSubscribed = false;
  const consoleChannel = `${prefix}console`;

  return {
    async addLeftMessage(entry) {
      const record = newLeftMessage(entry, iso);
      await call(ADD_LEFT, [record.id, JSON.stringify(record), limits.maxLeftMessages]);
      return record;
    },

    async listLeftMessages({ includeResolved = false } = {}) {
      const ids = await client.zRange(`${prefix}lefto`, 0, -1, { REV: true });
      if (ids.length === 0) return [];
      const records = await client.hmGet(`${prefix}left`, ids);
      return records
        .filter((json) => typeof json === 'string')
        .map((json) => JSON.parse(String(json)))
        .filter((m) => includeResolved || !m.resolvedAt);
    },

    async resolveLeftMessage(id, agentId, time) {
      return (await call(RESOLVE_LEFT, [id, agentId, time])) === 1;
    },

    async attachAgent(agentId, socketId, ttlMs) {
      const key = `${prefix}ag:${agentId}`;
      await client
        .multi()
        .zAdd(key, { score: Date.now() + ttlMs, value: socketId })
        .pExpire(key, ttlMs * 2)
        .sAdd(`${prefix}agents`, agentId)
        .del(`${prefix}agg:${agentId}`)
        .exec();
    },

    async detachAgent(agentId, socketId, graceMs) {
      await call(DETACH_AGENT, [agentId, socketId, Date.now(), Math.max(1, graceMs)]);
    },

    async onlineAgents() {
      return new Set((await call(ONLINE_AGENTS, [Date.now()])).map(String));
    },

    async publishConsole(event) {
      await client.publish(consoleChannel, JSON.stringify(event));
    },

    async subscribeConsole(listener) {
      consoleListeners.add(listener);
      if (!consoleSubscribed) {
        consoleSubscribed = true;
        await subscriber.subscribe(consoleChannel, (message) => {
          let event;
          try {
            event = JSON.parse(message);
          } catch {
            return;
          }
          for (const l of consoleListeners) l(event);
        });
      }
      return async () => {
        consoleListeners.delete(listener);
      };
    },
  };
}
