// The conversations store's contract (server/conversations/store.js). One suite for both
// implementations: store-memory.test.js runs it in memory, store-redis.test.js on a real
// redis-server.
// The bounds the Redis store leaves to Redis itself (an overall cap on conversations and users,
// and a clock the test moves by hand) are memory-only, in memory-store.test.js.
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
export function conversationsSuite(name, make) {
  /** @param {string} title @param {(t: import('node:test').TestContext) => Promise<void>} fn */
  const it = (title, fn) => test(`${name}: ${title}`, fn);

  it('conversations are created once, owned, listed per kind and owner, and deleted', async (t) => {
    const { conversations: store } = await make(t);
    const first = await store.ensureConversation('chat', 'c1', 'alice', { title: 'Hi' });
    assert.equal(first.created, true);
    assert.equal(first.conversation.owner, 'alice');
    assert.deepEqual(first.conversation.data, { title: 'Hi' });
    const again = await store.ensureConversation('chat', 'c1', 'bob');
    assert.equal(again.created, false);
    assert.equal(again.conversation.owner, 'alice', 'the first owner stays');

    await store.ensureConversation('thread', 'c1', 'alice');
    await store.ensureConversation('chat', 'c2', 'alice');
    assert.deepEqual((await store.listConversations('chat', 'alice')).map((c) => c.id).sort(), [
      'c1',
      'c2',
    ]);
    assert.deepEqual(await store.listConversations('chat', 'bob'), []);

    assert.equal(await store.deleteConversation('chat', 'c1'), true);
    assert.equal(await store.deleteConversation('chat', 'c1'), false);
    assert.equal(await store.getConversation('chat', 'c1'), undefined);
    assert.ok(await store.getConversation('thread', 'c1'), 'kinds are separate');
    assert.equal(await store.appendMessage('chat', 'c1', { id: 'm' }), false);
  });
  it('a transcript past its byte budget loses its oldest messages and says so', async (t) => {
    const { conversations: store } = await make(t, {
      limits: { conversations: { maxBytesPerConversation: 1000 } },
    });
    await store.ensureConversation('chat', 'c', 'alice');
    const text = 'x'.repeat(280);
    for (let i = 0; i < 3; i++) await store.appendMessage('chat', 'c', { id: `m${i}`, text });
    assert.equal((await store.getConversation('chat', 'c'))?.truncated, undefined, 'within budget');
    for (let i = 3; i < 10; i++) await store.appendMessage('chat', 'c', { id: `m${i}`, text });
    const page = await store.listMessages('chat', 'c');
    assert.deepEqual(
      page?.messages.map((m) => m.id),
      ['m7', 'm8', 'm9'],
      'the newest that fit, in order',
    );
    assert.equal((await store.getConversation('chat', 'c'))?.truncated, true);
    await store.appendMessage('chat', 'c', { id: 'huge', text: 'y'.repeat(5000) });
    assert.deepEqual(
      (await store.listMessages('chat', 'c'))?.messages.map((m) => m.id),
      ['huge'],
      'the newest message stays, even alone past the budget',
    );
  });
  it('messages page in either order and are handed out as copies', async (t) => {
    const { conversations: store } = await make(t);
    await store.ensureConversation('chat', 'c', 'alice');
    for (const id of ['a', 'b', 'c']) {
      assert.equal(await store.appendMessage('chat', 'c', { id }), true);
    }
    const asc = await store.listMessages('chat', 'c', { offset: 1, limit: 5 });
    assert.deepEqual(asc, { messages: [{ id: 'b' }, { id: 'c' }], total: 3 });
    const desc = await store.listMessages('chat', 'c', { limit: 2, order: 'desc' });
    assert.deepEqual(desc?.messages, [{ id: 'c' }, { id: 'b' }]);

    /** @type {any} */ (desc?.messages[0]).id = 'changed';
    const conversation = await store.getConversation('chat', 'c');
    assert.equal(conversation?.message_count, 3);
    assert.ok(conversation?.last_message_at);
    const last = await store.listMessages('chat', 'c', { order: 'desc', limit: 1 });
    assert.deepEqual(last?.messages, [{ id: 'c' }]);
    assert.equal(await store.listMessages('chat', 'missing'), undefined);
  });
  it('a conversation keeps only its latest messages', async (t) => {
    const { conversations: store } = await make(t, {
      limits: { conversations: { maxMessagesPerConversation: 3 } },
    });
    await store.ensureConversation('room', 'r', 'alice');
    for (let i = 1; i <= 5; i++) await store.appendMessage('room', 'r', { id: `m${i}` });
    const page = await store.listMessages('room', 'r');
    assert.deepEqual(
      page?.messages.map((m) => m.id),
      ['m3', 'm4', 'm5'],
    );
    assert.equal(page?.total, 3);
  });
  it('a visitor past their cap loses their least recently used conversation, nobody else', async (t) => {
    const { conversations: store } = await make(t, {
      limits: { conversations: { maxConversationsPerOwner: 2 } },
    });
    await store.ensureConversation('chat', 'a1', 'alice');
    await store.ensureConversation('chat', 'b1', 'bob');
    await store.ensureConversation('chat', 'a2', 'alice');
    await store.getConversation('chat', 'a1'); // a2 is now alice's stalest
    await store.ensureConversation('chat', 'a3', 'alice');
    assert.ok(await store.getConversation('chat', 'a1'));
    assert.equal(await store.getConversation('chat', 'a2'), undefined);
    assert.ok(await store.getConversation('chat', 'a3'));
    assert.ok(await store.getConversation('chat', 'b1'));
  });
  it('idle conversations expire; use keeps them alive', async (t) => {
    const { conversations: store } = await make(t, {
      limits: { conversations: { idleTtlMs: 400 } },
    });
    await store.ensureConversation('thread', 'busy', 'a');
    await store.ensureConversation('thread', 'idle', 'a');
    await sleep(250);
    await store.appendMessage('thread', 'busy', { id: 'm' });
    await sleep(250);
    assert.ok(await store.getConversation('thread', 'busy'));
    assert.equal(await store.getConversation('thread', 'idle'), undefined);
    assert.deepEqual(
      (await store.listConversations('thread', 'a')).map((c) => c.id),
      ['busy'],
    );
  });
  it('markUserSeen is true once per user', async (t) => {
    const { conversations: store } = await make(t);
    assert.equal(await store.markUserSeen('a'), true);
    assert.equal(await store.markUserSeen('a'), false);
    assert.equal(await store.markUserSeen('b'), true);
  });
}
