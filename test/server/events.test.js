// The `events` protocol: the chat REST API and the event socket, against the documents
// (events-rest.md, events-websocket.md) and the API reference shapes in deployments.md.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { demoReplyText } from '../../server/bots/demo-bot.js';
import { createTokenService } from '../../server/platform/auth/jwt.js';
import {
  ChatClient,
  TEST_SECRET,
  Visitor,
  api,
  botAwaitingAbort,
  gatedBot,
  socketUrl,
  startApp,
  within,
} from './helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const isTime = (/** @type {unknown} */ value) =>
  typeof value === 'string' && !Number.isNaN(Date.parse(value));

/** A visitor's token and id, as the widget gets them from the token endpoint. */
async function credentials(app) {
  const { body } = await new Visitor(app).fetchToken();
  return { key: body.token, userId: body.user_id };
}

async function createChat(app, { key, userId }) {
  const res = await api(app, 'POST', '/api/v1/chats/', { key, body: { user_id: userId } });
  assert.equal(res.status, 201);
  return res.body;
}

/** Opens the event socket and reads up to `connection_established` (or the first error). */
async function connect(app, { key, userId, chatId }) {
  const client = await ChatClient.open(
    socketUrl(app, '/ws/chat', { api_key: key, user_id: userId, chat_id: chatId }),
  );
  const first = await client.next();
  return { client, first };
}

/** Sends a message and reads every event up to the end of its reply (or an error). */
async function send(client, frame) {
  client.send(frame);
  return client.readUntil(
    (f) => f.event_type === 'message_stream_ended' || f.event_type === 'error',
  );
}

test('POST /api/v1/chats/ creates a chat for the visitor: 201 and the chat object', async (t) => {
  const app = await startApp(t);
  const who = await credentials(app);
  const chat = await createChat(app, who);
  assert.match(chat.id, UUID);
  assert.equal(chat.user_id, who.userId);
  assert.equal(typeof chat.tenant_id, 'string');
  assert.equal(chat.title, null);
  assert.deepEqual(chat.config, {});
  assert.ok(isTime(chat.created_at) && isTime(chat.updated_at));
  assert.equal('last_message_at' in chat, false, 'no messages yet');

  const titled = await api(app, 'POST', '/api/v1/chats', {
    key: who.key,
    body: { user_id: who.userId, title: 'Bikes', metadata: { source: 'test' } },
  });
  assert.equal(titled.status, 201, 'the path works without its trailing slash too');
  assert.equal(titled.body.title, 'Bikes');
  assert.notEqual(titled.body.id, chat.id);

  const fetched = await api(app, 'GET', `/api/v1/chats/${chat.id}`, { key: who.key });
  assert.equal(fetched.status, 200);
  assert.deepEqual(fetched.body, chat);

  const listed = await api(app, 'GET', `/api/v1/chats/user/${who.userId}`, { key: who.key });
  assert.equal(listed.status, 200);
  assert.equal(listed.body.total, 2);
  assert.deepEqual(listed.body.chats.map((c) => c.id).sort(), [chat.id, titled.body.id].sort());
  assert.equal(listed.body.has_more, false);
});

test('the REST API wants a valid X-API-Key: 401 with a detail otherwise', async (t) => {
  const app = await startApp(t);
  const who = await credentials(app);
  const chat = await createChat(app, who);
  const expired = await createTokenService({
    secret: TEST_SECRET,
    now: () => Date.now() - 10 * 60_000,
  }).issue(who.userId);
  for (const key of [undefined, '', 'not-a-jwt', expired]) {
    for (const [method, path] of [
      ['POST', '/api/v1/chats/'],
      ['GET', `/api/v1/chats/${chat.id}`],
      ['GET', `/api/v1/chats/${chat.id}/messages`],
      ['DELETE', `/api/v1/chats/${chat.id}`],
    ]) {
      const body = method === 'POST' ? { user_id: who.userId } : undefined;
      const res = await api(app, method, path, { key, body });
      assert.equal(res.status, 401, `${method} ${path} with ${key?.slice(0, 8)}`);
      assert.equal(typeof res.body.detail, 'string');
    }
  }
  assert.equal((await api(app, 'GET', `/api/v1/chats/${chat.id}`, who)).status, 200, 'still there');
});

