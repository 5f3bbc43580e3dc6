// The abuse suite's harness: each attack runs against an app on the memory store and on a real
// Redis (one redis-server for the whole file, a key prefix per app), on 127.0.0.1 only, and
// reports what the limit held with `report`, so a run shows the numbers, not only "ok".
import { after, before, test } from 'node:test';
import { startRedis } from '../server/redis-harness.js';
import { startApp } from '../server/helpers.js';

/** @type {import('../server/redis-harness.js').TestRedis | undefined} */
let redis;
let started = false;
let prefixes = 0;

/**
 * Declares `name` twice, on memory and on Redis. `start` gives an app on that store.
 * @param {string} name
 * @param {(t: import('node:test').TestContext, start: (options?: import('../../server/app.js').AppOptions) => ReturnType<typeof startApp>, kind: 'memory' | 'redis') => Promise<void>} body
 */
export function attack(name, body) {
  if (!started) {
    started = true;
    before(async () => {
      redis = await startRedis();
    });
    after(async () => {
      await redis?.close();
    });
  }
  test(`${name} (memory)`, (t) => body(t, (options = {}) => startApp(t, options), 'memory'));
  test(`${name} (redis)`, (t) =>
    body(
      t,
      (options = {}) =>
        startApp(t, {
          redisUrl: /** @type {NonNullable<typeof redis>} */ (redis).url,
          redisPrefix: `abuse${++prefixes}:`,
          ...options,
        }),
      'redis',
    ));
}

/** What a limit held, printed with the test's name. @param {import('node:test').TestContext} t @param {string} what */
export function report(t, what) {
  t.diagnostic(what);
  console.log(`  [${t.name}] ${what}`);
}

/** @param {number[]} statuses @returns {string} e.g. "401×10 429×30" */
export function tally(statuses) {
  /** @type {Map<number, number>} */
  const counts = new Map();
  for (const s of statuses) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => a - b)
    .map(([s, n]) => `${s}×${n}`)
    .join(' ');
}

/** The suite's Redis, once `attack` has started it (inside a test). */
export function redisUrl() {
  if (!redis) throw new Error('no Redis: call redisUrl() inside an attack');
  return redis.url;
}
