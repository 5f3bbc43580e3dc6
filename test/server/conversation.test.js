// One conversation per visitor on the stream endpoint: every tab and reconnect shares it, `sync`
// returns it (a reply in flight included), strict clients see only what stream.md promises, and
// nobody sees another visitor's conversation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { demoReplyText } from '../../server/bots/demo-bot.js';
import { chat, deferred, types, Visitor } from './helpers.js';
import { Agent, escalate, extendedSocket, startDesk, strictSocket } from './handoff-helpers.js';

/** A bot that streams "one", " two", then waits for `release` before " three". */
function heldBot() {
  const release = deferred();
  const started = deferred();
  return {
    release,
    started,
    description: 'held',
    async *reply() {
      yield 'one';
      yield ' two';
      started.resolve();
      await release.promise;
      yield ' three';
    },
  };
}

test('two sockets of one visitor share the conversation: the other tab sees the message and the whole reply', async (t) => {
  const app = await startDesk(t);
  const visitor = new Visitor(app);
  const a = (await extendedSocket(visitor)).client;
  const b = (await extendedSocket(visitor)).client;

  const asked = await chat(a, 'a list please', { clientMessageId: 'tab-a-1' });
  assert.deepEqual(types(asked).slice(0, 3), ['ack', 'typing', 'stream-start']);
  const seen = await b.readUntil((f) => f.type === 'stream-end');
  assert.equal(seen[0].type, 'user-message');
  assert.deepEqual(
    [seen[0].messageId, seen[0].clientMessageId, seen[0].content],
    [asked[0].messageId, 'tab-a-1', 'a list please'],
  );
  assert.deepEqual(types(seen).slice(1, 3), ['typing', 'stream-start']);
  assert.equal(seen[2].messageId, asked[2].messageId, 'one reply, one id, in both tabs');
  const text = (frames) =>
    frames
      .filter((f) => f.type === 'stream-token')
      .map((f) => f.token)
      .join('');
  assert.equal(text(seen), text(asked));
  assert.equal(text(seen), demoReplyText([{ role: 'user', content: 'a list please' }]));
  assert.deepEqual(types(await a.drainWithPing()), ['pong'], 'the sender is not echoed');
});

test('sync returns the whole conversation, in order, with ids and timestamps', async (t) => {
  const app = await startDesk(t);
  const visitor = new Visitor(app);
  const { client, sync: empty } = await extendedSocket(visitor);
  assert.deepEqual([empty.messages, empty.handoff], [[], null]);

  const first = await chat(client, 'hello', { clientMessageId: 'c1' });
  await chat(client, 'show me some code', { clientMessageId: 'c2' });
  await client.close();

  const { sync } = await extendedSocket(visitor);
  assert.deepEqual(
    sync.messages.map((m) => [m.role, m.clientMessageId ?? null]),
    [
      ['user', 'c1'],
      ['assistant', null],
      ['user', 'c2'],
      ['assistant', null],
    ],
  );
  assert.equal(sync.messages[0].messageId, first[0].messageId, 'the id the ack gave');
  assert.equal(sync.messages[1].messageId, first[2].messageId, 'the id the stream had');
  assert.equal(sync.messages[1].content, demoReplyText([{ role: 'user', content: 'hello' }]));
  for (const m of sync.messages) {
    assert.ok(!Number.isNaN(Date.parse(m.timestamp)));
    assert.equal(m.state, undefined);
  }
  assert.equal(sync.handoff, null);
});

test('a reply still streaming is in the sync with its text so far, and goes on in the new tab', async (t) => {
  const bot = heldBot();
  const app = await startDesk(t, { bot });
  const visitor = new Visitor(app);
  const a = (await extendedSocket(visitor)).client;
  a.send({ type: 'chat', content: 'tell me', clientMessageId: 'q' });
  await bot.started.promise;

  const { client: b, sync } = await extendedSocket(visitor);
  const streaming = sync.messages.at(-1);
  assert.deepEqual(
    [streaming.role, streaming.state, streaming.content],
    ['assistant', 'streaming', 'one two'],
  );
  bot.release.resolve();
  const rest = await b.readUntil((f) => f.type === 'stream-end');
  assert.deepEqual(
    rest.map((f) => [f.type, f.token ?? null]),
    [
      ['stream-token', ' three'],
      ['stream-end', null],
    ],
  );
  assert.equal(rest[0].messageId, streaming.messageId);
  const done = (await extendedSocket(visitor)).sync.messages.at(-1);
  assert.deepEqual([done.content, done.state], ['one two three', undefined]);
});

