/**
 * The events, rooms and threads adapters against their fixture servers over a real
 * WebSocket and real fetch: the test plays the connection controller (prepare, socket,
 * opened frames, REST sends) and checks both the decoded events and what the server got.
 */
import { expect } from '@open-wc/testing';
import { fixtures } from '/__fixtures__.js';
import { createEventsAdapter } from '../../src/protocols/events.js';
import { createRoomsAdapter } from '../../src/protocols/rooms.js';
import { createThreadsAdapter } from '../../src/protocols/threads.js';
import type {
  CloseVerdict,
  ConnectContext,
  HttpRequest,
  InboundEvent,
  ProtocolAdapter,
} from '../../src/protocols/types.js';

interface Fixture {
  ws: string;
  http: string;
}

function fixture(name: 'events' | 'rooms' | 'threads'): Fixture {
  const found = fixtures[name];
  if (!found) throw new Error(`fixture server ${name} is not running`);
  return found;
}

let serial = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++serial}`;

/** Runs a described REST call the way the connection does. */
async function run(request: HttpRequest): Promise<unknown> {
  const response = await fetch(request.url, {
    method: request.method,
    headers: {
      ...request.headers,
      ...(request.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
  });
  if (!response.ok) throw new Error(`${request.method} ${request.url} answered ${response.status}`);
  const text = await response.text();
  return text ? (JSON.parse(text) as unknown) : null;
}

async function received(f: Fixture, filter: Record<string, string>) {
  const response = await fetch(`${f.http}/__received?${new URLSearchParams(filter)}`);
  return (await response.json()) as Array<Record<string, unknown>>;
}

async function control(f: Fixture, body: Record<string, unknown>) {
  const response = await fetch(`${f.http}/__control`, {
    method: 'POST',
    body: JSON.stringify(body),
  });
  return (await response.json()) as Record<string, unknown>;
}

/** One socket, driven like the connection drives it, with waits that resolve on frames. */
class Live {
  readonly events: InboundEvent[] = [];
  readonly socket: WebSocket;
  opened = false;
  closed: { code: number; verdict: CloseVerdict } | undefined;
  private readonly checks = new Set<() => void>();

  constructor(
    readonly adapter: ProtocolAdapter,
    ctx: ConnectContext,
  ) {
    this.socket = new WebSocket(adapter.socketUrl(ctx));
    adapter.reset();
    this.socket.onopen = () => {
      this.opened = true;
      for (const frame of adapter.opened(ctx)) this.socket.send(frame);
      this.notify();
    };
    this.socket.onmessage = (message: MessageEvent) => {
      this.events.push(...adapter.decode(message.data));
      this.notify();
    };
    this.socket.onclose = (event: CloseEvent) => {
      this.closed = {
        code: event.code,
        verdict: adapter.interpretClose(event.code, event.reason, this.opened),
      };
      this.notify();
    };
  }

  private notify(): void {
    for (const check of [...this.checks]) check();
  }

  /** Resolves once `find` returns something; rejects (with what arrived) if it never does. */
  until<T>(what: string, find: () => T | undefined | false): Promise<T> {
    return new Promise((resolve, reject) => {
      const done = (): void => {
        this.checks.delete(check);
        clearTimeout(guard);
      };
      const check = (): void => {
        const value = find();
        if (value === undefined || value === false) return;
        done();
        resolve(value);
      };
      const guard = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.events)}`));
      }, 6000);
      this.checks.add(check);
      check();
    });
  }

  event<K extends InboundEvent['kind']>(
    kind: K,
    matches: (event: Extract<InboundEvent, { kind: K }>) => boolean = () => true,
  ): Promise<Extract<InboundEvent, { kind: K }>> {
    return this.until(kind, () =>
      this.events.find(
        (e): e is Extract<InboundEvent, { kind: K }> =>
          e.kind === kind && matches(e as Extract<InboundEvent, { kind: K }>),
      ),
    );
  }

  closing(): Promise<{ code: number; verdict: CloseVerdict }> {
    return this.until('close', () => this.closed);
  }

  async end(): Promise<void> {
    if (this.socket.readyState !== WebSocket.CLOSED) {
      this.socket.close(1000);
      await this.closing();
    }
  }

  text(id: string): string {
    return this.events
      .filter(
        (e): e is Extract<InboundEvent, { kind: 'stream-delta' }> => e.kind === 'stream-delta',
      )
      .filter((e) => e.id === id)
      .map((e) => e.delta)
      .join('');
  }

  send(frame: string): void {
    this.socket.send(frame);
  }
}

