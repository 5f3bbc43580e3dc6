// "Talk to a human" on the stream endpoint: the queue and its positions, nobody available,
// left messages, a person answering while the bot stays silent, hand-back, transfer, close.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseHours } from '../../server/support/agents/hours.js';
import { TEXTS } from '../../server/support/texts.js';
import { chat, types } from './helpers.js';
import {
  Agent,
  escalate,
  extendedSocket,
  firstWaiting,
  startDesk,
  strictSocket,
  Visitor,
} from './handoff-helpers.js';

/** A bot that records every history it is given and answers "bot reply N". */
function recordingBot() {
  /** @type {Array<Array<{ role: string, content: string }>>} */
  const asked = [];
  return {
    asked,
    description: 'records',
    /** @param {{ history: Array<{ role: string, content: string }> }} input */
    async *reply({ history }) {
      asked.push(history.map(({ role, content }) => ({ role, content })));
      yield `bot reply ${asked.length}`;
    },
  };
}

test('nobody online: the visitor is told so, and the bot keeps answering', async (t) => {
  const app = await startDesk(t);
  const { client } = await extendedSocket(new Visitor(app));

  const { response, handoff } = await escalate(client);
  assert.equal(response.message, TEXTS.nobodyOnline);
  assert.deepEqual(
    { type: handoff.type, state: handoff.state, reason: handoff.reason },
    { type: 'handoff', state: 'unavailable', reason: 'nobody-online' },
  );
  assert.ok(!Number.isNaN(Date.parse(handoff.timestamp)));

  const frames = await chat(client, 'still there?', { clientMessageId: 'c1' });
  assert.deepEqual(types(frames).slice(0, 3), ['ack', 'typing', 'stream-start']);

  // A signed-in agent whose console is closed is not online either.
  await Agent.signedIn(app, 'maya');
  assert.equal((await escalate(client)).handoff.reason, 'nobody-online');
});

test('outside opening hours the visitor is told the hours, even with agents online', async (t) => {
  const { hours } = parseHours('09:00-17:00', 'Europe/Berlin');
  // 20:30 in Berlin.
  const app = await startDesk(t, {
    agentHours: hours,
    now: () => Date.parse('2025-03-03T19:30:00Z'),
  });
  await Agent.online(app, 'maya');
  const { client } = await extendedSocket(new Visitor(app));
  const { response, handoff } = await escalate(client);
  assert.equal(handoff.state, 'unavailable');
  assert.equal(handoff.reason, 'outside-hours');
  assert.match(response.message, /09:00–17:00 \(Europe\/Berlin\)/);
});

test('within opening hours the visitor is queued', async (t) => {
  const { hours } = parseHours('09:00-17:00', 'Europe/Berlin');
  const app = await startDesk(t, {
    agentHours: hours,
    now: () => Date.parse('2025-03-03T10:00:00Z'),
  });
  await Agent.online(app, 'maya');
  const { client } = await extendedSocket(new Visitor(app));
  assert.equal((await escalate(client)).handoff.state, 'queued');
});

test('the queue: positions, asking again changes nothing, and places move up', async (t) => {
  const app = await startDesk(t);
  const maya = await Agent.online(app, 'maya');
  const first = await extendedSocket(new Visitor(app));
  const second = await extendedSocket(new Visitor(app));

  const one = await escalate(first.client);
  assert.equal(one.response.message, TEXTS.queued);
  assert.deepEqual([one.handoff.state, one.handoff.position], ['queued', 1]);
  const two = await escalate(second.client);
  assert.deepEqual([two.handoff.state, two.handoff.position], ['queued', 2]);

  // Idempotent: the second visitor asks again and is still second; nobody else is told anything.
  const again = await escalate(second.client);
  assert.equal(again.response.message, TEXTS.alreadyQueued);
  assert.equal(again.handoff.position, 2);
  assert.deepEqual(types(await first.client.drainWithPing()), ['pong']);

  const inbox = await maya.inboxWhere((i) => i.waiting.length === 2);
  assert.deepEqual(
    inbox.waiting.map((w) => w.position),
    [1, 2],
  );
  assert.ok(inbox.waiting[0].queuedAt <= inbox.waiting[1].queuedAt, 'oldest first');

  // Maya takes the first: the first visitor is assigned, the second moves up.
  assert.equal((await maya.act(inbox.waiting[0].id, 'take')).status, 200);
  const assigned = (await first.client.readUntil((f) => f.type === 'handoff')).at(-1);
  assert.deepEqual([assigned.state, assigned.agent], ['assigned', { name: 'Maya' }]);
  const moved = (await second.client.readUntil((f) => f.type === 'handoff')).at(-1);
  assert.deepEqual([moved.state, moved.position], ['queued', 1]);

  // Asking again while assigned changes nothing either.
  const whileAssigned = await escalate(first.client);
  assert.equal(whileAssigned.response.message, TEXTS.alreadyAssigned('Maya'));
  assert.equal(whileAssigned.handoff.state, 'assigned');
});

