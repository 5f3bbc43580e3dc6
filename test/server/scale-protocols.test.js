// `rooms`, `events` and `threads` across processes (node server/main.js) on one real
// redis-server: every live frame of a room, chat or thread reaches its sockets on every
// process, and room presence is shared and expires with a process that died. Fails when
// redis-server is missing (redis-harness.js). Every wait is on a condition, and bounded.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { ChatClient, Visitor, api, socketUrl, within } from './helpers.js';
import { startRedis, startServerProcess } from './redis-harness.js';

const SECRET = 'a shared secret for the protocols scale suite, 32+ bytes long';
const PRESENCE_TTL_MS = 1500;

/** @type {import('./redis-harness.js').TestRedis} */
let redis;
/** @type {import('./redis-harness.js').ServerProcess[]} */
const processes = [];
/** @type {import('./redis-harness.js').ServerProcess} */
let a;
/** @type {import('./redis-harness.js').ServerProcess} */
let b;

async function spawnProcess() {
  const child = await startServerProcess({
    REDIS_URL: redis.url,
    CHAT_TOKEN_SECRET: SECRET,
    ROOMS_PRESENCE_TTL_MS: String(PRESENCE_TTL_MS),
  });
  processes.push(child);
  return child;
}

before(async () => {
  redis = await startRedis();
  [a, b] = await Promise.all([spawnProcess(), spawnProcess()]);
});

after(async () => {
  await Promise.all(processes.map((p) => p.stop('SIGKILL')));
  await redis?.close();
});

/** A visitor's token (valid on every process: they share the secret). @param {{ url: string }} server */
async function credentials(server) {
  const { body } = await new Visitor(server).fetchToken();
  return { key: body.token, userId: body.user_id, userName: body.user_name };
}

/** @typedef {Awaited<ReturnType<typeof credentials>>} Who */

/** Joins `room` on `server` and reads its `connection_status`. @param {{ url: string }} server @param {string} room @param {Who} who */
async function joinRoom(server, room, who) {
  const client = await ChatClient.open(
    socketUrl(server, `/ws/${room}`, {
      token: who.key,
      user_id: who.userId,
      user_name: who.userName,
    }),
  );
  const status = await client.next();
  assert.equal(status.type, 'connection_status');
  return { client, status };
}

/** @param {{ url: string }} server @param {string} room @param {Who} who @param {string} content */
async function postToRoom(server, room, who, content) {
  const res = await api(server, 'POST', `/api/v1/rooms/${room}/messages/`, {
    key: who.key,
    body: { sender_id: who.userId, sender_name: who.userName, content, message_type: 'text' },
  });
  assert.equal(res.status, 201);
  return res.body.data;
}

/** @param {{ url: string }} server @param {string} room @param {Who} who */
async function online(server, room, who) {
  const res = await api(server, 'GET', `/api/v1/rooms/${room}/online`, { key: who.key });
  assert.equal(res.status, 200);
  return res.body.data;
}

/** @param {ChatClient} client */
const untilBotDone = (client) =>
  client.readUntil((f) => f.type === 'typing' && f.data.is_typing === false);

/** The socket has nothing else queued: the answer to a ping comes next. @param {ChatClient} client */
async function nothingElse(client) {
  client.send({ type: 'ping', data: {} });
  assert.equal((await client.next()).type, 'pong');
}

/** Polls `check` until it is true, for at most `ms`. @param {() => Promise<boolean>} check */
async function eventually(check, ms, what) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('rooms: two visitors on two processes see each other: joins, typing, messages, presence, leaving', async () => {
  const room = randomUUID();
  const [alice, bob] = await Promise.all([credentials(a), credentials(b)]);
  const onA = await joinRoom(a, room, alice);
  assert.deepEqual(onA.status.data.online_users, [alice.userId]);
  const onB = await joinRoom(b, room, bob);
  assert.deepEqual(onB.status.data.online_users, [alice.userId, bob.userId], 'presence is shared');

  const joined = await onA.client.next();
  assert.equal(joined.type, 'user_joined');
  assert.equal(joined.data.user_id, bob.userId);

  onB.client.send({ type: 'typing', data: { is_typing: true } });
  const typing = await onA.client.next();
  assert.equal(typing.type, 'typing');
  assert.deepEqual(typing.data, { user_id: bob.userId, user_name: bob.userName, is_typing: true });
  await nothingElse(onB.client); // not echoed to the typist

  // Posted over REST on A: the message and the bot's answer (made on A) reach B.
  const posted = await postToRoom(a, room, alice, 'hello from A');
  for (const client of [onA.client, onB.client]) {
    const frames = await untilBotDone(client);
    assert.deepEqual(
      frames.map((f) => f.type),
      ['message', 'typing', 'message', 'typing'],
    );
    assert.equal(frames[0].data.id, posted.id);
    assert.equal(frames[0].data.content, 'hello from A');
    assert.notEqual(frames[2].data.sender_id, alice.userId);
  }

  // And the other way round, each frame once.
  await postToRoom(b, room, bob, 'hello from B');
  for (const client of [onA.client, onB.client]) {
    const frames = await untilBotDone(client);
    assert.equal(frames[0].type, 'message');
    assert.equal(frames[0].data.content, 'hello from B');
    assert.equal(frames.filter((f) => f.type === 'message').length, 2, 'no frame twice');
    await nothingElse(client);
  }

  for (const server of [a, b]) {
    assert.deepEqual(await online(server, room, alice), {
      online_users: [alice.userId, bob.userId],
      total_online: 2,
    });
  }

  await onB.client.close();
  const left = await onA.client.next();
  assert.equal(left.type, 'user_left');
  assert.equal(left.data.user_id, bob.userId);
  assert.deepEqual((await online(b, room, bob)).online_users, [alice.userId]);
  onA.client.send({ type: 'get_online_users', data: {} });
  const status = await onA.client.next();
  assert.deepEqual(status.data.online_users, [alice.userId]);
  await onA.client.close();
});

