// The agent console's doors: sign-in, sessions, the one-time link, the console page, the live
// socket, and who may do what to which chat — for every endpoint.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readAgentConfig } from '../../server/support/agents/accounts.js';
import { parseHours, isWithinHours } from '../../server/support/agents/hours.js';
import { hashPassword, verifyPassword } from '../../server/support/agents/passwords.js';
import { ChatClient, socketUrl, Visitor } from './helpers.js';
import {
  AGENTS,
  Agent,
  PASSWORD,
  escalate,
  extendedSocket,
  firstWaiting,
  startDesk,
} from './handoff-helpers.js';

const CONVERSATION = 'conv_xxxxxxxxxxxx';

/** Every endpoint that needs a session, with a body it would accept. */
const ENDPOINTS = [
  ['GET', '/agent/api/session'],
  ['DELETE', '/agent/api/session'],
  ['GET', '/agent/api/inbox'],
  ['GET', `/agent/api/conversations/${CONVERSATION}`],
  ['POST', `/agent/api/conversations/${CONVERSATION}/take`, {}],
  ['POST', `/agent/api/conversations/${CONVERSATION}/messages`, { content: 'hi' }],
  ['POST', `/agent/api/conversations/${CONVERSATION}/typing`, { active: true }],
  ['POST', `/agent/api/conversations/${CONVERSATION}/handback`, {}],
  ['POST', `/agent/api/conversations/${CONVERSATION}/transfer`, { agent: 'sam' }],
  ['POST', `/agent/api/conversations/${CONVERSATION}/close`, {}],
  ['POST', '/agent/api/left-messages/left_xxxxxxxxxxxx/resolve', {}],
  ['GET', '/agent/api/no-such-thing'],
];

/** The actions on one chat that only its holder may take. */
const HOLDER_ACTIONS = [
  ['messages', { content: 'not mine to say' }],
  ['typing', { active: true }],
  ['handback', {}],
  ['transfer', { agent: 'lee' }],
  ['close', {}],
];

test('every agent endpoint refuses anonymous requests and visitor tokens with 401', async (t) => {
  const app = await startDesk(t);
  const { body } = await new Visitor(app).fetchToken();
  const token = body.token;
  const anonymous = new Agent(app, 'nobody');
  const asVisitor = [
    { 'X-API-Key': token },
    { Authorization: `Bearer ${token}` },
    { cookie: `cw_agent=${token}` },
    { cookie: `cw_visitor=${body.user_id}` },
  ];
  for (const [method, path, payload] of ENDPOINTS) {
    const plain = await anonymous.request(method, path, payload);
    assert.equal(plain.status, 401, `${method} ${path} without credentials`);
    assert.equal(plain.headers.get('cache-control'), 'no-store');
    for (const headers of asVisitor) {
      const res = await anonymous.request(method, path, payload, headers);
      assert.equal(res.status, 401, `${method} ${path} with ${Object.keys(headers)[0]}`);
    }
  }
});

test('an agent cannot act on a chat they do not hold: 403, taking a waiting one excepted', async (t) => {
  const app = await startDesk(t);
  const maya = await Agent.online(app, 'maya');
  const sam = await Agent.online(app, 'sam');
  await Agent.online(app, 'lee');
  const { client } = await extendedSocket(new Visitor(app));
  await client.send({ type: 'chat', content: 'hello' });
  await client.readUntil((f) => f.type === 'stream-end');

  // Handled by the bot: nobody holds it, nobody may act on it, and it cannot be taken.
  const botChat = (await maya.inboxWhere((i) => i.bot.length === 1)).bot[0].id;
  for (const [action, body] of HOLDER_ACTIONS) {
    assert.equal((await maya.act(botChat, action, body)).status, 403, `${action} on a bot chat`);
  }
  const notWaiting = await maya.act(botChat, 'take');
  assert.equal(notWaiting.status, 409);
  assert.match(notWaiting.body.detail, /not waiting/);

  // Waiting: anyone may take it, nobody may act on it before.
  await escalate(client);
  const id = await firstWaiting(maya);
  for (const [action, body] of HOLDER_ACTIONS) {
    assert.equal((await sam.act(id, action, body)).status, 403, `${action} on a waiting chat`);
  }
  assert.equal((await maya.act(id, 'take')).status, 200);
  assert.equal((await maya.act(id, 'take')).status, 200, 'taking what you hold is a no-op');

  // Held by Maya: Sam may read it, not act on it, not take it.
  assert.equal((await sam.request('GET', `/agent/api/conversations/${id}`)).status, 200);
  for (const [action, body] of HOLDER_ACTIONS) {
    assert.equal((await sam.act(id, action, body)).status, 403, `${action} on Maya's chat`);
  }
  const taken = await sam.act(id, 'take');
  assert.equal(taken.status, 409);
  assert.match(taken.body.detail, /Maya has already taken this chat/);

  // A chat that does not exist.
  for (const [action, body] of [...HOLDER_ACTIONS, ['take', {}]]) {
    assert.equal((await maya.act(CONVERSATION, action, body)).status, 404, `${action}: no chat`);
  }
  assert.equal((await maya.request('GET', `/agent/api/conversations/${CONVERSATION}`)).status, 404);
});

