// Agent sign-in under attack: a burst of guesses at once, guesses spread over many addresses,
// and a flood that would hold libuv's threads with scrypt.
import assert from 'node:assert/strict';
import { AGENTS, Agent, PASSWORD } from '../server/handoff-helpers.js';
import { attack, report, tally } from './harness.js';

/** @param {{ url: string }} app @param {string} name @param {string} password @param {string} [from] */
function signIn(app, name, password, from) {
  return new Agent(app, name).request(
    'POST',
    '/agent/api/session',
    { name, password },
    from ? { 'x-forwarded-for': from } : {},
  );
}

attack(
  '40 wrong guesses sent at once from one address: only the limit is checked',
  async (t, start) => {
    const app = await start({ agents: [...AGENTS] });
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => signIn(app, `nobody${i}`, `guess ${i}`)),
    );
    const statuses = answers.map((a) => a.status);
    report(t, `40 concurrent guesses, limit 10 a minute: ${tally(statuses)}`);
    assert.equal(statuses.filter((s) => s === 401).length, 10, 'ten were checked, no more');
    assert.equal(statuses.filter((s) => s === 429).length, 30);
    const refused = answers.find((a) => a.status === 429);
    assert.match(refused?.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
    assert.equal((await signIn(app, 'maya', PASSWORD)).status, 429, 'not even the right one');
  },
);

attack('guesses at one account from many addresses: the account limit holds', async (t, start) => {
  const app = await start({ agents: [...AGENTS], trustProxy: { hops: 1 } });
  const statuses = [];
  for (let i = 0; i < 12; i++) {
    statuses.push((await signIn(app, 'maya', `guess ${i}`, `203.0.113.${i + 1}`)).status);
  }
  report(t, `12 guesses at maya from 12 addresses, limit 5 a minute: ${tally(statuses)}`);
  assert.deepEqual(statuses, [...Array(5).fill(401), ...Array(7).fill(429)]);
  const other = await signIn(app, 'sam', PASSWORD, '203.0.113.50');
  assert.equal(other.status, 200, 'another account is not affected');
});

attack(
  'a flood of checks from many addresses: at most a few at once, the rest told to wait',
  async (t, start) => {
    const app = await start({
      agents: [...AGENTS],
      trustProxy: { hops: 1 },
      signInConcurrency: 1,
    });
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        signIn(app, `nobody${i}`, 'guess', `198.51.100.${i + 1}`),
      ),
    );
    const statuses = answers.map((a) => a.status);
    report(t, `60 concurrent checks from 60 addresses, 1 at once + 8 waiting: ${tally(statuses)}`);
    assert.ok(statuses.includes(503), 'some were refused rather than queued');
    assert.ok(statuses.every((s) => s === 401 || s === 503));
    assert.equal(answers.find((a) => a.status === 503)?.headers.get('retry-after'), '1');
    assert.equal((await signIn(app, 'maya', PASSWORD, '198.51.100.200')).status, 200, 'then in');
  },
);

attack('X-Forwarded-For is believed only from a trusted proxy', async (t, start) => {
  const direct = await start({ agents: [...AGENTS] });
  const spoofed = [];
  for (let i = 0; i < 11; i++) {
    spoofed.push((await signIn(direct, `nobody${i}`, 'guess', `192.0.2.${i + 1}`)).status);
  }
  report(t, `no TRUST_PROXY, 11 guesses each claiming another address: ${tally(spoofed)}`);
  assert.equal(spoofed.at(-1), 429, 'a made-up header does not buy a fresh bucket');

  const proxied = await start({ agents: [...AGENTS], trustProxy: { hops: 1 } });
  for (let i = 0; i < 11; i++) await signIn(proxied, `nobody${i}`, 'guess', '192.0.2.66');
  const bystander = await signIn(proxied, 'maya', PASSWORD, '192.0.2.77');
  report(t, `behind one proxy, one client locked out, another signs in: ${bystander.status}`);
  assert.equal(bystander.status, 200, 'one client behind the proxy does not lock out the rest');
});