test('bad chat requests are refused with 4xx and a detail', async (t) => {
  const app = await startApp(t);
  const who = await credentials(app);
  const { key } = who;
  const cases = [
    [{}, 422],
    [{ user_id: '' }, 422],
    [{ user_id: 42 }, 422],
    [[who.userId], 422],
    ['{not json', 422],
    [{ user_id: 'someone-else' }, 403],
    [{ user_id: who.userId, title: 5 }, 422],
    [{ user_id: who.userId, metadata: 'x' }, 422],
    [{ user_id: who.userId, metadata: { big: 'x'.repeat(5000) } }, 422],
    [{ user_id: who.userId, pad: 'x'.repeat(20_000) }, 413],
  ];
  for (const [body, status] of cases) {
    const res = await api(app, 'POST', '/api/v1/chats/', { key, body });
    assert.equal(res.status, status, JSON.stringify(body).slice(0, 60));
    assert.equal(typeof res.body.detail, 'string');
  }
  const wrongMethod = await api(app, 'PUT', '/api/v1/chats/', { key });
  assert.equal(wrongMethod.status, 405);
  assert.match(wrongMethod.headers.get('allow') ?? '', /POST/);
  const unknown = await api(app, 'GET', '/api/v1/nothing-here', { key });
  assert.equal(unknown.status, 404);
  assert.equal(typeof unknown.body.detail, 'string');
});

test('chats are private to their visitor: 404 for anyone else, 403 for their listing', async (t) => {
  const app = await startApp(t);
  const owner = await credentials(app);
  const other = await credentials(app);
  const chat = await createChat(app, owner);
  for (const path of [`/api/v1/chats/${chat.id}`, `/api/v1/chats/${chat.id}/messages`]) {
    assert.equal((await api(app, 'GET', path, { key: other.key })).status, 404, path);
  }
  assert.equal((await api(app, 'DELETE', `/api/v1/chats/${chat.id}`, other)).status, 404);
  const listing = await api(app, 'GET', `/api/v1/chats/user/${owner.userId}`, other);
  assert.equal(listing.status, 403);
  const unknown = await api(app, 'GET', `/api/v1/chats/${crypto.randomUUID()}`, owner);
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.detail, 'Chat not found');
});

test('GET …/messages pages with offset, limit (at most 100) and order', async (t) => {
  const app = await startApp(t);
  const who = await credentials(app);
  const chat = await createChat(app, who);
  const path = `/api/v1/chats/${chat.id}/messages`;

  const empty = await api(app, 'GET', path, who);
  assert.equal(empty.status, 200);
  assert.deepEqual(empty.body, { messages: [], total: 0, offset: 0, limit: 50, has_more: false });

  const { client } = await connect(app, { ...who, chatId: chat.id });
  for (const content of ['one', 'two']) await send(client, { content });
  await client.close();

  const asc = await api(app, 'GET', `${path}?offset=1&limit=2&order=asc`, who);
  assert.equal(asc.body.total, 4);
  assert.equal(asc.body.offset, 1);
  assert.equal(asc.body.limit, 2);
  assert.equal(asc.body.has_more, true);
  assert.deepEqual(
    asc.body.messages.map((m) => m.sender_role),
    ['assistant', 'user'],
  );
  assert.equal(asc.body.messages[1].content, 'two');
  const desc = await api(app, 'GET', `${path}?limit=100&order=desc`, who);
  assert.equal(desc.body.messages[0].sender_role, 'assistant');
  assert.equal(desc.body.messages[3].content, 'one');
  assert.equal(desc.body.has_more, false);

  for (const query of ['limit=101', 'limit=0', 'limit=ten', 'offset=-1', 'order=sideways']) {
    const res = await api(app, 'GET', `${path}?${query}`, who);
    assert.equal(res.status, 422, query);
  }
});

