// The `threads` protocol (threads.md): one socket, `history` and `message` per thread id,
// the reply streamed as assistant `message` parts sharing one id.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import { demoReplyText } from '../../server/bots/demo-bot.js';
import {
  ChatClient,
  Visitor,
  botAwaitingAbort,
  deferred,
  socketUrl,
  startApp,
  within,
} from './helpers.js';

async function connect(app, visitor = new Visitor(app), param = 'token') {
  const { body } = await visitor.fetchToken();
  return ChatClient.open(socketUrl(app, '/chat/ws', { [param]: body.token }));
}

/** Reads the reply to a message: its confirmation and every part, up to the next frame asked. */
async function ask(client, threadId, content) {
  client.send({ type: 'message', thread_id: threadId, agent_id: null, content });
  // Frames are handled one at a time, so the history asked now comes after the whole reply.
  client.send({ type: 'history', thread_id: threadId });
  const frames = await client.readUntil((f) => f.type === 'message' && f.role === 'user');
  const received = frames.shift();
  const firstHistoryItem = frames.pop();
  return { received, parts: frames, firstHistoryItem };
}

/** Proves nothing else is queued: the error for a bad frame comes next. */
async function nothingElse(client) {
  client.send({ type: 'probe' });
  assert.deepEqual(await client.next(), { type: 'error', message: 'Unknown message type: probe' });
}

test('the handshake refuses a missing or bad token with 401; token= and key= both work', async (t) => {
  const app = await startApp(t);
  for (const query of [{}, { token: 'forged' }, { key: 'forged' }]) {
    const ws = new WebSocket(socketUrl(app, '/chat/ws', query));
    ws.on('error', () => {});
    const [, res] = await within(once(ws, 'unexpected-response'), 'the refusal');
    assert.equal(res.statusCode, 401, JSON.stringify(query));
    res.resume();
  }
  const visitor = new Visitor(app);
  for (const param of ['token', 'key']) {
    const client = await connect(app, visitor, param);
    await nothingElse(client);
    await client.close();
  }
});

test('a message is confirmed, streamed as parts of one reply, and kept for history', async (t) => {
  const app = await startApp(t);
  const client = await connect(app);
  const thread = randomUUID();

  const { received, parts, firstHistoryItem } = await ask(client, thread, 'show me a table');
  assert.equal(received.type, 'message_received');
  assert.match(received.id, /^msg_/);
  assert.equal(received.thread_id, thread);
  assert.equal(typeof received.job_id, 'string');

  assert.ok(parts.length > 1, 'the reply arrives in several parts');
  const replyId = parts[0].id;
  for (const part of parts) {
    assert.equal(part.type, 'message');
    assert.equal(part.id, replyId, 'every part carries the reply id');
    assert.equal(part.thread_id, thread);
    assert.equal(part.role, 'assistant');
    assert.equal(part.created_at, parts[0].created_at);
  }
  const expected = demoReplyText([{ role: 'user', content: 'show me a table' }]);
  assert.equal(parts.map((p) => p.content).join(''), expected);

  assert.deepEqual(
    { ...firstHistoryItem, created_at: 'x' },
    {
      type: 'message',
      id: received.id,
      thread_id: thread,
      role: 'user',
      content: 'show me a table',
      created_at: 'x',
    },
  );
  const answer = await client.next();
  assert.deepEqual(
    { ...answer, created_at: 'x' },
    {
      type: 'message',
      id: replyId,
      thread_id: thread,
      role: 'assistant',
      content: expected,
      created_at: 'x',
    },
  );
  await nothingElse(client);
});

test('a new socket gets the same history, and the conversation goes on from it', async (t) => {
  const app = await startApp(t);
  const visitor = new Visitor(app);
  const thread = randomUUID();
  const first = await connect(app, visitor);
  await ask(first, thread, 'hello there');
  await first.close();

  const client = await connect(app, visitor);
  client.send({ type: 'history', thread_id: thread });
  const history = [await client.next(), await client.next()];
  assert.deepEqual(
    history.map((m) => m.role),
    ['user', 'assistant'],
  );
  const { parts } = await ask(client, thread, 'what is this?');
  // The bot's fallback counts the user turns it was given: the stored thread reached it.
  assert.match(parts.map((p) => p.content).join(''), /message 2 of this conversation/);
});

test('an unknown or empty thread has an empty history', async (t) => {
  const app = await startApp(t);
  const client = await connect(app);
  client.send({ type: 'history', thread_id: randomUUID() });
  await nothingElse(client);
});

