import { expect } from '@open-wc/testing';
import sinon from 'sinon';
import { createThreadsAdapter, historyId } from '../../src/protocols/threads.js';
import type { ConnectContext, InboundEvent } from '../../src/protocols/types.js';

const THREAD = '123e4567-e89b-12d3-a456-426614174000';
const AGENT = '234e5678-e89b-12d3-a456-426614174001';
const ctx: ConnectContext = {
  server: 'wss://your-api-url/chat/ws',
  token: 'your-bearer-token',
  conversationId: THREAD,
  apiBase: 'https://your-api-url',
};

const frame = (value: unknown) => JSON.stringify(value);
const decodeAll = (adapter: ReturnType<typeof createThreadsAdapter>, frames: unknown[]) =>
  frames.flatMap((f) => adapter.decode(frame(f)));

/** Documented frames, as threads.md shows them. */
const documented = {
  historyUser: {
    type: 'message',
    id: 'msg_123',
    thread_id: THREAD,
    role: 'user',
    content: 'Hello, can you help me with something?',
    created_at: '2023-06-15T14:30:00Z',
  },
  historyAssistant: {
    type: 'message',
    id: 'msg_124',
    thread_id: THREAD,
    role: 'assistant',
    content: "Of course! I'd be happy to help. What do you need assistance with?",
    created_at: '2023-06-15T14:30:15Z',
  },
  received: { type: 'message_received', id: 'msg_125', thread_id: THREAD, job_id: 'job_123' },
  part: (content: string, id = 'msg_126') => ({
    type: 'message',
    id,
    thread_id: THREAD,
    role: 'assistant',
    content,
    created_at: '2023-06-15T14:35:00Z',
  }),
};

/** Frames the deployed server sends instead. */
const deployed = {
  token: (content: string) => ({
    type: 'token',
    status: 'processing',
    content,
    role: 'assistant',
    thread_id: THREAD,
    agent_id: null,
    created_at: '2024-03-01T09:00:01Z',
  }),
  end: {
    type: 'token',
    status: 'end',
    content: '',
    role: 'assistant',
    thread_id: THREAD,
    agent_id: null,
  },
  tool: {
    type: 'tool',
    role: 'assistant',
    tool: 'search',
    tool_input: { q: 'dao' },
    tool_output: '3 results',
    thread_id: THREAD,
    agent_id: null,
  },
  user: {
    type: 'user',
    role: 'user',
    content: 'What is a DAO?',
    created_at: '2024-03-01T09:00:00Z',
    thread_id: THREAD,
  },
  step: {
    type: 'step',
    role: 'assistant',
    content: 'A DAO is a blockchain-based organization.',
    created_at: '2024-03-01T09:00:05Z',
    thread_id: THREAD,
  },
};

describe('threads adapter: connecting and sending', () => {
  it('puts the token in the socket query, keeping a query the server URL has', () => {
    const adapter = createThreadsAdapter();
    const url = new URL(adapter.socketUrl({ ...ctx, server: 'wss://your-api-url/chat/ws?v=2' }));
    expect(url.origin + url.pathname).to.equal('wss://your-api-url/chat/ws');
    expect(Object.fromEntries(url.searchParams)).to.deep.equal({
      v: '2',
      token: 'your-bearer-token',
    });
    expect(adapter.prepare(ctx)).to.equal(null);
  });

  it('asks for the thread history on every open', () => {
    const adapter = createThreadsAdapter();
    expect(adapter.opened(ctx).map((f) => JSON.parse(f))).to.deep.equal([
      { type: 'history', thread_id: THREAD },
    ]);
    adapter.reset();
    expect(adapter.opened(ctx)).to.have.length(1);
    expect(adapter.opened({ ...ctx, conversationId: undefined })).to.deep.equal([]);
  });

  it('sends messages for the thread, with the agent or null', () => {
    const adapter = createThreadsAdapter();
    const out = adapter.encodeMessage('I need help understanding how DAOs work.', 'c1', {
      ...ctx,
      agentId: AGENT,
    });
    expect(JSON.parse((out as { frame: string }).frame)).to.deep.equal({
      type: 'message',
      thread_id: THREAD,
      agent_id: AGENT,
      content: 'I need help understanding how DAOs work.',
    });
    const plain = adapter.encodeMessage('Hi', 'c2', ctx);
    expect(JSON.parse((plain as { frame: string }).frame)).to.have.property('agent_id', null);
  });

  it('has no escalation, typing, ping or paged history; one reply at a time; silence completes a reply', () => {
    const adapter = createThreadsAdapter();
    expect(adapter.capabilities()).to.include({
      escalation: false,
      typing: false,
      // Acknowledged by `message_received`, or by the first part of the reply.
      acks: true,
      history: false,
      replySilenceMeans: 'complete',
      oneReplyAtATime: true,
      replaysHistory: true,
    });
    expect(adapter.capabilities().replySilenceMs).to.be.within(2000, 8000);
    expect(adapter.encodeEscalate('x', ctx)).to.equal(null);
    expect(adapter.encodeTyping(true, ctx)).to.equal(null);
    expect(adapter.encodePing()).to.equal(null);
    expect(adapter.historyRequest).to.equal(undefined);
  });

  it('reads a close before open as a refused token', () => {
    const adapter = createThreadsAdapter();
    expect(adapter.interpretClose(1006, '', false).action).to.equal('auth');
    expect(adapter.interpretClose(1006, '', true).action).to.equal('retry');
    expect(adapter.interpretClose(1000, '', true).action).to.equal('retry');
    expect(adapter.interpretClose(1008, '', true).action).to.equal('auth');
    expect(adapter.interpretClose(4001, '', true).action).to.equal('auth');
    expect(adapter.interpretClose(4003, '', true).action).to.equal('auth');
  });
});

