import { expect } from '@open-wc/testing';
import { createEventsAdapter } from '../../src/protocols/events.js';
import type { ConnectContext, InboundEvent } from '../../src/protocols/types.js';

const CHAT = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
const ctx: ConnectContext = {
  server: 'wss://chat.example.com/ws/chat',
  token: 'key 1&2',
  userId: 'user123',
  conversationId: CHAT,
  apiBase: 'https://chat.example.com/',
};

const frame = (value: unknown) => JSON.stringify(value);

function history(before?: string, context = ctx) {
  const request = createEventsAdapter().historyRequest?.(context, before);
  if (!request) throw new Error('expected a history request');
  return request;
}

describe('events adapter: connecting', () => {
  it('puts key, user and chat in the socket query, keeping a query the server URL has', () => {
    const url = new URL(
      createEventsAdapter().socketUrl({
        ...ctx,
        server: 'wss://chat.example.com/ws/chat?region=eu',
      }),
    );
    expect(url.origin + url.pathname).to.equal('wss://chat.example.com/ws/chat');
    expect(url.searchParams.get('region')).to.equal('eu');
    expect(url.searchParams.get('api_key')).to.equal('key 1&2');
    expect(url.searchParams.get('user_id')).to.equal('user123');
    expect(url.searchParams.get('chat_id')).to.equal(CHAT);
  });

  it('creates a chat over REST only when no chat id is known', () => {
    const adapter = createEventsAdapter();
    expect(adapter.prepare(ctx)).to.equal(null);
    const prepare = adapter.prepare({ ...ctx, conversationId: undefined });
    expect(prepare?.request).to.deep.equal({
      method: 'POST',
      url: 'https://chat.example.com/api/v1/chats/',
      headers: { 'X-API-Key': 'key 1&2' },
      body: { user_id: 'user123' },
    });
    const created = {
      id: CHAT,
      user_id: 'user123',
      tenant_id: 't1',
      title: null,
      config: {},
      created_at: '2024-01-15T10:30:00Z',
      updated_at: '2024-01-15T10:30:00Z',
    };
    expect(prepare?.read(created)).to.deep.equal({ conversationId: CHAT });
    expect(prepare?.read({ data: { id: 42 } })).to.deep.equal({ conversationId: '42' });
    expect(prepare?.read(null)).to.deep.equal({});
    expect(prepare?.read({ detail: 'nope' })).to.deep.equal({});
  });

  it('announces no escalation, typing or ping, but acks, history and the documented rate', () => {
    const adapter = createEventsAdapter();
    expect(adapter.capabilities()).to.include({
      escalation: false,
      typing: false,
      acks: true,
      history: true,
      rateLimitPerSecond: 10,
    });
    expect(adapter.encodeEscalate('help', ctx)).to.equal(null);
    expect(adapter.encodeTyping(true, ctx)).to.equal(null);
    expect(adapter.encodePing()).to.equal(null);
    expect(adapter.opened(ctx)).to.deep.equal([]);
  });

  it('retries closes, except a policy close which asks for a new key', () => {
    const adapter = createEventsAdapter();
    expect(adapter.interpretClose(1006, '', false).action).to.equal('retry');
    expect(adapter.interpretClose(1000, '', true).action).to.equal('retry');
    expect(adapter.interpretClose(1008, 'AUTH_ERROR', true).action).to.equal('auth');
  });
});

