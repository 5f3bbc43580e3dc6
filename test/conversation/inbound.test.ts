import { expect } from '@open-wc/testing';
import {
  REPLAY_SETTLE_MS,
  awaitReply,
  reduce,
  socketClosed,
  tick,
  type Effect,
  type Env,
} from '../../src/conversation/inbound.js';
import { createState, type ConversationState } from '../../src/conversation/state.js';
import { en } from '../../src/i18n/en.js';
import { Transcript } from '../../src/transcript/transcript.js';
import { baseCapabilities } from '../../src/protocols/index.js';
import type { Capabilities, InboundEvent } from '../../src/protocols/types.js';
import type { ChatMessage } from '../../src/types.js';

const env = (over: Partial<Env> = {}): Env => ({
  now: 1_000_000,
  capabilities: baseCapabilities.stream,
  strings: en,
  canRecoverStaleChat: false,
  replyTimeoutMs: 60_000,
  ...over,
});

const kinds = (effects: Effect[]) => effects.map((e) => e.kind);

/** A visitor message written at `now`, owed a reply. */
function sent(state: ConversationState, id: string, now = 1_000_000, text = 'hello'): ChatMessage {
  const message = state.transcript.push({
    id,
    role: 'user',
    content: text,
    state: 'sending',
    createdAt: now,
  });
  awaitReply(state, id, now);
  return message;
}

const run = (state: ConversationState, events: InboundEvent[], e = env()) =>
  events.flatMap((event) => reduce(state, event, e));

describe('inbound reducer: replies', () => {
  it('streams a reply: typing until its first words, then one bubble, completed at its end', () => {
    const state = createState();
    sent(state, 'u1');
    expect(run(state, [{ kind: 'stream-start', id: 'r1', role: 'assistant' }])).to.deep.equal([]);
    expect(state.typing.awaitingReply).to.equal(true);
    expect(state.transcript.find('r1')).to.equal(undefined);
    expect(
      kinds(run(state, [{ kind: 'stream-delta', id: 'r1', delta: 'Hi ', role: 'assistant' }])),
    ).to.deep.equal(['stream']);
    expect(state.typing.awaitingReply).to.equal(false);
    expect(state.owed).to.equal(undefined);
    const end = run(state, [{ kind: 'stream-end', id: 'r1', content: 'Hi there' }]);
    expect(kinds(end)).to.deep.equal(['completed', 'reply-finished']);
    expect(state.transcript.find('r1')).to.include({ content: 'Hi there', state: 'complete' });
    expect(state.replyInFlight).to.equal(false);
  });

  it('takes a one-shot reply as a whole message and frees the outbox', () => {
    const state = createState();
    sent(state, 'u1');
    const effects = run(state, [
      { kind: 'message', message: { id: 'r1', role: 'assistant', content: 'Done' } },
    ]);
    expect(kinds(effects)).to.deep.equal(['reply-finished', 'completed']);
    expect(state.owed).to.equal(undefined);
  });

  it('drops a delta for a finished reply and a duplicate whole message', () => {
    const state = createState();
    run(state, [
      { kind: 'stream-start', id: 'r1' },
      { kind: 'stream-delta', id: 'r1', delta: 'a' },
      { kind: 'stream-end', id: 'r1' },
    ]);
    expect(run(state, [{ kind: 'stream-delta', id: 'r1', delta: 'late' }])).to.deep.equal([]);
    expect(state.transcript.find('r1')!.content).to.equal('a');
    const once = { kind: 'message', message: { id: 'm', role: 'agent', content: 'x' } } as const;
    expect(kinds(run(state, [once]))).to.include('completed');
    expect(kinds(run(state, [once]))).not.to.include('completed');
  });

  it('finalizes a silent reply: marked interrupted, or complete where silence is the end', () => {
    for (const [means, note] of [
      ['interrupted', 'interrupted'],
      ['complete', undefined],
    ] as const) {
      const capabilities: Capabilities = {
        ...baseCapabilities.stream,
        replySilenceMs: 4000,
        replySilenceMeans: means,
      };
      const state = createState();
      run(
        state,
        [
          { kind: 'stream-start', id: 'r' },
          { kind: 'stream-delta', id: 'r', delta: 'x' },
        ],
        env({ capabilities }),
      );
      expect(tick(state, env({ capabilities, now: 1_003_999 })).effects).to.deep.equal([]);
      const { effects } = tick(state, env({ capabilities, now: 1_004_000 }));
      expect(kinds(effects)).to.deep.equal(['completed', 'reply-finished']);
      expect(state.transcript.find('r')!.note).to.equal(note);
    }
  });
});

