// The protocol-ping schedule as sockets see it: once per interval each, spread over the
// interval rather than all in one tick, and a socket that stops answering is terminated.
// (handshake.test.js checks the same on real sockets.) Timers are mocked, so nothing waits.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, test, mock } from 'node:test';
import { startHeartbeat } from '../../server/platform/ws/heartbeat.js';

const INTERVAL_MS = 30_000;
const STEP_MS = 100;

/** A socket as the heartbeat uses it: it records the moments it was pinged. */
class FakeSocket extends EventEmitter {
  /** @param {{ answers: boolean, clock: { now: number } }} options */
  constructor({ answers, clock }) {
    super();
    this.answers = answers;
    this.clock = clock;
    /** @type {number[]} */
    this.pings = [];
    this.terminatedAt = -1;
  }

  ping() {
    this.pings.push(this.clock.now);
    if (this.answers) this.emit('pong');
  }

  terminate() {
    this.terminatedAt = this.clock.now;
    this.emit('close');
  }
}

/** A WebSocketServer as far as the heartbeat sees one. */
function fakeServer() {
  const wss = new EventEmitter();
  return Object.assign(wss, { clients: new Set() });
}

/** @param {ReturnType<typeof fakeServer>} wss @param {FakeSocket} ws */
function connect(wss, ws) {
  wss.clients.add(ws);
  ws.once('close', () => wss.clients.delete(ws));
  wss.emit('connection', ws);
}

beforeEach(() => mock.timers.enable({ apis: ['setInterval'] }));
afterEach(() => mock.timers.reset());

test('sockets that connected together are pinged once per interval, a few per tick', () => {
  const clock = { now: 0 };
  const wss = fakeServer();
  const stop = startHeartbeat(/** @type {any} */ (wss), INTERVAL_MS);
  const sockets = Array.from({ length: 3000 }, () => new FakeSocket({ answers: true, clock }));
  for (const ws of sockets) connect(wss, ws);

  /** @type {Map<number, number>} moment → sockets pinged then */
  const perTick = new Map();
  for (clock.now = STEP_MS; clock.now <= 10 * INTERVAL_MS; clock.now += STEP_MS) {
    const before = sockets.reduce((n, ws) => n + ws.pings.length, 0);
    mock.timers.tick(STEP_MS);
    perTick.set(clock.now, sockets.reduce((n, ws) => n + ws.pings.length, 0) - before);
  }
  stop();

  // All at once would be 3000 writes in one turn of the event loop.
  const busiest = Math.max(...perTick.values());
  assert.ok(busiest <= 20, `at most 20 pings in one tick, saw ${busiest}`);
  for (const ws of sockets) {
    assert.equal(ws.terminatedAt, -1, 'a socket that answers stays open');
    assert.ok(ws.pings.length >= 9, `pinged every interval, got ${ws.pings.length}`);
    const [first = -1] = ws.pings;
    assert.ok(first >= INTERVAL_MS && first < 1.5 * INTERVAL_MS, `first ping at ${first}`);
    const gaps = ws.pings.slice(1).map((at, i) => at - (ws.pings[i] ?? 0));
    assert.ok(
      gaps.every((gap) => gap === INTERVAL_MS),
      'then one interval apart',
    );
  }
});

test('a socket that stops answering is terminated at its next turn; the others stay', () => {
  const clock = { now: 0 };
  const wss = fakeServer();
  const stop = startHeartbeat(/** @type {any} */ (wss), INTERVAL_MS);
  const lively = new FakeSocket({ answers: true, clock });
  const silent = new FakeSocket({ answers: false, clock });
  connect(wss, lively);
  clock.now = 5_000;
  mock.timers.tick(5_000);
  connect(wss, silent);

  for (clock.now += STEP_MS; clock.now <= 5 * INTERVAL_MS; clock.now += STEP_MS) {
    mock.timers.tick(STEP_MS);
  }
  stop();

  assert.deepEqual(
    silent.pings,
    [5_000 + INTERVAL_MS],
    'pinged once, an interval after connecting',
  );
  assert.equal(silent.terminatedAt, 5_000 + 2 * INTERVAL_MS, 'terminated at its next turn');
  assert.equal(lively.terminatedAt, -1);
  assert.deepEqual(
    lively.pings,
    [1, 2, 3, 4, 5].map((n) => n * INTERVAL_MS),
  );
});

test('a closed socket is no longer pinged', () => {
  const clock = { now: 0 };
  const wss = fakeServer();
  const stop = startHeartbeat(/** @type {any} */ (wss), INTERVAL_MS);
  const ws = new FakeSocket({ answers: true, clock });
  connect(wss, ws);
  clock.now = INTERVAL_MS;
  mock.timers.tick(INTERVAL_MS);
  ws.emit('close');
  clock.now = 3 * INTERVAL_MS;
  mock.timers.tick(2 * INTERVAL_MS);
  stop();
  assert.deepEqual(ws.pings, [INTERVAL_MS]);
});
