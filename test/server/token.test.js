import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { createStore } from '../../server/store/index.js';
import { TEST_SECRET, Visitor, startApp } from './helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

test('POST /api/chat-token returns an HS256 JWT for the visitor, valid for 300 s', async (t) => {
  const app = await startApp(t);
  const visitor = new Visitor(app);
  const { res, body } = await visitor.fetchToken();

  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  assert.equal(body.expires_in, 300);
  assert.match(body.user_id, UUID);
  assert.equal(body.user_name, 'Visitor', 'a name for protocols that show senders');

  assert.equal(decodeProtectedHeader(body.token).alg, 'HS256');
  const { payload } = await jwtVerify(body.token, new TextEncoder().encode(TEST_SECRET), {
    algorithms: ['HS256'],
  });
  assert.equal(payload.sub, body.user_id);
  assert.equal(/** @type {number} */ (payload.exp) - /** @type {number} */ (payload.iat), 300);
  assert.ok(Math.abs(/** @type {number} */ (payload.exp) - (Date.now() / 1000 + 300)) < 5);
});

test('the visitor cookie is HttpOnly, SameSite=Lax, and keeps the identity', async (t) => {
  const app = await startApp(t);
  const visitor = new Visitor(app);

  const first = await visitor.fetchToken();
  assert.ok(first.setCookie, 'a new visitor gets a cookie');
  assert.match(first.setCookie, /^cw_visitor=v1\.[\w-]{32}\.[\w-]{22};/);
  assert.ok(
    !first.setCookie.includes(first.body.user_id) && !first.body.token.includes(first.setCookie),
    'the public id is not the cookie',
  );
  assert.match(first.setCookie, /; HttpOnly/);
  assert.match(first.setCookie, /; SameSite=Lax/);
  assert.match(first.setCookie, /; Path=\//);
  assert.doesNotMatch(first.setCookie, /; Secure/, 'plain http cannot keep a Secure cookie');

  const second = await visitor.fetchToken();
  assert.equal(second.setCookie, null, 'a known visitor is not given a new cookie');
  assert.equal(second.body.user_id, first.body.user_id);
  assert.notEqual(second.body.token, first.body.token, 'every request gets a fresh token');

  const stranger = await new Visitor(app).fetchToken();
  assert.notEqual(stranger.body.user_id, first.body.user_id);
});

test('a malformed visitor cookie is replaced, not trusted', async (t) => {
  const app = await startApp(t);
  const visitor = new Visitor(app);
  visitor.cookie = 'cw_visitor=../../admin';
  const { body, setCookie } = await visitor.fetchToken();
  assert.match(body.user_id, UUID);
  assert.match(setCookie ?? '', /^cw_visitor=v1\./);
});

test('a cookie the server did not issue starts a new visitor, never someone else', async (t) => {
  const app = await startApp(t);
  const victim = new Visitor(app);
  const { body: victimBody } = await victim.fetchToken();
  const cookie = /** @type {string} */ (victim.cookie).slice('cw_visitor='.length);
  const [, nonce] = cookie.split('.');
  const forged = [
    victimBody.user_id, // the public id, as rooms shows it to everyone
    `v1.${nonce}.${'A'.repeat(22)}`, // the victim's random part with a made-up MAC
    `v1.${'B'.repeat(32)}.${cookie.split('.')[2]}`, // the victim's MAC on another random part
  ];
  for (const value of forged) {
    const attacker = new Visitor(app);
    attacker.cookie = `cw_visitor=${value}`;
    const { body, setCookie } = await attacker.fetchToken();
    assert.notEqual(body.user_id, victimBody.user_id, `cookie ${value}`);
    assert.ok(setCookie, 'a new visitor gets a cookie of its own');
  }
  const again = await victim.fetchToken();
  assert.equal(again.body.user_id, victimBody.user_id, 'the real cookie still works');
});

test('a cookie signed with another key is not recognised', async (t) => {
  const first = await startApp(t, { visitorSecret: 'one key for the visitor cookies 0123456789' });
  const second = await startApp(t, { visitorSecret: 'another key for visitor cookies 0123456789' });
  const visitor = new Visitor(first);
  const { body } = await visitor.fetchToken();
  const elsewhere = new Visitor(second);
  elsewhere.cookie = visitor.cookie;
  const other = await elsewhere.fetchToken();
  assert.notEqual(other.body.user_id, body.user_id);
  const sameKey = await startApp(t, {
    visitorSecret: 'one key for the visitor cookies 0123456789',
  });
  const reused = new Visitor(sameKey);
  reused.cookie = visitor.cookie;
  assert.equal((await reused.fetchToken()).body.user_id, body.user_id, 'any process with the key');
});

test('the cookie is marked Secure behind an https proxy', async (t) => {
  const app = await startApp(t);
  const res = await fetch(new URL('/api/chat-token', app.url), {
    method: 'POST',
    headers: { 'x-forwarded-proto': 'https' },
  });
  assert.match(res.headers.get('set-cookie') ?? '', /; Secure/);
});

test('the token endpoint only answers POST', async (t) => {
  const app = await startApp(t);
  const res = await fetch(new URL('/api/chat-token', app.url));
  assert.equal(res.status, 405);
  assert.equal(res.headers.get('allow'), 'POST');
});

test('an unreachable store does not stop the token endpoint: its limits let requests through', async (t) => {
  const shared = await createStore();
  const limiter = shared.limiter;
  const down = async () => {
    throw new Error('Redis is down');
  };
  shared.limiter = (name, rule) =>
    name === 'token' || name === 'new-visitor'
      ? { take: down, exceeded: down }
      : limiter(name, rule);
  const app = await startApp(t, { shared });
  const { res, body } = await new Visitor(app).fetchToken();
  assert.equal(res.status, 200);
  assert.match(body.user_id, UUID);
});