const frameOf = (out: ReturnType<ProtocolAdapter['encodeMessage']>): string => {
  if (!('frame' in out)) throw new Error('expected a socket frame');
  return out.frame;
};

describe('events adapter, live', () => {
  it('creates a chat, streams a reply to a message, and pages it back as history', async () => {
    const f = fixture('events');
    const adapter = createEventsAdapter();
    const userId = unique('user');
    let ctx: ConnectContext = { server: f.ws, token: 'test-key', userId, apiBase: f.http };

    const prepare = adapter.prepare(ctx);
    if (!prepare) throw new Error('expected a chat to be created');
    ctx = { ...ctx, ...prepare.read(await run(prepare.request)) };
    const chatId = ctx.conversationId;
    expect(chatId).to.be.a('string');

    const live = new Live(adapter, ctx);
    expect(await live.event('ready')).to.deep.equal({ kind: 'ready', conversationId: chatId });
    live.send(frameOf(adapter.encodeMessage('hello **there**', 'client-1', ctx)));

    const ack = await live.event('ack');
    expect(ack).to.include({ clientId: 'client-1', content: 'hello **there**' });
    const start = await live.event('stream-start');
    const end = await live.event('stream-end');
    const [reply] = await received(f, { chat_id: chatId!, kind: 'reply' });
    expect(end).to.deep.equal({
      kind: 'stream-end',
      id: start.id,
      content: reply?.content,
      finalId: end.finalId,
    });
    expect(live.text(start.id)).to.equal(reply?.content);
    expect(live.events.filter((e) => e.kind === 'stream-delta').length).to.be.greaterThan(3);
    expect(
      live.events.filter((e) => e.kind === 'typing').map((e) => (e as { active: boolean }).active),
    ).to.deep.equal([true, false]);

    const rest = await received(f, { chat_id: chatId!, kind: 'rest' });
    expect(rest[0]).to.include({ method: 'POST', path: '/api/v1/chats/', api_key: 'test-key' });
    expect(rest[0]?.body).to.deep.equal({ user_id: userId });
    const frames = await received(f, { chat_id: chatId!, kind: 'frame' });
    expect(frames.map((r) => r.frame)).to.deep.equal([
      { content: 'hello **there**', metadata: { client_id: 'client-1' } },
    ]);
    const [connect] = await received(f, { chat_id: chatId!, kind: 'connect' });
    expect(connect).to.include({ user_id: userId, api_key: 'test-key' });

    const history = adapter.historyRequest?.(ctx, undefined);
    if (!history) throw new Error('expected a history request');
    const page = history.read(await run(history.request));
    expect(page.before).to.equal(undefined);
    expect(page.messages.map(({ id, role, content }) => ({ id, role, content }))).to.deep.equal([
      { id: ack.id, role: 'user', content: 'hello **there**' },
      { id: end.finalId, role: 'assistant', content: reply?.content },
    ]);
    await live.end();
  });

  it('pages a long history newest first until the oldest message', async () => {
    const f = fixture('events');
    const adapter = createEventsAdapter();
    const ctx: ConnectContext = {
      server: f.ws,
      token: 'test-key',
      userId: 'history-user',
      conversationId: 'chat-history',
      apiBase: f.http,
    };
    const first = adapter.historyRequest!(ctx, undefined)!;
    const newest = first.read(await run(first.request));
    expect(newest.messages).to.have.length(50);
    expect(newest.messages.at(-1)?.content).to.equal('Message 60');
    expect(newest.messages[0]?.content).to.equal('Message 11');
    const second = adapter.historyRequest!(ctx, newest.before)!;
    const oldest = second.read(await run(second.request));
    expect(oldest.messages.map((m) => m.content)).to.deep.equal(
      Array.from({ length: 10 }, (_, i) => `Message ${i + 1}`),
    );
    expect(oldest.before).to.equal(undefined);
  });

  it('reports a refused key as a refused sign-in and an unknown chat as a fatal error', async () => {
    const f = fixture('events');
    const base = { server: f.ws, userId: unique('user'), apiBase: f.http };

    const refused = new Live(createEventsAdapter(), {
      ...base,
      token: 'wrong',
      conversationId: 'x',
    });
    expect(await refused.event('auth-refused')).to.deep.equal({
      kind: 'auth-refused',
      message: 'Invalid API key',
    });
    expect((await refused.closing()).verdict.action).to.equal('auth');

    const server = `${f.ws}?after_error=open`;
    const missing = new Live(createEventsAdapter(), {
      ...base,
      server,
      token: 'test-key',
      conversationId: 'nope',
    });
    expect(await missing.event('error')).to.include({ code: 'CHAT_NOT_FOUND', fatal: true });
    expect(missing.events.some((e) => e.kind === 'ready')).to.equal(false);
    await missing.end();
  });
});