describe("inbound reducer: the visitor's messages", () => {
  it('confirms a message on its ack, learning the server id', () => {
    const state = createState();
    const message = sent(state, 'u1');
    const effects = run(state, [{ kind: 'ack', clientId: 'u1', id: 'srv-1' }]);
    expect(kinds(effects)).to.deep.equal(['confirmed']);
    expect(message.state).to.equal('sent');
    expect(state.transcript.find('srv-1')).to.equal(message);
    expect(run(state, [{ kind: 'ack', clientId: 'nobody' }])).to.deep.equal([]);
  });

  it('confirms a message the server echoes back as a whole message', () => {
    const state = createState();
    const message = sent(state, 'u1');
    const effects = run(state, [
      { kind: 'message', message: { id: 'srv', role: 'user', content: 'hello', clientId: 'u1' } },
    ]);
    expect(kinds(effects)).to.deep.equal(['confirmed']);
    expect(message.state).to.equal('sent');
  });

  it('sends a message refused for now again, and fails one refused for good', () => {
    const state = createState();
    const busy = sent(state, 'u1');
    expect(run(state, [{ kind: 'refused', clientId: 'u1', message: 'busy' }])).to.deep.equal([
      { kind: 'refused', message: busy, detail: 'busy' },
    ]);
    const long = sent(state, 'u2');
    const effects = run(state, [
      {
        kind: 'refused',
        clientId: 'u2',
        message: 'Message too long (maximum 2000 characters)',
        permanent: true,
      },
    ]);
    expect(effects).to.deep.equal([
      {
        kind: 'failed',
        message: long,
        reason: en.reasonRefused,
        detail: 'Message too long (maximum 2000 characters)',
      },
    ]);
  });

  it('on a backend without acks, an error before any reply fails the message just sent', () => {
    const state = createState();
    const message = sent(state, 'u1');
    const effects = run(state, [
      { kind: 'error', code: 'server-error', message: 'Model unavailable' },
    ]);
    expect(effects[0]).to.deep.equal({
      kind: 'failed',
      message,
      reason: en.reasonRefused,
      detail: 'Model unavailable',
    });
    expect(state.error).to.equal(undefined);
  });

  it('says "No answer yet" when nothing of a reply came in time, and drops the note when one comes', () => {
    const state = createState();
    const message = sent(state, 'u1');
    expect(tick(state, env({ now: 1_059_999 })).effects).to.deep.equal([]);
    const { effects } = tick(state, env({ now: 1_060_000 }));
    expect(kinds(effects)).to.deep.equal(['persist', 'reply-finished']);
    expect(message.note).to.equal('no-answer');
    expect(state.typing.awaitingReply).to.equal(false);
    // A reply that arrives later still shows, and the message is answered after all.
    run(state, [
      { kind: 'stream-start', id: 'r' },
      { kind: 'stream-delta', id: 'r', delta: 'late' },
    ]);
    expect(message.note).to.equal(undefined);
    expect(state.transcript.find('r')!.content).to.equal('late');
  });

  it('drops a "No answer yet" kept across a reload when the reply comes', () => {
    const restored = new Transcript([
      { id: 'u1', role: 'user', content: 'hi', state: 'sent', createdAt: 1, note: 'no-answer' },
    ]);
    const state = createState(restored);
    run(state, [
      { kind: 'stream-start', id: 'r' },
      { kind: 'stream-delta', id: 'r', delta: 'x' },
    ]);
    expect(restored.find('u1')!.note).to.equal(undefined);
  });

  it('does not count typing as part of a reply', () => {
    const state = createState();
    sent(state, 'u1');
    run(state, [{ kind: 'typing', active: true }]);
    expect(state.owed).not.to.equal(undefined);
  });
});

