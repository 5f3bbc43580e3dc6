// Several reference-server processes (node server/main.js) on one real redis-server, with no
// stickiness: visitors and agents land anywhere, processes die, Redis restarts and goes away.
// Fails when redis-server is missing (redis-harness.js). Everything runs on 127.0.0.1, and every
// wait is bounded.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { hashPassword } from '../../server/support/agents/passwords.js';
import { Agent, PASSWORD, escalate, extendedSocket } from './handoff-helpers.js';
import { Visitor, within } from './helpers.js';
import { startRedis, startServerProcess } from './redis-harness.js';

const SECRET = 'a shared secret for every process of the scale suite, 32+ bytes';
const LEASE_MS = 2000;
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

/** @type {import('./redis-harness.js').TestRedis} */
let redis;
/** @type {Record<string, string>} */
let env;
/** @type {import('./redis-harness.js').ServerProcess[]} */
const processes = [];
/** @type {import('./redis-harness.js').ServerProcess[]} */
let shared = [];

/** One more process on the same Redis; stopped after the suite if still running. */
async function spawnProcess(extra = {}) {
  const child = await startServerProcess({ ...env, ...extra });
  processes.push(child);
  return child;
}

before(async () => {
  redis = await startRedis();
  const hash = await hashPassword(PASSWORD);
  env = {
    REDIS_URL: redis.url,
    CHAT_TOKEN_SECRET: SECRET,
    AGENT_ACCOUNTS: `maya:${hash},sam:${hash}`,
    CHAT_REPLY_LEASE_MS: String(LEASE_MS),
    DEMO_BOT_DELAY_MS: '40',
  };
  shared = await Promise.all([spawnProcess(), spawnProcess(), spawnProcess()]);
});

after(async () => {
  await Promise.all(processes.map((p) => p.stop('SIGKILL')));
  await redis?.close();
});

/**
 * A visitor whose next connection goes to `server` (the cookie, hence the conversation, stays).
 * @param {Visitor} visitor
 * @param {{ url: string }} server
 */
function on(visitor, server) {
  visitor.app = { url: server.url };
  return visitor;
}

/** @param {any[]} frames */
const seqs = (frames) => frames.filter((f) => typeof f.seq === 'number').map((f) => f.seq);

/** @param {number[]} list @param {number} from */
function assertContiguous(list, from) {
  assert.deepEqual(
    list,
    list.map((_, i) => from + i),
    `frames ${from}… once each, in order`,
  );
}

/** @param {{ url: string }} server @param {string} path */
async function status(server, path) {
  try {
    return (await fetch(new URL(path, server.url))).status;
  } catch {
    return 0;
  }
}

/** @param {{ url: string }} server @param {string} path @param {number} want */
async function waitForStatus(server, path, want, ms = 8000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if ((await status(server, path)) === want) return;
    await sleep(50);
  }
  assert.fail(`${path} did not answer ${want} within ${ms} ms`);
}

test('a visitor on one process and an agent on another: queue, take, messages both ways', async () => {
  const [a, b] = shared;
  const maya = await Agent.signedIn({ url: b.url }, 'maya');
  await maya.connect();
  const visitor = on(new Visitor({ url: a.url }), a);
  const { client } = await extendedSocket(visitor);

  const { handoff } = await escalate(client);
  assert.equal(handoff.state, 'queued', 'the agent online on B counts on A');
  assert.equal(handoff.position, 1);
  const { body: inbox } = await maya.inbox();
  const id = inbox.waiting[0].id;
  await maya.watch(id);

  assert.equal((await maya.act(id, 'take')).status, 200);
  const assigned = (await client.readUntil((f) => f.type === 'handoff')).at(-1);
  assert.deepEqual(assigned.agent, { name: 'Maya' });

  assert.equal((await maya.say(id, 'Hello from process B')).status, 201);
  const message = (await client.readUntil((f) => f.type === 'agent-message')).at(-1);
  assert.equal(message.content, 'Hello from process B');

  client.send({ type: 'chat', content: 'Thanks, from process A', clientMessageId: 'a-1' });
  await client.readUntil((f) => f.type === 'ack');
  const seen = await maya.live.readUntil(
    (f) => f.type === 'message' && f.message.content === 'Thanks, from process A',
  );
  assert.equal(seen.at(-1).conversationId, id);

  const all = seqs(client.frames);
  assertContiguous(all, /** @type {number} */ (all[0]));
  assert.equal((await maya.act(id, 'close')).status, 200);
  await client.readUntil((f) => f.type === 'handoff' && f.state === 'ended');
  await client.close();
  await maya.live.close();
});

