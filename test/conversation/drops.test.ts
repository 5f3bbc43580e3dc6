/**
 * A flaky network, on a fake clock: 50 messages through 20 drops a few seconds apart, most of
 * them in the middle of a reply, against an in-page server that behaves like the reference
 * `stream` server (acks, drops repeated client ids) over a link that loses what is in flight
 * when it breaks. Nothing the visitor typed may be lost, doubled or left hanging, and each drop
 * after a link that worked is mended within about a second.
 */
import { expect, fixture, html } from '@open-wc/testing';
import sinon from 'sinon';
import '../../src/define.js';
import type { ChatWidget } from '../../src/chat-widget.js';
import { messages, part } from '../helpers.js';

/** How long a frame takes on the wire, each way; a drop loses what is on it. */
const WIRE_MS = 30;
const TOKEN_EVERY_MS = 100;
const TOKENS_PER_REPLY = 10;

/** The server side: what it stored, and how each drop found it. */
const server = {
  stored: new Map<string, string>(),
  chats: 0,
  busy: 0,
  /** Chat frames the widget wrote, lost on the wire or not. */
  written: 0,
  dropsMidReply: 0,
  sockets: [] as LossySocket[],
  /** When each socket was created (the widget's reconnect attempts). */
  createdAt: [] as number[],
  /** The next drop, waiting for its moment: a question on the wire, or a reply halfway. */
  armed: undefined as 'wire' | 'reply' | undefined,
  dropTimes: [] as number[],
};

/** A WebSocket whose far end is the in-page server, over a wire that loses what is in flight. */
class LossySocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  readyState = 0;
  binaryType = 'blob';
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: ((e: { code: number; reason: string }) => void) | null = null;
  /** The reply this socket is streaming, if any. */
  streaming: ReturnType<typeof setInterval> | undefined;
  questionsInFlight = 0;

  constructor(readonly url: string) {
    server.sockets.push(this);
    server.createdAt.push(Date.now());
    setTimeout(() => {
      if (this.readyState !== 0) return;
      this.readyState = 1;
      this.onopen?.();
      this.toClient({ type: 'connection', message: 'hi', features: ['ack', 'dedupe'] });
    }, WIRE_MS);
  }

  send(data: string): void {
    const question = data.includes('"type":"chat"');
    if (question) {
      this.questionsInFlight += 1;
      server.written += 1;
      if (server.armed === 'wire') {
        server.armed = undefined;
        setTimeout(() => this.drop(), WIRE_MS / 2);
      }
    }
    setTimeout(() => {
      if (question) this.questionsInFlight -= 1;
      if (this.readyState === 1) this.atServer(JSON.parse(data) as Record<string, string>);
    }, WIRE_MS);
  }

  close(): void {
    this.end();
  }

  /** The network breaks: nothing more arrives either way. */
  drop(): void {
    if (this.readyState === 3) return;
    // Mid-reply: the reply is streaming, or its question is still on the wire.
    if (this.streaming || this.questionsInFlight > 0) server.dropsMidReply += 1;
    server.armed = undefined;
    server.dropTimes.push(Date.now());
    this.end();
    this.onclose?.({ code: 1006, reason: '' });
  }

  private end(): void {
    this.readyState = 3;
    clearInterval(this.streaming);
    this.streaming = undefined;
  }

  private toClient(frame: object): void {
    const data = JSON.stringify(frame);
    setTimeout(() => {
      if (this.readyState === 1) this.onmessage?.({ data });
    }, WIRE_MS);
  }

  private atServer(frame: Record<string, string>): void {
    if (frame.type === 'ping') return this.toClient({ type: 'pong' });
    if (frame.type !== 'chat') return;
    const id = frame.clientMessageId!;
    server.chats += 1;
    // A repeated id is acknowledged again and not answered twice.
    if (server.stored.has(id)) {
      this.toClient({ type: 'ack', clientMessageId: id, messageId: `s-${id}` });
      return;
    }
    // Like the reference server, one reply at a time: a chat meanwhile is refused for now.
    if (this.streaming) {
      server.busy += 1;
      this.toClient({ type: 'error', clientMessageId: id, message: 'Too many messages at once' });
      return;
    }
    this.toClient({ type: 'ack', clientMessageId: id, messageId: `s-${id}` });
    server.stored.set(id, frame.content!);
    const reply = `r-${id}`;
    this.toClient({ type: 'stream-start', messageId: reply });
    let sent = 0;
    clearInterval(this.streaming);
    this.streaming = setInterval(() => {
      if (server.armed === 'reply' && sent === TOKENS_PER_REPLY / 2) return this.drop();
      if (sent < TOKENS_PER_REPLY) {
        this.toClient({ type: 'stream-token', messageId: reply, token: `w${sent++} ` });
        return;
      }
      this.toClient({ type: 'stream-end', messageId: reply });
      clearInterval(this.streaming);
      this.streaming = undefined;
    }, TOKEN_EVERY_MS);
  }
}

