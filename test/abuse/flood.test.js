// Wiping everyone's conversations: fresh visitors filling the store until a victim's chat is
// evicted, and one conversation grown to megabytes. Small caps keep the floods short; the rule
// they test is the same at the defaults.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extendedSocket } from '../server/handoff-helpers.js';
import { Visitor, api, chat } from '../server/helpers.js';
import { createStore } from '../../server/store/index.js';
import { attack, redisUrl, report, tally } from './harness.js';

const STORE = { maxConversations: 20, activeProtectMs: 5 * 60_000 };

test('fresh visitors opening events chats do not evict an active victim (memory)', async (t) => {
  const { startApp } = await import('../server/helpers.js');
  const app = await startApp(t, {
    newVisitorLimit: 1000,
    storeLimits: { conversations: STORE },
  });
  const victim = new Visitor(app);
  const { body: token } = await victim.fetchToken();
  const created = await api(app, 'POST', '/api/v1/chats/', {
    key: token.token,
    body: { user_id: token.user_id },
  });
  assert.equal(created.status, 201);

  const statuses = [];
  for (let i = 0; i < 10; i++) {
    const { body } = await new Visitor(app).fetchToken();
    for (let j = 0; j < 5; j++) {
      const res = await api(app, 'POST', '/api/v1/chats/', {
        key: body.token,
        body: { user_id: body.user_id },
      });
      statuses.push(res.status);
    }
  }
  const still = await api(app, 'GET', `/api/v1/chats/${created.body.id}`, { key: token.token });
  report(
    t,
    `10 fresh visitors × 5 chats into a store of 20: ${tally(statuses)}; the victim's chat: ${still.status}`,
  );
  assert.equal(still.status, 200, 'the victim keeps their chat');
  assert.ok(statuses.includes(503), 'the flood was refused once only active chats were left');
  const { body: late } = await new Visitor(app).fetchToken();
  const refused = await api(app, 'POST', '/api/v1/chats/', {
    key: late.token,
    body: { user_id: late.user_id },
  });
  assert.equal(refused.status, 503);
  assert.equal(refused.headers.get('retry-after'), '60');
  assert.match(refused.body.detail, /full/);
});

test('fresh stream visitors do not empty an active victim’s sync (memory)', async (t) => {
  const { startApp } = await import('../server/helpers.js');
  const app = await startApp(t, {
    newVisitorLimit: 1000,
    storeLimits: { stream: { maxConversations: 5 } },
  });
  const victim = new Visitor(app);
  const first = await extendedSocket(victim);
  await chat(first.client, 'remember this', { clientMessageId: 'v-1' });
  await first.client.close();
  for (let i = 0; i < 30; i++) {
    const { client } = await extendedSocket(new Visitor(app));
    await client.close();
  }
  const { client, sync } = await extendedSocket(victim);
  const kept = sync.messages.filter(
    (/** @type {{ content: string }} */ m) => m.content === 'remember this',
  );
  report(
    t,
    `30 fresh stream visitors into a store of 5: the victim's sync has ${sync.messages.length} messages`,
  );
  assert.equal(kept.length, 1);
  await client.close();
});

attack(
  'a conversation of 500 messages × 2,000 characters is kept within its byte budget',
  async (t, _start, kind) => {
    const budget = 256 * 1024;
    const store = await createStore({
      ...(kind === 'redis' ? { redisUrl: redisUrl(), prefix: `bytes${Date.now()}:` } : {}),
      logger: { error() {}, warn() {} },
    });
    t.after(() => store.close());
    const conversations = store.conversations;
    await conversations.ensureConversation('chat', 'big', 'abuser');
    const content = 'x'.repeat(2000);
    for (let i = 0; i < 500; i++) {
      await conversations.appendMessage('chat', 'big', { id: `m${i}`, role: 'user', content });
    }
    const page = await conversations.listMessages('chat', 'big');
    const bytes = Buffer.byteLength(JSON.stringify(page?.messages));
    const chat = await conversations.getConversation('chat', 'big');
    report(
      t,
      `500 × 2,000 characters sent (~${Math.round((500 * 2040) / 1024)} KiB): ${page?.total} kept, ${Math.round(bytes / 1024)} KiB, truncated: ${chat?.truncated}`,
    );
    assert.ok(bytes <= budget, `${bytes} bytes kept`);
    assert.equal(chat?.truncated, true);
    assert.equal(page?.messages.at(-1)?.id, 'm499', 'the newest are the ones kept');
  },
);
