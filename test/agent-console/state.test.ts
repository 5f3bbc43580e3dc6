import { expect } from '@open-wc/testing';
import type { ChatSummary, ConsoleMessage, Inbox } from '../../apps/agent-console/model.js';
import {
  TYPING_TTL_MS,
  initialState,
  reduce,
  type Action,
  type State,
} from '../../apps/agent-console/state.js';

const chat = (id: string, extra: Partial<ChatSummary> = {}): ChatSummary => ({
  id,
  visitor: `Visitor ${id.slice(-4).toUpperCase()}`,
  online: true,
  state: 'queued',
  updatedAt: '2025-01-01T10:00:00.000Z',
  visitorTyping: false,
  ...extra,
});
const inboxOf = (waiting: ChatSummary[]): Inbox => ({
  serverTime: '2025-01-01T10:00:00.000Z',
  waiting,
  assigned: [],
  bot: [],
  leftMessages: [],
  agents: [],
  availability: { takingChats: true },
});
const message = (id: string, extra: Partial<ConsoleMessage> = {}): ConsoleMessage => ({
  messageId: id,
  role: 'assistant',
  content: 'Hello',
  timestamp: '2025-01-01T10:00:00.000Z',
  ...extra,
});
const run = (...actions: Action[]): State => actions.reduce(reduce, initialState);
const server = (event: Extract<Action, { type: 'server' }>['event'], now = 0): Action => ({
  type: 'server',
  event,
  now,
});
/** A state with chat `c1` selected and its transcript shown. */
const watching = (...messages: ConsoleMessage[]): State =>
  run(
    { type: 'select', id: 'c1' },
    server({ type: 'conversation', view: { conversation: chat('c1'), messages } }),
  );

describe('agent console: its state', () => {
  it('announces a chat that starts waiting, but not the ones there at sign-in', () => {
    const first = run(server({ type: 'inbox', inbox: inboxOf([chat('c1')]) }));
    expect(first.notice).to.equal(undefined);
    const next = reduce(first, server({ type: 'inbox', inbox: inboxOf([chat('c1'), chat('c2')]) }));
    expect(next.notice).to.deep.equal({ key: 'isWaiting', values: { visitor: 'Visitor C2' } });
  });

  it('takes the server clock from the inbox', () => {
    const state = run(
      server({ type: 'inbox', inbox: inboxOf([]) }, Date.parse('2025-01-01T09:59:00Z')),
    );
    expect(state.clockOffset).to.equal(60_000);
  });

  it('shows a transcript only for the chat selected, and forgets it on another selection', () => {
    const state = watching(message('m1'));
    expect(state.view?.messages.map((m) => m.messageId)).to.deep.equal(['m1']);
    const other = reduce(
      state,
      server({ type: 'conversation', view: { conversation: chat('c2'), messages: [] } }),
    );
    expect(other.view?.conversation.id).to.equal('c1');
    const moved = reduce(state, { type: 'select', id: 'c2' });
    expect(moved.view).to.equal(undefined);
    expect(moved.pane).to.equal('chat');
  });

  it('grows a streaming reply in place and ends it', () => {
    let state = watching(message('r1', { content: 'Hel', state: 'streaming' }));
    state = reduce(
      state,
      server({ type: 'message', conversationId: 'c1', message: message('r1') }),
    );
    expect(state.view?.messages).to.deep.equal([message('r1')]);
  });

  it('marks a reply that failed as cut off', () => {
    const state = reduce(
      watching(message('r1', { state: 'streaming' })),
      server({ type: 'reply-failed', conversationId: 'c1', messageId: 'r1' }),
    );
    expect(state.view?.messages[0]).to.deep.equal(message('r1', { content: 'Hello …' }));
  });

  it('counts someone typing until they write or the flag fades', () => {
    let state = reduce(
      watching(),
      server({ type: 'typing', conversationId: 'c1', who: 'visitor', active: true }, 1000),
    );
    expect([...state.typers.keys()]).to.deep.equal(['visitor']);
    const wrote = reduce(
      state,
      server({ type: 'message', conversationId: 'c1', message: message('u1', { role: 'user' }) }),
    );
    expect(wrote.typers.size).to.equal(0);
    state = reduce(state, { type: 'tick', now: 1000 + TYPING_TTL_MS });
    expect(state.typers.size).to.equal(0);
  });

  it('marks agent messages delivered once, when the server says so', () => {
    const state = reduce(
      watching(message('a1', { role: 'agent' })),
      server({ type: 'delivered', conversationId: 'c1', messageIds: ['a1'] }, 5000),
    );
    expect(state.view?.messages[0]?.deliveredAt).to.equal(new Date(5000).toISOString());
  });

  it('keeps an outgoing message until it is confirmed, and lets a refused one be sent again', () => {
    const outgoing = {
      conversationId: 'c1',
      clientMessageId: 'k1',
      content: 'Hi',
      timestamp: '2025-01-01T10:00:00.000Z',
      state: 'sending' as const,
    };
    let state = reduce(watching(), { type: 'outgoing', outgoing });
    state = reduce(state, { type: 'not-sent', clientMessageId: 'k1', error: { raw: 'no' } });
    expect(state.outgoing[0]).to.deep.include({ state: 'failed', error: { raw: 'no' } });
    state = reduce(state, { type: 'resend', clientMessageId: 'k1' });
    expect(state.outgoing[0]).to.deep.equal(outgoing);
    const sent = message('a1', { role: 'agent', clientMessageId: 'k1' });
    state = reduce(state, { type: 'sent', clientMessageId: 'k1', message: sent });
    expect(state.outgoing).to.deep.equal([]);
    expect(state.view?.messages).to.deep.equal([sent]);
  });

  it('forgets everything of the session when signed out', () => {
    const state = reduce(watching(message('m1')), {
      type: 'signed-out',
      reason: { key: 'sessionEnded' },
    });
    expect(state).to.deep.include({
      phase: 'signed-out',
      view: undefined,
      selectedId: undefined,
      signInError: { key: 'sessionEnded' },
    });
  });
});
