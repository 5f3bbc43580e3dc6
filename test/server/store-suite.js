// The store's contract, one suite for both implementations: store-memory.test.js runs it on the
// in-memory store, store-redis.test.js on Redis (a real redis-server). Only the bounds that the
// Redis store leaves to Redis itself (an overall cap on conversations and users, and a clock
// the test moves by hand) are memory-only, in memory-store.test.js.
import assert from 'node:assert/strict';
import { test } from 'node:test';

/**
 * @typedef {import('../../server/store/index.js').Store} Store
 * @typedef {{ conversationLimits?: Record<string, number>, supportLimits?: Record<string, number>, dedupeTtlMs?: number }} MakeOptions
 */

const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));
const iso = () => new Date().toISOString();

/**
 * @param {string} name
 * @param {(t: import('node:test').TestContext, options?: MakeOptions) => Promise<Store>} make
 */
export function storeSuite(name, make) {
  /** @param {string} title @param {(t: import('node:test').TestContext) => Promise<void>} fn */
  const it = (title, fn) => test(`${name}: ${title}`, fn);

  // --- events, rooms, threads ------------------------------------------------------------

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
      conversationLimits: { maxMessagesPerConversation: 3 },
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
      conversationLimits: { maxConversationsPerOwner: 2 },
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
    const { conversations: store } = await make(t, { conversationLimits: { idleTtlMs: 400 } });
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

  // --- stream conversations ----------------------------------------------------------------

  it('one conversation per visitor, its messages in order, flags and delivery', async (t) => {
    const { support } = await make(t);
    const mine = await support.conversationOf('v1');
    assert.equal((await support.conversationOf('v1')).id, mine.id, 'the same one again');
    assert.notEqual((await support.conversationOf('v2')).id, mine.id);
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
    assert.equal(await support.appendMessage(mine.id, /** @type {any} */ (user)), true);
    assert.equal(await support.appendMessage(mine.id, /** @type {any} */ (agent)), true);
    assert.equal(await support.appendMessage('conv_missing', /** @type {any} */ (user)), false);

    const conversation = await support.getConversation(mine.id);
    assert.equal(conversation?.messageCount, 2);
    assert.equal(conversation?.lastVisitorMessage, 'hello');
    assert.deepEqual(
      (await support.listMessages(mine.id))?.map((m) => m.messageId),
      ['u1', 'a1'],
    );
    assert.deepEqual(
      (await support.listMessages(mine.id, { limit: 1 }))?.map((m) => m.messageId),
      ['a1'],
    );

    assert.equal(await support.updateMessage(mine.id, 'u1', { unanswered: true }), true);
    assert.equal((await support.listMessages(mine.id))?.[0]?.unanswered, true);
    assert.equal(await support.updateMessage(mine.id, 'u1', { unanswered: false }), true);
    assert.equal((await support.listMessages(mine.id))?.[0]?.unanswered, undefined);
    assert.equal(await support.updateMessage(mine.id, 'nope', { unanswered: true }), false);

    const time = iso();
    assert.deepEqual(await support.markDelivered(mine.id, time), ['a1']);
    assert.deepEqual(await support.markDelivered(mine.id, time), [], 'once');
    assert.equal((await support.listMessages(mine.id))?.[1]?.deliveredAt, time);
  });

  it('a conversation keeps its latest messages', async (t) => {
    const { support } = await make(t, { supportLimits: { maxMessagesPerConversation: 2 } });
    const { id } = await support.conversationOf('v');
    for (const n of [1, 2, 3]) {
      await support.appendMessage(id, {
        messageId: `m${n}`,
        role: 'user',
        content: `${n}`,
        timestamp: iso(),
      });
    }
    assert.deepEqual(
      (await support.listMessages(id))?.map((m) => m.messageId),
      ['m2', 'm3'],
    );
  });

  it('the handoff moves by compare-and-set: queue, take, transfer, release, requeue', async (t) => {
    const { support } = await make(t);
    const a = (await support.conversationOf('va')).id;
    const b = (await support.conversationOf('vb')).id;
    const c = (await support.conversationOf('vc')).id;

    assert.equal((await support.take(a, 'maya', iso())).ok, false, 'nothing to take yet');
    assert.equal((await support.enqueue(a, 'T1')).ok, true);
    assert.equal((await support.enqueue(a, 'T1')).ok, false, 'already queued');
    assert.equal((await support.enqueue(b, 'T2')).ok, true);
    assert.equal((await support.enqueue(c, 'T3')).ok, true);
    assert.deepEqual(await support.queue(), [a, b, c]);
    assert.equal((await support.dequeue(c)).ok, true);
    assert.deepEqual(await support.queue(), [a, b]);

    // Many agents at once: exactly one gets it.
    const tries = await Promise.all(
      ['maya', 'sam', 'lee', 'kim'].map((agent) => support.take(a, agent, iso())),
    );
    assert.equal(tries.filter((r) => r.ok).length, 1);
    const winner = tries.find((r) => r.ok)?.conversation?.handoff?.agentId;
    assert.ok(winner);
    const held = await support.getConversation(a);
    assert.equal(held?.handoff?.state, 'assigned');
    assert.equal(held?.handoff?.queuedAt, 'T1');
    assert.deepEqual(await support.queue(), [b]);
    assert.deepEqual(
      (await support.listConversations({ handoff: 'assigned' })).map((x) => x.id),
      [a],
    );

    assert.equal((await support.transfer(a, 'nobody', 'sam', iso())).ok, false);
    const other = winner === 'sam' ? 'lee' : 'sam';
    assert.equal((await support.transfer(a, winner, other, iso())).ok, true);
    assert.equal((await support.getConversation(a))?.handoff?.agentId, other);

    // Requeued, the chat keeps the place its visitor had: before b, who asked later.
    assert.equal((await support.requeue(a, winner)).ok, false, 'not theirs any more');
    assert.equal((await support.requeue(a, other)).ok, true);
    assert.deepEqual(await support.queue(), [a, b]);

    assert.equal((await support.take(a, 'maya', iso())).ok, true);
    const closed = await support.release(a, 'maya', { close: true, time: 'T9' });
    assert.equal(closed.ok, true);
    assert.equal(closed.conversation?.handoff, null);
    assert.equal(closed.conversation?.closedAt, 'T9');
    assert.equal((await support.release(a, 'maya', { close: false, time: iso() })).ok, false);
    assert.deepEqual(await support.listConversations({ handoff: 'assigned' }), []);
  });

  it('listing filters by handoff, messages and closing, newest first', async (t) => {
    const { support } = await make(t);
    const quiet = (await support.conversationOf('quiet')).id;
    const talked = (await support.conversationOf('talked')).id;
    const waiting = (await support.conversationOf('waiting')).id;
    await support.appendMessage(talked, {
      messageId: 'x',
      role: 'user',
      content: 'hi',
      timestamp: new Date(Date.now() + 1000).toISOString(),
    });
    await support.enqueue(waiting, iso());
    const none = (await support.listConversations({ handoff: 'none' })).map((c) => c.id);
    assert.deepEqual(none, [talked], 'only conversations with a message');
    assert.ok(!none.includes(quiet));
    const queued = await support.listConversations({ handoff: 'queued' });
    assert.deepEqual(
      queued.map((c) => c.id),
      [waiting],
    );
    const all = (await support.listConversations()).map((c) => c.id);
    assert.equal(all[0], talked, 'newest first');
    const [listed] = await support.listConversations({ handoff: 'none' });
    assert.equal(listed?.lastVisitorMessage, 'hi');
    assert.equal(listed?.messageCount, 1);

    // A conversation with messages is left out while in a handoff, and back once it ends.
    await support.enqueue(talked, iso());
    assert.deepEqual(await support.listConversations({ handoff: 'none' }), []);
    await support.dequeue(talked);
    assert.deepEqual(
      (await support.listConversations({ handoff: 'none' })).map((c) => c.id),
      [talked],
    );
    assert.equal(all.length, 3);
    assert.equal((await support.listConversations({ limit: 1 })).length, 1);
  });

  // The inbox reads these listings; Redis reads them a slice of conversations per call.
  it('listings keep text as written', async (t) => {
    const { support } = await make(t);
    const id = (await support.conversationOf('writer')).id;
    const content = 'Grüße, "quoted" \\ a/b\nnew line 👋 \u2028 <b>';
    const timestamp = iso();
    await support.appendMessage(id, { messageId: 'w', role: 'user', content, timestamp });
    const [listed] = await support.listConversations({ handoff: 'none' });
    assert.equal(listed?.lastVisitorMessage, content);
    assert.equal(listed?.lastVisitorMessageAt, timestamp);
    assert.deepEqual(listed, await support.getConversation(id), 'as a single read has it');
  });

  it('long listings: every conversation, the queue in asking order', async (t) => {
    const { support } = await make(t);
    const ids = [];
    for (let i = 0; i < 450; i++) ids.push((await support.conversationOf(`many-${i}`)).id);
    const asking = ids.slice(0, 430);
    for (const id of asking) await support.enqueue(id, iso());
    await support.take(/** @type {string} */ (asking[0]), 'maya', iso());

    const waiting = asking.slice(1);
    assert.deepEqual(await support.queue(), waiting);
    const queued = (await support.listConversations({ handoff: 'queued' })).map((c) => c.id);
    assert.deepEqual(queued.sort(), [...waiting].sort());
    assert.equal((await support.listConversations()).length, 450);
    assert.deepEqual(
      (await support.listConversations({ handoff: 'assigned' })).map((c) => c.id),
      [asking[0]],
    );
  });

  it('left messages: newest first, capped, resolved once', async (t) => {
    const { support } = await make(t, { supportLimits: { maxLeftMessages: 2 } });
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

  it('sessions expire and sign-in links work once', async (t) => {
    const { support } = await make(t);
    await support.createSession('h1', 'maya', Date.now() + 60_000);
    await support.createSession('h2', 'sam', Date.now() + 150);
    assert.equal((await support.getSession('h1'))?.agentId, 'maya');
    assert.equal((await support.getSession('h2'))?.agentId, 'sam');
    await sleep(200);
    assert.equal(await support.getSession('h2'), undefined);
    await support.deleteSession('h1');
    assert.equal(await support.getSession('h1'), undefined);

    await support.createLoginToken('l1', 'maya', Date.now() + 60_000);
    assert.equal(await support.consumeLoginToken('l1'), 'maya');
    assert.equal(await support.consumeLoginToken('l1'), undefined);
  });

  // --- the frame log ----------------------------------------------------------------------

  it('published frames get 1, 2, 3…, reach subscribers in order and replay exactly', async (t) => {
    const { support } = await make(t);
    const { id } = await support.conversationOf('v');
    /** @type {any[]} */
    const heard = [];
    const unsubscribe = await support.subscribe(id, (entry) => heard.push(entry));
    assert.equal(await support.lastSeq(id), 0);
    assert.equal(await support.publish(id, { type: 'a' }), 1);
    assert.equal(await support.publish(id, { type: 'b' }, { except: 's1' }), 2);
    assert.equal(await support.publish(id, { type: 'c' }, { to: 's2' }), 3);
    assert.equal(await support.publish('conv_missing', { type: 'x' }), undefined);
    for (let i = 0; i < 100 && heard.length < 3; i++) await sleep(10);
    assert.deepEqual(heard, [
      { seq: 1, frame: { type: 'a' } },
      { seq: 2, frame: { type: 'b' }, except: 's1' },
      { seq: 3, frame: { type: 'c' }, to: 's2' },
    ]);
    await unsubscribe();
    await support.publish(id, { type: 'd' });
    await sleep(50);
    assert.equal(heard.length, 3, 'nothing after unsubscribing');

    assert.equal(await support.lastSeq(id), 4);
    const after1 = await support.framesAfter(id, 1);
    assert.equal(after1.complete, true);
    assert.deepEqual(
      after1.frames.map((f) => [f.seq, f.frame.type]),
      [
        [2, 'b'],
        [3, 'c'],
        [4, 'd'],
      ],
    );
    assert.deepEqual(await support.framesAfter(id, 4), { frames: [], complete: true });
    assert.equal((await support.framesAfter(id, 9)).complete, false, 'from the future');
  });

  it('a seq older than the log keeps is incomplete: the client needs a sync', async (t) => {
    const { support } = await make(t, { supportLimits: { maxFramesPerConversation: 3 } });
    const { id } = await support.conversationOf('v');
    // Redis trims approximately (whole nodes of the stream), so publish well past the cap.
    for (let i = 1; i <= 400; i++) await support.publish(id, { type: 'x', n: i });
    assert.equal((await support.framesAfter(id, 0)).complete, false);
    const recent = await support.framesAfter(id, 398);
    assert.equal(recent.complete, true);
    assert.deepEqual(
      recent.frames.map((f) => f.seq),
      [399, 400],
    );
  });

  it('a message and its frame are one step; the snapshot says where it stands', async (t) => {
    const { support } = await make(t);
    const { id } = await support.conversationOf('v');
    const message = { messageId: 'u1', role: 'user', content: 'hi', timestamp: iso() };
    const seq = await support.publish(
      id,
      { type: 'user-message', messageId: 'u1' },
      { message: /** @type {any} */ (message), except: 'sock' },
    );
    assert.equal(seq, 1);
    const snapshot = await support.snapshot(id);
    assert.equal(snapshot?.seq, 1);
    assert.deepEqual(
      snapshot?.messages.map((m) => m.messageId),
      ['u1'],
    );
    assert.equal(snapshot?.reply, null);
    assert.equal(snapshot?.conversation.lastVisitorMessage, 'hi');
    assert.equal(await support.snapshot('conv_missing'), undefined);
  });

  it('a reply starts, grows and ends with its frames; a stale step is refused', async (t) => {
    const { support } = await make(t);
    const { id } = await support.conversationOf('v');
    const start = { op: 'start', messageId: 'r1', questionId: 'q1', timestamp: iso() };
    assert.ok(
      await support.publish(id, { type: 'stream-start' }, { reply: /** @type {any} */ (start) }),
    );
    assert.equal(
      await support.publish(id, { type: 'stream-start' }, { reply: /** @type {any} */ (start) }),
      undefined,
      'one reply at a time',
    );
    for (const token of ['Hel', 'lo']) {
      await support.publish(
        id,
        { type: 'stream-token', token },
        { reply: { op: 'token', messageId: 'r1', token } },
      );
    }
    const midway = await support.snapshot(id);
    assert.deepEqual(midway?.reply && { ...midway.reply }, {
      messageId: 'r1',
      questionId: 'q1',
      text: 'Hello',
      timestamp: start.timestamp,
    });
    assert.equal(
      await support.publish(
        id,
        { type: 'stream-token' },
        { reply: { op: 'token', messageId: 'other', token: 'x' } },
      ),
      undefined,
      'a step for another reply',
    );
    const seq = await support.publish(
      id,
      { type: 'stream-end', messageId: 'r1', interrupted: true },
      { reply: { op: 'end', messageId: 'r1', interrupted: true } },
    );
    assert.equal(seq, 4);
    const after = await support.snapshot(id);
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
      await support.publish(id, { type: 'x' }, { reply: { op: 'end', messageId: 'r1' } }),
      undefined,
      'ended once',
    );
    await support.publish(id, { type: 's' }, { reply: { ...start, messageId: 'r2' } });
    await support.publish(id, { type: 'e' }, { reply: { op: 'abort', messageId: 'r2' } });
    const aborted = await support.snapshot(id);
    assert.equal(aborted?.reply, null);
    assert.equal(aborted?.messages.at(-1)?.messageId, 'r1', 'an aborted reply is not kept');
  });

  it('jobs wait in order, up to a limit; one worker holds a lease that lapses', async (t) => {
    const { support } = await make(t);
    const { id } = await support.conversationOf('v');
    assert.equal(await support.addJob(id, 'q1', 2), true);
    assert.equal(await support.addJob(id, 'q2', 2), true);
    assert.equal(await support.addJob(id, 'q3', 2), false, 'full');
    assert.deepEqual(await support.jobs(id), ['q1', 'q2']);
    assert.equal(await support.removeJob(id, 'q1'), true);
    assert.equal(await support.removeJob(id, 'q1'), false);
    assert.deepEqual(await support.clearJobs(id), ['q2']);
    assert.deepEqual(await support.jobs(id), []);

    const claims = await Promise.all(['A', 'B', 'C'].map((p) => support.claimWorker(id, p, 200)));
    assert.equal(claims.filter(Boolean).length, 1, 'one worker');
    const owner = ['A', 'B', 'C'][claims.indexOf(true)] ?? '';
    const other = owner === 'A' ? 'B' : 'A';
    assert.equal(await support.claimWorker(id, owner, 200), true, 'renewed by its owner');
    assert.deepEqual(await support.expiredWorkers(Date.now()), []);
    await sleep(250);
    assert.deepEqual(await support.expiredWorkers(Date.now()), [id]);
    assert.equal(await support.claimWorker(id, other, 5000), true, 'taken over once it lapsed');
    assert.equal(await support.claimWorker(id, owner, 200), false);
    assert.equal(await support.releaseWorker(id, owner), false);
    assert.equal(await support.expireWorker(id, other), true, 'handed over at once');
    assert.deepEqual(await support.expiredWorkers(Date.now()), [id]);
    assert.equal(await support.claimWorker(id, owner, 5000), true);
    assert.equal(await support.releaseWorker(id, owner), true);
    assert.deepEqual(await support.expiredWorkers(Date.now()), []);
  });

  it('visitor and agent presence, with expiry and a grace period', async (t) => {
    const { support } = await make(t);
    const { id } = await support.conversationOf('v');
    await support.attachVisitor(id, 's1', 60_000);
    await support.attachVisitor(id, 's2', 100);
    assert.equal(await support.attachedVisitors(id), 2);
    await support.detachVisitor(id, 's1');
    await sleep(150);
    assert.equal(await support.attachedVisitors(id), 0, 'a socket not renewed has expired');

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

  it('channel payloads reach every subscriber of that channel only, until they unsubscribe', async (t) => {
    const { support } = await make(t);
    /** @type {any[]} */
    const first = [];
    /** @type {any[]} */
    const second = [];
    /** @type {any[]} */
    const other = [];
    const stopFirst = await support.subscribeChannel('rooms:r1', (p) => first.push(p));
    const stopSecond = await support.subscribeChannel('rooms:r1', (p) => second.push(p));
    const stopOther = await support.subscribeChannel('rooms:r2', (p) => other.push(p));
    await support.publishChannel('rooms:r1', { frame: { type: 'typing' }, origin: 'a' });
    for (let i = 0; i < 100 && (first.length < 1 || second.length < 1); i++) await sleep(10);
    assert.deepEqual(first, [{ frame: { type: 'typing' }, origin: 'a' }]);
    assert.deepEqual(second, first);
    await stopFirst();
    await support.publishChannel('rooms:r1', { n: 2 });
    await support.publishChannel('rooms:r2', { n: 3 });
    for (let i = 0; i < 100 && (second.length < 2 || other.length < 1); i++) await sleep(10);
    assert.deepEqual(second.at(-1), { n: 2 });
    assert.equal(first.length, 1, 'unsubscribed');
    assert.deepEqual(other, [{ n: 3 }], 'channels are separate');
    await stopSecond();
    await stopOther();
    await support.publishChannel('rooms:r1', { n: 4 }); // nobody listens: no error
  });

  it('room presence: first and last socket of a user, arrival order, expiry', async (t) => {
    const { support } = await make(t);
    assert.equal(await support.joinRoom('r', 'alice', 's1', 10_000), true);
    assert.equal(await support.joinRoom('r', 'bob', 's2', 300), true);
    assert.equal(await support.joinRoom('r', 'alice', 's3', 10_000), false, 'a second tab');
    assert.equal(await support.joinRoom('r', 'alice', 's1', 10_000), false, 'a renewal');
    assert.deepEqual(await support.roomPresence('r'), ['alice', 'bob']);
    assert.deepEqual(await support.roomPresence('other'), []);
    assert.equal(await support.leaveRoom('r', 's1'), undefined, 'alice has another socket');
    assert.deepEqual(await support.roomPresence('r'), ['bob', 'alice']);
    assert.equal(await support.leaveRoom('r', 's3'), 'alice');
    assert.equal(await support.leaveRoom('r', 's3'), undefined, 'once');
    assert.deepEqual(await support.roomPresence('r'), ['bob']);
    await sleep(350);
    assert.deepEqual(await support.roomPresence('r'), [], 'bob was not renewed');
    assert.equal(await support.joinRoom('r', 'bob', 's2', 300), true, 'back after expiry');
  });

  // --- de-duplication and limits ----------------------------------------------------------

  it('recent ids are remembered for their time, as copies', async (t) => {
    const { recent } = await make(t, { dedupeTtlMs: 500 });
    await recent.set('v\nid1', { messageId: 'm1' });
    const value = await recent.get('v\nid1');
    assert.deepEqual(value, { messageId: 'm1' });
    value.messageId = 'changed';
    assert.deepEqual(await recent.get('v\nid1'), { messageId: 'm1' });
    assert.equal(await recent.get('v\nother'), undefined);
    await sleep(550);
    assert.equal(await recent.get('v\nid1'), undefined);
  });

  it('a limiter counts per key within a window', async (t) => {
    const store = await make(t);
    const limiter = store.limiter('test', { limit: 2, windowMs: 200 });
    assert.equal(await limiter.exceeded('a'), false);
    assert.equal((await limiter.take('a')).allowed, true);
    const second = await limiter.take('a');
    assert.equal(second.allowed, true);
    assert.equal(second.remaining, 0);
    assert.ok(second.resetAt > Date.now());
    assert.equal((await limiter.take('a')).allowed, false);
    assert.equal(await limiter.exceeded('a'), true);
    assert.equal((await limiter.take('b')).allowed, true, 'per key');
    await sleep(250);
    assert.equal((await limiter.take('a')).allowed, true, 'a new window');
  });

  it('ready while usable', async (t) => {
    const store = await make(t);
    assert.equal(await store.ready(), true);
  });
}
