import { expect } from '@open-wc/testing';
import { createStreamAdapter } from '../../src/protocols/stream.js';
import type { ConnectContext } from '../../src/protocols/types.js';

const ctx: ConnectContext = {
  server: 'wss://chat.example.com/ws?site=1',
  token: 'jwt',
  apiBase: '',
};
const f = (frame: unknown) => JSON.stringify(frame);
const ts = '2025-09-12T10:00:00.000Z';

describe('stream adapter', () => {
  it('connects with the token in the query, keeping the query the page gave', () => {
    expect(createStreamAdapter().socketUrl(ctx)).to.equal(
      'wss://chat.example.com/ws?site=1&token=jwt',
    );
  });

  it('reads the documented frames', () => {
    const a = createStreamAdapter();
    expect(
      a.decode(f({ type: 'connection', message: 'Connected to chatbot server', timestamp: ts })),
    ).to.deep.equal([{ kind: 'ready', features: [] }]);
    expect(
      a.decode(f({ type: 'stream-start', messageId: 'msg_abc123', timestamp: ts })),
    ).to.deep.equal([{ kind: 'stream-start', id: 'msg_abc123', role: 'assistant' }]);
    expect(
      a.decode(f({ type: 'stream-token', messageId: 'msg_abc123', token: 'Hello', timestamp: ts })),
    ).to.deep.equal([
      { kind: 'stream-delta', id: 'msg_abc123', delta: 'Hello', role: 'assistant' },
    ]);
    expect(
      a.decode(f({ type: 'stream-end', messageId: 'msg_abc123', timestamp: ts })),
    ).to.deep.equal([{ kind: 'stream-end', id: 'msg_abc123' }]);
    expect(
      a.decode(
        f({
          type: 'human-escalation-response',
          message: 'A human agent will contact you soon.',
          timestamp: ts,
        }),
      ),
    ).to.deep.equal([{ kind: 'system', text: 'A human agent will contact you soon.' }]);
    expect(a.decode(f({ type: 'pong', timestamp: ts }))).to.deep.equal([{ kind: 'pong' }]);
    expect(
      a.decode(f({ type: 'error', message: 'Error description', timestamp: ts })),
    ).to.deep.equal([
      { kind: 'error', code: 'server-error', message: 'Error description', abortsStream: false },
    ]);
  });

  it('writes the documented frames', () => {
    const a = createStreamAdapter();
    const out = a.encodeMessage('Your message here', 'c1', ctx);
    if (!('frame' in out)) throw new Error('expected a frame');
    const chat = JSON.parse(out.frame);
    expect(chat).to.include({ type: 'chat', content: 'Your message here', clientMessageId: 'c1' });
    expect(Date.parse(chat.timestamp)).to.be.a('number').and.not.NaN;
    expect(JSON.parse(a.encodeEscalate('Need human assistance', ctx)!)).to.include({
      type: 'human-escalation',
      reason: 'Need human assistance',
    });
    expect(JSON.parse(a.encodePing()!).type).to.equal('ping');
  });

  it('handles what deployed servers send: typing, one-shot ai-response, an error instead of stream-end', () => {
    const a = createStreamAdapter();
    expect(
      a.decode(f({ type: 'typing', message: 'AI is thinking...', timestamp: ts })),
    ).to.deep.equal([{ kind: 'typing', active: true, role: 'assistant' }]);
    expect(
      a.decode(
        f({
          type: 'ai-response',
          messageId: 'm9',
          message: 'Whole **reply**',
          model: 'x',
          timestamp: ts,
        }),
      ),
    ).to.deep.equal([
      { kind: 'message', message: { id: 'm9', role: 'assistant', content: 'Whole **reply**' } },
    ]);
    a.decode(f({ type: 'stream-start', messageId: 'm1' }));
    expect(a.decode(f({ type: 'error', message: 'Stream error occurred' }))).to.deep.equal([
      { kind: 'error', code: 'server-error', message: 'Stream error occurred', abortsStream: true },
    ]);
    // The aborted stream is closed: its late tokens are strays.
    expect(a.decode(f({ type: 'stream-token', messageId: 'm1', token: 'late' }))).to.deep.equal([]);
  });

  it('reads a refused handshake (close before open) as a possible auth failure', () => {
    const a = createStreamAdapter();
    expect(a.interpretClose(1006, '', false).action).to.equal('auth');
    expect(a.interpretClose(1006, '', true).action).to.equal('retry');
    expect(a.interpretClose(1005, '', true).action).to.equal('retry');
  });

  it('ignores garbage without throwing', () => {
    const a = createStreamAdapter();
    for (const bad of [
      '{nope',
      new ArrayBuffer(4),
      null,
      42,
      f(null),
      f([1]),
      f({ type: 'surprise' }),
      f({ type: 'stream-token', messageId: 'never-started', token: 'x' }),
      f({ type: 'stream-token', messageId: null, token: 1 }),
      f({ type: 'stream-start' }),
      f({ type: 'ai-response', messageId: 5, message: null }),
      f({ type: 'handoff', state: 'dancing' }),
      f({ type: 'agent-message', messageId: 'x' }),
    ]) {
      expect(a.decode(bad), String(bad)).to.deep.equal([]);
    }
  });

  it('sends extension frames only to a server that announced them', () => {
    const strict = createStreamAdapter();
    strict.decode(f({ type: 'connection', message: 'hi' }));
    expect(strict.greeted!(ctx)).to.deep.equal([]);
    expect(strict.encodeTyping(true, ctx)).to.equal(null);
    expect(strict.encodeLeaveMessage!('a@b.c', 'hi', ctx)).to.equal(null);
    expect(strict.capabilities()).to.include({ acks: false, retries: false });

    const ours = createStreamAdapter();
    ours.decode(
      f({ type: 'connection', message: 'hi', features: ['ack', 'sync', 'typing', 'handoff'] }),
    );
    expect(ours.capabilities()).to.include({ acks: true, typing: true });
    expect(ours.greeted!(ctx).map((x) => JSON.parse(x).type)).to.deep.equal(['sync']);
    expect(JSON.parse(ours.encodeTyping(false, ctx)!)).to.include({
      type: 'typing',
      active: false,
    });
    expect(JSON.parse(ours.encodeLeaveMessage!('a@b.c', 'call me', ctx)!)).to.include({
      type: 'leave-message',
      email: 'a@b.c',
      message: 'call me',
    });
    // A reconnect forgets them until the next server announces its own.
    ours.reset();
    expect(ours.encodeTyping(true, ctx)).to.equal(null);
  });

  it('reads acks, handoffs, agent messages and typing', () => {
    const a = createStreamAdapter();
    expect(a.decode(f({ type: 'ack', clientMessageId: 'c1', messageId: 'u1' }))).to.deep.equal([
      { kind: 'ack', clientId: 'c1', id: 'u1' },
    ]);
    expect(a.decode(f({ type: 'handoff', state: 'queued', position: 2 }))).to.deep.equal([
      { kind: 'handoff', state: 'queued', position: 2 },
    ]);
    expect(
      a.decode(
        f({
          type: 'handoff',
          state: 'assigned',
          agent: { name: 'Maya', avatar: 'https://x/m.png' },
        }),
      ),
    ).to.deep.equal([
      { kind: 'handoff', state: 'assigned', agent: { name: 'Maya', avatar: 'https://x/m.png' } },
    ]);
    expect(
      a.decode(
        f({
          type: 'agent-message',
          messageId: 'a1',
          content: 'Hi, **Maya** here',
          agent: { name: 'Maya' },
        }),
      ),
    ).to.deep.equal([
      {
        kind: 'message',
        message: {
          id: 'a1',
          role: 'agent',
          content: 'Hi, **Maya** here',
          author: { name: 'Maya' },
        },
      },
    ]);
    expect(
      a.decode(f({ type: 'agent-typing', active: true, agent: { name: 'Maya' } })),
    ).to.deep.equal([{ kind: 'typing', active: true, who: { name: 'Maya' }, role: 'agent' }]);
    expect(a.decode(f({ type: 'left-message', ok: true }))).to.deep.equal([
      { kind: 'left-message' },
    ]);
  });

  it('turns a sync into acks, messages, a reply in flight and the handoff state', () => {
    const a = createStreamAdapter();
    const events = a.decode(
      f({
        type: 'sync',
        messages: [
          { messageId: 'u1', role: 'user', content: 'hello', clientMessageId: 'c1', timestamp: ts },
          { messageId: 'r1', role: 'assistant', content: 'Hi!', timestamp: ts },
          { messageId: 'r0', role: 'assistant', content: 'Cut', interrupted: true, timestamp: ts },
          {
            messageId: 'a1',
            role: 'agent',
            content: 'Maya here',
            agent: { name: 'Maya' },
            timestamp: ts,
          },
          {
            messageId: 'r2',
            role: 'assistant',
            content: 'half a',
            state: 'streaming',
            timestamp: ts,
          },
          { messageId: 'bad', role: 'wizard', content: 'x' },
        ],
        handoff: { state: 'assigned', agent: { name: 'Maya' } },
      }),
    );
    const at = Date.parse(ts);
    expect(events).to.deep.equal([
      { kind: 'ack', clientId: 'c1', id: 'u1' },
      {
        kind: 'message',
        message: { id: 'u1', role: 'user', content: 'hello', clientId: 'c1', createdAt: at },
      },
      { kind: 'message', message: { id: 'r1', role: 'assistant', content: 'Hi!', createdAt: at } },
      {
        kind: 'message',
        message: { id: 'r0', role: 'assistant', content: 'Cut', createdAt: at, interrupted: true },
      },
      {
        kind: 'message',
        message: {
          id: 'a1',
          role: 'agent',
          content: 'Maya here',
          author: { name: 'Maya' },
          createdAt: at,
        },
      },
      { kind: 'stream-start', id: 'r2', role: 'assistant' },
      { kind: 'stream-delta', id: 'r2', delta: 'half a', role: 'assistant' },
      { kind: 'handoff', state: 'assigned', agent: { name: 'Maya' } },
    ]);
    // The reply in flight continues.
    expect(a.decode(f({ type: 'stream-token', messageId: 'r2', token: 'nd more' }))).to.have.length(
      1,
    );
  });
});

