import { expect } from '@open-wc/testing';
import { decodeFrame, decodeInbox, decodeView } from '../../apps/agent-console/decode.js';

const summary = {
  id: 'conv_1',
  visitor: 'Visitor AB12',
  online: true,
  state: 'queued',
  queuedAt: '2025-01-01T10:00:00.000Z',
  position: 1,
  updatedAt: '2025-01-01T10:00:00.000Z',
  lastVisitorMessage: 'hello',
  visitorTyping: false,
};
const message = {
  messageId: 'm1',
  role: 'agent',
  content: 'Hi',
  timestamp: '2025-01-01T10:01:00.000Z',
  agent: { id: 'maya', name: 'Maya' },
  deliveredAt: '2025-01-01T10:01:01.000Z',
};
const inbox = {
  serverTime: '2025-01-01T10:02:00.000Z',
  waiting: [summary],
  assigned: [],
  bot: [],
  leftMessages: [
    {
      id: 'left_1',
      conversationId: 'conv_1',
      visitor: 'Visitor AB12',
      email: 'a@b.c',
      message: 'call me',
      createdAt: '2025-01-01T09:00:00.000Z',
    },
  ],
  agents: [{ id: 'maya', name: 'Maya', online: true }],
  availability: { takingChats: true },
};
const frame = (value: unknown) => JSON.stringify(value);

describe('agent console: decoding what the server sends', () => {
  it('reads every frame of /agent/ws into its event', () => {
    expect(
      decodeFrame(frame({ type: 'ready', agent: { id: 'maya', name: 'Maya' } })),
    ).to.deep.equal({ type: 'ready', agent: { id: 'maya', name: 'Maya' } });
    expect(decodeFrame(frame({ type: 'inbox', inbox }))).to.deep.equal({ type: 'inbox', inbox });
    expect(
      decodeFrame(frame({ type: 'conversation', conversation: summary, messages: [message] })),
    ).to.deep.equal({ type: 'conversation', view: { conversation: summary, messages: [message] } });
    expect(
      decodeFrame(frame({ type: 'message', conversationId: 'conv_1', message })),
    ).to.deep.equal({ type: 'message', conversationId: 'conv_1', message });
    expect(
      decodeFrame(
        frame({ type: 'typing', conversationId: 'conv_1', who: 'visitor', active: true }),
      ),
    ).to.deep.equal({ type: 'typing', conversationId: 'conv_1', who: 'visitor', active: true });
    expect(
      decodeFrame(frame({ type: 'delivered', conversationId: 'conv_1', messageIds: ['m1'] })),
    ).to.deep.equal({ type: 'delivered', conversationId: 'conv_1', messageIds: ['m1'] });
    expect(
      decodeFrame(frame({ type: 'transferred', conversationId: 'conv_1', from: 'Sam' })),
    ).to.deep.equal({ type: 'transferred', conversationId: 'conv_1', from: 'Sam' });
  });

  it('gives nothing for frames it cannot trust', () => {
    for (const data of [
      'not json',
      frame([1, 2]),
      frame(null),
      frame({ type: 'pong' }),
      frame({ type: 'unknown' }),
      frame({ type: 'ready', agent: { id: 7, name: 'Maya' } }),
      frame({ type: 'typing', conversationId: 'conv_1', who: 'visitor', active: 'yes' }),
      frame({ type: 'message', conversationId: 'conv_1', message: { ...message, role: 'root' } }),
      frame({ type: 'message', message }),
      frame({ type: 'inbox', inbox: { ...inbox, waiting: 'many' } }),
      new ArrayBuffer(4),
    ]) {
      expect(decodeFrame(data), String(data)).to.equal(undefined);
    }
  });

  it('keeps the good items of a list and drops the rest', () => {
    const decoded = decodeInbox({
      ...inbox,
      waiting: [summary, { ...summary, id: null }, { ...summary, id: 'conv_2', state: 'lost' }],
    });
    expect(decoded?.waiting.map((c) => c.id)).to.deep.equal(['conv_1']);
    const view = decodeView({ conversation: summary, messages: [message, { messageId: 'x' }] });
    expect(view?.messages).to.deep.equal([message]);
  });

  it('leaves out optional fields of the wrong type instead of trusting them', () => {
    const decoded = decodeView({
      conversation: { ...summary, position: 'first', agent: { name: 'no id' } },
      messages: [{ ...message, deliveredAt: 12, state: 'done' }],
    });
    expect(decoded?.conversation.position).to.equal(undefined);
    expect(decoded?.conversation.agent).to.equal(undefined);
    expect(decoded?.messages[0]?.deliveredAt).to.equal(undefined);
    expect(decoded?.messages[0]?.state).to.equal(undefined);
  });
});
