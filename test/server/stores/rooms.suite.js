// The room presence store's contract (server/rooms/store.js). One suite for both
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
export function roomsSuite(name, make) {
  /** @param {string} title @param {(t: import('node:test').TestContext) => Promise<void>} fn */
  const it = (title, fn) => test(`${name}: ${title}`, fn);

  it('room presence: first and last socket of a user, arrival order, expiry', async (t) => {
    const { rooms } = await make(t);
    assert.equal(await rooms.joinRoom('r', 'alice', 's1', 10_000), true);
    assert.equal(await rooms.joinRoom('r', 'bob', 's2', 300), true);
    assert.equal(await rooms.joinRoom('r', 'alice', 's3', 10_000), false, 'a second tab');
    assert.equal(await rooms.joinRoom('r', 'alice', 's1', 10_000), false, 'a renewal');
    assert.deepEqual(await rooms.roomPresence('r'), ['alice', 'bob']);
    assert.deepEqual(await rooms.roomPresence('other'), []);
    assert.equal(await rooms.leaveRoom('r', 's1'), undefined, 'alice has another socket');
    assert.deepEqual(await rooms.roomPresence('r'), ['bob', 'alice']);
    assert.equal(await rooms.leaveRoom('r', 's3'), 'alice');
    assert.equal(await rooms.leaveRoom('r', 's3'), undefined, 'once');
    assert.deepEqual(await rooms.roomPresence('r'), ['bob']);
    await sleep(350);
    assert.deepEqual(await rooms.roomPresence('r'), [], 'bob was not renewed');
    assert.equal(await rooms.joinRoom('r', 'bob', 's2', 300), true, 'back after expiry');
  });
}