test('DELETE removes a chat: 204, then 404, and its socket is told the chat is gone', async (t) => {
  const app = await startApp(t);
  const who = await credentials(app);
  const chat = await createChat(app, who);
  const { client } = await connect(app, { ...who, chatId: chat.id });
  await client.next(); // user_created

  const deleted = await api(app, 'DELETE', `/api/v1/chats/${chat.id}/`, who);
  assert.equal(deleted.status, 204);
  assert.equal(deleted.body, undefined);
  assert.equal((await api(app, 'GET', `/api/v1/chats/${chat.id}`, who)).status, 404);
  assert.equal((await api(app, 'DELETE', `/api/v1/chats/${chat.id}`, who)).status, 404);

  const [error] = await send(client, { content: 'anyone there?' });
  assert.equal(error.error_code, 'CHAT_NOT_FOUND');
  assert.equal(await client.closed(), 1008);
});

test('CORS preflight is answered for the API, which takes its key in a header', async (t) => {
  const app = await startApp(t);
  const res = await fetch(new URL('/api/v1/chats/', app.url), {
    method: 'OPTIONS',
    headers: { Origin: 'https://shop.example', 'Access-Control-Request-Method': 'POST' },
  });
  assert.equal(res.status, 204);
  assert.equal(res.headers.get('access-control-allow-origin'), '*');
  assert.match(res.headers.get('access-control-allow-headers') ?? '', /X-API-Key/i);
  assert.match(res.headers.get('access-control-allow-methods') ?? '', /POST/);
});

test('REST calls are rate limited per visitor, with X-RateLimit headers and 429 past it', async (t) => {
  const app = await startApp(t, { apiRateLimit: { limit: 3, windowMs: 60_000 } });
  const who = await credentials(app);
  const other = await credentials(app);
  const path = `/api/v1/chats/user/${who.userId}`;
  const seen = [];
  for (let i = 0; i < 4; i++) {
    const res = await api(app, 'GET', path, who);
    seen.push([res.status, res.headers.get('x-ratelimit-remaining')]);
  }
  assert.deepEqual(seen, [
    [200, '2'],
    [200, '1'],
    [200, '0'],
    [429, '0'],
  ]);
  const limited = await api(app, 'GET', path, who);
  assert.equal(limited.headers.get('x-ratelimit-limit'), '3');
  assert.ok(Number(limited.headers.get('retry-after')) >= 1);
  assert.ok(Number(limited.headers.get('x-ratelimit-reset')) > Date.now() / 1000);
  const fine = await api(app, 'GET', `/api/v1/chats/user/${other.userId}`, other);
  assert.equal(fine.status, 200, 'another visitor has their own allowance');
});

test('a message is confirmed, answered as a stream, and both are stored for history', async (t) => {
  const app = await startApp(t);
  const who = await credentials(app);
  const chat = await createChat(app, who);
  const { client, first } = await connect(app, { ...who, chatId: chat.id });

  assert.equal(first.event_type, 'connection_established');
  assert.equal(first.user_id, who.userId);
  assert.equal(first.chat_id, chat.id);
  assert.equal(first.tenant_id, chat.tenant_id);
  assert.ok(isTime(first.timestamp));
  const created = await client.next();
  assert.deepEqual(Object.keys(created).sort(), ['event_type', 'timestamp', 'user_id']);
  assert.equal(created.event_type, 'user_created');

  const frames = await send(client, { content: 'show me a table', metadata: { client_id: 'c-1' } });
  const [received, started, ...rest] = frames;
  const ended = rest.pop();
  assert.equal(received.event_type, 'message_received');
  assert.match(received.message_id, UUID);
  assert.equal(received.chat_id, chat.id);
  assert.equal(received.user_id, who.userId);
  assert.equal(received.content, 'show me a table');
  assert.deepEqual(received.metadata, { client_id: 'c-1' }, 'metadata comes back');
  assert.equal(started.event_type, 'message_stream_started');
  assert.equal(started.chat_id, chat.id);
  assert.equal(started.user_id, who.userId);
  assert.ok(rest.length > 1, 'several tokens');
  for (const token of rest) {
    assert.equal(token.event_type, 'message_stream_token');
    assert.deepEqual(Object.keys(token).sort(), ['chat_id', 'event_type', 'timestamp', 'token']);
  }
  const expected = demoReplyText([{ role: 'user', content: 'show me a table' }]);
  assert.equal(rest.map((f) => f.token).join(''), expected);
  assert.equal(ended.event_type, 'message_stream_ended');
  assert.match(ended.message_id, UUID);
  assert.equal(ended.content, expected);
  assert.equal(ended.chat_id, chat.id);

  const history = await api(app, 'GET', `/api/v1/chats/${chat.id}/messages`, who);
  const [question, answer] = history.body.messages;
  assert.deepEqual(
    { ...question, created_at: 'x' },
    {
      id: received.message_id,
      content: 'show me a table',
      sender_role: 'user',
      created_at: 'x',
      metadata: { client_id: 'c-1' },
    },
  );
  assert.equal(answer.id, ended.message_id);
  assert.equal(answer.content, expected);
  assert.equal(answer.sender_role, 'assistant');
  assert.ok(isTime(answer.created_at));
  const after = await api(app, 'GET', `/api/v1/chats/${chat.id}`, who);
  assert.ok(isTime(after.body.last_message_at));
});

