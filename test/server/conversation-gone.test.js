// A conversation can go from under an open socket (evicted for another visitor, expired, a Redis
// that restarted without its data). The socket must not be stuck refusing every message: it moves
// to a fresh conversation, says so with `conversation-reset`, and answers the message that found
// the old one gone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Visitor, chat, startApp, types } from './helpers.js';

test('a socket whose conversation was evicted starts a fresh one and answers the message', async (t) => {
  // Room for one conversation, and none protected for being in use: the next visitor evicts it.
  const app = await startApp(t, {
    storeLimits: { stream: { maxConversations: 1, activeProtectMs: 0 } },
  });
  const alice = await new Visitor(app).connect();
  t.after(() => alice.client.close());
  const first = await chat(alice.client, 'hello', { clientMessageId: 'a1' });
  assert.equal(first.at(-1).type, 'stream-end');

  const bob = await new Visitor(app).connect();
  t.after(() => bob.client.close());
  const bobs = await chat(bob.client, 'me too', { clientMessageId: 'b1' });
  assert.equal(bobs.at(-1).type, 'stream-end');

  // Alice's conversation is gone now; her next message finds that out.
  const after = await chat(alice.client, 'still there?', { clientMessageId: 'a2' });
  const kinds = types(after);
  assert.ok(kinds.includes('conversation-reset'), kinds.join());
  assert.ok(
    after.some((f) => f.type === 'ack' && f.clientMessageId === 'a2'),
    `acknowledged: ${kinds.join()}`,
  );
  assert.equal(after.at(-1).type, 'stream-end', kinds.join());
  assert.ok(!after.some((f) => f.type === 'error'), kinds.join());
  // And the next message goes to the fresh conversation as usual.
  const again = await chat(alice.client, 'and now?', { clientMessageId: 'a3' });
  assert.deepEqual(
    types(again).filter((k) => k === 'conversation-reset'),
    [],
  );
  assert.equal(again.at(-1).type, 'stream-end');
});