describe('rooms adapter, live', () => {
  it('posts over REST, folds its own echo into the ack, and shows the bot reply', async () => {
    const f = fixture('rooms');
    const adapter = createRoomsAdapter();
    const room = unique('room');
    const ctx: ConnectContext = {
      server: `${f.ws}/`,
      token: 'test-token',
      userId: unique('ann'),
      userName: 'Ann',
      conversationId: room,
      apiBase: f.http,
    };
    const live = new Live(adapter, ctx);
    // connection_status on arrival, then the answer to get_online_users.
    await live.until(
      'two presence counts',
      () => live.events.filter((e) => e.kind === 'presence').length >= 2,
    );
    expect(live.events.filter((e) => e.kind === 'presence')).to.deep.equal([
      { kind: 'presence', online: 1 },
      { kind: 'presence', online: 1 },
    ]);

    live.send(adapter.encodeTyping(true, ctx)!);
    const out = adapter.encodeMessage('Hi **room**', 'client-1', ctx);
    if (!('http' in out)) throw new Error('rooms sends over REST');
    const answer = adapter.readSendResponse!(await run(out.http), 'client-1');
    const [restAck] = answer;
    expect(restAck).to.have.property('clientId', 'client-1');
    const id = (restAck as { id: string }).id;
    expect(id).to.be.a('string');

    const botMessage = await live.event('message');
    expect(botMessage.message).to.include({ role: 'assistant' });
    expect(botMessage.message.author).to.deep.equal({ name: 'Helper Bot' });
    const [reply] = await received(f, { room, kind: 'reply' });
    expect(botMessage.message).to.include({ id: reply?.id, content: reply?.content });
    await live.event('typing', (e) => !e.active);

    // The echo of our message came back as an ack, never as a second message.
    expect(live.events.filter((e) => e.kind === 'message')).to.have.length(1);
    expect(live.events.find((e) => e.kind === 'ack')).to.deep.equal({
      kind: 'ack',
      id,
      content: 'Hi **room**',
      clientId: 'client-1',
    });
    expect(live.events.filter((e) => e.kind === 'typing')).to.deep.equal([
      { kind: 'typing', active: true, who: { name: 'Helper Bot' } },
      { kind: 'typing', active: false, who: { name: 'Helper Bot' } },
    ]);

    const [rest] = await received(f, { room, kind: 'rest' });
    expect(rest).to.include({
      method: 'POST',
      path: `/api/v1/rooms/${room}/messages/`,
      api_key: 'test-token',
    });
    expect(rest?.body).to.deep.equal({
      sender_id: ctx.userId,
      sender_name: 'Ann',
      content: 'Hi **room**',
      message_type: 'text',
    });
    const frames = (await received(f, { room, kind: 'frame' })).map((r) => r.frame);
    expect(frames).to.deep.equal([
      { type: 'get_online_users', data: {} },
      { type: 'typing', data: { is_typing: true } },
    ]);
    await live.end();
  });

  it('acks once the REST answer comes when the echo comes after it, in the bare shape', async () => {
    const f = fixture('rooms');
    const room = unique('room');
    await control(f, {
      action: 'room',
      room,
      settings: { echo: 'after', send_shape: 'flat', bot: false },
    });
    const adapter = createRoomsAdapter();
    const ctx: ConnectContext = {
      server: f.ws,
      token: 'test-token',
      userId: unique('ann'),
      conversationId: room,
      apiBase: f.http,
    };
    const live = new Live(adapter, ctx);
    await live.event('presence');
    const out = adapter.encodeMessage('late echo', 'c-9', ctx);
    if (!('http' in out)) throw new Error('rooms sends over REST');
    const [ack] = adapter.readSendResponse!(await run(out.http), 'c-9');
    const echo = await live.event('ack');
    expect(echo).to.deep.equal({ ...(ack as object), content: 'late echo' });
    expect(live.events.some((e) => e.kind === 'message')).to.equal(false);
    await live.end();
  });

  it('shows others joining, typing, and a human agent speaking', async () => {
    const f = fixture('rooms');
    const room = unique('room');
    const base = { server: f.ws, token: 'test-token', conversationId: room, apiBase: f.http };
    const ann = new Live(createRoomsAdapter(), { ...base, userId: 'ann', userName: 'Ann' });
    await ann.event('presence');
    const bobAdapter = createRoomsAdapter();
    const bobCtx = { ...base, userId: 'bob', userName: 'Bob' };
    const bob = new Live(bobAdapter, bobCtx);
    expect(await ann.event('membership')).to.deep.equal({
      kind: 'membership',
      name: 'Bob',
      joined: true,
    });
    await bob.event('presence', (e) => e.online === 2);
    bob.send(bobAdapter.encodeTyping(true, bobCtx)!);
    expect(await ann.event('typing')).to.deep.equal({
      kind: 'typing',
      active: true,
      who: { name: 'Bob' },
    });

    await control(f, {
      action: 'say',
      room,
      sender_id: 'agent-7',
      sender_name: 'Sam (support)',
      content: 'I can help.',
      meta: { role: 'agent' },
    });
    const said = await ann.event('message');
    expect(said.message).to.include({ role: 'agent', content: 'I can help.' });
    expect(said.message.author).to.deep.equal({ name: 'Sam (support)' });

    await bob.end();
    expect(await ann.event('membership', (e) => !e.joined)).to.deep.equal({
      kind: 'membership',
      name: 'Bob',
      joined: false,
    });
    await ann.end();
  });

  it('reads the documented closes: bad token, missing room, denied room, rate limit', async () => {
    const f = fixture('rooms');
    const base = { server: f.ws, token: 'test-token', userId: 'u', apiBase: f.http };
    const closeOf = (ctx: ConnectContext) => new Live(createRoomsAdapter(), ctx).closing();

    expect(
      await closeOf({ ...base, token: 'wrong', conversationId: unique('room') }),
    ).to.deep.include({
      code: 4001,
    });
    expect(
      (await closeOf({ ...base, token: 'wrong', conversationId: unique('room') })).verdict.action,
    ).to.equal('auth');
    const missing = await closeOf({ ...base, conversationId: unique('missing') });
    expect(missing.code).to.equal(4002);
    expect(missing.verdict.action).to.equal('stop');
    const denied = await closeOf({ ...base, conversationId: unique('private') });
    expect(denied.code).to.equal(4003);
    expect(denied.verdict.action).to.equal('auth');

    const adapter = createRoomsAdapter();
    const limited = new Live(adapter, {
      ...base,
      server: `${f.ws}?rate_limit=2`,
      conversationId: unique('room'),
    });
    await limited.event('presence');
    for (let i = 0; i < 3; i++) limited.send(adapter.encodePing()!);
    const closed = await limited.closing();
    expect(closed.code).to.equal(4004);
    expect(closed.verdict.action).to.equal('retry');
    expect(limited.events.filter((e) => e.kind === 'pong').length).to.be.at.most(1);
  });
});