test('a reconnect to another process mid-reply resumes with exactly the frames it missed', async () => {
  const [a, b, c] = shared;
  const visitor = new Visitor({ url: a.url });
  const first = (await extendedSocket(on(visitor, a))).client;
  // A second tab on C hears the whole conversation without a break, for comparison.
  const witness = (await extendedSocket(on(visitor, c))).client;

  first.send({ type: 'chat', content: 'Tell me about the widget', clientMessageId: 'r-1' });
  let tokens = 0;
  await first.readUntil((f) => f.type === 'stream-token' && ++tokens === 3);
  const lastSeq = Math.max(...seqs(first.frames));
  await first.close();

  const second = (await on(visitor, b).connect()).client;
  assert.equal((await second.next()).type, 'connection');
  second.send({ type: 'resume', lastSeq });
  const replayed = await second.readUntil((f) => f.type === 'stream-end');
  const resumed = seqs(replayed);
  assert.ok(resumed.length > 0);
  assertContiguous(resumed, lastSeq + 1);
  assert.ok(!replayed.some((f) => f.type === 'sync'), 'no full sync was needed');

  // Together, the two sockets saw exactly what the tab that never dropped saw.
  await witness.readUntil((f) => f.type === 'stream-end');
  const both = [...first.frames, ...replayed].filter((f) => typeof f.seq === 'number');
  const witnessed = witness.frames.filter((f) => typeof f.seq === 'number');
  const strip = (/** @type {any} */ f) => ({ ...f, timestamp: undefined });
  const firstSeq = /** @type {number} */ (seqs(witnessed)[0]);
  assert.deepEqual(
    both.filter((f) => f.seq >= firstSeq && f.type !== 'user-message').map(strip),
    witnessed.filter((f) => f.type !== 'user-message').map(strip),
  );
  const text = both
    .filter((f) => f.type === 'stream-token')
    .map((f) => f.token)
    .join('');
  second.send({ type: 'sync' });
  const sync = (await second.readUntil((f) => f.type === 'sync')).at(-1);
  assert.equal(sync.messages.at(-1).content, text, 'the transcript equals what was streamed');
  assert.equal(sync.seq, Math.max(...resumed));
  await second.close();
  await witness.close();
});

test('a process killed mid-reply: a survivor ends it as interrupted, and retry answers again', async () => {
  const doomed = await spawnProcess();
  const [, b] = shared;
  const visitor = new Visitor({ url: doomed.url });
  const { client } = await extendedSocket(on(visitor, doomed));
  client.send({ type: 'chat', content: 'A question before the crash', clientMessageId: 'k-1' });
  await client.readUntil((f) => f.type === 'ack');
  let tokens = 0;
  await client.readUntil((f) => f.type === 'stream-token' && ++tokens === 2);
  const lastSeq = Math.max(...seqs(client.frames));
  const replyId = client.frames.find((f) => f.type === 'stream-start').messageId;
  const killedAt = Date.now();
  await doomed.stop('SIGKILL');

  const again = (await on(visitor, b).connect()).client;
  assert.equal((await again.next()).type, 'connection');
  again.send({ type: 'resume', lastSeq });
  const end = (await again.readUntil((f) => f.type === 'stream-end')).at(-1);
  assert.equal(end.messageId, replyId);
  assert.equal(end.interrupted, true);
  assert.ok(Date.now() - killedAt < LEASE_MS + 3000, 'taken over within the lease');

  again.send({ type: 'sync' });
  const sync = (await again.readUntil((f) => f.type === 'sync')).at(-1);
  const question = sync.messages.find((/** @type {any} */ m) => m.clientMessageId === 'k-1');
  assert.ok(question, 'the acknowledged question is kept');
  const cut = sync.messages.find((/** @type {any} */ m) => m.messageId === replyId);
  assert.equal(cut.interrupted, true);

  again.send({ type: 'retry', messageId: replyId });
  const retried = await again.readUntil((f) => f.type === 'stream-end');
  const start = retried.find((f) => f.type === 'stream-start');
  assert.ok(start && start.messageId !== replyId, 'a new reply');
  assert.equal(retried.at(-1).interrupted, undefined);
  await again.close();
});

test('SIGTERM: widgets are told to reconnect, the reply in flight still ends, the process exits', async () => {
  const leaving = await spawnProcess();
  const [, b] = shared;
  const visitor = new Visitor({ url: leaving.url });
  const { client } = await extendedSocket(on(visitor, leaving));
  client.send({ type: 'chat', content: 'Still there?', clientMessageId: 't-1' });
  await client.readUntil((f) => f.type === 'stream-token');
  const exited = new Promise((resolve) => leaving.child.once('exit', (code) => resolve(code)));
  leaving.child.kill('SIGTERM');
  await client.readUntil((f) => f.type === 'reconnect');
  await client.closed();
  const lastSeq = Math.max(...seqs(client.frames));
  assert.equal(await status(leaving, '/healthz'), 0, 'no longer accepting');

  const again = (await on(visitor, b).connect()).client;
  assert.equal((await again.next()).type, 'connection');
  again.send({ type: 'resume', lastSeq });
  const rest = await again.readUntil((f) => f.type === 'stream-end');
  assertContiguous(seqs(rest), lastSeq + 1);
  assert.equal(await within(exited, 'the process to exit'), 0);
  await again.close();
});

