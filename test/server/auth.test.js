// Every socket and REST endpoint of every protocol refuses the same bad tokens: none, garbage,
// another key, expired, `alg: none`, and tokens that are right in all but one claim. Each bad
// token differs from an accepted one in one respect only, and the accepted one is tried on
// every endpoint too, so a refusal cannot come from something else being wrong.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { SignJWT, UnsecuredJWT, decodeJwt } from 'jose';
import {
  ChatClient,
  TEST_SECRET,
  Visitor,
  api,
  handshake,
  socketUrl,
  startApp,
} from './helpers.js';

const ISSUER = 'chat-widget-demo';
const AUDIENCE = 'chat-widget-stream';
const KEY = new TextEncoder().encode(TEST_SECRET);

/**
 * A token with the server's claims for `sub`, changed as `change` says.
 * @param {string} sub
 * @param {{ key?: Uint8Array, alg?: string, exp?: number, iss?: string, aud?: string, noSub?: boolean }} [change]
 */
function forge(sub, change = {}) {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({})
    .setProtectedHeader({ alg: change.alg ?? 'HS256', typ: 'JWT' })
    .setJti(randomUUID())
    .setIssuer(change.iss ?? ISSUER)
    .setAudience(change.aud ?? AUDIENCE)
    .setIssuedAt(now - 60)
    .setExpirationTime(change.exp ?? now + 300);
  if (!change.noSub) jwt.setSubject(sub);
  return jwt.sign(change.key ?? KEY);
}

/**
 * The bad tokens, by name, for the visitor `sub` (so only the token is wrong, never the user).
 * @param {string} sub
 * @param {string} valid a token the server issued to `sub`
 * @returns {Promise<Array<[string, string | undefined]>>}
 */
async function badTokens(sub, valid) {
  const now = Math.floor(Date.now() / 1000);
  const [header, , signature] = valid.split('.');
  const otherPayload = Buffer.from(JSON.stringify({ ...decodeJwt(valid), sub: randomUUID() }));
  return [
    ['missing', undefined],
    ['empty', ''],
    ['garbage', 'not-a-jwt'],
    ['garbage in three parts', 'a.b.c'],
    ['signed with another secret', await forge(sub, { key: KEY.map((b) => b ^ 1) })],
    // Past the server's 5 s clock tolerance.
    ['expired', await forge(sub, { exp: now - 60 })],
    [
      'alg none',
      new UnsecuredJWT({})
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setSubject(sub)
        .setExpirationTime(now + 300)
        .encode(),
    ],
    // The signature of a real token over a payload naming someone else.
    ['tampered payload', `${header}.${otherPayload.toString('base64url')}.${signature}`],
    ['signed with HS512', await forge(sub, { alg: 'HS512' })],
    ['another audience', await forge(sub, { aud: 'some-other-service' })],
    ['another issuer', await forge(sub, { iss: 'someone-else' })],
    ['no subject', await forge(sub, { noSub: true })],
  ];
}

/** A visitor of `app`: its id, a token the server issued, and the bad tokens for it. */
async function setUp(t) {
  const app = await startApp(t);
  const { body } = await new Visitor(app).fetchToken();
  const userId = body.user_id;
  const good = await forge(userId);
  return { app, userId, issued: body.token, good, bad: await badTokens(userId, body.token) };
}

test('the stream and threads handshakes refuse every bad token with 401', async (t) => {
  const { app, bad, good, issued } = await setUp(t);
  const endpoints = [
    ['/ws', 'token'],
    ['/chat/ws', 'token'],
    ['/chat/ws', 'key'],
  ];
  for (const [path, param] of endpoints) {
    for (const [name, token] of bad) {
      const status = await handshake(socketUrl(app, path, { [param]: token }));
      assert.equal(status, 401, `${path}?${param}= ${name}`);
    }
    for (const token of [good, issued]) {
      assert.equal(await handshake(socketUrl(app, path, { [param]: token })), 'open', path);
    }
  }
});

test('the events socket answers every bad token with AUTH_ERROR, then closes with 1008', async (t) => {
  const { app, bad, good, userId } = await setUp(t);
  const created = await api(app, 'POST', '/api/v1/chats/', {
    key: good,
    body: { user_id: userId },
  });
  assert.equal(created.status, 201);
  const chatId = created.body.id;

  for (const [name, token] of bad) {
    for (const via of ['query', 'header']) {
      const client = await ChatClient.open(
        socketUrl(app, '/ws/chat', {
          api_key: via === 'query' ? token : undefined,
          user_id: userId,
          chat_id: chatId,
        }),
        via === 'header' && token !== undefined ? { headers: { 'X-API-Key': token } } : {},
      );
      const first = await client.next();
      assert.equal(first.event_type, 'error', `${name} in the ${via}`);
      assert.equal(first.error_code, 'AUTH_ERROR', `${name} in the ${via}`);
      assert.equal(await client.closed(), 1008, `${name} in the ${via}`);
    }
  }
  const client = await ChatClient.open(
    socketUrl(app, '/ws/chat', { api_key: good, user_id: userId, chat_id: chatId }),
  );
  assert.equal((await client.next()).event_type, 'connection_established');
  await client.close();
});

test('the rooms socket closes with 4001 for every bad token', async (t) => {
  const { app, bad, good, userId } = await setUp(t);
  const room = randomUUID();
  for (const [name, token] of bad) {
    const client = await ChatClient.open(socketUrl(app, `/ws/${room}`, { token, user_id: userId }));
    assert.equal(await client.closed(), 4001, name);
  }
  const client = await ChatClient.open(
    socketUrl(app, `/ws/${room}`, { token: good, user_id: userId }),
  );
  assert.equal((await client.next()).type, 'connection_status');
  await client.close();
});

test('every events and rooms REST endpoint answers every bad key with 401', async (t) => {
  const { app, bad, good, userId } = await setUp(t);
  const chat = await api(app, 'POST', '/api/v1/chats/', { key: good, body: { user_id: userId } });
  const room = randomUUID();
  /** @type {Array<[string, string, unknown]>} */
  const endpoints = [
    ['POST', '/api/v1/chats/', { user_id: userId }],
    ['GET', `/api/v1/chats/${chat.body.id}`, undefined],
    ['GET', `/api/v1/chats/${chat.body.id}/messages`, undefined],
    ['GET', `/api/v1/chats/user/${userId}`, undefined],
    ['DELETE', `/api/v1/chats/${chat.body.id}`, undefined],
    ['POST', `/api/v1/rooms/${room}/messages/`, { content: 'hi', message_type: 'text' }],
    ['GET', `/api/v1/rooms/${room}/online`, undefined],
  ];
  for (const [method, path, body] of endpoints) {
    for (const [name, key] of bad) {
      const res = await api(app, method, path, { key, body });
      assert.equal(res.status, 401, `${method} ${path} with ${name}`);
      assert.equal(typeof res.body.detail, 'string');
    }
  }
  // The same calls with the good key succeed, the DELETE last so the chat is there until then.
  for (const [method, path, body] of endpoints) {
    const res = await api(app, method, path, { key: good, body });
    assert.ok(res.status >= 200 && res.status < 300, `${method} ${path}: ${res.status}`);
  }
});
