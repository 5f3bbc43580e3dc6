/**
 * The two Redis connections a process keeps (commands, and one in subscriber mode, which can do
 * nothing else), their Lua scripts, and what `/readyz` asks.
 *
 * Commands fail at once while Redis is unreachable (no offline queue): a visitor's message must
 * be refused, and kept by their widget to send again, rather than acknowledged and lost when the
 * process dies before Redis comes back. The connections keep trying to reconnect by themselves;
 * the subscriber then subscribes again to its channels (node-redis does that) and the store tells
 * its listeners, who fill what they missed from the frame logs.
 */
import { createClient } from 'redis';
import { createHash } from 'node:crypto';

const MAX_RECONNECT_DELAY_MS = 1000;
const READY_TIMEOUT_MS = 1000;

/**
 * @param {string} url `redis://[[user]:password@]host[:port][/db]` or `rediss://` for TLS
 * @param {{ logger?: { error(...args: unknown[]): void, warn?(...args: unknown[]): void } }} [options]
 */
export async function connectRedis(url, { logger = console } = {}) {
  const options = {
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 2000,
      // Short and capped: a Redis back from a restart should be used again within a second.
      reconnectStrategy: (/** @type {number} */ retries) =>
        Math.min(50 * 2 ** Math.min(retries, 5), MAX_RECONNECT_DELAY_MS),
    },
  };
  const client = createClient(options);
  const subscriber = createClient(options);
  let lastLogged = 0;
  let down = false;
  /** @param {string} which @param {unknown} err */
  const onError = (which, err) => {
    down = true;
    // Once a few seconds is enough: a Redis that is down fails every retry the same way.
    if (Date.now() - lastLogged < 5000) return;
    lastLogged = Date.now();
    logger.error(`[redis] ${which} connection: ${err instanceof Error ? err.message : err}`);
  };
  client.on('error', (err) => onError('command', err));
  subscriber.on('error', (err) => onError('subscriber', err));
  client.on('ready', () => {
    if (down) (logger.warn ?? logger.error)('[redis] connected again');
    down = false;
  });

  /** @type {Set<() => void>} */
  const resubscribed = new Set();
  let subscriberReadyOnce = false;
  subscriber.on('ready', () => {
    if (subscriberReadyOnce) for (const listener of resubscribed) listener();
    subscriberReadyOnce = true;
  });

  await Promise.all([client.connect(), subscriber.connect()]);

  /** @type {Map<string, string>} script → sha1 */
  const shas = new Map();
  /**
   * Runs a Lua script by its hash, loading it when Redis does not know it (after a restart).
   * @param {string} script
   * @param {string[]} keys
   * @param {Array<string | number>} args
   * @returns {Promise<any>}
   */
  async function run(script, keys, args) {
    let sha = shas.get(script);
    if (!sha) {
      sha = createHash('sha1').update(script).digest('hex');
      shas.set(script, sha);
    }
    const options = { keys, arguments: args.map(String) };
    try {
      return await client.evalSha(sha, options);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return client.eval(script, options);
    }
  }

  return {
    client,
    subscriber,
    run,
    /** @param {() => void} listener */
    onResubscribed(listener) {
      resubscribed.add(listener);
      return () => resubscribed.delete(listener);
    },
    /** Both connections up and Redis answering. */
    async ready() {
      if (!client.isReady || !subscriber.isReady) return false;
      let timer;
      try {
        const answer = await Promise.race([
          client.ping(),
          new Promise((resolve) => {
            timer = setTimeout(resolve, READY_TIMEOUT_MS, 'timeout');
          }),
        ]);
        return answer === 'PONG';
      } catch {
        return false;
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      await Promise.allSettled([client.close(), subscriber.close()]);
    },
  };
}

/** @typedef {Awaited<ReturnType<typeof connectRedis>>} RedisConnection */

/**
 * HGETALL's answer to EVAL (a flat list) as an object.
 * @param {unknown} flat
 * @returns {Record<string, string>}
 */
export function pairs(flat) {
  /** @type {Record<string, string>} */
  const out = {};
  if (!Array.isArray(flat)) return out;
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = String(flat[i + 1]);
  return out;
}
