// The origin allow-list: every WebSocket handshake, the token endpoint and the REST APIs refuse
// a page from an origin not on the list with 403; requests without Origin are let through.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { readConfig } from '../../server/config.js';
import {
  createOriginPolicy,
  isLoopback,
  openOriginsWarning,
  parseAllowedOrigins,
} from '../../server/platform/security/origins.js';
import { Visitor, api, handshake, socketUrl, startApp } from './helpers.js';

const SHOP = 'https://shop.example';
const WWW = 'https://www.shop.example';

/** @param {string | undefined} origin */
const request = (origin) =>
  /** @type {import('node:http').IncomingMessage} */ (
    /** @type {unknown} */ ({ headers: origin === undefined ? {} : { origin } })
  );

/** @param {{ url: string }} app @param {string | undefined} origin */
function tokenRequest(app, origin) {
  return fetch(new URL('/api/chat-token', app.url), {
    method: 'POST',
    headers: origin === undefined ? {} : { origin },
  });
}

test('the list is read from comma-separated origins, normalised, and bad entries reported', () => {
  assert.deepEqual(parseAllowedOrigins(`${SHOP}, ${WWW} ,,HTTPS://Shop.Example:443/`), {
    origins: [SHOP, WWW],
    invalid: [],
  });
  assert.deepEqual(parseAllowedOrigins('http://localhost:8787'), {
    origins: ['http://localhost:8787'],
    invalid: [],
  });
  const bad = ['shop.example', 'https://shop.example/path', 'ftp://shop.example', '*', 'null'];
  assert.deepEqual(parseAllowedOrigins(bad.join(',')), { origins: [], invalid: bad });
});

test('the policy: listed origins and requests without Origin pass; others and null do not', () => {
  const policy = createOriginPolicy([SHOP, WWW]);
  assert.equal(policy.allows(request(SHOP)), true);
  assert.equal(policy.allows(request('https://SHOP.example:443')), true, 'as URL normalises it');
  assert.equal(policy.allows(request(undefined)), true, 'not a browser');
  for (const origin of [
    'https://evil.example',
    'http://shop.example',
    'https://shop.example:8443',
  ]) {
    assert.equal(policy.allows(request(origin)), false, origin);
  }
  assert.equal(policy.allows(request('null')), false, 'sandboxed frames and files');
  assert.equal(policy.allows(request('garbage')), false);
  assert.equal(createOriginPolicy(undefined).allows(request('https://evil.example')), true);
});

test('CHAT_ALLOWED_ORIGINS: unset allows all; set, it fails closed on bad entries', () => {
  assert.equal(readConfig({}).options.allowedOrigins, undefined);
  assert.equal(readConfig({ CHAT_ALLOWED_ORIGINS: ' ' }).options.allowedOrigins, undefined);
  assert.deepEqual(readConfig({ CHAT_ALLOWED_ORIGINS: `${SHOP},${WWW}` }).options.allowedOrigins, [
    SHOP,
    WWW,
  ]);

  const typo = readConfig({ CHAT_ALLOWED_ORIGINS: `${SHOP},shop.example/` });
  assert.deepEqual(typo.options.allowedOrigins, [SHOP]);
  assert.ok(typo.warnings.some((w) => w.includes('ignoring shop.example/')));

  const none = readConfig({ CHAT_ALLOWED_ORIGINS: 'shop.example' });
  assert.deepEqual(none.options.allowedOrigins, [], 'a typo does not open the server');
  assert.ok(none.warnings.some((w) => /no valid origin/.test(w)));
});

test('an open server is warned about only when it listens beyond loopback', () => {
  for (const address of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) {
    assert.equal(isLoopback(address), true, address);
    assert.equal(openOriginsWarning(undefined, address), undefined, address);
  }
  for (const address of ['0.0.0.0', '::', '192.168.1.20']) {
    assert.match(openOriginsWarning(undefined, address) ?? '', /CHAT_ALLOWED_ORIGINS is not set/);
  }
  assert.equal(openOriginsWarning([SHOP], '0.0.0.0'), undefined);
});

test('every socket path refuses a foreign Origin with 403 before the upgrade', async (t) => {
  const app = await startApp(t, { allowedOrigins: [SHOP, WWW] });
  const { body } = await new Visitor(app).fetchToken();
  const { token, user_id: userId } = body;
  const chat = await api(app, 'POST', '/api/v1/chats/', { key: token, body: { user_id: userId } });
  const paths = [
    socketUrl(app, '/ws', { token }),
    socketUrl(app, '/ws/chat', { api_key: token, user_id: userId, chat_id: chat.body.id }),
    socketUrl(app, `/ws/${randomUUID()}`, { token }),
    socketUrl(app, '/chat/ws', { token }),
  ];
  for (const url of paths) {
    const path = new URL(url).pathname;
    for (const origin of ['https://evil.example', 'null', `${SHOP}.evil.example`]) {
      assert.equal(await handshake(url, origin), 403, `${path} from ${origin}`);
    }
    for (const origin of [SHOP, WWW, undefined]) {
      assert.equal(await handshake(url, origin), 'open', `${path} from ${origin}`);
    }
  }
  // Refused before anything else is looked at: even a good token on an unknown path.
  assert.equal(await handshake(socketUrl(app, '/nowhere'), 'https://evil.example'), 403);
});

test('the token endpoint and the REST APIs refuse a foreign Origin with 403', async (t) => {
  const app = await startApp(t, { allowedOrigins: [SHOP] });
  const evil = 'https://evil.example';

  const refused = await tokenRequest(app, evil);
  assert.equal(refused.status, 403);
  assert.equal(refused.headers.get('set-cookie'), null, 'no visitor is made for a foreign page');
  assert.deepEqual(await refused.json(), { detail: 'Origin not allowed' });
  assert.equal((await tokenRequest(app, SHOP)).status, 200);

  const { body } = await new Visitor(app).fetchToken();
  const who = { key: body.token };
  const room = randomUUID();
  const calls = [
    ['POST', '/api/v1/chats/', { user_id: body.user_id }],
    ['GET', `/api/v1/chats/user/${body.user_id}`, undefined],
    ['POST', `/api/v1/rooms/${room}/messages/`, { content: 'hi', message_type: 'text' }],
    ['GET', `/api/v1/rooms/${room}/online`, undefined],
    ['OPTIONS', '/api/v1/chats/', undefined],
  ];
  for (const [method, path, payload] of calls) {
    const foreign = await api(app, method, path, {
      ...who,
      body: payload,
      headers: { origin: evil },
    });
    assert.equal(foreign.status, 403, `${method} ${path}`);
    assert.equal(foreign.body.detail, 'Origin not allowed');
    const allowed = await api(app, method, path, {
      ...who,
      body: payload,
      headers: { origin: SHOP },
    });
    assert.ok(allowed.status < 300, `${method} ${path} from the shop: ${allowed.status}`);
  }
});

test('pages and files are not guarded, and with no list every origin is allowed', async (t) => {
  const guarded = await startApp(t, { allowedOrigins: [SHOP] });
  const page = await fetch(new URL('/demo-config.js', guarded.url), {
    headers: { origin: 'https://evil.example' },
  });
  assert.equal(page.status, 200);

  const open = await startApp(t);
  assert.equal((await tokenRequest(open, 'https://evil.example')).status, 200);
  const { body } = await new Visitor(open).fetchToken();
  assert.equal(
    await handshake(socketUrl(open, '/ws', { token: body.token }), 'https://evil.example'),
    'open',
  );
});
