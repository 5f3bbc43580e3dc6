import assert from 'node:assert/strict';
import { test } from 'node:test';
import { demoReplyText } from '../../server/bots/demo-bot.js';
import { captureLogger, chat, deferred, startApp, types, Visitor, within } from './helpers.js';

/** Connects a new visitor and consumes the `connection` frame. */
async function connected(app, visitor = new Visitor(app)) {
  const { client } = await visitor.connect();
  assert.equal((await client.next()).type, 'connection');
  return client;
}

/** @param {any[]} frames the frames of one answered chat */
function assertStreamedReply(frames) {
  assert.equal(frames[0].type, 'typing');
  assert.equal(frames[0].message, 'AI is thinking...');
  assert.equal(frames[1].type, 'stream-start');
  assert.equal(frames.at(-1).type, 'stream-end');
  const tokens = frames.slice(2, -1);
  assert.ok(tokens.length > 1, 'the reply arrives in several tokens');
  assert.ok(tokens.every((f) => f.type === 'stream-token' && typeof f.token === 'string'));
  const ids = new Set(frames.slice(1).map((f) => f.messageId));
  assert.equal(ids.size, 1, 'one messageId for start, tokens and end');
  assert.match(frames[1].messageId, /^msg_/);
  for (const f of frames) assert.ok(!Number.isNaN(Date.parse(f.timestamp)), `${f.type} timestamp`);
  return tokens.map((f) => f.token).join('');
}

test('chat is answered with typing, then one streamed reply from the bot', async (t) => {
  const app = await startApp(t);
  const client = await connected(app);

  const first = await chat(client, 'show me a table');
  assert.equal(
    assertStreamedReply(first),
    demoReplyText([{ role: 'user', content: 'show me a table' }]),
  );

  // The demo bot's fallback counts the turns it was given, so this checks the history too.
  const second = await chat(client, 'something else');
  assert.equal(
    assertStreamedReply(second),
    demoReplyText([
      { role: 'user', content: 'show me a table' },
      { role: 'assistant', content: demoReplyText([{ role: 'user', content: 'show me a table' }]) },
      { role: 'user', content: 'something else' },
    ]),
  );
  assert.notEqual(first[1].messageId, second[1].messageId);
  assert.match(assertStreamedReply(second), /message 2 of this conversation/);
});

test('ping is answered with pong', async (t) => {
  const app = await startApp(t);
  const client = await connected(app);
  const frames = await client.drainWithPing();
  assert.deepEqual(types(frames), ['pong']);
  assert.ok(!Number.isNaN(Date.parse(frames[0].timestamp)));
});

test('human-escalation is answered at once', async (t) => {
  const app = await startApp(t);
  const client = await connected(app);
  client.send({ type: 'human-escalation', reason: 'Need human assistance', timestamp: 'now' });
  const frame = await client.next();
  assert.equal(frame.type, 'human-escalation-response');
  assert.equal(frame.message, 'A human agent will contact you soon.');
});

test('bad frames get an error frame, no reply, and the socket stays open', async (t) => {
  const app = await startApp(t);
  const client = await connected(app);
  const cases = [
    ['not json', 'Invalid message format'],
    ['[1,2]', 'Invalid message format'],
    ['{"content":"no type"}', 'Invalid message format'],
    [{ type: 'chat', content: 42 }, 'Invalid message format'],
    [{ type: 'dance' }, 'Unknown message type'],
    [{ type: 'chat', content: '' }, /empty/],
    [{ type: 'chat', content: '  \n ' }, /empty/],
    [{ type: 'chat' }, /empty/],
    [{ type: 'chat', content: 'x'.repeat(2001) }, /too long/],
  ];
  for (const [frame, message] of cases) {
    client.send(frame);
    const frames = await client.drainWithPing();
    assert.deepEqual(types(frames), ['error', 'pong'], JSON.stringify(frame).slice(0, 60));
    if (typeof message === 'string') assert.equal(frames[0].message, message);
    else assert.match(frames[0].message, message);
  }

  const longest = await chat(client, 'y'.repeat(2000));
  assertStreamedReply(longest);
});

test('a chat with clientMessageId is acknowledged before typing', async (t) => {
  const app = await startApp(t);
  const client = await connected(app);
  const frames = await chat(client, 'hello', { clientMessageId: 'c-1' });
  assert.equal(frames[0].type, 'ack');
  assert.equal(frames[0].clientMessageId, 'c-1');
  assert.match(frames[0].messageId, /^msg_/);
  assert.notEqual(frames[0].messageId, frames[2].messageId, 'the user message has its own id');
  assertStreamedReply(frames.slice(1));
});

test('a duplicate clientMessageId is acknowledged again but not answered again', async (t) => {
  const app = await startApp(t);
  const visitor = new Visitor(app);
  const { client, token: firstToken } = await visitor.connect();
  await client.next();
  const [ack] = await chat(client, 'a list please', { clientMessageId: 'dup' });

  client.send({ type: 'chat', content: 'a list please', clientMessageId: 'dup' });
  const again = await client.drainWithPing();
  assert.deepEqual(types(again), ['ack', 'pong']);
  assert.equal(again[0].messageId, ack.messageId);
  await client.close();

  // After a reconnect with a new token, the same visitor is still recognised.
  const { client: next, token } = await visitor.connect();
  assert.notEqual(token, firstToken);
  await next.next();
  next.send({ type: 'chat', content: 'a list please', clientMessageId: 'dup' });
  const afterReconnect = await next.drainWithPing();
  assert.deepEqual(types(afterReconnect), ['ack', 'pong']);
  assert.equal(afterReconnect[0].messageId, ack.messageId);

  // Ids are per visitor: someone else's "dup" is a new message.
  const stranger = await connected(app);
  const theirs = await chat(stranger, 'a list please', { clientMessageId: 'dup' });
  assert.equal(theirs[0].type, 'ack');
  assert.notEqual(theirs[0].messageId, ack.messageId);
  assertStreamedReply(theirs.slice(1));
});

