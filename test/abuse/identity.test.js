// Taking over a visitor: join a room, read the victim's id from `online_users`, present it as
// the `cw_visitor` cookie, and ask for their conversation. Before the fix the id was the cookie.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { extendedSocket } from '../server/handoff-helpers.js';
import { ChatClient, Visitor, chat, socketUrl } from '../server/helpers.js';
import { attack, report } from './harness.js';

attack('a visitor id read in a room does not sign anyone in as that visitor', async (t, start) => {
  const app = await start();
  const victim = new Visitor(app);
  const { client: victimSocket } = await extendedSocket(victim);
  await chat(victimSocket, 'my account number is 12345', { clientMessageId: 'v-1' });
  const { body: victimToken } = await victim.fetchToken();

  const room = randomUUID();
  const victimInRoom = await ChatClient.open(
    socketUrl(app, `/ws/${room}`, { token: victimToken.token, user_id: victimToken.user_id }),
  );
  await victimInRoom.next();
  const attacker = new Visitor(app);
  const { body: attackerToken } = await attacker.fetchToken();
  const attackerInRoom = await ChatClient.open(
    socketUrl(app, `/ws/${room}`, { token: attackerToken.token, user_id: attackerToken.user_id }),
  );
  const status = await attackerInRoom.next();
  const seen = status.data.online_users.filter(
    (/** @type {string} */ id) => id !== attackerToken.user_id,
  );
  assert.deepEqual(seen, [victimToken.user_id], 'the room shows the victim, as rooms.md says');

  const impostor = new Visitor(app);
  impostor.cookie = `cw_visitor=${seen[0]}`;
  const { body: stolen } = await impostor.fetchToken();
  const { sync } = await extendedSocket(impostor);
  const leaked = sync.messages.filter((/** @type {{ content: string }} */ m) =>
    m.content.includes('12345'),
  );
  report(
    t,
    `cookie set to the victim's public id: got ${stolen.user_id === seen[0] ? 'the victim' : 'a new visitor'}, ${leaked.length} of the victim's messages`,
  );
  assert.notEqual(stolen.user_id, victimToken.user_id);
  assert.equal(leaked.length, 0);
  assert.ok(!JSON.stringify(victimToken).includes(String(victim.cookie).split('=')[1]));
  await Promise.all([victimSocket, victimInRoom, attackerInRoom].map((c) => c.close()));
});