test('the bot remembers the conversation across sockets', async (t) => {
  const app = await startDesk(t);
  const visitor = new Visitor(app);
  const first = await strictSocket(visitor);
  await chat(first, 'hello');
  await first.close();
  const second = await strictSocket(visitor);
  const text = (await chat(second, 'something else'))
    .filter((f) => f.type === 'stream-token')
    .map((f) => f.token)
    .join('');
  assert.match(text, /message 2 of this conversation/);
});

test('a reply goes on when the asking tab closes while another is open', async (t) => {
  const bot = heldBot();
  const app = await startDesk(t, { bot });
  const visitor = new Visitor(app);
  const asker = (await extendedSocket(visitor)).client;
  const other = (await extendedSocket(visitor)).client;
  asker.send({ type: 'chat', content: 'hi' });
  await bot.started.promise;
  await asker.close();
  bot.release.resolve();
  const frames = await other.readUntil((f) => f.type === 'stream-end');
  assert.equal(
    frames
      .filter((f) => f.type === 'stream-token')
      .map((f) => f.token)
      .join(''),
    'one two three',
  );
});

test('strict clients see exactly what stream.md promises, even beside an extended tab', async (t) => {
  const app = await startDesk(t);
  const maya = await Agent.online(app, 'maya');
  const visitor = new Visitor(app);
  const strict = await strictSocket(visitor);
  const widget = (await extendedSocket(visitor)).client;

  // The widget tab's message and reply, and the handoff, are not sent to the strict tab.
  await chat(widget, 'from the widget', { clientMessageId: 'w1' });
  await escalate(widget);
  const id = (await maya.inbox()).body.waiting[0].id;
  await maya.act(id, 'take');
  await maya.act(id, 'typing', { active: true });
  await maya.say(id, 'Hi');
  await widget.readUntil((f) => f.type === 'agent-message');
  assert.deepEqual(types(await strict.drainWithPing()), ['pong']);

  // Its own chat is acknowledged (it sent an id) and, with a person holding the chat, not
  // answered by the bot; after the hand-back it is answered as before.
  strict.send({ type: 'chat', content: 'strict tab', clientMessageId: 's1' });
  assert.deepEqual(types(await strict.drainWithPing()), ['ack', 'pong']);
  await maya.act(id, 'handback');
  const answered = await chat(strict, 'again');
  assert.deepEqual(types(answered).slice(0, 2), ['typing', 'stream-start']);
  assert.equal(answered.at(-1).type, 'stream-end');
  const allowed = new Set(['ack', 'typing', 'stream-start', 'stream-token', 'stream-end', 'pong']);
  assert.ok(strict.frames.every((f) => f.type === 'connection' || allowed.has(f.type)));
});

test('visitors never see each other’s conversations', async (t) => {
  const app = await startDesk(t);
  const maya = await Agent.online(app, 'maya');
  const ana = (await extendedSocket(new Visitor(app))).client;
  const ben = (await extendedSocket(new Visitor(app))).client;
  await chat(ana, 'my secret order number is 4711');
  await escalate(ana);
  const id = (await maya.inbox()).body.waiting[0].id;
  await maya.act(id, 'take');
  await maya.say(id, 'For Ana only');
  await ana.readUntil((f) => f.type === 'agent-message');

  const benFrames = await ben.drainWithPing();
  assert.ok(
    benFrames.every((f) => f.type === 'pong' || (f.type === 'handoff' && f.state === 'queued')),
  );
  const { sync } = await extendedSocket(new Visitor(app));
  assert.deepEqual(sync.messages, []);
  // Ben's own sync has nothing of Ana's.
  ben.send({ type: 'sync' });
  const benSync = (await ben.readUntil((f) => f.type === 'sync')).at(-1);
  assert.deepEqual([benSync.messages, benSync.handoff], [[], null]);
});

test('visitor typing reaches the console watching the chat, and stops when the tab goes', async (t) => {
  const app = await startDesk(t);
  const maya = await Agent.online(app, 'maya');
  const { client } = await extendedSocket(new Visitor(app));
  await chat(client, 'hello');
  const id = (await maya.inboxWhere((i) => i.bot.length === 1)).bot[0].id;
  await maya.watch(id);

  client.send({ type: 'typing', active: true });
  const on = (await maya.live.readUntil((f) => f.type === 'typing')).at(-1);
  assert.deepEqual([on.conversationId, on.who, on.active], [id, 'visitor', true]);
  client.send({ type: 'typing', active: 'yes' });
  assert.equal((await client.drainWithPing())[0].type, 'error');
  await client.close();
  const off = (await maya.live.readUntil((f) => f.type === 'typing')).at(-1);
  assert.deepEqual([off.who, off.active], ['visitor', false]);
});
