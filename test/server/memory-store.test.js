// The in-memory store behind events, rooms and threads: what it keeps, and its bounds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMemoryStore } from '../../server/store/memory-store.js';

/** A clock the test moves by hand. */
function clock() {
  let time = Date.parse('2025-01-01T00:00:00Z');
  return { now: () => time, advance: (/** @type {number} */ ms) => (time += ms) };
}

test('conversations are created once, owned, listed per kind and owner, and deleted', async () => {
  const store = createMemoryStore();
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

test('messages page in either order and are handed out as copies', async () => {
  const store = createMemoryStore();
  await store.ensureConversation('chat', 'c', 'alice');
  for (const id of ['a', 'b', 'c'])
    assert.equal(await store.appendMessage('chat', 'c', { id }), true);
  const asc = await store.listMessages('chat', 'c', { offset: 1, limit: 5 });
  assert.deepEqual(asc, { messages: [{ id: 'b' }, { id: 'c' }], total: 3 });
  const desc = await store.listMessages('chat', 'c', { limit: 2, order: 'desc' });
  assert.deepEqual(desc?.messages, [{ id: 'c' }, { id: 'b' }]);

  /** @type {any} */ (desc?.messages[0]).id = 'changed';
  const conversation = await store.getConversation('chat', 'c');
  assert.equal(conversation?.message_count, 3);
  assert.ok(conversation?.last_message_at);
  assert.deepEqual((await store.listMessages('chat', 'c', { order: 'desc', limit: 1 }))?.messages, [
    { id: 'c' },
  ]);
  assert.equal(await store.listMessages('chat', 'missing'), undefined);
});

test('a conversation keeps only its latest messages', async () => {
  const store = createMemoryStore({ maxMessagesPerConversation: 3 });
  await store.ensureConversation('room', 'r', 'alice');
  for (let i = 1; i <= 5; i++) await store.appendMessage('room', 'r', { id: `m${i}` });
  const page = await store.listMessages('room', 'r');
  assert.deepEqual(
    page?.messages.map((m) => m.id),
    ['m3', 'm4', 'm5'],
  );
  assert.equal(page?.total, 3);
});

test('a visitor past their cap loses their least recently used conversation, nobody else', async () => {
  const store = createMemoryStore({ maxConversationsPerOwner: 2 });
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

test('past the overall cap the least recently used conversation goes', async () => {
  const store = createMemoryStore({ maxConversations: 2 });
  await store.ensureConversation('chat', 'one', 'a');
  await store.ensureConversation('chat', 'two', 'b');
  await store.appendMessage('chat', 'one', { id: 'm' }); // `two` is now the stalest
  await store.ensureConversation('chat', 'three', 'c');
  assert.ok(await store.getConversation('chat', 'one'));
  assert.equal(await store.getConversation('chat', 'two'), undefined);
  assert.deepEqual(await store.listConversations('chat', 'b'), []);
});

test('idle conversations expire; use keeps them alive', async () => {
  const time = clock();
  const store = createMemoryStore({ idleTtlMs: 1000, now: time.now });
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
  const store = createMemoryStore({ maxUsers: 2 });
  assert.equal(await store.markUserSeen('a'), true);
  assert.equal(await store.markUserSeen('a'), false);
  assert.equal(await store.markUserSeen('b'), true);
  assert.equal(await store.markUserSeen('a'), false); // b is now the least recently seen
  assert.equal(await store.markUserSeen('c'), true);
  assert.equal(await store.markUserSeen('a'), false);
  assert.equal(await store.markUserSeen('b'), true, 'forgotten');
});