describe('inbound reducer: errors', () => {
  it('shows the visitor plain words and keeps the backend detail for the page', () => {
    const state = createState();
    const detail = "Error retrieving history: {'code': 'PGRST116'}";
    run(state, [{ kind: 'message', message: { id: 'a', role: 'assistant', content: 'hi' } }]);
    const effects = run(state, [{ kind: 'error', code: 'server-error', message: detail }]);
    expect(effects.at(-2)).to.deep.equal({
      kind: 'error',
      error: { code: 'server-error', message: en.errorServer, detail },
      fatal: false,
    });
    expect(state.error!.message).not.to.contain('PGRST116');
  });

  it('clears the banner once the conversation works again', () => {
    const state = createState();
    run(state, [{ kind: 'error', code: 'server-error', message: 'boom' }]);
    expect(state.error).not.to.equal(undefined);
    sent(state, 'u1');
    run(state, [{ kind: 'ack', clientId: 'u1' }]);
    expect(state.error).to.equal(undefined);
  });

  it('ends the reply an error cut off, marked interrupted', () => {
    const state = createState();
    run(state, [
      { kind: 'stream-start', id: 'r' },
      { kind: 'stream-delta', id: 'r', delta: 'half' },
    ]);
    const effects = run(state, [
      { kind: 'error', code: 'server-error', message: 'Stream error occurred', abortsStream: true },
    ]);
    expect(kinds(effects)).to.include.members(['completed', 'error', 'reply-finished']);
    expect(state.transcript.find('r')!.note).to.equal('interrupted');
    expect(state.error!.message).to.equal(en.errorReply);
  });

  it("stays quiet about a new thread's failed history, and recovers a stale chat", () => {
    const state = createState();
    expect(
      kinds(run(state, [{ kind: 'error', code: 'history', message: 'Error retrieving history' }])),
    ).to.deep.equal(['debug']);
    expect(state.error).to.equal(undefined);
    const stale = run(
      state,
      [{ kind: 'error', code: 'CHAT_NOT_FOUND', message: 'gone', fatal: true }],
      env({ canRecoverStaleChat: true }),
    );
    expect(kinds(stale)).to.deep.equal(['debug', 'stale-chat']);
    const fatal = run(state, [
      { kind: 'error', code: 'CHAT_NOT_FOUND', message: 'gone', fatal: true },
    ]);
    expect(fatal.find((e) => e.kind === 'error')).to.deep.include({ fatal: true });
    expect(state.error!.message).to.equal(en.errorGone);
  });

  it('leaves the handling of a refused sign-in to the connection', () => {
    expect(
      run(createState(), [{ kind: 'auth-refused', message: 'Authentication failed' }]),
    ).to.deep.equal([]);
  });
});

describe("inbound reducer: replays (the server's truth)", () => {
  const wire = (id: string, role: 'user' | 'assistant', content: string, clientId?: string) => ({
    kind: 'replay' as const,
    first: false,
    message: { id, role, content, ...(clientId ? { clientId } : {}) },
  });

  it("replaces what the tab shows, in the server's order, keeping unsent messages after it", () => {
    const state = createState();
    state.transcript.push({
      id: 'a2',
      role: 'assistant',
      content: 'second, long version',
      state: 'complete',
      createdAt: 2,
    });
    state.transcript.push({
      id: 'u1',
      role: 'user',
      content: 'first',
      state: 'sent',
      createdAt: 1,
    });
    const unsent = state.transcript.push({
      id: 'u3',
      role: 'user',
      content: 'not yet',
      state: 'sending',
      createdAt: 3,
    });
    run(state, [
      { ...wire('h1', 'user', 'first', 'u1'), first: true },
      wire('h2', 'assistant', 'second'),
    ]);
    const shown = state.transcript.messages.map((m) => [m.id, m.content]);
    expect(shown).to.deep.equal([
      ['u1', 'first'],
      ['h2', 'second'],
      ['u3', 'not yet'],
    ]);
    expect(unsent.state).to.equal('sending');
    expect(state.replayUntil).to.equal(1_000_000 + REPLAY_SETTLE_MS);
  });

  it('takes an unsent message the replay shows as stored: confirmed, in its place', () => {
    const state = createState();
    const mine = sent(state, 'u1', 1_000_000, 'did you get this?');
    const effects = run(state, [{ ...wire('h1', 'user', 'did you get this?', 'u1'), first: true }]);
    expect(effects).to.deep.equal([{ kind: 'confirmed', message: mine }]);
    expect(mine.state).to.equal('sent');
  });

  it('tells the page only of replayed messages it had not seen', () => {
    const state = createState();
    state.transcript.push({
      id: 'x',
      role: 'assistant',
      content: 'known',
      state: 'complete',
      createdAt: 1,
    });
    expect(kinds(run(state, [{ ...wire('x', 'assistant', 'known'), first: true }]))).to.deep.equal([
      'persist',
    ]);
    expect(kinds(run(state, [wire('y', 'assistant', 'new')]))).to.deep.equal(['completed']);
  });
});