test('taking is atomic: of two agents taking one chat at once, exactly one gets it', async (t) => {
  const app = await startDesk(t);
  const maya = await Agent.online(app, 'maya');
  const sam = await Agent.online(app, 'sam');
  for (let round = 0; round < 5; round++) {
    const { client } = await extendedSocket(new Visitor(app));
    await escalate(client);
    const id = await firstWaiting(maya);
    const results = await Promise.all([maya.act(id, 'take'), sam.act(id, 'take')]);
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 409], `round ${round}`);
    const winner = results[0].status === 200 ? 'Maya' : 'Sam';
    const loser = results.find((r) => r.status === 409);
    assert.match(loser?.body.detail, new RegExp(`${winner} has already taken`));
    const handoffs = (
      await client.readUntil((f) => f.type === 'handoff' && f.state === 'assigned')
    ).filter((f) => f.type === 'handoff' && f.state === 'assigned');
    assert.equal(handoffs.length, 1, 'the visitor is assigned once');
    assert.equal(handoffs[0].agent.name, winner);
    await (winner === 'Maya' ? maya : sam).act(id, 'close');
  }
});

test('sign-in: wrong passwords, the session cookie, who am I, sign-out, and too many failures', async (t) => {
  const app = await startDesk(t);
  const agent = new Agent(app, 'maya');
  assert.equal(
    (await agent.request('POST', '/agent/api/session', { name: 'maya', password: 'nope' })).status,
    401,
  );
  assert.equal(
    (await agent.request('POST', '/agent/api/session', { name: 'ghost', password: PASSWORD }))
      .status,
    401,
  );
  assert.equal((await agent.request('POST', '/agent/api/session', { name: 'maya' })).status, 401);

  const ok = await agent.request('POST', '/agent/api/session', {
    name: 'Maya',
    password: PASSWORD,
  });
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.body.agent, { id: 'maya', name: 'Maya' });
  const cookie = ok.setCookie ?? '';
  assert.match(cookie, /^cw_agent=[\w-]{43}; /);
  for (const attribute of ['HttpOnly', 'SameSite=Strict', 'Path=/agent', 'Max-Age=43200']) {
    assert.ok(cookie.includes(attribute), attribute);
  }
  assert.ok(!cookie.includes('Secure'), 'not over plain http');
  assert.deepEqual((await agent.request('GET', '/agent/api/session')).body.agent.id, 'maya');

  const stolen = agent.cookie;
  assert.equal((await agent.request('DELETE', '/agent/api/session')).status, 204);
  assert.equal(agent.cookie, undefined, 'the cookie is cleared');
  const replay = await agent.request('GET', '/agent/api/session', undefined, {
    cookie: stolen ?? '',
  });
  assert.equal(replay.status, 401, 'a signed-out session is dead on the server too');

  // Ten attempts a minute from one address (four above, the right one included), then not even
  // the right password. Each guess names another account, so only the address limit applies.
  const guesser = new Agent(app, 'maya');
  const statuses = [];
  for (let i = 0; i < 7; i++) {
    statuses.push(
      (
        await guesser.request('POST', '/agent/api/session', {
          name: `ghost${i}`,
          password: `guess ${i}`,
        })
      ).status,
    );
  }
  assert.deepEqual(statuses, [...Array(6).fill(401), 429]);
  const right = await guesser.request('POST', '/agent/api/session', {
    name: 'maya',
    password: PASSWORD,
  });
  assert.equal(right.status, 429);
  assert.match(right.headers.get('retry-after') ?? '', /^\d+$/);
  assert.match(right.body.detail, /address/);
});

