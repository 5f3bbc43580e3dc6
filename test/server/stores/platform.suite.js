// The platform store's contract (server/platform/store.js): de-duplication, rate-limit
// counters, channels between processes; and the composed store's readiness. One suite for both
// implementations: store-memory.test.js runs it in memory, store-redis.test.js on a real
// redis-server.
import assert from 'node:assert/strict';
import { test } from 'node:test';

/**
 * @typedef {import('../../../server/store/index.js').Store} Store
 * @typedef {{ limits?: import('../../../server/store/index.js').StoreLimits, dedupeTtlMs?: number }} MakeOptions
 * @typedef {(t: import('node:test').TestContext, options?: MakeOptions) => Promise<Store>} Make
 */

const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

/**
 * @param {string} name
 * @param {Make} make
 */
export function platformSuite(name, make) {
  /** @param {string} title @param {(t: import('node:test').TestContext) => Promise<void>} fn */
  const it = (title, fn) => test(`${name}: ${title}`, fn);

  it('channel payloads reach every subscriber of that channel only, until they unsubscribe', async (t) => {
    const { channels } = await make(t);
    /** @type {any[]} */
    const first = [];
    /** @type {any[]} */
    const second = [];
    /** @type {any[]} */
    const other = [];
    const stopFirst = await channels.subscribeChannel('rooms:r1', (p) => first.push(p));
    const stopSecond = await channels.subscribeChannel('rooms:r1', (p) => second.push(p));
    const stopOther = await channels.subscribeChannel('rooms:r2', (p) => other.push(p));
    await channels.publishChannel('rooms:r1', { frame: { type: 'typing' }, origin: 'a' });
    for (let i = 0; i < 100 && (first.length < 1 || second.length < 1); i++) await sleep(10);
    assert.deepEqual(first, [{ frame: { type: 'typing' }, origin: 'a' }]);
    assert.deepEqual(second, first);
    await stopFirst();
    await channels.publishChannel('rooms:r1', { n: 2 });
    await channels.publishChannel('rooms:r2', { n: 3 });
    for (let i = 0; i < 100 && (second.length < 2 || other.length < 1); i++) await sleep(10);
    assert.deepEqual(second.at(-1), { n: 2 });
    assert.equal(first.length, 1, 'unsubscribed');
    assert.deepEqual(other, [{ n: 3 }], 'channels are separate');
    await stopSecond();
    await stopOther();
    await channels.publishChannel('rooms:r1', { n: 4 }); // nobody listens: no error
  });
  it('recent ids are remembered for their time, as copies', async (t) => {
    const { recent } = await make(t, { dedupeTtlMs: 500 });
    await recent.set('v\nid1', { messageId: 'm1' });
    const value = await recent.get('v\nid1');
    assert.deepEqual(value, { messageId: 'm1' });
    value.messageId = 'changed';
    assert.deepEqual(await recent.get('v\nid1'), { messageId: 'm1' });
    assert.equal(await recent.get('v\nother'), undefined);
    await sleep(550);
    assert.equal(await recent.get('v\nid1'), undefined);
  });
  it('a limiter counts per key within a window', async (t) => {
    const store = await make(t);
    const limiter = store.limiter('test', { limit: 2, windowMs: 200 });
    assert.equal(await limiter.exceeded('a'), false);
    assert.equal((await limiter.take('a')).allowed, true);
    const second = await limiter.take('a');
    assert.equal(second.allowed, true);
    assert.equal(second.remaining, 0);
    assert.ok(second.resetAt > Date.now());
    assert.equal((await limiter.take('a')).allowed, false);
    assert.equal(await limiter.exceeded('a'), true);
    assert.equal((await limiter.take('b')).allowed, true, 'per key');
    await sleep(250);
    assert.equal((await limiter.take('a')).allowed, true, 'a new window');
  });
  it('ready while usable', async (t) => {
    const store = await make(t);
    assert.equal(await store.ready(), true);
  });
}
