// The in-memory store's own bounds, beyond the contract both stores share (stores/conversations.suite.js): an
// overall cap on conversations and users, and idle expiry on a clock the test moves.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMemoryConversationStore } from '../../server/conversations/store.memory.js';
import { ConversationsFull } from '../../server/conversations/store.js';

/** A clock the test moves by hand. */
function clock() {
  let time = Date.parse('2025-01-01T00:00:00Z');
  return { now: () => time, advance: (/** @type {number} */ ms) => (time += ms) };
}

/** A store of `max` conversations on a hand-moved clock; active means used within 1 s. */
function smallStore(/** @type {number} */ max) {
  const time = clock();
  const store = createMemoryConversationStore({
    maxConversations: max,
    activeProtectMs: 1000,
    now: time.now,
  });
  return { time, store };
}

test('past the overall cap the least recently used idle conversation goes', async () => {
  const { time, store } = smallStore(2);
  await store.ensureConversation('chat', 'one', 'a');
  await store.ensureConversation('chat', 'two', 'b');
  await store.appendMessage('chat', 'one', { id: 'm' }); // `two` is now the stalest
  time.advance(1001);
  await store.ensureConversation('chat', 'three', 'c');
  assert.ok(await store.getConversation('chat', 'one'));
  assert.equal(await store.getConversation('chat', 'two'), undefined);
  assert.deepEqual(await store.listConversations('chat', 'b'), []);
});

test('a full store of active conversations refuses a newcomer, and takes from its own share first', async () => {
  const { time, store } = smallStore(3);
  await store.ensureConversation('chat', 'victim', 'v');
  await store.ensureConversation('chat', 'flood-1', 'x');
  await store.ensureConversation('chat', 'flood-2', 'x');
  await assert.rejects(store.ensureConversation('chat', 'newcomer', 'n'), ConversationsFull);
  await store.ensureConversation('chat', 'flood-3', 'x');
  assert.ok(await store.getConversation('chat', 'victim'), 'the flood paid with its own');
  assert.equal(await store.getConversation('chat', 'flood-1'), undefined);
  time.advance(1001);
  await store.appendMessage('chat', 'victim', { id: 'm' });
  await store.ensureConversation('chat', 'newcomer', 'n');
  assert.ok(await store.getConversation('chat', 'victim'), 'still active');
  assert.equal(await store.getConversation('chat', 'flood-2'), undefined, 'idle, so it went');
});

test('idle conversations expire by the store clock; use keeps them alive', async () => {
  const time = clock();
  const store = createMemoryConversationStore({ idleTtlMs: 1000, now: time.now });
  await store.ensureConversation('thread', 'busy', 'a');
  await store.ensureConversation('thread', 'idle', 'a');
  time.advance(600);
  await store.appendMessage('thread', 'busy', { id: 'm' });
  time.advance(600);
  assert.ok(await store.getConversation('thread', 'busy'));
  assert.equal(await store.getConversation('thread', 'idle'), undefined);
  assert.deepEqual(
    (await store.listConversations('thread', 'a')).map((c) => c.id),
    ['busy'],
  );
});

test('markUserSeen is true once per user, and forgets the least recently seen past its cap', async () => {
  const store = createMemoryConversationStore({ maxUsers: 2 });
  assert.equal(await store.markUserSeen('a'), true);
  assert.equal(await store.markUserSeen('a'), false);
  assert.equal(await store.markUserSeen('b'), true);
  assert.equal(await store.markUserSeen('a'), false); // b is now the least recently seen
  assert.equal(await store.markUserSeen('c'), true);
  assert.equal(await store.markUserSeen('a'), false);
  assert.equal(await store.markUserSeen('b'), true, 'forgotten');
});