test('a reconnect continues the stored conversation, and user_created comes only once', async (t) => {
  const app = await startApp(t);
  const who = await credentials(app);
  const chat = await createChat(app, who);
  const first = await connect(app, { ...who, chatId: chat.id });
  await first.client.next(); // user_created
  await send(first.client, { content: 'hello there' });
  await first.client.close();

  const { client } = await connect(app, { ...who, chatId: chat.id });
  // The bot's fallback counts the user turns it was given: the stored history reached it.
  const frames = await send(client, { content: 'what is this?' });
  assert.equal(frames[0].event_type, 'message_received', 'no second user_created');
  assert.match(frames.at(-1).content, /message 2 of this conversation/);
});

test('socket authentication problems are error events, then a 1008 close', async (t) => {
  const app = await startApp(t);
  const who = await credentials(app);
  const chat = await createChat(app, who);
  const stranger = await credentials(app);
  const cases = [
    [{ userId: who.userId, chatId: chat.id }, 'AUTH_ERROR', /api_key/],
    [{ key: 'forged', userId: who.userId, chatId: chat.id }, 'AUTH_ERROR', /Invalid API key/],
    [{ key: who.key, chatId: chat.id }, 'AUTH_ERROR', /Missing user_id parameter/],
    [{ key: who.key, userId: 'someone-else', chatId: chat.id }, 'AUTH_ERROR', /user_id/],
    [{ key: who.key, userId: who.userId }, 'AUTH_ERROR', /chat_id/],
    [{ ...who, chatId: crypto.randomUUID() }, 'CHAT_NOT_FOUND', /not found/],
    [{ ...stranger, chatId: chat.id }, 'CHAT_NOT_FOUND', /not found/],
  ];
  for (const [params, code, message] of cases) {
    const { client, first } = await connect(app, params);
    assert.equal(first.event_type, 'error');
    assert.equal(first.error_code, code);
    assert.match(first.error_message, message);
    assert.equal(typeof first.details?.fix, 'string');
    assert.equal(await client.closed(), 1008);
  }
});

test('headers work instead of query parameters, for clients that can set them', async (t) => {
  const app = await startApp(t);
  const who = await credentials(app);
  const chat = await createChat(app, who);
  const client = await ChatClient.open(socketUrl(app, '/ws/chat'), {
    headers: { 'X-API-Key': who.key, 'X-User-ID': who.userId, 'X-Chat-ID': chat.id },
  });
  assert.equal((await client.next()).event_type, 'connection_established');
  await client.close();
});

