// The `rooms` protocol (rooms.md): the room socket receives, messages are posted over REST,
// and the demo bot answers in the room.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { demoReplyText } from '../../server/bots/demo-bot.js';
import { ChatClient, Visitor, api, gatedBot, socketUrl, startApp, types } from './helpers.js';

const isTime = (/** @type {unknown} */ value) =>
  typeof value === 'string' && !Number.isNaN(Date.parse(value));

async function credentials(app) {
  const { body } = await new Visitor(app).fetchToken();
  return { key: body.token, userId: body.user_id, userName: body.user_name };
}

/** Joins `room` as the widget does and reads the `connection_status` it starts with. */
async function join(app, room, who, query = {}) {
  const client = await ChatClient.open(
    socketUrl(app, `/ws/${room}`, {
      token: who.key,
      user_id: who.userId,
      user_name: who.userName,
      ...query,
    }),
  );
  const status = await client.next();
  assert.equal(status.type, 'connection_status');
  return { client, status };
}

/** Posts a message as the widget does. */
function post(app, room, who, fields = {}) {
  return api(app, 'POST', `/api/v1/rooms/${room}/messages/`, {
    key: who.key,
    body: {
      sender_id: who.userId,
      sender_name: who.userName,
      content: 'hello',
      message_type: 'text',
      ...fields,
    },
  });
}

/** Reads frames up to the bot's `typing` false, which ends every answer. */
const untilBotDone = (client) =>
  client.readUntil((f) => f.type === 'typing' && f.data.is_typing === false);

/** Proves the socket is open and has nothing else queued: the answer to a ping comes next. */
async function nothingElse(client) {
  client.send({ type: 'ping', data: {} });
  assert.equal((await client.next()).type, 'pong');
}

test('joining a room: connection_status with the room id inside data', async (t) => {
  const app = await startApp(t);
  const who = await credentials(app);
  assert.equal(who.userName, 'Visitor', 'the token endpoint names visitors');
  const room = randomUUID();
  const { status } = await join(app, room, who);
  assert.deepEqual(status.data, {
    status: 'connected',
    user_id: who.userId,
    room_id: room,
    online_users: [who.userId],
    total_participants: 1,
  });
  assert.ok(isTime(status.timestamp));
  assert.equal('room_id' in status, false, 'not at the top level, as in the document');
});

test('a posted message is stored, echoed to the room, and answered by the bot', async (t) => {
  const app = await startApp(t);
  const who = await credentials(app);
  const room = randomUUID();
  const { client } = await join(app, room, who);

  const res = await post(app, room, who, { content: 'show me a table' });
  assert.equal(res.status, 201);
  assert.equal(res.body.status, 'success');
  const message = res.body.data;
  assert.equal(message.sender_id, who.userId);
  assert.equal(message.sender_name, 'Visitor');
  assert.equal(message.content, 'show me a table');
  assert.equal(message.message_type, 'text');
  assert.deepEqual(message.meta, {});
  assert.ok(isTime(message.created_at));

  const frames = await untilBotDone(client);
  assert.deepEqual(types(frames), ['message', 'typing', 'message', 'typing']);
  for (const frame of frames) {
    assert.equal(frame.room_id, room);
    assert.ok(isTime(frame.timestamp));
  }
  assert.deepEqual(frames[0].data, message, "the sender's own socket gets it too");
  assert.deepEqual(frames[1].data, {
    user_id: 'demo-assistant',
    user_name: 'Demo Assistant',
    is_typing: true,
  });
  const reply = frames[2].data;
  assert.equal(reply.sender_name, 'Demo Assistant');
  assert.equal(reply.content, demoReplyText([{ role: 'user', content: 'show me a table' }]));
  assert.notEqual(reply.id, message.id);
  assert.equal(frames[3].data.is_typing, false);

  // The bot's fallback counts the user turns it was given: the room's history reached it.
  await post(app, room, who, { content: 'and now?' });
  const second = await untilBotDone(client);
  assert.match(second[2].data.content, /message 2 of this conversation/);
});

test('sender_id and sender_name default to the token visitor and "Visitor"', async (t) => {
  const app = await startApp(t);
  const who = await credentials(app);
  const res = await api(app, 'POST', `/api/v1/rooms/${randomUUID()}/messages`, {
    key: who.key,
    body: { content: 'no names given' },
  });
  assert.equal(res.status, 201, 'the path works without its trailing slash too');
  assert.equal(res.body.data.sender_id, who.userId);
  assert.equal(res.body.data.sender_name, 'Visitor');
});