describe('events adapter: frames', () => {
  it('reads connection_established as ready, user_created as nothing', () => {
    const adapter = createEventsAdapter();
    expect(
      adapter.decode(
        frame({
          event_type: 'connection_established',
          timestamp: '2024-01-15T10:30:00Z',
          user_id: 'user123',
          chat_id: CHAT,
          tenant_id: 'tenant-uuid-here',
        }),
      ),
    ).to.deep.equal([{ kind: 'ready', conversationId: CHAT }]);
    expect(
      adapter.decode(
        frame({ event_type: 'user_created', timestamp: '2024-01-15T10:30:00Z', user_id: 'u' }),
      ),
    ).to.deep.equal([]);
  });

  it('sends content frames and matches message_received to them oldest first', () => {
    const adapter = createEventsAdapter();
    const sent = adapter.encodeMessage('Hello, I need help', 'c1', ctx);
    adapter.encodeMessage('Second', 'c2', ctx);
    expect(JSON.parse((sent as { frame: string }).frame)).to.deep.equal({
      content: 'Hello, I need help',
      metadata: { client_id: 'c1' },
    });
    const received = (id: string, content: string) =>
      frame({
        event_type: 'message_received',
        timestamp: '2024-01-15T10:30:00Z',
        message_id: id,
        chat_id: CHAT,
        user_id: 'user123',
        content,
      });
    expect(adapter.decode(received('msg-1', 'Hello, I need help'))).to.deep.equal([
      { kind: 'ack', clientId: 'c1', id: 'msg-1', content: 'Hello, I need help' },
    ]);
    expect(adapter.decode(received('msg-2', 'Second'))).to.deep.equal([
      { kind: 'ack', clientId: 'c2', id: 'msg-2', content: 'Second' },
    ]);
    // Nothing pending (a message from another tab): the ack names only the server id.
    expect(adapter.decode(received('msg-3', 'Other'))).to.deep.equal([
      { kind: 'ack', id: 'msg-3', content: 'Other' },
    ]);
  });

  it('prefers a client id the server echoed in metadata over arrival order', () => {
    const adapter = createEventsAdapter();
    adapter.encodeMessage('one', 'c1', ctx);
    adapter.encodeMessage('two', 'c2', ctx);
    const ack = (clientId: string) =>
      adapter.decode(
        frame({
          event_type: 'message_received',
          message_id: `m-${clientId}`,
          metadata: { client_id: clientId },
        }),
      );
    expect(ack('c2')).to.deep.equal([{ kind: 'ack', clientId: 'c2', id: 'm-c2' }]);
    expect(ack('c1')).to.deep.equal([{ kind: 'ack', clientId: 'c1', id: 'm-c1' }]);
  });

  it('streams a reply: typing and a local id on start, deltas, then the final text and id', () => {
    const adapter = createEventsAdapter();
    const started = adapter.decode(
      frame({
        event_type: 'message_stream_started',
        timestamp: '2024-01-15T10:30:01Z',
        chat_id: CHAT,
        user_id: 'user123',
      }),
    );
    expect(started).to.have.length(2);
    expect(started[0]).to.deep.equal({ kind: 'typing', active: true, role: 'assistant' });
    const start = started[1] as Extract<InboundEvent, { kind: 'stream-start' }>;
    expect(start.kind).to.equal('stream-start');
    expect(start.role).to.equal('assistant');
    const id = start.id;

    // Tokens carry only chat_id and token; `timestamp` may be missing.
    expect(
      adapter.decode(frame({ event_type: 'message_stream_token', chat_id: CHAT, token: "I'd" })),
    ).to.deep.equal([{ kind: 'stream-delta', id, delta: "I'd", role: 'assistant' }]);
    expect(
      adapter.decode(
        frame({
          event_type: 'message_stream_token',
          timestamp: '2024-01-15T10:30:01Z',
          chat_id: CHAT,
          token: ' be',
        }),
      ),
    ).to.deep.equal([{ kind: 'stream-delta', id, delta: ' be', role: 'assistant' }]);
    const content = "I'd be happy to help you with your account!";
    expect(
      adapter.decode(
        frame({
          event_type: 'message_stream_ended',
          timestamp: '2024-01-15T10:30:05Z',
          message_id: 'msg-ai-uuid',
          chat_id: CHAT,
          user_id: 'user123',
          content,
        }),
      ),
    ).to.deep.equal([
      { kind: 'typing', active: false, role: 'assistant' },
      { kind: 'stream-end', id, content, finalId: 'msg-ai-uuid' },
    ]);

    // The next reply gets a new local id.
    const next = adapter.decode(frame({ event_type: 'message_stream_started' }))[1];
    expect(next).to.have.property('kind', 'stream-start');
    expect((next as { id: string }).id).not.to.equal(id);
  });

  it('opens a reply for tokens whose start was missed, and takes a lone end as a whole message', () => {
    const adapter = createEventsAdapter();
    const events = adapter.decode(
      frame({ event_type: 'message_stream_token', chat_id: CHAT, token: 'Hi' }),
    );
    expect(events.map((e) => e.kind)).to.deep.equal(['typing', 'stream-start', 'stream-delta']);
    adapter.reset();
    expect(
      adapter.decode(
        frame({
          event_type: 'message_stream_ended',
          message_id: 'm9',
          content: 'Whole',
          timestamp: '2024-01-15T10:30:05Z',
        }),
      ),
    ).to.deep.equal([
      { kind: 'typing', active: false, role: 'assistant' },
      {
        kind: 'message',
        message: {
          id: 'm9',
          role: 'assistant',
          content: 'Whole',
          createdAt: Date.parse('2024-01-15T10:30:05Z'),
        },
      },
    ]);
  });

  it('reads error events: a refused key is a refused sign-in, an unknown chat is fatal', () => {
    const adapter = createEventsAdapter();
    expect(
      adapter.decode(
        frame({
          event_type: 'error',
          timestamp: '2024-01-15T10:30:00Z',
          error_code: 'AUTH_ERROR',
          error_message: 'Invalid API key',
          details: { fix: 'Check your tenant API key value.' },
        }),
      ),
    ).to.deep.equal([{ kind: 'auth-refused', message: 'Invalid API key' }]);
    const notFound = adapter.decode(
      frame({
        event_type: 'error',
        error_code: 'CHAT_NOT_FOUND',
        error_message: "Chat with chat_id 'uuid' not found or does not belong to your tenant",
      }),
    );
    expect(notFound[0]).to.include({ kind: 'error', code: 'CHAT_NOT_FOUND', fatal: true });
    expect(
      adapter.decode(
        frame({
          event_type: 'error',
          error_code: 'RATE_LIMIT_EXCEEDED',
          error_message: 'Slow down',
        }),
      ),
    ).to.deep.equal([
      { kind: 'error', code: 'RATE_LIMIT_EXCEEDED', message: 'Slow down', fatal: false },
    ]);
    expect(
      adapter.decode(frame({ event_type: 'error', error_code: null, error_message: null })),
    ).to.deep.equal([
      {
        kind: 'error',
        code: 'server-error',
        message: 'The chat server reported an error.',
        fatal: false,
      },
    ]);
  });

  it('matches confirmations by content, and skips a message the server refused', () => {
    const adapter = createEventsAdapter();
    adapter.encodeMessage('one', 'c1', ctx);
    adapter.encodeMessage('two', 'c2', ctx);
    adapter.encodeMessage('three', 'c3', ctx);
    adapter.decode(
      frame({ event_type: 'error', error_code: 'RATE_LIMIT_EXCEEDED', error_message: 'Slow' }),
    );
    const ack = (content: string) =>
      adapter.decode(
        frame({ event_type: 'message_received', message_id: `m-${content}`, content }),
      );
    expect(ack('three')).to.deep.equal([
      { kind: 'ack', clientId: 'c3', id: 'm-three', content: 'three' },
    ]);
    expect(ack('two')).to.deep.equal([
      { kind: 'ack', clientId: 'c2', id: 'm-two', content: 'two' },
    ]);
    expect(ack('one')).to.deep.equal([{ kind: 'ack', id: 'm-one', content: 'one' }]);
  });

  it('ends a reply cut off by an error, but not for an error about a user message', () => {
    const adapter = createEventsAdapter();
    adapter.decode(frame({ event_type: 'message_stream_started' }));
    adapter.decode(frame({ event_type: 'message_stream_token', token: 'Half' }));
    const limited = adapter.decode(
      frame({ event_type: 'error', error_code: 'RATE_LIMIT_EXCEEDED', error_message: 'Slow' }),
    );
    expect(limited[0]).not.to.have.property('abortsStream');
    const failed = adapter.decode(
      frame({ event_type: 'error', error_code: 'PROCESSING_ERROR', error_message: 'Failed' }),
    );
    expect(failed[0]).to.include({ kind: 'error', code: 'PROCESSING_ERROR', abortsStream: true });
    // The next reply's tokens open a reply of their own.
    const next = adapter.decode(frame({ event_type: 'message_stream_token', token: 'New' }));
    expect(next.map((e) => e.kind)).to.deep.equal(['typing', 'stream-start', 'stream-delta']);
  });

  it('forgets pending acks and the reply in flight on reset', () => {
    const adapter = createEventsAdapter();
    adapter.encodeMessage('lost', 'c1', ctx);
    adapter.decode(frame({ event_type: 'message_stream_started' }));
    adapter.reset();
    expect(
      adapter.decode(frame({ event_type: 'message_received', message_id: 'm1' })),
    ).to.deep.equal([{ kind: 'ack', id: 'm1' }]);
    expect(
      adapter.decode(frame({ event_type: 'message_stream_ended', message_id: 'm2' })),
    ).to.deep.equal([{ kind: 'typing', active: false, role: 'assistant' }]);
  });

  it('gives [] for anything malformed, binary, unknown or null, and never throws', () => {
    const adapter = createEventsAdapter();
    const bad: unknown[] = [
      'not json',
      '',
      'null',
      '42',
      '"text"',
      '[]',
      '{}',
      new ArrayBuffer(8),
      new Blob(['{}']),
      null,
      undefined,
      { event_type: 'message_received' },
      frame({ event_type: 'something_new', chat_id: CHAT }),
      frame({ event_type: null }),
      frame({ event_type: 'message_stream_token', token: null }),
      frame({ event_type: 'message_stream_token', token: 7 }),
      frame({ event_type: 'message_stream_token', token: '' }),
      frame({ event_type: 'message_received', message_id: null, content: null }),
      frame({ type: 'message', content: 'wrong protocol' }),
    ];
    for (const data of bad) expect(adapter.decode(data), String(data)).to.deep.equal([]);
  });
});