test('malformed messages get INVALID_MESSAGE and the socket stays usable', async (t) => {
  const app = await startApp(t);
  const who = await credentials(app);
  const chat = await createChat(app, who);
  const { client } = await connect(app, { ...who, chatId: chat.id });
  await client.next(); // user_created
  for (const frame of ['not json', '[1]', { content: '' }, { content: 7 }, { text: 'hi' }]) {
    const [error] = await send(client, frame);
    assert.equal(error.error_code, 'INVALID_MESSAGE', JSON.stringify(frame));
    assert.equal(typeof error.error_message, 'string');
  }
  const [tooLong] = await send(client, { content: 'x'.repeat(2001) });
  assert.match(tooLong.error_message, /too long/);
  const [bigMeta] = await send(client, { content: 'hi', metadata: { x: 'y'.repeat(3000) } });
  assert.equal(bigMeta.error_code, 'INVALID_MESSAGE');
  const frames = await send(client, { content: 'still here?' });
  assert.equal(frames.at(-1).event_type, 'message_stream_ended');
  const stored = await api(app, 'GET', `/api/v1/chats/${chat.id}/messages`, who);
  assert.equal(stored.body.total, 2, 'refused messages are not stored');
});

test('past 10 messages a second a message is refused with RATE_LIMIT_EXCEEDED', async (t) => {
  const app = await startApp(t);
  const who = await credentials(app);
  const chat = await createChat(app, who);
  const { client } = await connect(app, { ...who, chatId: chat.id });
  await client.next(); // user_created
  // Empty messages are refused without a reply, so only the limit decides the 11th answer.
  for (let i = 0; i < 11; i++) client.send({ content: '' });
  const errors = [];
  for (let i = 0; i < 11; i++) errors.push((await client.next()).error_code);
  assert.deepEqual(errors, [...Array(10).fill('INVALID_MESSAGE'), 'RATE_LIMIT_EXCEEDED']);
  assert.equal(client.closeCode, undefined, 'the socket stays open');
});

test('replies come one at a time; a sixth waiting message is refused', async (t) => {
  const { bot, gate, asked } = gatedBot(() => 'ok');
  const app = await startApp(t, { bot });
  const who = await credentials(app);
  const chat = await createChat(app, who);
  const { client } = await connect(app, { ...who, chatId: chat.id });
  await client.next(); // user_created
  for (let i = 1; i <= 6; i++) client.send({ content: `m${i}` });
  const frames = await client.readUntil((f) => f.event_type === 'error');
  assert.equal(frames.filter((f) => f.event_type === 'message_received').length, 5);
  assert.equal(frames.at(-1).error_code, 'RATE_LIMIT_EXCEEDED');
  assert.deepEqual(asked, ['m1'], 'the next reply waits for the current one');
  gate.resolve();
  const rest = await client.readUntil(
    (f) => f.event_type === 'message_stream_ended' && asked.length === 5,
  );
  assert.ok(rest.length > 0);
  assert.deepEqual(asked, ['m1', 'm2', 'm3', 'm4', 'm5']);
});

test('a bot failure is an error event and leaves only the question in history', async (t) => {
  const app = await startApp(t, {
    bot: {
      description: 'broken',
      async *reply() {
        yield 'Half';
        throw new Error('model down');
      },
    },
  });
  const who = await credentials(app);
  const chat = await createChat(app, who);
  const { client } = await connect(app, { ...who, chatId: chat.id });
  const frames = await send(client, { content: 'hi' });
  assert.equal(frames.at(-1).event_type, 'error');
  assert.equal(frames.at(-1).error_code, 'AI_RESPONSE_ERROR');
  assert.equal(frames.at(-2).token, 'Half');
  const stored = await api(app, 'GET', `/api/v1/chats/${chat.id}/messages`, who);
  assert.deepEqual(
    stored.body.messages.map((m) => m.sender_role),
    ['user'],
  );
});

test('closing the socket mid-reply stops the bot', async (t) => {
  const { bot, aborted } = botAwaitingAbort();
  const app = await startApp(t, { bot });
  const who = await credentials(app);
  const chat = await createChat(app, who);
  const { client } = await connect(app, { ...who, chatId: chat.id });
  client.send({ content: 'hi' });
  await client.readUntil((f) => f.event_type === 'message_stream_token');
  await client.close();
  assert.equal(await within(aborted.promise, 'the bot to be aborted'), true);
});
