// The support store's contract (server/support/store.js). One suite for both
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
export function supportSuite(name, make) {
  /** @param {string} title @param {(t: import('node:test').TestContext) => Promise<void>} fn */
  const it = (title, fn) => test(`${name}: ${title}`, fn);

  it('left messages: newest first, capped, resolved once', async (t) => {
    const { support } = await make(t, { limits: { support: { maxLeftMessages: 2 } } });
    const one = await support.addLeftMessage({ conversationId: 'c', email: 'a@b.c', message: '1' });
    const two = await support.addLeftMessage({ conversationId: 'c', email: 'a@b.c', message: '2' });
    const three = await support.addLeftMessage({
      conversationId: 'c',
      email: 'a@b.c',
      message: '3',
    });
    assert.deepEqual(
      (await support.listLeftMessages()).map((m) => m.id),
      [three.id, two.id],
    );
    assert.ok(!(await support.listLeftMessages()).some((m) => m.id === one.id), 'the oldest went');
    assert.equal(await support.resolveLeftMessage(two.id, 'maya', 'T'), true);
    assert.equal(await support.resolveLeftMessage(two.id, 'maya', 'T'), false);
    assert.deepEqual(
      (await support.listLeftMessages()).map((m) => m.id),
      [three.id],
    );
    const resolved = (await support.listLeftMessages({ includeResolved: true })).find(
      (m) => m.id === two.id,
    );
    assert.equal(resolved?.resolvedBy, 'maya');
  });
  it('agents online: every console, then a grace period after the last', async (t) => {
    const { support } = await make(t);
    await support.attachAgent('maya', 'c1', 60_000);
    await support.attachAgent('maya', 'c2', 60_000);
    await support.attachAgent('sam', 'c3', 60_000);
    assert.deepEqual([...(await support.onlineAgents())].sort(), ['maya', 'sam']);
    await support.detachAgent('maya', 'c1', 100);
    await support.detachAgent('sam', 'c3', 100);
    assert.deepEqual([...(await support.onlineAgents())].sort(), ['maya', 'sam'], 'grace');
    await sleep(150);
    assert.deepEqual([...(await support.onlineAgents())], ['maya'], 'another console is open');
  });
  it('console events reach every subscriber', async (t) => {
    const { support } = await make(t);
    /** @type {any[]} */
    const heard = [];
    const stop = await support.subscribeConsole((event) => heard.push(event));
    await support.publishConsole({ type: 'inbox-changed' });
    for (let i = 0; i < 100 && heard.length < 1; i++) await sleep(10);
    assert.deepEqual(heard, [{ type: 'inbox-changed' }]);
    await stop();
  });
}