describe('stream adapter: resume', () => {
  const hello = (features: string[]) => f({ type: 'connection', message: 'hi', features });

  it('counts the position afresh after the server started a new conversation', () => {
    const a = createStreamAdapter();
    a.decode(hello(['sync', 'resume']));
    a.decode(f({ type: 'user-message', messageId: 'u1', content: 'hi', seq: 41 }));
    expect(a.decode(f({ type: 'conversation-reset' }))).to.deep.equal([
      { kind: 'conversation-reset' },
    ]);
    // The fresh conversation's first frame is number 1: not a replay to drop.
    expect(a.decode(f({ type: 'stream-start', messageId: 'r1', seq: 1 }))).to.deep.equal([
      { kind: 'stream-start', id: 'r1', role: 'assistant' },
      { kind: 'cursor', seq: 1 },
    ]);
  });

  it('reports the conversation position and drops frames a resume replays twice', () => {
    const a = createStreamAdapter();
    a.decode(hello(['sync', 'resume', 'retry']));
    expect(a.capabilities()).to.include({ resumes: true, retries: true });
    expect(a.decode(f({ type: 'stream-start', messageId: 'm1', seq: 5 }))).to.deep.equal([
      { kind: 'stream-start', id: 'm1', role: 'assistant' },
      { kind: 'cursor', seq: 5 },
    ]);
    expect(
      a.decode(f({ type: 'stream-token', messageId: 'm1', token: 'Hel', seq: 6 })),
    ).to.have.length(2);
    expect(
      a.decode(f({ type: 'stream-token', messageId: 'm1', token: 'Hel', seq: 6 })),
    ).to.deep.equal([]);
  });

  it('resumes from the last position after a reconnect, and continues a reply cut by the drop', () => {
    const a = createStreamAdapter();
    a.decode(hello(['sync', 'resume']));
    a.decode(f({ type: 'stream-start', messageId: 'm1', seq: 1 }));
    a.decode(f({ type: 'stream-token', messageId: 'm1', token: 'Hel', seq: 2 }));
    a.reset();
    a.decode(hello(['sync', 'resume']));
    expect(a.greeted!(ctx).map((x) => JSON.parse(x))).to.deep.equal([
      { type: 'resume', lastSeq: 2 },
    ]);
    expect(
      a.decode(f({ type: 'stream-token', messageId: 'm1', token: 'lo', seq: 3 }))[0],
    ).to.deep.equal({
      kind: 'stream-delta',
      id: 'm1',
      delta: 'lo',
      role: 'assistant',
    });
  });

  it('starts a new adapter (a new tab, or a reload) with a sync, not a resume', () => {
    const fresh = createStreamAdapter();
    fresh.decode(hello(['sync', 'resume']));
    expect(fresh.greeted!(ctx).map((x) => JSON.parse(x).type)).to.deep.equal(['sync']);
  });

  it('reads an interrupted end, a reconnect request, and writes retry only when announced', () => {
    const a = createStreamAdapter();
    a.decode(hello(['resume']));
    a.decode(f({ type: 'stream-start', messageId: 'm1' }));
    expect(a.decode(f({ type: 'stream-end', messageId: 'm1', interrupted: true }))).to.deep.equal([
      { kind: 'stream-end', id: 'm1', interrupted: true },
    ]);
    expect(a.decode(f({ type: 'reconnect' }))).to.deep.equal([{ kind: 'reconnect' }]);
    expect(a.encodeRetry!('m1', ctx)).to.equal(null);
    const b = createStreamAdapter();
    b.decode(hello(['resume', 'retry']));
    expect(JSON.parse(b.encodeRetry!('m1', ctx)!)).to.include({ type: 'retry', messageId: 'm1' });
    // A strict server's stray `reconnect` (it never sends one) is not obeyed.
    const strict = createStreamAdapter();
    strict.decode(hello([]));
    expect(strict.decode(f({ type: 'reconnect' }))).to.deep.equal([]);
  });
});