test('a strict client asking for a person gets the canned answer and is not queued', async (t) => {
  const app = await startDesk(t);
  const maya = await Agent.online(app, 'maya');
  const client = await strictSocket(new Visitor(app));
  client.send({ type: 'human-escalation', reason: 'Need human assistance' });
  const frames = await client.drainWithPing();
  assert.deepEqual(types(frames), ['human-escalation-response', 'pong']);
  assert.equal(frames[0].message, 'A human agent will contact you soon.');
  assert.equal((await maya.inbox()).body.waiting.length, 0);
});

test('a left message is validated, stored and listed in the console', async (t) => {
  const app = await startDesk(t);
  const maya = await Agent.online(app, 'maya');
  const { client } = await extendedSocket(new Visitor(app));
  await escalate(client);

  client.send({ type: 'leave-message', email: 'not an address', message: 'hi' });
  const [badEmail] = await client.drainWithPing();
  assert.equal(badEmail.type, 'error');
  client.send({ type: 'leave-message', email: 'ana@example.com', message: '   ' });
  assert.equal((await client.drainWithPing())[0].type, 'error');

  client.send({
    type: 'leave-message',
    email: 'ana@example.com',
    message: 'Please call me about the Cargo K2.',
  });
  const [left] = await client.drainWithPing();
  assert.deepEqual([left.type, left.ok], ['left-message', true]);

  const inbox = await maya.inboxWhere((i) => i.leftMessages.length === 1);
  const [stored] = inbox.leftMessages;
  assert.equal(stored.email, 'ana@example.com');
  assert.equal(stored.message, 'Please call me about the Cargo K2.');
  assert.match(stored.visitor, /^Visitor /);

  assert.equal(
    (await maya.request('POST', `/agent/api/left-messages/${stored.id}/resolve`, {})).status,
    204,
  );
  assert.equal((await maya.inbox()).body.leftMessages.length, 0);
});