test('requests from other origins and bodies that are not JSON are refused', async (t) => {
  const app = await startDesk(t);
  const maya = await Agent.signedIn(app, 'maya');
  const foreign = await maya.request('GET', '/agent/api/inbox', undefined, {
    origin: 'https://evil.example',
  });
  assert.equal(foreign.status, 403);
  const own = await maya.request('GET', '/agent/api/inbox', undefined, {
    origin: new URL(app.url).origin,
  });
  assert.equal(own.status, 200);

  const form = await fetch(new URL('/agent/api/session', app.url), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `name=maya&password=${encodeURIComponent(PASSWORD)}`,
  });
  assert.equal(form.status, 415);
});

test('a one-time sign-in link works once and sets the session cookie', async (t) => {
  const app = await startDesk(t, { agents: [{ id: 'maya', name: 'Maya' }] });
  const link = await app.createLoginLink('maya');
  assert.match(link, /\/agent\/login\?token=[\w-]{43}$/);

  const agent = new Agent(app, 'maya');
  const first = await agent.request('GET', new URL(link).pathname + new URL(link).search);
  assert.equal(first.status, 303);
  assert.equal(first.headers.get('location'), '/agent');
  assert.match(first.setCookie ?? '', /HttpOnly; SameSite=Strict/);
  assert.equal((await agent.request('GET', '/agent/api/session')).body.agent.name, 'Maya');

  const again = await new Agent(app, 'x').request(
    'GET',
    new URL(link).pathname + new URL(link).search,
  );
  assert.equal(again.status, 401);
  assert.equal(again.setCookie, undefined);
  assert.equal((await new Agent(app, 'x').request('GET', '/agent/login?token=forged')).status, 401);

  // An agent without a password cannot sign in with one.
  const noPassword = await new Agent(app, 'x').request('POST', '/agent/api/session', {
    name: 'maya',
    password: '',
  });
  assert.equal(noPassword.status, 401);
});

test('the console socket needs the session cookie and this server’s origin', async (t) => {
  const app = await startDesk(t);
  const maya = await Agent.signedIn(app, 'maya');
  const { body } = await new Visitor(app).fetchToken();
  const url = socketUrl(app, '/agent/ws');
  const origin = new URL(app.url).origin;

  /** @param {import('ws').ClientOptions} options */
  const refusal = async (options) => {
    try {
      const client = await ChatClient.open(url, options);
      await client.close();
      return 'opened';
    } catch (err) {
      return String(err instanceof Error ? err.message : err);
    }
  };
  assert.match(await refusal({ origin }), /401/);
  assert.match(await refusal({ origin, headers: { cookie: `cw_agent=${body.token}` } }), /401/);
  assert.match(
    await refusal({ origin: 'https://evil.example', headers: { cookie: maya.cookie ?? '' } }),
    /403/,
  );
  assert.match(await refusal({ headers: { cookie: maya.cookie ?? '' } }), /403/, 'no Origin');
  assert.match(await refusal({ origin }), /401/);
  const visitorUrl = `${url}?token=${encodeURIComponent(body.token)}`;
  try {
    await ChatClient.open(visitorUrl, { origin });
    assert.fail('a visitor token opened the agent socket');
  } catch (err) {
    assert.match(String(err), /401/);
  }

  const socket = await maya.connect();
  const inbox = (await socket.readUntil((f) => f.type === 'inbox')).at(-1);
  assert.deepEqual(
    inbox.inbox.agents.map((a) => [a.id, a.online]),
    [
      ['maya', true],
      ['sam', false],
      ['lee', false],
    ],
  );
  socket.send({ type: 'ping' });
  assert.equal((await socket.readUntil((f) => f.type === 'pong')).at(-1).type, 'pong');
  socket.send({ type: 'watch', conversationId: '../../etc' });
  assert.equal((await socket.next()).type, 'error');
});

