// Frame size on every socket path, the `stream` message rate limit, and their configuration.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { readConfig } from '../../server/config.js';
import { DEFAULT_MAX_FRAME_BYTES } from '../../server/platform/limits/frames.js';
import {
  STREAM_RATE_LIMIT,
  STREAM_RATE_MESSAGE,
  STREAM_PING_LIMIT,
  createStreamRateLimit,
} from '../../server/stream/rate.js';
import { ChatClient, Visitor, api, deferred, socketUrl, startApp, types } from './helpers.js';

/**
 * An open socket on each protocol's path, past its own checks (a chat, a room), so that only
 * the frame size can close it.
 * @param {{ url: string }} app
 * @returns {Promise<Array<[string, ChatClient]>>}
 */
async function openEverySocket(app) {
  const { body } = await new Visitor(app).fetchToken();
  const { token, user_id: userId } = body;
  const chat = await api(app, 'POST', '/api/v1/chats/', { key: token, body: { user_id: userId } });
  const sockets = /** @type {Array<[string, ChatClient]>} */ ([
    ['stream', await ChatClient.open(socketUrl(app, '/ws', { token }))],
    [
      'events',
      await ChatClient.open(
        socketUrl(app, '/ws/chat', { api_key: token, user_id: userId, chat_id: chat.body.id }),
      ),
    ],
    ['rooms', await ChatClient.open(socketUrl(app, `/ws/${randomUUID()}`, { token }))],
    ['threads', await ChatClient.open(socketUrl(app, '/chat/ws', { token }))],
  ]);
  // Greeted (threads greets with nothing), so the open went through every check.
  for (const [name, client] of sockets) {
    if (name !== 'threads') await client.next();
  }
  return sockets;
}

// A frame each protocol answers at once whatever else it carries, so an answer proves the
// socket took the frame (rooms ignores frames it does not know, so it gets a ping).
const ANSWERED = {
  stream: { type: 'ping' },
  events: { content: '' },
  rooms: { type: 'ping', data: {} },
  threads: { type: 'probe' },
};

/**
 * `frame` as JSON of exactly `bytes` bytes, padded with an extra field.
 * @param {Record<string, unknown>} frame
 * @param {number} bytes
 */
function padded(frame, bytes) {
  const bare = JSON.stringify({ ...frame, pad: '' });
  return JSON.stringify({ ...frame, pad: 'x'.repeat(bytes - bare.length) });
}

test('a frame over the limit closes every socket with 1009; one at the limit does not', async (t) => {
  const maxFrameBytes = 40_000;
  const app = await startApp(t, { maxFrameBytes });
  for (const [name, client] of await openEverySocket(app)) {
    const frame = ANSWERED[/** @type {keyof typeof ANSWERED} */ (name)];
    client.send(padded(frame, maxFrameBytes));
    await client.next();
    assert.equal(client.closeCode, undefined, `${name} stays open at the limit`);
    client.send(padded(frame, maxFrameBytes + 1));
    assert.equal(await client.closed(), 1009, `${name} past the limit`);
  }
});

test('the default frame limit is 64 KiB', async (t) => {
  const app = await startApp(t);
  assert.equal(DEFAULT_MAX_FRAME_BYTES, 64 * 1024);
  const [[, stream]] = await openEverySocket(app);
  stream.send(padded(ANSWERED.stream, DEFAULT_MAX_FRAME_BYTES + 1));
  assert.equal(await stream.closed(), 1009);
});

test('CHAT_MAX_FRAME_BYTES sets the limit, within 32 KiB-16 MiB', () => {
  assert.equal(readConfig({}).options.maxFrameBytes, 64 * 1024);
  assert.equal(readConfig({ CHAT_MAX_FRAME_BYTES: '131072' }).options.maxFrameBytes, 131072);
  for (const raw of ['1024', '1e9', 'big', '-1']) {
    const { options, warnings } = readConfig({ CHAT_MAX_FRAME_BYTES: raw });
    assert.equal(options.maxFrameBytes, 64 * 1024, raw);
    assert.ok(
      warnings.some((w) => w.startsWith(`CHAT_MAX_FRAME_BYTES=${raw} `)),
      `a warning for ${raw}`,
    );
  }
});