describe('inbound reducer: the rest', () => {
  it('handles handoff, presence, membership, system lines, edits, deletes and reconnect requests', () => {
    const state = createState();
    sent(state, 'u1');
    const assigned = run(state, [{ kind: 'handoff', state: 'assigned', agent: { name: 'Sam' } }]);
    expect(kinds(assigned)).to.deep.equal(['reply-finished', 'handoff']);
    expect(state.owed).to.equal(undefined);
    const ended = run(state, [{ kind: 'handoff', state: 'ended' }]);
    expect(kinds(ended)).to.deep.equal(['completed', 'handoff']);
    expect(state.transcript.messages.at(-1)!.content).to.contain('Sam');
    run(state, [{ kind: 'presence', online: 3 }]);
    expect(state.presence).to.equal(3);
    expect(kinds(run(state, [{ kind: 'membership', name: 'Ana', joined: true }]))).to.deep.equal([
      'completed',
    ]);
    expect(kinds(run(state, [{ kind: 'system', text: 'Note', id: 's1' }]))).to.deep.equal([
      'completed',
    ]);
    expect(run(state, [{ kind: 'system', text: 'Note', id: 's1' }])).to.deep.equal([]);
    run(state, [{ kind: 'message', message: { id: 'm', role: 'agent', content: 'x' } }]);
    expect(kinds(run(state, [{ kind: 'update', id: 'm', content: 'y' }]))).to.deep.equal([
      'persist',
    ]);
    expect(kinds(run(state, [{ kind: 'delete', id: 'm' }]))).to.deep.equal(['persist']);
    expect(kinds(run(state, [{ kind: 'reconnect' }]))).to.deep.equal(['reconnect-now']);
    expect(
      run(state, [{ kind: 'pong' }, { kind: 'cursor', seq: 4 }, { kind: 'left-message' }]),
    ).to.deep.equal([]);
    expect(state.handoff.leftMessage).to.equal(true);
    expect(kinds(run(state, [{ kind: 'ready' }]))).to.deep.equal(['ready']);
  });

  it('keeps what the tab shows when the server starts the conversation again, and says so', () => {
    const state = createState();
    sent(state, 'u1');
    const effects = run(state, [{ kind: 'conversation-reset' }]);
    expect(kinds(effects)).to.deep.equal(['completed']);
    expect(state.transcript.messages.map((m) => [m.role, m.content])).to.deep.equal([
      ['user', 'hello'],
      ['system', en.conversationRestarted],
    ]);
  });

  it('finishes replies that cannot continue when the socket goes, unless the server resumes', () => {
    const state = createState();
    run(state, [
      { kind: 'stream-start', id: 'r' },
      { kind: 'stream-delta', id: 'r', delta: 'x' },
    ]);
    expect(kinds(socketClosed(state, { ...baseCapabilities.stream, resumes: true }))).to.deep.equal(
      [],
    );
    expect(state.transcript.find('r')!.state).to.equal('streaming');
    expect(kinds(socketClosed(state, baseCapabilities.stream))).to.deep.equal(['completed']);
    expect(state.transcript.find('r')!.note).to.equal('interrupted');
  });
});