test('bad frames get an error frame and the socket stays open', async (t) => {
  const app = await startApp(t);
  const client = await connect(app);
  const thread = randomUUID();
  const cases = [
    ['not json', 'Invalid message format'],
    [{ thread_id: thread }, 'Invalid message format'],
    [{ type: 'dance', thread_id: thread }, 'Unknown message type: dance'],
    [{ type: 'history' }, 'Thread ID is required'],
    [{ type: 'message', content: 'hi' }, 'Thread ID is required'],
    [{ type: 'history', thread_id: 'thread-1' }, 'Invalid thread ID format'],
    [{ type: 'message', thread_id: 42, content: 'hi' }, 'Invalid thread ID format'],
    [{ type: 'message', thread_id: thread, content: '' }, /required/],
    [{ type: 'message', thread_id: thread, content: 'x'.repeat(2001) }, /too long/],
  ];
  for (const [frame, message] of cases) {
    client.send(frame);
    const error = await client.next();
    assert.deepEqual(Object.keys(error), ['type', 'message'], JSON.stringify(frame));
    assert.equal(error.type, 'error');
    if (typeof message === 'string') assert.equal(error.message, message);
    else assert.match(error.message, message);
  }
  await nothingElse(client);
});

test("someone else's thread: its history is empty to them and messages are refused", async (t) => {
  const app = await startApp(t);
  const thread = randomUUID();
  const owner = await connect(app);
  await ask(owner, thread, 'mine');

  const stranger = await connect(app);
  stranger.send({ type: 'history', thread_id: thread });
  await nothingElse(stranger);
  stranger.send({ type: 'message', thread_id: thread, content: 'let me in' });
  const refused = await stranger.next();
  assert.equal(refused.type, 'error');
  assert.match(refused.message, /someone else/);
});

test('one frame at a time: history asked during a reply comes after it', async (t) => {
  const gate = deferred();
  const started = deferred();
  const app = await startApp(t, {
    bot: {
      description: 'gated',
      async *reply() {
        started.resolve();
        await gate.promise;
        yield 'one ';
        yield 'two';
      },
    },
  });
  const client = await connect(app);
  const thread = randomUUID();
  client.send({ type: 'message', thread_id: thread, content: 'hi' });
  client.send({ type: 'history', thread_id: thread });
  await within(started.promise, 'the bot to start');
  gate.resolve();
  const frames = await client.readUntil((f) => f.role === 'assistant' && f.content === 'one two');
  assert.deepEqual(
    frames.map((f) => `${f.type}:${f.role ?? ''}:${f.content ?? ''}`),
    [
      'message_received::',
      'message:assistant:one ',
      'message:assistant:two',
      'message:user:hi',
      'message:assistant:one two',
    ],
  );
});

test('frames piling up behind a reply are refused past the limit', async (t) => {
  const gate = deferred();
  const app = await startApp(t, {
    bot: {
      description: 'gated',
      async *reply() {
        await gate.promise;
        yield 'done';
      },
    },
  });
  const client = await connect(app);
  const thread = randomUUID();
  client.send({ type: 'message', thread_id: thread, content: 'hi' });
  for (let i = 0; i < 10; i++) client.send({ type: 'history', thread_id: thread });
  const frames = await client.readUntil((f) => f.type === 'error');
  assert.match(frames.at(-1).message, /Too many messages/);
  gate.resolve();
});

test('a bot failure is an error frame, and the failed reply is not stored', async (t) => {
  const app = await startApp(t, {
    bot: {
      description: 'broken',
      async *reply() {
        yield 'Half';
        throw new Error('model down');
      },
    },
  });
  const client = await connect(app);
  const thread = randomUUID();
  client.send({ type: 'message', thread_id: thread, content: 'hi' });
  const frames = await client.readUntil((f) => f.type === 'error');
  assert.deepEqual(
    frames.map((f) => f.type),
    ['message_received', 'message', 'error'],
  );
  client.send({ type: 'history', thread_id: thread });
  assert.equal((await client.next()).role, 'user');
  await nothingElse(client);
});

test('closing the socket mid-reply stops the bot', async (t) => {
  const { bot, aborted } = botAwaitingAbort();
  const app = await startApp(t, { bot });
  const client = await connect(app);
  client.send({ type: 'message', thread_id: randomUUID(), content: 'hi' });
  await client.readUntil((f) => f.role === 'assistant');
  await client.close();
  assert.equal(await within(aborted.promise, 'the bot to be aborted'), true);
});