describe('threads adapter, live', () => {
  const ctxFor = (f: Fixture, server = f.ws): ConnectContext => ({
    server,
    token: 'test-token',
    conversationId: crypto.randomUUID(),
    apiBase: f.http,
  });

  it('documented server: acks, streams parts under the reply id, replays them as history', async () => {
    const f = fixture('threads');
    const adapter = createThreadsAdapter();
    const ctx = ctxFor(f);
    const live = new Live(adapter, ctx);
    await live.until('open', () => live.opened);
    live.send(frameOf(adapter.encodeMessage('What is a DAO?', 'client-1', ctx)));
    const ack = await live.event('ack');
    expect(ack).to.include({ clientId: 'client-1' });
    const start = await live.event('stream-start');
    const [reply] = await received(f, { thread_id: ctx.conversationId!, kind: 'reply' });
    await live.until('the whole reply', () => live.text(start.id) === reply?.content);
    await live.end();

    const again = new Live(adapter, ctx);
    await again.until('two history messages', () => again.events.length >= 2);
    expect(again.events).to.deep.equal([
      {
        kind: 'replay',
        first: true,
        message: {
          id: ack.id,
          clientId: 'client-1',
          role: 'user',
          content: 'What is a DAO?',
          createdAt: (again.events[0] as { message: { createdAt: number } }).message.createdAt,
        },
      },
      {
        kind: 'replay',
        first: false,
        message: {
          id: start.id,
          clientId: start.id,
          role: 'assistant',
          content: reply?.content,
          createdAt: (again.events[1] as { message: { createdAt: number } }).message.createdAt,
        },
      },
    ]);
    const frames = (await received(f, { thread_id: ctx.conversationId!, kind: 'frame' })).map(
      (r) => r.frame,
    );
    expect(frames).to.deep.equal([
      { type: 'history', thread_id: ctx.conversationId },
      { type: 'message', thread_id: ctx.conversationId, agent_id: null, content: 'What is a DAO?' },
      { type: 'history', thread_id: ctx.conversationId },
    ]);
    await again.end();
  });

  it('deployed server: id-less tokens end at the marker; history replays with stable ids', async () => {
    const f = fixture('threads');
    const adapter = createThreadsAdapter();
    const ctx = ctxFor(f, `${f.ws}?scenario=deployed&end=1&tool=1`);
    const live = new Live(adapter, ctx);
    await live.until('open', () => live.opened);
    live.send(
      frameOf(adapter.encodeMessage('Explain DAOs', 'client-1', { ...ctx, agentId: 'agent-1' })),
    );
    const start = await live.event('stream-start');
    const end = await live.event('stream-end');
    expect(end).to.deep.equal({ kind: 'stream-end', id: start.id });
    const [reply] = await received(f, { thread_id: ctx.conversationId!, kind: 'reply' });
    expect(live.text(start.id)).to.equal(reply?.content);
    // The deployed server never acknowledges: the reply's first part stands for it.
    expect(live.events.filter((e) => e.kind === 'ack')).to.deep.equal([
      { kind: 'ack', clientId: 'client-1' },
    ]);
    expect(live.events.some((e) => e.kind === 'system')).to.equal(false);
    await live.end();

    const replay = async () => {
      const again = new Live(adapter, ctx);
      await again.until('two history messages', () => again.events.length >= 2);
      await again.end();
      return again.events;
    };
    const first = await replay();
    const messages = first.map((e) => {
      if (e.kind !== 'replay') throw new Error(`expected history messages, got ${e.kind}`);
      const { role, content, clientId } = e.message;
      return { role, content, clientId };
    });
    // The tool step stored in the thread stays out; the rest is matched to what we showed.
    expect(messages).to.deep.equal([
      { role: 'user', content: 'Explain DAOs', clientId: 'client-1' },
      { role: 'assistant', content: reply?.content, clientId: start.id },
    ]);
    const ids = (events: InboundEvent[]) =>
      events.map((e) => (e.kind === 'replay' ? e.message.id : e.kind));
    expect(ids(await replay())).to.deep.equal(ids(first));
  });

  it('refused handshake: a close before open asks for a new token', async () => {
    const f = fixture('threads');
    const live = new Live(createThreadsAdapter(), { ...ctxFor(f), token: 'wrong' });
    const closed = await live.closing();
    expect(closed.verdict.action).to.equal('auth');
    expect(live.events).to.deep.equal([]);
    const refused = await received(f, { kind: 'handshake', token: 'wrong', accepted: 'false' });
    expect(refused.length).to.be.greaterThan(0);
  });

  it('server errors arrive as non-fatal errors on a socket that stays open', async () => {
    const f = fixture('threads');
    const live = new Live(createThreadsAdapter(), ctxFor(f));
    await live.until('open', () => live.opened);
    live.send(JSON.stringify({ type: 'history', thread_id: 'not-a-uuid' }));
    expect(await live.event('error')).to.deep.equal({
      kind: 'error',
      code: 'server-error',
      message: 'Invalid thread ID format',
      fatal: false,
    });
    expect(live.socket.readyState).to.equal(WebSocket.OPEN);
    await live.end();
  });
});