test('rate limits hold across processes', async () => {
  const [a, b] = shared;
  const visitor = new Visitor({ url: a.url });
  const { body } = await visitor.fetchToken();
  const ask = (/** @type {{ url: string }} */ server) =>
    fetch(new URL(`/api/v1/chats/user/${body.user_id}`, server.url), {
      headers: { 'X-API-Key': body.token },
    }).then((res) => res.status);
  /** @type {number[]} */
  const answers = [];
  for (let i = 0; i < 60; i++) answers.push(...(await Promise.all([ask(a), ask(b)])));
  assert.equal(answers.filter((s) => s === 200).length, 100, 'the limit is 100 a minute');
  assert.equal(answers.filter((s) => s === 429).length, 20);
});

test('two agents on two processes race to take one chat: exactly one gets it', async () => {
  const [a, b, c] = shared;
  const maya = await Agent.signedIn({ url: a.url }, 'maya');
  const sam = await Agent.signedIn({ url: b.url }, 'sam');
  await maya.connect();
  await sam.connect();
  for (let round = 0; round < 3; round++) {
    const { client } = await extendedSocket(new Visitor({ url: c.url }));
    assert.equal((await escalate(client)).handoff.state, 'queued');
    const waiting = (await maya.inbox()).body.waiting;
    const id = waiting.at(-1).id;
    const [x, y] = await Promise.all([maya.act(id, 'take'), sam.act(id, 'take')]);
    assert.deepEqual([x.status, y.status].sort(), [200, 409], `round ${round}`);
    const winner = x.status === 200 ? maya : sam;
    assert.equal((await winner.act(id, 'close')).status, 200);
    await client.close();
  }
  await maya.live.close();
  await sam.live.close();
});

test('Redis restarting with its append-only file loses no conversation', async () => {
  const [a, b] = shared;
  const visitor = new Visitor({ url: a.url });
  const { client } = await extendedSocket(on(visitor, a));
  client.send({ type: 'chat', content: 'Remember me', clientMessageId: 'p-1' });
  await client.readUntil((f) => f.type === 'stream-end');
  await client.close();

  await redis.restart();
  await waitForStatus(b, '/readyz', 200);
  const { client: later, sync } = await extendedSocket(on(visitor, b));
  const contents = sync.messages.map((/** @type {any} */ m) => m.content);
  assert.ok(contents.includes('Remember me'));
  assert.equal(sync.messages.at(-1).role, 'assistant');
  later.send({ type: 'chat', content: 'Still here', clientMessageId: 'p-2' });
  await later.readUntil((f) => f.type === 'stream-end');
  await later.close();
});

test('Redis down: sockets stay up, nothing is acknowledged, /readyz fails; back: it carries on', async () => {
  const [a] = shared;
  const visitor = new Visitor({ url: a.url });
  const { client } = await extendedSocket(on(visitor, a));

  await redis.stop('SIGKILL');
  await waitForStatus(a, '/readyz', 503);
  assert.equal(await status(a, '/healthz'), 200, 'alive all the same');
  client.send({ type: 'chat', content: 'Sent while Redis is down', clientMessageId: 'd-1' });
  const refused = (
    await client.readUntil((f) => f.clientMessageId === 'd-1' && /^(error|ack)$/.test(f.type))
  ).at(-1);
  assert.equal(refused.type, 'error');
  assert.equal(refused.clientMessageId, 'd-1', 'so the widget keeps it and sends it again');
  await client.drainWithPing();
  assert.equal(client.closeCode, undefined, 'the socket stays open');

  await redis.start();
  await waitForStatus(a, '/readyz', 200);
  client.send({ type: 'chat', content: 'Sent while Redis is down', clientMessageId: 'd-1' });
  const answered = await client.readUntil((f) => f.type === 'stream-end');
  assert.ok(answered.some((f) => f.type === 'ack' && f.clientMessageId === 'd-1'));
  client.send({ type: 'sync' });
  const sync = (await client.readUntil((f) => f.type === 'sync')).at(-1);
  const kept = sync.messages.filter((/** @type {any} */ m) => m.clientMessageId === 'd-1');
  assert.equal(kept.length, 1, 'stored once');
  await client.close();
});
