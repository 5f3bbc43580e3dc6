import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeProtectedHeader, jwtVerify } from 'jose';
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
  assert.match(first.setCookie, new RegExp(`^cw_visitor=${first.body.user_id};`));
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
  assert.ok(setCookie?.startsWith(`cw_visitor=${body.user_id};`));
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