test('presence: joins, leaves, online users, typing relayed to the others only', async (t) => {
  const app = await startApp(t);
  const alice = { ...(await credentials(app)), userName: 'Alice' };
  const bob = { ...(await credentials(app)), userName: 'Bob' };
  const room = randomUUID();
  const a = await join(app, room, alice);

  const b = await join(app, room, bob);
  assert.deepEqual(b.status.data.online_users, [alice.userId, bob.userId]);
  const joined = await a.client.next();
  assert.equal(joined.type, 'user_joined');
  assert.equal(joined.data.user_id, bob.userId);
  assert.equal(joined.data.user_name, 'Bob');
  assert.ok(isTime(joined.data.joined_at));

  b.client.send({ type: 'get_online_users', data: {} });
  const online = await b.client.next();
  assert.equal(online.type, 'connection_status');
  assert.deepEqual(online.data.online_users, [alice.userId, bob.userId]);
  const rest = await api(app, 'GET', `/api/v1/rooms/${room}/online`, { key: bob.key });
  assert.deepEqual(rest.body, {
    data: { online_users: [alice.userId, bob.userId], total_online: 2 },
    status: 'success',
  });

  b.client.send({ type: 'typing', data: { is_typing: true } });
  const typing = await a.client.next();
  assert.equal(typing.type, 'typing');
  assert.deepEqual(typing.data, { user_id: bob.userId, user_name: 'Bob', is_typing: true });
  await nothingElse(b.client);

  // A second socket of the same person is not a new arrival, and closing one is not a leave.
  const bobAgain = await join(app, room, bob);
  await bobAgain.client.close();
  await b.client.close();
  const left = await a.client.next();
  assert.equal(left.type, 'user_left');
  assert.equal(left.data.user_id, bob.userId);
  assert.ok(isTime(left.data.left_at));
  await nothingElse(a.client);
});

test('ping is answered with pong', async (t) => {
  const app = await startApp(t);
  const room = randomUUID();
  const { client } = await join(app, room, await credentials(app));
  client.send({ type: 'ping', data: {} });
  const pong = await client.next();
  assert.equal(pong.type, 'pong');
  assert.deepEqual(pong.data, {});
  assert.equal(pong.room_id, room);
});

test('refusals close the socket: 4001 bad token or user, 4002 not a room id', async (t) => {
  const app = await startApp(t);
  const who = await credentials(app);
  const room = randomUUID();
  const cases = [
    [`/ws/${room}`, { user_id: who.userId }, 4001],
    [`/ws/${room}`, { token: 'forged', user_id: who.userId }, 4001],
    [`/ws/${room}`, { token: who.key, user_id: 'someone-else' }, 4001],
    ['/ws/not-a-room', { token: who.key }, 4002],
    ['/ws/', { token: who.key }, 4002],
  ];
  for (const [path, query, code] of cases) {
    const client = await ChatClient.open(socketUrl(app, path, query));
    assert.equal(await client.closed(), code, `${path} ${JSON.stringify(query).slice(0, 40)}`);
  }
  // user_id may be left out: the token says who this is.
  const { status } = await join(app, room, { ...who, userId: undefined });
  assert.equal(status.data.user_id, who.userId);
});

test('more than 20 frames in a second close the socket with 4004', async (t) => {
  const app = await startApp(t);
  const { client } = await join(app, randomUUID(), await credentials(app));
  for (let i = 0; i < 21; i++) client.send({ type: 'typing', data: { is_typing: i % 2 === 0 } });
  assert.equal(await client.closed(), 4004);
});

test('the REST calls refuse bad keys, rooms, senders and messages', async (t) => {
  const app = await startApp(t);
  const who = await credentials(app);
  const room = randomUUID();
  const cases = [
    [{ ...who, key: undefined }, room, {}, 401],
    [{ ...who, key: 'forged' }, room, {}, 401],
    [who, 'not-a-room', {}, 404],
    [who, room, { content: '' }, 422],
    [who, room, { content: 'x'.repeat(2001) }, 422],
    [who, room, { sender_id: 'someone-else' }, 403],
    [who, room, { message_type: 'system' }, 422],
    [who, room, { meta: 'x' }, 422],
  ];
  for (const [as, where, fields, status] of cases) {
    const res = await post(app, where, as, fields);
    assert.equal(res.status, status, JSON.stringify(fields));
    assert.equal(typeof res.body.detail, 'string');
  }
  assert.equal((await api(app, 'GET', '/api/v1/rooms/nope/online', who)).status, 404);
  assert.equal((await api(app, 'GET', `/api/v1/rooms/${room}/online`)).status, 401);
});

test('a room answers one message at a time, and refuses a sixth waiting one with 429', async (t) => {
  const { bot, gate, asked } = gatedBot((question) => `re: ${question}`);
  const app = await startApp(t, { bot });
  const who = await credentials(app);
  const room = randomUUID();
  const { client } = await join(app, room, who);
  const statuses = [];
  for (let i = 1; i <= 6; i++)
    statuses.push((await post(app, room, who, { content: `m${i}` })).status);
  assert.deepEqual(statuses, [201, 201, 201, 201, 201, 429]);
  assert.deepEqual(asked, ['m1']);
  gate.resolve();
  const replies = [];
  while (replies.length < 5) {
    const frame = await client.next();
    if (frame.type === 'message' && frame.data.sender_name === 'Demo Assistant') {
      replies.push(frame.data.content);
    }
  }
  assert.deepEqual(replies, ['re: m1', 're: m2', 're: m3', 're: m4', 're: m5']);
});

test('a failed reply becomes a notification, and typing stops', async (t) => {
  const app = await startApp(t, {
    bot: {
      description: 'broken',
      async *reply() {
        throw new Error('model down');
      },
    },
  });
  const who = await credentials(app);
  const room = randomUUID();
  const { client } = await join(app, room, who);
  await post(app, room, who);
  const frames = await untilBotDone(client);
  assert.deepEqual(types(frames), ['message', 'typing', 'notification', 'typing']);
  assert.equal(typeof frames[2].data.content, 'string');
});
