// The stream store's contract (server/stream/store.js). One suite for both
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
const iso = () => new Date().toISOString();

/**
 * @param {string} name
 * @param {Make} make
 */
export function streamSuite(name, make) {
  /** @param {string} title @param {(t: import('node:test').TestContext) => Promise<void>} fn */
  const it = (title, fn) => test(`${name}: ${title}`, fn);

  it('one conversation per visitor, its messages in order, flags and delivery', async (t) => {
    const { stream } = await make(t);
    const mine = await stream.conversationOf('v1');
    assert.equal((await stream.conversationOf('v1')).id, mine.id, 'the same one again');
    assert.notEqual((await stream.conversationOf('v2')).id, mine.id);
    assert.equal(mine.handoff, null);
    assert.equal(mine.messageCount, 0);

    const user = { messageId: 'u1', role: 'user', content: 'hello', timestamp: iso() };
    const agent = {
      messageId: 'a1',
      role: 'agent',
      content: 'hi',
      timestamp: iso(),
      agent: { id: 'maya', name: 'Maya' },
    };
    assert.equal(await stream.appendMessage(mine.id, /** @type {any} */ (user)), true);
    assert.equal(await stream.appendMessage(mine.id, /** @type {any} */ (agent)), true);
    assert.equal(await stream.appendMessage('conv_missing', /** @type {any} */ (user)), false);

    const conversation = await stream.getConversation(mine.id);
    assert.equal(conversation?.messageCount, 2);
    assert.equal(conversation?.lastVisitorMessage, 'hello');
    assert.deepEqual(
      (await stream.listMessages(mine.id))?.map((m) => m.messageId),
      ['u1', 'a1'],
    );
    assert.deepEqual(
      (await stream.listMessages(mine.id, { limit: 1 }))?.map((m) => m.messageId),
      ['a1'],
    );

    assert.equal(await stream.updateMessage(mine.id, 'u1', { unanswered: true }), true);
    assert.equal((await stream.listMessages(mine.id))?.[0]?.unanswered, true);
    assert.equal(await stream.updateMessage(mine.id, 'u1', { unanswered: false }), true);
    assert.equal((await stream.listMessages(mine.id))?.[0]?.unanswered, undefined);
    assert.equal(await stream.updateMessage(mine.id, 'nope', { unanswered: true }), false);

    const time = iso();
    assert.deepEqual(await stream.markDelivered(mine.id, time), ['a1']);
    assert.deepEqual(await stream.markDelivered(mine.id, time), [], 'once');
    assert.equal((await stream.listMessages(mine.id))?.[1]?.deliveredAt, time);
  });
  it('a conversation keeps its latest messages', async (t) => {
    const { stream } = await make(t, { limits: { stream: { maxMessagesPerConversation: 2 } } });
    const { id } = await stream.conversationOf('v');
    for (const n of [1, 2, 3]) {
      await stream.appendMessage(id, {
        messageId: `m${n}`,
        role: 'user',
        content: `${n}`,
        timestamp: iso(),
      });
    }
    assert.deepEqual(
      (await stream.listMessages(id))?.map((m) => m.messageId),
      ['m2', 'm3'],
    );
  });
  it('the handoff moves by compare-and-set: queue, take, transfer, release, requeue', async (t) => {
    const { stream } = await make(t);
    const a = (await stream.conversationOf('va')).id;
    const b = (await stream.conversationOf('vb')).id;
    const c = (await stream.conversationOf('vc')).id;

    assert.equal((await stream.take(a, 'maya', iso())).ok, false, 'nothing to take yet');
    assert.equal((await stream.enqueue(a, 'T1')).ok, true);
    assert.equal((await stream.enqueue(a, 'T1')).ok, false, 'already queued');
    assert.equal((await stream.enqueue(b, 'T2')).ok, true);
    assert.equal((await stream.enqueue(c, 'T3')).ok, true);
    assert.deepEqual(await stream.queue(), [a, b, c]);
    assert.equal((await stream.dequeue(c)).ok, true);
    assert.deepEqual(await stream.queue(), [a, b]);

    // Many agents at once: exactly one gets it.
    const tries = await Promise.all(
      ['maya', 'sam', 'lee', 'kim'].map((agent) => stream.take(a, agent, iso())),
    );
    assert.equal(tries.filter((r) => r.ok).length, 1);
    const winner = tries.find((r) => r.ok)?.conversation?.handoff?.agentId;
    assert.ok(winner);
    const held = await stream.getConversation(a);
    assert.equal(held?.handoff?.state, 'assigned');
    assert.equal(held?.handoff?.queuedAt, 'T1');
    assert.deepEqual(await stream.queue(), [b]);
    assert.deepEqual(
      (await stream.listConversations({ handoff: 'assigned' })).map((x) => x.id),
      [a],
    );

    assert.equal((await stream.transfer(a, 'nobody', 'sam', iso())).ok, false);
    const other = winner === 'sam' ? 'lee' : 'sam';
    assert.equal((await stream.transfer(a, winner, other, iso())).ok, true);
    assert.equal((await stream.getConversation(a))?.handoff?.agentId, other);

    // Requeued, the chat keeps the place its visitor had: before b, who asked later.
    assert.equal((await stream.requeue(a, winner)).ok, false, 'not theirs any more');
    assert.equal((await stream.requeue(a, other)).ok, true);
    assert.deepEqual(await stream.queue(), [a, b]);

    assert.equal((await stream.take(a, 'maya', iso())).ok, true);
    const closed = await stream.release(a, 'maya', { close: true, time: 'T9' });
    assert.equal(closed.ok, true);
    assert.equal(closed.conversation?.handoff, null);
    assert.equal(closed.conversation?.closedAt, 'T9');
    assert.equal((await stream.release(a, 'maya', { close: false, time: iso() })).ok, false);
    assert.deepEqual(await stream.listConversations({ handoff: 'assigned' }), []);
  });
  it('listing filters by handoff, messages and closing, newest first', async (t) => {
    const { stream } = await make(t);
    const quiet = (await stream.conversationOf('quiet')).id;
    const talked = (await stream.conversationOf('talked')).id;
    const waiting = (await stream.conversationOf('waiting')).id;
    await stream.appendMessage(talked, {
      messageId: 'x',
      role: 'user',
      content: 'hi',
      timestamp: new Date(Date.now() + 1000).toISOString(),
    });
    await stream.enqueue(waiting, iso());
    const none = (await stream.listConversations({ handoff: 'none' })).map((c) => c.id);
    assert.deepEqual(none, [talked], 'only conversations with a message');
    assert.ok(!none.includes(quiet));
    const queued = await stream.listConversations({ handoff: 'queued' });
    assert.deepEqual(
      queued.map((c) => c.id),
      [waiting],
    );
    const all = (await stream.listConversations()).map((c) => c.id);
    assert.equal(all[0], talked, 'newest first');
    const [listed] = await stream.listConversations({ handoff: 'none' });
    assert.equal(listed?.lastVisitorMessage, 'hi');
    assert.equal(listed?.messageCount, 1);

    // A conversation with messages is left out while in a handoff, and back once it ends.
    await stream.enqueue(talked, iso());
    assert.deepEqual(await stream.listConversations({ handoff: 'none' }), []);
    await stream.dequeue(talked);
    assert.deepEqual(
      (await stream.listConversations({ handoff: 'none' })).map((c) => c.id),
      [talked],
    );
    assert.equal(all.length, 3);
    assert.equal((await stream.listConversations({ limit: 1 })).length, 1);
  });

  // The inbox reads these listings; Redis reads them a slice of conversations per call.
  it('listings keep text as written', async (t) => {
    const { stream } = await make(t);
    const id = (await stream.conversationOf('writer')).id;
    const content = 'Grüße, "quoted" \\ a/b\nnew line 👋 \u2028 <b>';
    const timestamp = iso();
    await stream.appendMessage(id, { messageId: 'w', role: 'user', content, timestamp });
    const [listed] = await stream.listConversations({ handoff: 'none' });
    assert.equal(listed?.lastVisitorMessage, content);
    assert.equal(listed?.lastVisitorMessageAt, timestamp);
    assert.deepEqual(listed, await stream.getConversation(id), 'as a single read has it');
  });
  it('long listings: every conversation, the queue in asking order', async (t) => {
    const { stream } = await make(t);
    const ids = [];
    for (let i = 0; i < 450; i++) ids.push((await stream.conversationOf(`many-${i}`)).id);
    const asking = ids.slice(0, 430);
    for (const id of asking) await stream.enqueue(id, iso());
    await stream.take(/** @type {string} */ (asking[0]), 'maya', iso());

    const waiting = asking.slice(1);
    assert.deepEqual(await stream.queue(), waiting);
    const queued = (await stream.listConversations({ handoff: 'queued' })).map((c) => c.id);
    assert.deepEqual(queued.sort(), [...waiting].sort());
    assert.equal((await stream.listConversations()).length, 450);
    assert.deepEqual(
      (await stream.listConversations({ handoff: 'assigned' })).map((c) => c.id),
      [asking[0]],
    );
  });
  it('published frames get 1, 2, 3…, reach subscribers in order and replay exactly', async (t) => {
    const { stream } = await make(t);
    const { id } = await stream.conversationOf('v');
    /** @type {any[]} */
    const heard = [];
    const unsubscribe = await stream.subscribe(id, (entry) => heard.push(entry));
    assert.equal(await stream.lastSeq(id), 0);
    assert.equal(await stream.publish(id, { type: 'a' }), 1);
    assert.equal(await stream.publish(id, { type: 'b' }, { except: 's1' }), 2);
    assert.equal(await stream.publish(id, { type: 'c' }, { to: 's2' }), 3);
    assert.equal(await stream.publish('conv_missing', { type: 'x' }), undefined);
    for (let i = 0; i < 100 && heard.length < 3; i++) await sleep(10);
    assert.deepEqual(heard, [
      { seq: 1, frame: { type: 'a' } },
      { seq: 2, frame: { type: 'b' }, except: 's1' },
      { seq: 3, frame: { type: 'c' }, to: 's2' },
    ]);
    await unsubscribe();
    await stream.publish(id, { type: 'd' });
    await sleep(50);
    assert.equal(heard.length, 3, 'nothing after unsubscribing');

    assert.equal(await stream.lastSeq(id), 4);
    const after1 = await stream.framesAfter(id, 1);
    assert.equal(after1.complete, true);
    assert.deepEqual(
      after1.frames.map((f) => [f.seq, f.frame.type]),
      [
        [2, 'b'],
        [3, 'c'],
        [4, 'd'],
      ],
    );
    assert.deepEqual(await stream.framesAfter(id, 4), { frames: [], complete: true });
    assert.equal((await stream.framesAfter(id, 9)).complete, false, 'from the future');
  });
  it('a seq older than the log keeps is incomplete: the client needs a sync', async (t) => {
    const { stream } = await make(t, { limits: { stream: { maxFramesPerConversation: 3 } } });
    const { id } = await stream.conversationOf('v');
    // Redis trims approximately (whole nodes of the stream), so publish well past the cap.
    for (let i = 1; i <= 400; i++) await stream.publish(id, { type: 'x', n: i });
    assert.equal((await stream.framesAfter(id, 0)).complete, false);
    const recent = await stream.framesAfter(id, 398);
    assert.equal(recent.complete, true);
    assert.deepEqual(
      recent.frames.map((f) => f.seq),
      [399, 400],
    );
  });
  it('a message and its frame are one step; the snapshot says where it stands', async (t) => {
    const { stream } = await make(t);
    const { id } = await stream.conversationOf('v');
    const message = { messageId: 'u1', role: 'user', content: 'hi', timestamp: iso() };
    const seq = await stream.publish(
      id,
      { type: 'user-message', messageId: 'u1' },
      { message: /** @type {any} */ (message), except: 'sock' },
    );
    assert.equal(seq, 1);
    const snapshot = await stream.snapshot(id);
    assert.equal(snapshot?.seq, 1);
    assert.deepEqual(
      snapshot?.messages.map((m) => m.messageId),
      ['u1'],
    );
    assert.equal(snapshot?.reply, null);
    assert.equal(snapshot?.conversation.lastVisitorMessage, 'hi');
    assert.equal(await stream.snapshot('conv_missing'), undefined);
  });
  it('a reply starts, grows and ends with its frames; a stale step is refused', async (t) => {
    const { stream } = await make(t);
    const { id } = await stream.conversationOf('v');
    const start = { op: 'start', messageId: 'r1', questionId: 'q1', timestamp: iso() };
    assert.ok(
      await stream.publish(id, { type: 'stream-start' }, { reply: /** @type {any} */ (start) }),
    );
    assert.equal(
      await stream.publish(id, { type: 'stream-start' }, { reply: /** @type {any} */ (start) }),
      undefined,
      'one reply at a time',
    );
    for (const token of ['Hel', 'lo']) {
      await stream.publish(
        id,
        { type: 'stream-token', token },
        { reply: { op: 'token', messageId: 'r1', token } },
      );
    }
    const midway = await stream.snapshot(id);
    assert.deepEqual(midway?.reply && { ...midway.reply }, {
      messageId: 'r1',
      questionId: 'q1',
      text: 'Hello',
      timestamp: start.timestamp,
    });
    assert.equal(
      await stream.publish(
        id,
        { type: 'stream-token' },
        { reply: { op: 'token', messageId: 'other', token: 'x' } },
      ),
      undefined,
      'a step for another reply',
    );
    const seq = await stream.publish(
      id,
      { type: 'stream-end', messageId: 'r1', interrupted: true },
      { reply: { op: 'end', messageId: 'r1', interrupted: true } },
    );
    assert.equal(seq, 4);
    const after = await stream.snapshot(id);
    assert.equal(after?.reply, null);
    assert.deepEqual(after?.messages.at(-1), {
      messageId: 'r1',
      role: 'assistant',
      content: 'Hello',
      timestamp: start.timestamp,
      replyTo: 'q1',
      interrupted: true,
    });
    assert.equal(
      await stream.publish(id, { type: 'x' }, { reply: { op: 'end', messageId: 'r1' } }),
      undefined,
      'ended once',
    );
    await stream.publish(id, { type: 's' }, { reply: { ...start, messageId: 'r2' } });
    await stream.publish(id, { type: 'e' }, { reply: { op: 'abort', messageId: 'r2' } });
    const aborted = await stream.snapshot(id);
    assert.equal(aborted?.reply, null);
    assert.equal(aborted?.messages.at(-1)?.messageId, 'r1', 'an aborted reply is not kept');
  });
  it('jobs wait in order, up to a limit; one worker holds a lease that lapses', async (t) => {
    const { stream } = await make(t);
    const { id } = await stream.conversationOf('v');
    assert.equal(await stream.addJob(id, 'q1', 2), true);
    assert.equal(await stream.addJob(id, 'q2', 2), true);
    assert.equal(await stream.addJob(id, 'q3', 2), false, 'full');
    assert.deepEqual(await stream.jobs(id), ['q1', 'q2']);
    assert.equal(await stream.removeJob(id, 'q1'), true);
    assert.equal(await stream.removeJob(id, 'q1'), false);
    assert.deepEqual(await stream.clearJobs(id), ['q2']);
    assert.deepEqual(await stream.jobs(id), []);

    const claims = await Promise.all(['A', 'B', 'C'].map((p) => stream.claimWorker(id, p, 200)));
    assert.equal(claims.filter(Boolean).length, 1, 'one worker');
    const owner = ['A', 'B', 'C'][claims.indexOf(true)] ?? '';
    const other = owner === 'A' ? 'B' : 'A';
    assert.equal(await stream.claimWorker(id, owner, 200), true, 'renewed by its owner');
    assert.deepEqual(await stream.expiredWorkers(Date.now()), []);
    await sleep(250);
    assert.deepEqual(await stream.expiredWorkers(Date.now()), [id]);
    assert.equal(await stream.claimWorker(id, other, 5000), true, 'taken over once it lapsed');
    assert.equal(await stream.claimWorker(id, owner, 200), false);
    assert.equal(await stream.releaseWorker(id, owner), false);
    assert.equal(await stream.expireWorker(id, other), true, 'handed over at once');
    assert.deepEqual(await stream.expiredWorkers(Date.now()), [id]);
    assert.equal(await stream.claimWorker(id, owner, 5000), true);
    assert.equal(await stream.releaseWorker(id, owner), true);
    assert.deepEqual(await stream.expiredWorkers(Date.now()), []);
  });
  it('visitor sockets count while open and renewed', async (t) => {
    const { stream } = await make(t);
    const { id } = await stream.conversationOf('v');
    await stream.attachVisitor(id, 's1', 60_000);
    await stream.attachVisitor(id, 's2', 100);
    assert.equal(await stream.attachedVisitors(id), 2);
    await stream.detachVisitor(id, 's1');
    await sleep(150);
    assert.equal(await stream.attachedVisitors(id), 0, 'a socket not renewed has expired');
  });
}