test('refused chats are not acknowledged, and their error echoes the clientMessageId', async (t) => {
  const app = await startApp(t);
  const client = await connected(app);

  client.send({ type: 'chat', content: '', clientMessageId: 'c-empty' });
  const [error] = await client.drainWithPing();
  assert.equal(error.type, 'error');
  assert.equal(error.clientMessageId, 'c-empty');

  for (const clientMessageId of ['x'.repeat(65), 17, '']) {
    client.send({ type: 'chat', content: 'hi', clientMessageId });
    const frames = await client.drainWithPing();
    assert.deepEqual(types(frames), ['error', 'pong']);
    assert.match(frames[0].message, /clientMessageId/);
  }

  // A refused id was not recorded: sending it properly now gets an answer.
  assertStreamedReply((await chat(client, 'hi', { clientMessageId: 'c-empty' })).slice(1));
});

test('closing the socket aborts the reply; a resend of that message is answered', async (t) => {
  const aborted = deferred();
  let calls = 0;
  const bot = {
    description: 'test',
    /** @param {{ signal: AbortSignal }} input */
    async *reply({ signal }) {
      calls += 1;
      if (calls > 1) {
        yield 'complete';
        return;
      }
      yield 'partial';
      await new Promise((_, reject) => {
        signal.addEventListener('abort', () => {
          aborted.resolve();
          reject(signal.reason);
        });
      });
    },
  };
  const logger = captureLogger();
  const app = await startApp(t, { bot, logger });
  const visitor = new Visitor(app);

  const client = await connected(app, visitor);
  client.send({ type: 'chat', content: 'hi', clientMessageId: 'lost' });
  const firstTry = await client.readUntil((f) => f.type === 'stream-token');
  await client.close();
  await within(aborted.promise, 'the bot to be aborted');

  const next = await connected(app, visitor);
  const retry = await chat(next, 'hi', { clientMessageId: 'lost' });
  assert.deepEqual(types(retry), ['ack', 'typing', 'stream-start', 'stream-token', 'stream-end']);
  assert.equal(retry[0].messageId, firstTry[0].messageId);
  assert.equal(retry[3].token, 'complete');

  next.send({ type: 'chat', content: 'hi', clientMessageId: 'lost' });
  assert.deepEqual(types(await next.drainWithPing()), ['ack', 'pong']);
  assert.equal(calls, 2);
  assert.deepEqual(logger.errors, [], 'an abandoned reply is not an error');
});

test('a bot failure before the first token sends only an error', async (t) => {
  const logger = captureLogger();
  const bot = {
    description: 'test',
    async *reply() {
      throw new Error('model unavailable');
    },
  };
  const app = await startApp(t, { bot, logger });
  const client = await connected(app);
  const frames = await chat(client, 'hi', { clientMessageId: 'c-9' });
  assert.deepEqual(types(frames), ['ack', 'typing', 'error']);
  assert.equal(frames[2].clientMessageId, 'c-9');
  assert.match(String(logger.errors[0]?.[1]), /model unavailable/);

  // The failed message was never answered, so its resend is.
  assert.deepEqual(types(await chat(client, 'hi', { clientMessageId: 'c-9' })), [
    'ack',
    'typing',
    'error',
  ]);
});

test('a bot failure mid-stream sends "Stream error occurred" and no stream-end', async (t) => {
  const bot = {
    description: 'test',
    async *reply() {
      yield 'Hello';
      throw new Error('connection reset');
    },
  };
  const app = await startApp(t, { bot });
  const client = await connected(app);
  const frames = await chat(client, 'hi');
  assert.deepEqual(types(frames), ['typing', 'stream-start', 'stream-token', 'error']);
  assert.equal(frames[3].message, 'Stream error occurred');
  assert.deepEqual(types(await client.drainWithPing()), ['pong']);
});

test('too many pending replies on one socket are refused', async (t) => {
  const release = deferred();
  const bot = {
    description: 'test',
    async *reply() {
      await release.promise;
      yield 'ok';
    },
  };
  const app = await startApp(t, { bot });
  const client = await connected(app);
  for (let i = 1; i <= 6; i++)
    client.send({ type: 'chat', content: 'hi', clientMessageId: `q${i}` });
  const frames = await client.readUntil((f) => f.type === 'error');
  assert.deepEqual(
    frames.filter((f) => f.type === 'ack').map((f) => f.clientMessageId),
    ['q1', 'q2', 'q3', 'q4', 'q5'],
  );
  assert.equal(frames.at(-1).clientMessageId, 'q6');

  release.resolve();
  const rest = await client.readUntil(
    (() => {
      let ends = 0;
      return (f) => f.type === 'stream-end' && ++ends === 5;
    })(),
  );
  assert.equal(rest.filter((f) => f.type === 'typing').length, 5);
});