describe('threads adapter: documented frames', () => {
  it('turns history into a replay of whole messages with their ids', () => {
    const adapter = createThreadsAdapter();
    expect(decodeAll(adapter, [documented.historyUser, documented.historyAssistant])).to.deep.equal(
      [
        {
          kind: 'replay',
          first: true,
          message: {
            id: 'msg_123',
            role: 'user',
            content: 'Hello, can you help me with something?',
            createdAt: Date.parse('2023-06-15T14:30:00Z'),
          },
        },
        {
          kind: 'replay',
          first: false,
          message: {
            id: 'msg_124',
            role: 'assistant',
            content: "Of course! I'd be happy to help. What do you need assistance with?",
            createdAt: Date.parse('2023-06-15T14:30:15Z'),
          },
        },
      ],
    );
  });

  it('acks in order, then streams the reply parts that share an id', () => {
    const adapter = createThreadsAdapter();
    adapter.encodeMessage('I need help understanding how DAOs work.', 'c1', ctx);
    expect(adapter.decode(frame(documented.received))).to.deep.equal([
      { kind: 'ack', clientId: 'c1', id: 'msg_125' },
    ]);
    expect(
      decodeAll(adapter, [documented.part('A DAO, '), documented.part('or Decentralized ')]),
    ).to.deep.equal([
      { kind: 'stream-start', id: 'msg_126', role: 'assistant' },
      { kind: 'stream-delta', id: 'msg_126', delta: 'A DAO, ', role: 'assistant' },
      { kind: 'stream-delta', id: 'msg_126', delta: 'or Decentralized ', role: 'assistant' },
    ]);
    // A part with another id is another reply: the first one ends.
    expect(adapter.decode(frame(documented.part('Also', 'msg_127')))).to.deep.equal([
      { kind: 'stream-end', id: 'msg_126' },
      { kind: 'stream-start', id: 'msg_127', role: 'assistant' },
      { kind: 'stream-delta', id: 'msg_127', delta: 'Also', role: 'assistant' },
    ]);
    // The next user message's ack ends the reply too.
    adapter.encodeMessage('Thanks', 'c2', ctx);
    expect(adapter.decode(frame({ ...documented.received, id: 'msg_128' }))).to.deep.equal([
      { kind: 'stream-end', id: 'msg_127' },
      { kind: 'ack', clientId: 'c2', id: 'msg_128' },
    ]);
  });

  it('keeps parts of one reply together even when the user speaks meanwhile', () => {
    const adapter = createThreadsAdapter();
    adapter.encodeMessage('Q', 'c1', ctx);
    decodeAll(adapter, [documented.received, documented.part('A ')]);
    adapter.encodeMessage('Q2', 'c2', ctx);
    expect(adapter.decode(frame(documented.part('B')))).to.deep.equal([
      { kind: 'stream-delta', id: 'msg_126', delta: 'B', role: 'assistant' },
    ]);
  });

  it('reads errors as non-fatal, a history failure as such, and a refused sign-in as a refusal', () => {
    const adapter = createThreadsAdapter();
    expect(
      adapter.decode(frame({ type: 'error', message: 'Thread ID is required' })),
    ).to.deep.equal([
      { kind: 'error', code: 'server-error', message: 'Thread ID is required', fatal: false },
    ]);
    expect(adapter.decode(frame({ type: 'error' }))[0]).to.include({ kind: 'error', fatal: false });
    const history =
      "Error retrieving history: {'code': 'PGRST116', 'details': 'The result contains 0 rows'}";
    expect(adapter.decode(frame({ type: 'error', message: history }))).to.deep.equal([
      { kind: 'error', code: 'history', message: history, fatal: false },
    ]);
    expect(
      adapter.decode(frame({ type: 'error', message: 'Unauthorized: invalid token' })),
    ).to.deep.equal([{ kind: 'auth-refused', message: 'Unauthorized: invalid token' }]);
  });
});

