import { expect } from '@open-wc/testing';
import sinon from 'sinon';
import {
  Connection,
  PING_INTERVAL_MS,
  PONG_TIMEOUT_MS,
  PROBATION_MS,
  type ConnectionListener,
  type StatusInfo,
} from '../../src/connection/connection.js';
import { TokenSource } from '../../src/connection/token-source.js';
import { createRoomsAdapter } from '../../src/protocols/rooms.js';
import { createStreamAdapter } from '../../src/protocols/stream.js';
import type { InboundEvent } from '../../src/protocols/types.js';

/** A WebSocket the test opens, feeds and drops by hand. */
class FakeSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  static all: FakeSocket[] = [];
  readyState = 0;
  binaryType = 'blob';
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onclose: ((e: { code: number; reason: string }) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(data);
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  receive(frame: object) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code, reason: '' });
  }
}

/** A connection listener that ignores everything `heard` does not handle. */
function listener(heard: Partial<ConnectionListener>): ConnectionListener {
  return {
    status: () => {},
    event: () => {},
    opened: () => {},
    closed: () => {},
    context: () => {},
    ...heard,
  };
}

describe('connection', () => {
  let clock: sinon.SinonFakeTimers;
  let statuses: StatusInfo[];
  let events: InboundEvent[];
  let tokenCalls: number;
  let connection: Connection;
  const realWebSocket = window.WebSocket;

  const last = () => FakeSocket.all[FakeSocket.all.length - 1]!;

  beforeEach(() => {
    FakeSocket.all = [];
    (window as unknown as { WebSocket: unknown }).WebSocket = FakeSocket;
    clock = sinon.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    });
    statuses = [];
    events = [];
    tokenCalls = 0;
    connection = new Connection({
      adapter: createStreamAdapter(),
      context: { server: 'ws://chat.test/ws', apiBase: 'http://chat.test' },
      tokens: new TokenSource({
        getToken: () => {
          tokenCalls += 1;
          return Promise.resolve({ token: `t${tokenCalls}`, expires_in: 300 });
        },
      }),
      listener: listener({
        status: (s) => statuses.push(s),
        event: (e) => events.push(e),
      }),
    });
  });

  afterEach(() => {
    connection.stop();
    clock.restore();
    window.WebSocket = realWebSocket;
  });

  it('connects with the token in the URL and reports connected', async () => {
    connection.start();
    await clock.tickAsync(0);
    expect(last().url).to.equal('ws://chat.test/ws?token=t1');
    last().open();
    // A server that greets may still refuse the sign-in in its first frame.
    expect(statuses.map((s) => s.status)).to.deep.equal(['connecting']);
    last().receive({ type: 'connection', message: 'hi' });
    expect(statuses.map((s) => s.status)).to.deep.equal(['connecting', 'connected']);
  });

  it('calls a greeting-less socket connected after a moment of quiet', async () => {
    connection.start();
    await clock.tickAsync(0);
    last().open();
    await clock.tickAsync(PROBATION_MS);
    expect(statuses.map((s) => s.status)).to.deep.equal(['connecting', 'connected']);
  });

  it('pings every 30 s and reconnects when nothing answers within 10 s', async () => {
    connection.start();
    await clock.tickAsync(0);
    const first = last();
    first.open();
    await clock.tickAsync(PING_INTERVAL_MS);
    expect(JSON.parse(first.sent[0]!).type).to.equal('ping');
    first.receive({ type: 'pong' });
    await clock.tickAsync(PONG_TIMEOUT_MS);
    expect(FakeSocket.all).to.have.length(1);
    await clock.tickAsync(PING_INTERVAL_MS - PONG_TIMEOUT_MS);
    await clock.tickAsync(PONG_TIMEOUT_MS);
    expect(statuses.at(-1)!.status).to.equal('reconnecting');
    await clock.tickAsync(1000);
    expect(FakeSocket.all).to.have.length(2);
  });

  it('takes one new token at once after a refused handshake, then backs off', async () => {
    connection.start();
    await clock.tickAsync(0);
    last().drop(1006);
    await clock.tickAsync(0);
    expect(tokenCalls).to.equal(2);
    expect(FakeSocket.all).to.have.length(2);
    expect(last().url).to.contain('token=t2');
    last().drop(1006);
    await clock.tickAsync(0);
    const status = statuses.at(-1)!;
    expect(status.status).to.equal('error');
    expect(status.code).to.equal('auth');
    expect(status.retryAt! - Date.now()).to.be.within(250, 2000);
    expect(FakeSocket.all).to.have.length(2);
    await clock.tickAsync(2000);
    expect(FakeSocket.all).to.have.length(3);
  });

  it('takes one new token, not a loop, when the server opens the socket and then closes for auth', async () => {
    const rooms = new Connection({
      adapter: createRoomsAdapter(),
      context: { server: 'ws://chat.test/ws', apiBase: 'http://chat.test', conversationId: 'r1' },
      tokens: new TokenSource({
        getToken: () => {
          tokenCalls += 1;
          return Promise.resolve({ token: `t${tokenCalls}`, expires_in: 300 });
        },
      }),
      listener: listener({ status: (s) => statuses.push(s) }),
    });
    try {
      rooms.start();
      await clock.tickAsync(0);
      last().open();
      last().drop(4001);
      await clock.tickAsync(0);
      expect(FakeSocket.all).to.have.length(2);
      last().open();
      last().drop(4001);
      await clock.tickAsync(0);
      expect(tokenCalls).to.equal(2);
      expect(FakeSocket.all).to.have.length(2);
      expect(statuses.at(-1)).to.include({ status: 'error', code: 'auth' });
      // A connection that lasts earns a new immediate retry for a later refusal.
      await clock.tickAsync(2000);
      last().open();
      await clock.tickAsync(11_000);
      last().drop(4001);
      await clock.tickAsync(0);
      expect(FakeSocket.all).to.have.length(4);
    } finally {
      rooms.stop();
    }
  });

  it('backs off exponentially while the server stays away, and starts over after a stable connection', async () => {
    sinon.stub(Math, 'random').returns(0.999);
    try {
      connection.start();
      await clock.tickAsync(0);
      last().open();
      const delays: number[] = [];
      for (let i = 0; i < 4; i++) {
        last().drop(1006);
        await clock.tickAsync(0);
        const retryAt = statuses.at(-1)!.retryAt;
        if (retryAt) delays.push(retryAt - Date.now());
        await clock.tickAsync(30_000);
        if (i < 3) {
          // Each new socket opens and then fails again straight away.
          last().open();
        }
      }
      expect(delays[0]).to.equal(999);
      expect(delays[1]).to.equal(1998);
      expect(delays[2]).to.equal(3996);
      last().open();
      await clock.tickAsync(11_000);
      last().drop(1006);
      await clock.tickAsync(0);
      expect(statuses.at(-1)!.retryAt! - Date.now()).to.equal(999);
    } finally {
      (Math.random as sinon.SinonStub).restore();
    }
  });

  it('reconnects within a second after a connection that worked, however often it drops', async () => {
    sinon.stub(Math, 'random').returns(0.999);
    try {
      connection.start();
      await clock.tickAsync(0);
      const delays: number[] = [];
      for (let i = 0; i < 10; i++) {
        last().open();
        last().receive({ type: 'connection', message: 'hi' });
        // A flaky network: each link carries frames for three seconds, then drops.
        await clock.tickAsync(3000);
        last().drop(1006);
        await clock.tickAsync(0);
        delays.push(statuses.at(-1)!.retryAt! - Date.now());
        await clock.tickAsync(delays.at(-1)!);
      }
      expect(delays.every((d) => d <= 1000)).to.equal(true, delays.join(', '));
    } finally {
      (Math.random as sinon.SinonStub).restore();
    }
  });

  it('climbs only while attempts die at once, and a silent open socket counts as dying', async () => {
    sinon.stub(Math, 'random').returns(0.999);
    try {
      connection.start();
      await clock.tickAsync(0);
      const delays: number[] = [];
      for (let i = 0; i < 4; i++) {
        last().open();
        // Open, no frame, gone within a second: that proves nothing about the link.
        await clock.tickAsync(500);
        last().drop(1006);
        await clock.tickAsync(0);
        delays.push(statuses.at(-1)!.retryAt! - Date.now());
        await clock.tickAsync(delays.at(-1)!);
      }
      expect(delays).to.deep.equal([999, 1998, 3996, 7992]);
    } finally {
      (Math.random as sinon.SinonStub).restore();
    }
  });

  it('treats a refusal after open like a refused handshake: one new token, then an error', async () => {
    connection.start();
    await clock.tickAsync(0);
    last().open();
    // A server that checks the token after `open`: an error naming authentication, then 1008.
    const refusing = last();
    refusing.receive({ type: 'error', message: 'Authentication failed: invalid token' });
    await clock.tickAsync(0);
    // The refusal is the connection's own business: the socket goes, a new token comes.
    expect(refusing.readyState).to.equal(FakeSocket.CLOSED);
    refusing.drop(1008);
    expect(tokenCalls).to.equal(2);
    expect(FakeSocket.all).to.have.length(2);
    expect(events).to.deep.equal([]);
    // The next socket is not "connected" until the server has let it live.
    last().open();
    expect(statuses.at(-1)!.status).to.not.equal('connected');
    last().receive({ type: 'error', message: 'Authentication failed: invalid token' });
    last().drop(1008);
    await clock.tickAsync(0);
    expect(statuses.at(-1)).to.include({ status: 'error', code: 'auth' });
    expect(statuses.filter((s) => s.status === 'connected')).to.have.length(0);
  });

  it('gives up after repeated refusals until the page connects again', async () => {
    connection.start();
    for (let i = 0; i < 10; i++) {
      await clock.tickAsync(30_000);
      last().drop(1006);
    }
    await clock.tickAsync(60_000);
    const sockets = FakeSocket.all.length;
    expect(sockets).to.be.below(10);
    expect(statuses.at(-1)).to.include({ status: 'error', code: 'auth' });
    expect(statuses.at(-1)!.retryAt).to.equal(undefined);
    await clock.tickAsync(600_000);
    expect(FakeSocket.all).to.have.length(sockets);
    // The page's connect() is a fresh start.
    expect(connection.running).to.equal(false);
    connection.start();
    await clock.tickAsync(0);
    expect(FakeSocket.all).to.have.length(sockets + 1);
  });

  it('calls a socket connected after a refusal once the server lets it live', async () => {
    connection.start();
    await clock.tickAsync(0);
    last().drop(1006);
    await clock.tickAsync(0);
    last().open();
    expect(statuses.at(-1)!.status).to.not.equal('connected');
    await clock.tickAsync(PROBATION_MS);
    expect(statuses.at(-1)!.status).to.equal('connected');
  });

  it('goes offline with the browser and reconnects when it is back', async () => {
    connection.start();
    await clock.tickAsync(0);
    last().open();
    const online = sinon.stub(navigator, 'onLine').get(() => false);
    try {
      window.dispatchEvent(new Event('offline'));
      expect(statuses.at(-1)!.status).to.equal('offline');
      await clock.tickAsync(60_000);
      expect(FakeSocket.all).to.have.length(1);
    } finally {
      online.restore();
    }
    window.dispatchEvent(new Event('online'));
    await clock.tickAsync(0);
    expect(FakeSocket.all).to.have.length(2);
  });

  it('passes decoded frames on and survives garbage', async () => {
    connection.start();
    await clock.tickAsync(0);
    last().open();
    last().onmessage?.({ data: '{oops' });
    last().onmessage?.({ data: new ArrayBuffer(3) });
    last().receive({ type: 'connection', message: 'hi', features: ['ack'] });
    expect(events).to.deep.equal([{ kind: 'ready', features: ['ack'] }]);
  });
});

describe('connection: REST calls after the token was refreshed', () => {
  it('builds requests with the newest token, not the one the socket connected with', async () => {
    const clock = sinon.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    });
    const realWebSocket = window.WebSocket;
    (window as unknown as { WebSocket: unknown }).WebSocket = FakeSocket;
    let n = 0;
    const connection = new Connection({
      adapter: createStreamAdapter(),
      context: { server: 'ws://chat.test/ws', apiBase: 'http://chat.test' },
      tokens: new TokenSource({
        getToken: () => Promise.resolve({ token: `t${++n}`, expires_in: 300 }),
      }),
      listener: listener({}),
    });
    try {
      connection.start();
      await clock.tickAsync(0);
      expect(connection.context.token).to.equal('t1');
      // The token source refreshes shortly before expiry (300 s - 30 s).
      await clock.tickAsync(271_000);
      expect(n).to.equal(2);
      expect(connection.context.token).to.equal('t2');
    } finally {
      connection.stop();
      clock.restore();
      window.WebSocket = realWebSocket;
    }
  });
});
