// Tokens for free and sockets without end: one address minting visitors, one token opening
// sockets. Each refusal says why and when to come back.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { Visitor, wsUrl } from '../server/helpers.js';
import { attack, report, tally } from './harness.js';

/** @param {{ url: string }} app @param {string} [from] */
function freshToken(app, from) {
  return fetch(new URL('/api/chat-token', app.url), {
    method: 'POST',
    headers: from ? { 'x-forwarded-for': from } : {},
  });
}

/**
 * Opens a stream socket; resolves with its handshake status (101, or the refusal's).
 * @param {string} url
 * @returns {Promise<{ status: number, retryAfter?: string, ws: WebSocket }>}
 */
function open(url) {
  const ws = new WebSocket(url);
  return new Promise((resolve) => {
    ws.once('open', () => resolve({ status: 101, ws }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], ws });
      res.resume();
    });
    ws.once('error', () => {});
  });
}

attack(
  'one address minting new visitors is stopped; an old visitor still gets tokens',
  async (t, start) => {
    const app = await start({ newVisitorLimit: 30 });
    const regular = new Visitor(app);
    await regular.fetchToken();
    const statuses = [];
    for (let i = 0; i < 40; i++) statuses.push((await freshToken(app)).status);
    report(t, `40 new visitors from one address, limit 30 in 10 min (1 taken): ${tally(statuses)}`);
    assert.deepEqual(statuses, [...Array(29).fill(200), ...Array(11).fill(429)]);
    const refused = await freshToken(app);
    assert.match(refused.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
    assert.match((await refused.json()).detail, /new visitors/);
    assert.equal(
      (await regular.fetchToken()).res.status,
      200,
      'a known cookie is not a new visitor',
    );
  },
);

attack('new visitors from one IPv6 /64 count together', async (t, start) => {
  const app = await start({ newVisitorLimit: 5, trustProxy: { hops: 1 } });
  const statuses = [];
  for (let i = 1; i <= 8; i++) statuses.push((await freshToken(app, `2001:db8:1:2::${i}`)).status);
  const elsewhere = (await freshToken(app, '2001:db8:1:3::1')).status;
  report(t, `8 addresses of one /64, limit 5: ${tally(statuses)}; another /64: ${elsewhere}`);
  assert.deepEqual(statuses, [...Array(5).fill(200), ...Array(3).fill(429)]);
  assert.equal(elsewhere, 200);
});

attack('the token endpoint is rate limited per address', async (t, start) => {
  const app = await start({ tokenLimit: 20 });
  const visitor = new Visitor(app);
  const statuses = [];
  for (let i = 0; i < 25; i++) statuses.push((await visitor.fetchToken()).res.status);
  report(t, `25 token requests from one visitor, limit 20 a minute: ${tally(statuses)}`);
  assert.deepEqual(statuses, [...Array(20).fill(200), ...Array(5).fill(429)]);
});

attack('sockets per visitor and per address are capped', async (t, start) => {
  const app = await start({ maxSocketsPerVisitor: 5, maxSocketsPerAddress: 8 });
  const visitor = new Visitor(app);
  const { body } = await visitor.fetchToken();
  const mine = await Promise.all(Array.from({ length: 7 }, () => open(wsUrl(app, body.token))));
  const refused = mine.find((s) => s.status === 429);
  report(t, `7 sockets on one token, cap 5: ${tally(mine.map((s) => s.status))}`);
  assert.deepEqual(mine.map((s) => s.status).sort(), [101, 101, 101, 101, 101, 429, 429]);
  assert.equal(refused?.retryAfter, '10');

  const others = [];
  for (let i = 0; i < 4; i++) {
    const { body: other } = await new Visitor(app).fetchToken();
    others.push(await open(wsUrl(app, other.token)));
  }
  report(t, `4 more visitors from the same address, cap 8: ${tally(others.map((s) => s.status))}`);
  assert.deepEqual(
    others.map((s) => s.status),
    [101, 101, 101, 429],
  );

  const first = /** @type {{ ws: WebSocket }} */ (mine.find((s) => s.status === 101));
  first.ws.close();
  await once(first.ws, 'close');
  // The server counts the socket gone when its side closes, a moment after ours.
  let again;
  for (let i = 0; i < 50 && again?.status !== 101; i++) {
    again = await open(wsUrl(app, body.token));
    if (again.status !== 101) await new Promise((resolve) => setImmediate(resolve));
  }
  assert.equal(again?.status, 101, 'a closed socket frees its place');
  for (const s of [...mine, ...others, again]) s?.ws.terminate();
});

attack('REST calls are limited per address as well as per visitor', async (t, start) => {
  const app = await start({ apiAddressLimit: 6 });
  const statuses = [];
  for (let i = 0; i < 4; i++) {
    const { body } = await new Visitor(app).fetchToken();
    for (let j = 0; j < 2; j++) {
      const res = await fetch(new URL(`/api/v1/chats/user/${body.user_id}`, app.url), {
        headers: { 'X-API-Key': body.token },
      });
      statuses.push(res.status);
      if (res.status === 429) assert.match(res.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
    }
  }
  const garbage = await fetch(new URL('/api/v1/chats/user/x', app.url), {
    headers: { 'X-API-Key': 'not a token' },
  });
  report(
    t,
    `8 calls by 4 visitors of one address, limit 6: ${tally(statuses)}; a bad key then: ${garbage.status}`,
  );
  assert.deepEqual(statuses, [...Array(6).fill(200), 429, 429]);
  assert.equal(garbage.status, 429, 'counted before the key is even checked');
});