describe('threads adapter: deployed frames', () => {
  const startId = (events: InboundEvent[]) => {
    const start = events.find((e) => e.kind === 'stream-start');
    if (!start || start.kind !== 'stream-start') throw new Error('no stream-start');
    return start.id;
  };

  it('streams id-less tokens under one local id until the end marker', () => {
    const adapter = createThreadsAdapter();
    adapter.encodeMessage('What is a DAO?', 'c1', ctx);
    const first = adapter.decode(frame(deployed.token('A DAO ')));
    const id = startId(first);
    expect(first).to.deep.equal([
      // A server that never acknowledges has the message once it answers it.
      { kind: 'ack', clientId: 'c1' },
      { kind: 'stream-start', id, role: 'assistant' },
      { kind: 'stream-delta', id, delta: 'A DAO ', role: 'assistant' },
    ]);
    expect(adapter.decode(frame(deployed.token('is...')))).to.deep.equal([
      { kind: 'stream-delta', id, delta: 'is...', role: 'assistant' },
    ]);
    expect(adapter.decode(frame(deployed.end))).to.deep.equal([{ kind: 'stream-end', id }]);
    expect(adapter.decode(frame(deployed.end))).to.deep.equal([]);
    // After an end marker, text is a new reply.
    const next = startId(adapter.decode(frame(deployed.token('More'))));
    expect(next).not.to.equal(id);
  });

  it('starts a new reply after a user message even without an end marker', () => {
    const adapter = createThreadsAdapter();
    adapter.encodeMessage('One', 'c1', ctx);
    const first = startId(adapter.decode(frame(deployed.token('Reply one'))));
    adapter.encodeMessage('Two', 'c2', ctx);
    const events = adapter.decode(frame(deployed.token('Reply two')));
    const second = startId(events);
    expect(second).not.to.equal(first);
    expect(events[0]).to.deep.equal({ kind: 'stream-end', id: first });
  });

  it('starts a new reply after a silence the widget has already completed the old one in', () => {
    const clock = sinon.useFakeTimers({
      now: Date.parse('2024-03-01T09:00:00Z'),
      toFake: ['Date'],
    });
    try {
      const adapter = createThreadsAdapter();
      const silence = adapter.capabilities().replySilenceMs;
      const first = startId(adapter.decode(frame(deployed.token('Thinking'))));
      clock.tick(silence - 1);
      expect(adapter.decode(frame(deployed.token(' hard')))).to.deep.equal([
        { kind: 'stream-delta', id: first, delta: ' hard', role: 'assistant' },
      ]);
      clock.tick(silence);
      const events = adapter.decode(frame(deployed.token('Done.')));
      expect(events[0]).to.deep.equal({ kind: 'stream-end', id: first });
      expect(startId(events)).not.to.equal(first);
    } finally {
      clock.restore();
    }
  });

  it('names replayed history with the local ids of what this widget sent and streamed', () => {
    const adapter = createThreadsAdapter();
    adapter.encodeMessage('What is a DAO?', 'c1', ctx);
    const reply = startId(adapter.decode(frame(deployed.token('A DAO is '))));
    adapter.decode(frame(deployed.token('a blockchain-based organization.')));
    adapter.reset();
    const replayed = decodeAll(adapter, [deployed.user, deployed.tool, deployed.step]);
    expect(replayed.map((e) => (e.kind === 'replay' ? e.message.clientId : e.kind))).to.deep.equal([
      'c1',
      reply,
    ]);
    // Claimed once: a second replay finds the messages by their derived ids instead.
    adapter.reset();
    const again = decodeAll(adapter, [deployed.user, deployed.step]);
    expect(again.map((e) => (e.kind === 'replay' ? e.message.clientId : e.kind))).to.deep.equal([
      undefined,
      undefined,
    ]);
    expect(again.map((e) => (e.kind === 'replay' ? e.message.id : ''))).to.deep.equal(
      replayed.map((e) => (e.kind === 'replay' ? e.message.id : '')),
    );
  });

  it('matches a replay after a reload to the messages the tab recalls', () => {
    const adapter = createThreadsAdapter();
    adapter.recall([
      { id: 'c1', role: 'user', content: 'What is a DAO?', state: 'sent' },
      { id: 'system-1', role: 'system', content: 'What is a DAO?', state: 'complete' },
      {
        id: 'r1',
        role: 'assistant',
        content: 'A DAO is a blockchain-based organization.',
        state: 'complete',
      },
    ]);
    const replayed = decodeAll(adapter, [deployed.user, deployed.step]);
    expect(replayed.map((e) => (e.kind === 'replay' ? e.message.clientId : e.kind))).to.deep.equal([
      'c1',
      'r1',
    ]);
  });

  it('leaves tool steps out of the transcript', () => {
    const adapter = createThreadsAdapter();
    expect(adapter.decode(frame(deployed.tool))).to.deep.equal([]);
    expect(
      adapter.decode(
        frame({
          type: 'tool',
          role: 'tool',
          content: 'search: 3 results',
          created_at: '2024-03-01T09:00:02Z',
        }),
      ),
    ).to.deep.equal([]);
  });

  it('turns id-less history items into messages whose ids survive a replay', () => {
    const first = createThreadsAdapter();
    const events = decodeAll(first, [deployed.user, deployed.tool, deployed.step]);
    expect(events).to.deep.equal([
      {
        kind: 'replay',
        first: true,
        message: {
          id: historyId('user', '2024-03-01T09:00:00Z', 'What is a DAO?'),
          role: 'user',
          content: 'What is a DAO?',
          createdAt: Date.parse('2024-03-01T09:00:00Z'),
        },
      },
      {
        kind: 'replay',
        first: false,
        message: {
          id: historyId(
            'assistant',
            '2024-03-01T09:00:05Z',
            'A DAO is a blockchain-based organization.',
          ),
          role: 'assistant',
          content: 'A DAO is a blockchain-based organization.',
          createdAt: Date.parse('2024-03-01T09:00:05Z'),
        },
      },
    ]);
    // After a reconnect (a new adapter, or a reset one) the same items get the same ids.
    const replay = createThreadsAdapter();
    expect(decodeAll(replay, [deployed.user, deployed.step])).to.deep.equal(events);
    first.reset();
    expect(decodeAll(first, [deployed.user, deployed.step])).to.deep.equal(events);
  });

  it('derives different ids for different items', () => {
    const ids = new Set([
      historyId('user', '2024-03-01T09:00:00Z', 'Hi'),
      historyId('assistant', '2024-03-01T09:00:00Z', 'Hi'),
      historyId('user', '2024-03-01T09:00:01Z', 'Hi'),
      historyId('user', '2024-03-01T09:00:00Z', 'Hi!'),
      historyId('user', undefined, 'Hi'),
    ]);
    expect(ids.size).to.equal(5);
  });

  it('ends a reply in flight when history arrives, and starts the next one afresh', () => {
    const adapter = createThreadsAdapter();
    const id = startId(adapter.decode(frame(deployed.token('Half a reply'))));
    const events = adapter.decode(frame(deployed.user));
    expect(events[0]).to.deep.equal({ kind: 'stream-end', id });
    expect(events[1]).to.include({ kind: 'replay', first: true });
    expect(startId(adapter.decode(frame(deployed.token('New'))))).not.to.equal(id);
  });

  it('forgets the reply in flight and pending acks on reset', () => {
    const adapter = createThreadsAdapter();
    adapter.encodeMessage('Lost', 'c1', ctx);
    startId(adapter.decode(frame(deployed.token('x'))));
    adapter.reset();
    expect(adapter.decode(frame(deployed.end))).to.deep.equal([]);
    expect(adapter.decode(frame(documented.received))).to.deep.equal([
      { kind: 'ack', id: 'msg_125' },
    ]);
  });
});

describe('threads adapter: bad frames', () => {
  it('gives [] for anything malformed, binary, unknown or null, and never throws', () => {
    const adapter = createThreadsAdapter();
    const bad: unknown[] = [
      'not json',
      '',
      'null',
      '[]',
      '"message"',
      new ArrayBuffer(2),
      new Blob(['{}']),
      null,
      { type: 'message' },
      frame({}),
      frame({ type: 'unknown_thing', content: 'x' }),
      frame({ type: null }),
      frame({ type: 'message', id: null, role: 'assistant', content: 'x' }),
      frame({ type: 'message', id: 'm', role: 'assistant', content: null }),
      frame({ type: 'token', status: 'processing', content: null }),
      frame({ type: 'token' }),
      frame({ type: 'user', role: 'user', content: null }),
      frame({ type: 'step', role: 'tool', content: 'raw tool output' }),
      frame({ type: 'step', content: '' }),
      frame({ type: 'message_received' }),
    ];
    for (const data of bad) expect(adapter.decode(data), String(data)).to.deep.equal([]);
  });
});