describe('drops mid-reply (fake clock)', () => {
  let clock: sinon.SinonFakeTimers;
  const realWebSocket = window.WebSocket;

  beforeEach(() => {
    server.stored.clear();
    server.chats = 0;
    server.busy = 0;
    server.written = 0;
    server.dropsMidReply = 0;
    server.sockets = [];
    server.createdAt = [];
    server.armed = undefined;
    server.dropTimes = [];
    sessionStorage.clear();
    (window as unknown as { WebSocket: unknown }).WebSocket = LossySocket;
    clock = sinon.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    });
  });

  afterEach(() => {
    clock.restore();
    window.WebSocket = realWebSocket;
  });

  it('loses, doubles and strands nothing over 20 drops and 50 messages', async function () {
    this.timeout(60_000);
    const el = await fixture<ChatWidget>(
      html`<chat-widget mode="inline" server="ws://chat.test/ws" token="t"></chat-widget>`,
    );
    const sent: string[] = [];
    // A message every 2.2 s; drops at least 2.5 s apart, each in the middle of an exchange, all 20
    // of them while messages still come (each waits at most one message for its moment).
    for (let t = 0; t < 130_000; t += 200) {
      if (t % 2200 === 0 && sent.length < 50) {
        const text = `message ${sent.length + 1}`;
        sent.push(text);
        el.send(text).catch(() => {});
      }
      // At least 2.5 s after the last drop, the next one is armed for the middle of an exchange:
      // every other one catches a question on the wire (lost, so it must go again), the others
      // a reply halfway through.
      const last = server.dropTimes.at(-1) ?? 0;
      if (server.dropTimes.length < 20 && !server.armed && Date.now() - last >= 2500) {
        server.armed = server.dropTimes.length % 2 === 1 ? 'wire' : 'reply';
      }
      await clock.tickAsync(200);
    }
    // Let the last replies finish and the outbox drain.
    await clock.tickAsync(20_000);
    await el.updateComplete;

    const { dropTimes } = server;
    expect(dropTimes).to.have.length(20);
    expect(server.dropsMidReply).to.equal(20);
    // Messages caught on the wire by a drop were written again, and reached the server then.
    expect(server.written).to.be.greaterThan(50);
    // None lost, none stored twice: the server has each message exactly once.
    expect([...server.stored.values()].sort()).to.deep.equal([...sent].sort());
    const mine = messages(el, 'user');
    expect(mine.map((m) => m.querySelector('[part="content"]')!.textContent)).to.deep.equal(sent);
    // None stuck: every message confirmed, nothing typing, nothing streaming.
    expect(mine.every((m) => m.dataset.state === 'sent')).to.equal(true);
    expect(part(el, 'typing')).to.equal(null);
    expect(messages(el, 'assistant').some((m) => m.dataset.state === 'streaming')).to.equal(false);
    // Replies are shown once each (cut ones marked), never doubled by a resend.
    const replyIds = messages(el, 'assistant').map((m) => m.dataset.id);
    expect(new Set(replyIds).size).to.equal(replyIds.length);
    // After a link that worked, each reconnect came within about a second.
    const reconnectDelays = server.dropTimes.map(
      (at) => server.createdAt.find((created) => created >= at)! - at,
    );
    expect(reconnectDelays).to.have.length(20);
    expect(Math.max(...reconnectDelays)).to.be.at.most(1100);
    console.log(
      `[drops] 20 drops (${server.dropsMidReply} mid-reply), 50 messages, ${server.written} chat ` +
        `frames written (${server.written - 50} again, after a drop or a busy refusal), ` +
        `${server.chats} reached the ` +
        `server (repeats acknowledged, not stored; ${server.busy} refused as busy); reconnects ` +
        `within ${Math.min(...reconnectDelays)}–${Math.max(...reconnectDelays)} ms`,
    );
  });
});