describe('events adapter: history', () => {
  it('asks for the newest page first, with the key', () => {
    const adapter = createEventsAdapter();
    expect(adapter.historyRequest?.({ ...ctx, conversationId: undefined }, undefined)).to.equal(
      null,
    );
    const first = adapter.historyRequest?.(ctx, undefined);
    expect(first?.request.method).to.equal('GET');
    expect(first?.request.headers).to.deep.equal({ 'X-API-Key': 'key 1&2' });
    const url = new URL(history().request.url);
    expect(url.origin + url.pathname).to.equal(
      `https://chat.example.com/api/v1/chats/${CHAT}/messages`,
    );
    expect(Object.fromEntries(url.searchParams)).to.deep.equal({
      offset: '0',
      limit: '50',
      order: 'desc',
    });
    const later = new URL(history('50').request.url);
    expect(later.searchParams.get('offset')).to.equal('50');
  });

  it('reads a page oldest first, with sender_role, and the next offset while there is more', () => {
    const request = history();
    const page = request.read({
      messages: [
        {
          id: 'm4',
          content: 'Anything else?',
          sender_role: 'assistant',
          created_at: '2024-01-15T10:31:00Z',
          metadata: null,
        },
        { id: 'm3', content: 'Thanks', sender_role: 'user', created_at: '2024-01-15T10:30:30Z' },
        {
          id: 'm2',
          content: '',
          media_type: 'image',
          media_url: 'https://x.test/a.png',
          sender_role: 'user',
        },
        { id: null, content: 'no id' },
        'junk',
      ],
      total: 147,
      offset: 0,
      limit: 50,
      has_more: true,
    });
    expect(page.messages).to.deep.equal([
      { id: 'm2', role: 'user', content: 'https://x.test/a.png' },
      { id: 'm3', role: 'user', content: 'Thanks', createdAt: Date.parse('2024-01-15T10:30:30Z') },
      {
        id: 'm4',
        role: 'assistant',
        content: 'Anything else?',
        createdAt: Date.parse('2024-01-15T10:31:00Z'),
      },
    ]);
    expect(page.before).to.equal('5');
  });

  it('stops at the last page, and on answers it cannot read', () => {
    const request = history('100');
    expect(
      request.read({
        messages: [
          { id: 'm1', content: 'First', sender_role: 'user', created_at: '2024-01-15T10:00:00Z' },
        ],
        total: 101,
        offset: 100,
        limit: 50,
        has_more: false,
      }).before,
    ).to.equal(undefined);
    // Without has_more, the total decides.
    expect(
      request.read({ messages: [{ id: 'a', content: 'x' }], total: 150, offset: 100 }).before,
    ).to.equal('101');
    expect(request.read({ messages: [], total: 150, has_more: true })).to.deep.equal({
      messages: [],
    });
    expect(request.read(null)).to.deep.equal({ messages: [] });
    expect(request.read({ detail: 'Chat not found' })).to.deep.equal({ messages: [] });
  });
});