test('the stream limiter: 10 in any second, pings free, the refusal echoes clientMessageId', () => {
  let time = 0;
  const rate = createStreamRateLimit({ now: () => time });
  const chat = (/** @type {string} */ id) => ({ type: 'chat', content: 'hi', clientMessageId: id });
  for (let i = 0; i < STREAM_RATE_LIMIT; i++) assert.equal(rate.refuse(chat(`c${i}`)), undefined);
  assert.deepEqual(rate.refuse(chat('c10')), {
    type: 'error',
    message: STREAM_RATE_MESSAGE,
    clientMessageId: 'c10',
  });
  assert.equal(rate.refuse({ type: 'ping' }), undefined, 'a ping is never refused');
  assert.deepEqual(rate.refuse(undefined), { type: 'error', message: STREAM_RATE_MESSAGE });
  assert.equal(
    rate.refuse({ type: 'chat', clientMessageId: 'x'.repeat(65) })?.clientMessageId,
    undefined,
  );
  time = 999;
  assert.ok(rate.refuse({ type: 'human-escalation' }), 'still within the second');
  time = 1000;
  assert.equal(rate.refuse(chat('c11')), undefined, 'refusals did not count');
});

test('the stream limiter: pings have a limit of their own', () => {
  let time = 0;
  const rate = createStreamRateLimit({ now: () => time });
  for (let i = 0; i < STREAM_PING_LIMIT; i++)
    assert.equal(rate.tooManyPings({ type: 'ping' }), false);
  assert.equal(rate.tooManyPings({ type: 'ping' }), true);
  assert.equal(rate.tooManyPings({ type: 'chat' }), false, 'only pings');
  assert.equal(rate.refuse({ type: 'chat', content: 'hi' }), undefined, 'messages unaffected');
  time = 1000;
  assert.equal(rate.tooManyPings({ type: 'ping' }), false);
});

test('past 10 messages a second a stream chat is refused, not stored, not seen, and the socket stays open', async (t) => {
  /** @type {string[][]} */
  const asked = [];
  const bot = {
    description: 'records what it is asked',
    /** @param {{ history: Array<{ content: string }> }} request */
    async *reply({ history }) {
      asked.push(history.map((turn) => turn.content));
      yield 'ok';
    },
  };
  const app = await startApp(t, { bot });
  const { client } = await new Visitor(app).connect();
  assert.equal((await client.next()).type, 'connection');

  // Ten frames that are answered at once and use the whole second's allowance.
  for (let i = 0; i < STREAM_RATE_LIMIT; i++) client.send({ type: 'human-escalation' });
  client.send({ type: 'chat', content: 'too fast', clientMessageId: 'burst-1' });
  client.send({ type: 'chat', content: 'also too fast' });
  const frames = await client.drainWithPing();
  const lastAllowedAnswer = Date.now();
  assert.deepEqual(types(frames), [
    ...Array(STREAM_RATE_LIMIT).fill('human-escalation-response'),
    'error',
    'error',
    'pong',
  ]);
  assert.equal(frames[STREAM_RATE_LIMIT].message, STREAM_RATE_MESSAGE);
  assert.equal(frames[STREAM_RATE_LIMIT].clientMessageId, 'burst-1', 'echoed, so it is resent');
  assert.equal(frames[STREAM_RATE_LIMIT + 1].clientMessageId, undefined);
  assert.equal(client.closeCode, undefined);

  // Once the allowance is back, the resent message is new to the server: acknowledged and
  // answered, and the refused ones are not in the conversation the bot sees.
  await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() - lastAllowedAnswer) + 20));
  client.send({ type: 'chat', content: 'resent', clientMessageId: 'burst-1' });
  const answer = await client.readUntil((f) => f.type === 'stream-end' || f.type === 'error');
  assert.deepEqual(types(answer), ['ack', 'typing', 'stream-start', 'stream-token', 'stream-end']);
  assert.deepEqual(asked, [['resent']]);
});

test('a stream burst within the limit is all answered', async (t) => {
  const release = deferred();
  const bot = {
    description: 'waits',
    async *reply() {
      await release.promise;
      yield 'ok';
    },
  };
  const app = await startApp(t, { bot });
  const { client } = await new Visitor(app).connect();
  await client.next();
  // Five chats (the most that may wait for replies) and five other frames: ten, all allowed.
  for (let i = 0; i < 5; i++)
    client.send({ type: 'chat', content: 'hi', clientMessageId: `b${i}` });
  for (let i = 0; i < 5; i++) client.send({ type: 'human-escalation' });
  const frames = await client.readUntil(
    (() => {
      let n = 0;
      return (f) => f.type === 'human-escalation-response' && ++n === 5;
    })(),
  );
  assert.equal(frames.filter((f) => f.type === 'ack').length, 5);
  assert.equal(frames.filter((f) => f.type === 'error').length, 0);
  release.resolve();
});