test('a person answers: the bot is silent, messages and typing reach every tab, and after hand-back the bot answers with them in mind', async (t) => {
  const bot = recordingBot();
  const app = await startDesk(t, { bot });
  const maya = await Agent.online(app, 'maya');
  const visitor = new Visitor(app);
  const tab1 = (await extendedSocket(visitor)).client;
  const tab2 = (await extendedSocket(visitor)).client;

  assert.equal(
    (await chat(tab1, 'my order is late', { clientMessageId: 'v1' })).at(-1).type,
    'stream-end',
  );
  await tab2.readUntil((f) => f.type === 'stream-end');
  await escalate(tab1);
  await tab2.readUntil((f) => f.type === 'handoff');
  const id = await firstWaiting(maya);
  const watched = await maya.watch(id);
  assert.deepEqual(
    watched.messages.filter((m) => m.role !== 'system').map((m) => [m.role, m.content]),
    [
      ['user', 'my order is late'],
      ['assistant', 'bot reply 1'],
    ],
    'the console has the whole bot transcript',
  );

  assert.equal((await maya.act(id, 'take')).status, 200);
  for (const tab of [tab1, tab2]) {
    const handoff = (await tab.readUntil((f) => f.type === 'handoff')).at(-1);
    assert.deepEqual([handoff.state, handoff.agent.name], ['assigned', 'Maya']);
  }

  // Typing both ways.
  assert.equal((await maya.act(id, 'typing', { active: true })).status, 204);
  for (const tab of [tab1, tab2]) {
    const typing = (await tab.readUntil((f) => f.type === 'agent-typing')).at(-1);
    assert.deepEqual([typing.active, typing.agent], [true, { name: 'Maya' }]);
  }
  tab2.send({ type: 'typing', active: true });
  const visitorTyping = (await maya.live.readUntil((f) => f.type === 'typing')).at(-1);
  assert.deepEqual(
    [visitorTyping.who, visitorTyping.active, visitorTyping.conversationId],
    ['visitor', true, id],
  );

  // The agent's message reaches both tabs, with the name; the console sees it delivered.
  const sent = await maya.say(id, 'Hi, I am **Maya**. Let me check.');
  assert.equal(sent.status, 201);
  assert.equal(sent.body.delivered, true);
  for (const tab of [tab1, tab2]) {
    const frames = await tab.readUntil((f) => f.type === 'agent-message');
    const message = frames.at(-1);
    assert.equal(message.content, 'Hi, I am **Maya**. Let me check.');
    assert.deepEqual(message.agent, { name: 'Maya' });
    assert.equal(message.messageId, sent.body.message.messageId);
  }

  // The visitor writes: acknowledged, shown to the agent, no bot.
  tab1.send({ type: 'chat', content: 'thanks!', clientMessageId: 'v2' });
  const [ack] = await tab1.readUntil((f) => f.type === 'ack');
  assert.equal(ack.clientMessageId, 'v2');
  const fromVisitor = (
    await maya.live.readUntil((f) => f.type === 'message' && f.message.role === 'user')
  ).at(-1);
  assert.equal(fromVisitor.message.content, 'thanks!');
  assert.deepEqual(types(await tab1.drainWithPing()), ['pong'], 'no typing, no reply');
  const otherTab = await tab2.drainWithPing();
  assert.ok(otherTab.some((f) => f.type === 'user-message' && f.content === 'thanks!'));
  assert.ok(!otherTab.some((f) => f.type.startsWith('stream-')));
  assert.equal(bot.asked.length, 1);

  // Hand-back: both tabs hear it ended, and the bot answers again, with Maya's turn in view.
  assert.equal((await maya.act(id, 'handback')).status, 200);
  for (const tab of [tab1, tab2]) {
    assert.equal((await tab.readUntil((f) => f.type === 'handoff')).at(-1).state, 'ended');
  }
  const after = await chat(tab1, 'one more question');
  assert.equal(after.at(-1).type, 'stream-end');
  assert.deepEqual(bot.asked.at(-1), [
    { role: 'user', content: 'my order is late' },
    { role: 'assistant', content: 'bot reply 1' },
    { role: 'assistant', content: '[Maya, support team] Hi, I am **Maya**. Let me check.' },
    { role: 'user', content: 'thanks!' },
    { role: 'user', content: 'one more question' },
  ]);

  // After the hand-back Maya no longer holds the chat.
  assert.equal((await maya.say(id, 'still me')).status, 403);
});

test('an agent message sent again with the same clientMessageId is stored and shown once', async (t) => {
  const app = await startDesk(t);
  const maya = await Agent.online(app, 'maya');
  const { client } = await extendedSocket(new Visitor(app));
  await escalate(client);
  const id = await firstWaiting(maya);
  assert.equal((await maya.act(id, 'take')).status, 200);

  const body = { content: 'Let me look into it', clientMessageId: 'console-1' };
  const first = await maya.act(id, 'messages', body);
  assert.equal(first.status, 201);
  const heard = (await client.readUntil((f) => f.type === 'agent-message')).at(-1);
  assert.equal(heard.messageId, first.body.message.messageId);

  // The console tries again (say the first answer never reached it): the same message.
  const again = await maya.act(id, 'messages', body);
  assert.equal(again.status, 201);
  assert.equal(again.body.message.messageId, first.body.message.messageId);
  const later = await client.drainWithPing();
  assert.ok(!later.some((f) => f.type === 'agent-message'), 'the visitor sees it once');
  const { body: view } = await maya.request('GET', `/agent/api/conversations/${id}`);
  const kept = view.messages.filter((/** @type {any} */ m) => m.clientMessageId === 'console-1');
  assert.equal(kept.length, 1, 'stored once');
});

test('sync during a handoff: the queue position, then the agent and their messages', async (t) => {
  const app = await startDesk(t);
  const maya = await Agent.online(app, 'maya');
  const visitor = new Visitor(app);
  const { client } = await extendedSocket(visitor);
  await escalate(client);

  const queued = (await extendedSocket(visitor)).sync;
  assert.deepEqual(queued.handoff, { state: 'queued', position: 1 });

  const id = await firstWaiting(maya);
  await maya.act(id, 'take');
  await maya.say(id, 'Hello from Maya');
  const { sync } = await extendedSocket(visitor);
  assert.deepEqual(sync.handoff, { state: 'assigned', agent: { name: 'Maya' } });
  const agentMessage = sync.messages.find((m) => m.role === 'agent');
  assert.equal(agentMessage.content, 'Hello from Maya');
  assert.deepEqual(agentMessage.agent, { name: 'Maya' });
  assert.ok(!sync.messages.some((m) => m.role === 'system'), 'console notes stay in the console');
});