test('rooms: the users of a process killed with SIGKILL drop out of the online list', async () => {
  const doomed = await spawnProcess();
  const room = randomUUID();
  const [alice, carol] = await Promise.all([credentials(a), credentials(doomed)]);
  const onA = await joinRoom(a, room, alice);
  const onDoomed = await joinRoom(doomed, room, carol);
  assert.deepEqual(onDoomed.status.data.online_users, [alice.userId, carol.userId]);
  assert.equal((await onA.client.next()).type, 'user_joined');

  await doomed.stop('SIGKILL');
  const killedAt = Date.now();
  await eventually(
    async () => (await online(b, room, alice)).total_online === 1,
    PRESENCE_TTL_MS + 2000,
    'carol to drop out',
  );
  assert.ok(Date.now() - killedAt <= PRESENCE_TTL_MS + 1000, 'within the presence expiry');
  assert.deepEqual((await online(a, room, alice)).online_users, [alice.userId]);
  await within(onA.client.close(), 'the socket to close');
});

test('events: a chat open on two processes: both sockets get the confirmation and the reply stream', async () => {
  const who = await credentials(a);
  const created = await api(a, 'POST', '/api/v1/chats/', {
    key: who.key,
    body: { user_id: who.userId },
  });
  assert.equal(created.status, 201);
  const chatId = created.body.id;
  /** @param {{ url: string }} server */
  const open = async (server) => {
    const client = await ChatClient.open(
      socketUrl(server, '/ws/chat', { api_key: who.key, user_id: who.userId, chat_id: chatId }),
    );
    assert.equal((await client.next()).event_type, 'connection_established');
    return client;
  };
  const onA = await open(a);
  assert.equal((await onA.next()).event_type, 'user_created', 'the user connects the first time');
  const onB = await open(b);
  const ended = (/** @type {any} */ f) => f.event_type === 'message_stream_ended';

  for (const [asker, other] of [
    [onA, onB],
    [onB, onA],
  ]) {
    asker.send({ content: 'show me a table' });
    const [mine, theirs] = await Promise.all([asker.readUntil(ended), other.readUntil(ended)]);
    const kinds = (/** @type {any[]} */ frames) => frames.map((f) => f.event_type);
    assert.deepEqual(kinds(theirs), kinds(mine), 'the same frames, once each');
    assert.equal(mine[0].event_type, 'message_received');
    assert.equal(mine[1].event_type, 'message_stream_started');
    assert.ok(mine.length > 3, 'tokens');
    assert.deepEqual(theirs.at(-1), mine.at(-1));
    assert.equal(
      theirs.at(-1).content,
      mine
        .slice(2, -1)
        .map((f) => f.token)
        .join(''),
    );
  }
  await Promise.all([onA.close(), onB.close()]);
});

test('threads: a thread followed on two processes: the question and the reply reach both', async () => {
  const visitor = new Visitor(a);
  const { body } = await visitor.fetchToken();
  /** @param {{ url: string }} server */
  const open = (server) => ChatClient.open(socketUrl(server, '/chat/ws', { token: body.token }));
  const thread = randomUUID();
  const onA = await open(a);
  const onB = await open(b);

  /** @param {ChatClient} client @param {string} content */
  async function ask(client, content) {
    client.send({ type: 'message', thread_id: thread, agent_id: null, content });
    client.send({ type: 'history', thread_id: thread });
    const frames = await client.readUntil((f) => f.type === 'message' && f.role === 'user');
    const received = frames.shift();
    assert.equal(received.type, 'message_received');
    frames.pop(); // the first item of the history
    // The rest of the history ends with the reply just streamed.
    await client.readUntil((f) => f.role === 'assistant' && f.id === frames[0].id);
    return { received, parts: frames };
  }

  await ask(onA, 'hello'); // the thread is created on A
  // B follows it from its history (the question, then the reply).
  onB.send({ type: 'history', thread_id: thread });
  await onB.readUntil((f) => f.type === 'message' && f.role === 'assistant');

  for (const [asker, other] of [
    [onA, onB],
    [onB, onA],
  ]) {
    const { received, parts } = await ask(asker, 'show me a table');
    const question = await other.next();
    assert.deepEqual(
      { type: question.type, id: question.id, role: question.role, content: question.content },
      { type: 'message', id: received.id, role: 'user', content: 'show me a table' },
    );
    const theirs = [];
    for (let i = 0; i < parts.length; i++) theirs.push(await other.next());
    assert.deepEqual(theirs, parts, 'every part of the reply, once each');
    other.send({ type: 'probe' });
    assert.deepEqual(await other.next(), {
      type: 'error',
      message: 'Unknown message type: probe',
    });
  }
  await Promise.all([onA.close(), onB.close()]);
});
