// A resent message answered twice: the server-wide list of recent client message ids, which
// other visitors can flush (memory: a count cap) or which simply forgets (its expiry), was the
// only record of which ids a visitor had sent.
import assert from 'node:assert/strict';
import { extendedSocket } from '../server/handoff-helpers.js';
import { Visitor, chat, types } from '../server/helpers.js';
import { attack, report } from './harness.js';

attack(
  'a resend after the recent-id list forgot it is still not answered twice',
  async (t, start) => {
    const app = await start({ dedupeMaxEntries: 5, dedupeTtlMs: 1 });
    const victim = new Visitor(app);
    const { client } = await extendedSocket(victim);
    const first = await chat(client, 'hello', { clientMessageId: 'victim-1' });
    assert.ok(types(first).includes('stream-end'), 'answered once');

    for (let i = 0; i < 10; i++) {
      const { client: other } = await extendedSocket(new Visitor(app));
      await chat(other, 'flush', { clientMessageId: `other-${i}` });
      await other.close();
    }

    client.send({ type: 'chat', content: 'hello', clientMessageId: 'victim-1' });
    const again = await client.drainWithPing();
    report(
      t,
      `resend after 10 other visitors' messages (list of 5, 1 ms): ${types(again).join(', ')}`,
    );
    assert.deepEqual(types(again), ['ack', 'pong'], 'acknowledged again, not answered again');
    assert.equal(again[0].messageId, first.find((f) => f.type === 'ack')?.messageId);
    await client.close();
  },
);