test('transfer to another online agent; the old one can no longer act, offline agents cannot take it', async (t) => {
  const app = await startDesk(t);
  const maya = await Agent.online(app, 'maya');
  const sam = await Agent.online(app, 'sam');
  await Agent.signedIn(app, 'lee'); // signed in, console closed: not online
  const { client } = await extendedSocket(new Visitor(app));
  await escalate(client);
  const id = await firstWaiting(maya);
  await maya.act(id, 'take');
  await client.readUntil((f) => f.type === 'handoff' && f.state === 'assigned');

  const toLee = await maya.act(id, 'transfer', { agent: 'lee' });
  assert.equal(toLee.status, 409);
  assert.match(toLee.body.detail, /Lee is not online/);
  assert.equal((await maya.act(id, 'transfer', { agent: 'nobody' })).status, 422);
  assert.equal((await sam.act(id, 'transfer', { agent: 'maya' })).status, 403, 'not his to give');

  assert.equal((await maya.act(id, 'transfer', { agent: 'sam' })).status, 200);
  const handoff = (await client.readUntil((f) => f.type === 'handoff')).at(-1);
  assert.deepEqual(
    [handoff.state, handoff.agent],
    ['assigned', { name: 'Sam', avatar: 'https://example.com/sam.png' }],
  );
  const notice = (await sam.live.readUntil((f) => f.type === 'transferred')).at(-1);
  assert.deepEqual([notice.conversationId, notice.from], [id, 'Maya']);

  assert.equal((await maya.say(id, 'me again')).status, 403);
  assert.equal((await sam.say(id, 'Sam here')).status, 201);
  const message = (await client.readUntil((f) => f.type === 'agent-message')).at(-1);
  assert.equal(message.agent.name, 'Sam');
});

test('close: the visitor hears it ended, the chat leaves the inbox, and the bot answers again', async (t) => {
  const app = await startDesk(t);
  const maya = await Agent.online(app, 'maya');
  const { client } = await extendedSocket(new Visitor(app));
  await chat(client, 'hello');
  await escalate(client);
  const id = await firstWaiting(maya);
  await maya.act(id, 'take');
  await maya.say(id, 'Solved, bye!');
  assert.equal((await maya.act(id, 'close')).status, 200);
  const frames = await client.readUntil(
    (f) => f.type === 'handoff' && f.state !== 'queued' && f.state !== 'assigned',
  );
  assert.equal(frames.at(-1).state, 'ended');
  assert.ok(frames.some((f) => f.type === 'agent-message' && f.content === 'Solved, bye!'));

  const inbox = (await maya.inbox()).body;
  assert.ok(![...inbox.waiting, ...inbox.assigned, ...inbox.bot].some((c) => c.id === id));
  assert.equal((await maya.act(id, 'close')).status, 403, 'closing twice is not hers to do');

  assert.equal((await chat(client, 'wait, one more thing')).at(-1).type, 'stream-end');
  const reopened = await maya.inboxWhere((i) => i.bot.some((c) => c.id === id));
  assert.equal(reopened.bot.find((c) => c.id === id).state, 'bot');
});

test('when the last agent leaves, waiting visitors are told nobody is online', async (t) => {
  const app = await startDesk(t, { agentOnlineGraceMs: 50 });
  const maya = await Agent.online(app, 'maya');
  const { client } = await extendedSocket(new Visitor(app));
  await escalate(client);
  await maya.live.close();
  const handoff = (await client.readUntil((f) => f.type === 'handoff')).at(-1);
  assert.deepEqual([handoff.state, handoff.reason], ['unavailable', 'nobody-online']);

  const back = await Agent.online(app, 'maya');
  assert.equal((await back.inbox()).body.waiting.length, 0);
});

test('signing out puts the agent’s chats back in the queue', async (t) => {
  const app = await startDesk(t);
  const maya = await Agent.online(app, 'maya');
  const sam = await Agent.online(app, 'sam');
  const { client } = await extendedSocket(new Visitor(app));
  await escalate(client);
  const id = await firstWaiting(maya);
  await maya.act(id, 'take');
  await client.readUntil((f) => f.type === 'handoff' && f.state === 'assigned');

  assert.equal((await maya.request('DELETE', '/agent/api/session')).status, 204);
  assert.equal(await maya.live.closed(), 4001);
  const handoff = (await client.readUntil((f) => f.type === 'handoff')).at(-1);
  assert.deepEqual([handoff.state, handoff.position], ['queued', 1]);
  assert.equal((await sam.act(id, 'take')).status, 200);
});
