// The agent sessions store's contract (server/support/agents/store.js). One suite for both
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
export function sessionsSuite(name, make) {
  /** @param {string} title @param {(t: import('node:test').TestContext) => Promise<void>} fn */
  const it = (title, fn) => test(`${name}: ${title}`, fn);

  it('sessions expire and sign-in links work once', async (t) => {
    const { sessions } = await make(t);
    await sessions.createSession('h1', 'maya', Date.now() + 60_000);
    await sessions.createSession('h2', 'sam', Date.now() + 150);
    assert.equal((await sessions.getSession('h1'))?.agentId, 'maya');
    assert.equal((await sessions.getSession('h2'))?.agentId, 'sam');
    await sleep(200);
    assert.equal(await sessions.getSession('h2'), undefined);
    await sessions.deleteSession('h1');
    assert.equal(await sessions.getSession('h1'), undefined);

    await sessions.createLoginToken('l1', 'maya', Date.now() + 60_000);
    assert.equal(await sessions.consumeLoginToken('l1'), 'maya');
    assert.equal(await sessions.consumeLoginToken('l1'), undefined);
  });
}