test('the console page is one HTML document with a strict policy and no inline code', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'agent-dist-'));
  writeFileSync(join(dir, 'agent-console.js'), 'export {};\n');
  const app = await startDesk(t, { agentDistDir: dir });
  const page = await fetch(new URL('/agent', app.url));
  assert.equal(page.status, 200);
  const csp = page.headers.get('content-security-policy') ?? '';
  assert.match(csp, /script-src 'self'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  const html = await page.text();
  assert.match(html, /<script type="module" src="\/agent\/agent-console\.js"><\/script>/);
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
  assert.doesNotMatch(html, /<style|style=/, 'no inline style');

  const script = await fetch(new URL('/agent/agent-console.js', app.url));
  assert.equal(script.status, 200);
  assert.match(script.headers.get('content-type') ?? '', /javascript/);
  assert.equal((await fetch(new URL('/agent/..%2f..%2fpackage.json', app.url))).status, 403);
  assert.equal((await fetch(new URL('/agent/missing.js', app.url))).status, 404);
});

test('passwords hash with scrypt and verify; the accounts and hours come from the environment', async () => {
  const hash = await hashPassword('correct horse battery');
  assert.match(hash, /^scrypt\$16384\$8\$1\$/);
  assert.equal(await verifyPassword('correct horse battery', hash), true);
  assert.equal(await verifyPassword('correct horse battery!', hash), false);
  assert.equal(await verifyPassword('x', 'scrypt$1$1$1$short$short'), false);

  const cli = execFileSync(process.execPath, ['server/support/agents/hash-password.js'], {
    input: 'typed on stdin\n',
    encoding: 'utf8',
  }).trim();
  assert.equal(await verifyPassword('typed on stdin', cli), true);

  const dir = mkdtempSync(join(tmpdir(), 'agents-'));
  const file = join(dir, 'agents.json');
  writeFileSync(
    file,
    JSON.stringify([
      {
        name: 'sam',
        displayName: 'Sam Okafor',
        avatar: 'https://example.com/sam.png',
        passwordHash: hash,
      },
      { name: 'eve', passwordHash: 'plain text' },
      { name: 'bad name!', passwordHash: hash },
      { name: 'kim', avatar: 'javascript:alert(1)', passwordHash: hash },
    ]),
  );
  const { accounts, hours, warnings } = readAgentConfig({
    AGENT_ACCOUNTS: `maya:${hash}, broken, joe:notahash`,
    AGENT_ACCOUNTS_FILE: file,
    AGENT_HOURS: '09:00-17:00',
    AGENT_TIMEZONE: 'Europe/Berlin',
  });
  assert.deepEqual(
    accounts.map((a) => [a.id, a.name, a.avatar]),
    [
      ['maya', 'Maya', undefined],
      ['sam', 'Sam Okafor', 'https://example.com/sam.png'],
      ['kim', 'Kim', undefined],
    ],
  );
  assert.equal(warnings.length, 4);
  assert.equal(hours?.label, '09:00–17:00 (Europe/Berlin)');
  assert.equal(isWithinHours(hours, Date.parse('2025-07-01T06:59:00Z')), false, '08:59 in Berlin');
  assert.equal(isWithinHours(hours, Date.parse('2025-07-01T07:00:00Z')), true, '09:00 in Berlin');
  assert.equal(isWithinHours(hours, Date.parse('2025-07-01T15:00:00Z')), false, '17:00 in Berlin');

  const overnight = parseHours('22:00-06:00', undefined).hours;
  assert.equal(isWithinHours(overnight, Date.parse('2025-07-01T23:00:00Z')), true);
  assert.equal(isWithinHours(overnight, Date.parse('2025-07-01T12:00:00Z')), false);
  assert.equal(readAgentConfig({ AGENT_HOURS: '9 to 5' }).hours, undefined);
  assert.equal(readAgentConfig({ AGENT_HOURS: '9 to 5' }).warnings.length, 1);
  assert.equal(readAgentConfig({}).accounts.length, 0);
  assert.ok(AGENTS.length > 0);
});
