import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { SignJWT } from 'jose';
import { WebSocket } from 'ws';
import { createTokenService } from '../../server/platform/auth/jwt.js';
import { ChatClient, TEST_SECRET, Visitor, startApp, within, wsUrl } from './helpers.js';

/**
 * Resolves with the HTTP status of a refused upgrade; fails if the socket ever opens.
 * @param {string} url
 */
async function refusedStatus(url) {
  const ws = new WebSocket(url);
  let opened = false;
  ws.on('open', () => {
    opened = true;
  });
  ws.on('error', () => {});
  const [req, res] = await within(once(ws, 'unexpected-response'), 'the handshake refusal');
  res.resume();
  await once(res, 'end');
  req.destroy();
  assert.equal(opened, false);
  return res.statusCode;
}

test('the handshake refuses a missing, malformed, foreign or expired token with 401', async (t) => {
  const app = await startApp(t);
  const tenMinutesAgo = createTokenService({
    secret: TEST_SECRET,
    now: () => Date.now() - 10 * 60_000,
  });
  const otherSecret = createTokenService({ secret: 'some-other-secret-0123456789abcdef' });
  // Right key, wrong algorithm: only HS256 is accepted.
  const hs512 = await new SignJWT({ sub: 'someone' })
    .setProtectedHeader({ alg: 'HS512' })
    .setIssuer('chat-widget-demo')
    .setAudience('chat-widget-stream')
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(TEST_SECRET));

  assert.equal(await refusedStatus(wsUrl(app)), 401, 'no token');
  assert.equal(await refusedStatus(wsUrl(app, '')), 401, 'empty token');
  assert.equal(await refusedStatus(wsUrl(app, 'not-a-jwt')), 401, 'garbage');
  assert.equal(await refusedStatus(wsUrl(app, await otherSecret.issue('x'))), 401, 'wrong key');
  assert.equal(await refusedStatus(wsUrl(app, await tenMinutesAgo.issue('x'))), 401, 'expired');
  assert.equal(await refusedStatus(wsUrl(app, hs512)), 401, 'other algorithm');
});

test('upgrades on any path but /ws are refused', async (t) => {
  const app = await startApp(t);
  const { body } = await new Visitor(app).fetchToken();
  const url = `${app.url.replace(/^http/, 'ws')}chat?token=${body.token}`;
  assert.equal(await refusedStatus(url), 404);
});

test('a valid token opens the socket, and the first frame is `connection` with features', async (t) => {
  const app = await startApp(t);
  const { client } = await new Visitor(app).connect();
  const frame = await client.next();
  assert.equal(frame.type, 'connection');
  assert.equal(frame.message, 'Connected to chatbot server');
  assert.deepEqual(frame.features, [
    'ack',
    'dedupe',
    'sync',
    'typing',
    'handoff',
    'resume',
    'retry',
  ]);
  assert.ok(!Number.isNaN(Date.parse(frame.timestamp)));
  await client.close();
});

test('protocol pings keep answering sockets open and drop silent ones', async (t) => {
  const app = await startApp(t, { heartbeatIntervalMs: 20 });
  const visitor = new Visitor(app);

  const { body } = await visitor.fetchToken();
  const silent = await ChatClient.open(wsUrl(app, body.token), { autoPong: false });
  assert.equal(await silent.closed(), 1006, 'terminated without a close frame');

  const { client: lively } = await visitor.connect();
  for (let i = 0; i < 4; i++) await within(once(lively.ws, 'ping'), 'a protocol ping');
  assert.equal(lively.ws.readyState, WebSocket.OPEN);
  await lively.close();
});

test('shutting down closes sockets without a close code (1005), as deployed servers do', async (t) => {
  const app = await startApp(t);
  const { client } = await new Visitor(app).connect();
  await client.next();
  const closed = client.closed();
  await app.close();
  assert.equal(await closed, 1005);
});
