import { expect } from '@open-wc/testing';
import { createRoomsAdapter } from '../../src/protocols/rooms.js';
import type { ConnectContext, HttpRequest } from '../../src/protocols/types.js';

const ROOM = '550e8400-e29b-41d4-a716-446655440001';
const ctx: ConnectContext = {
  server: 'wss://api.chatapi.dev/ws/',
  token: 'sk_test_1234567890abcdef',
  userId: 'user_123',
  userName: 'John Doe',
  conversationId: ROOM,
  apiBase: 'https://api.chatapi.dev',
};

/** A frame as the document shows them: type, data, timestamp, room_id. */
const frame = (type: string, data: unknown) =>
  JSON.stringify({ type, data, timestamp: '2024-01-01T12:00:00Z', room_id: ROOM });

const messageData = (over: Record<string, unknown> = {}) => ({
  id: '550e8400-e29b-41d4-a716-446655440002',
  sender_id: 'user_456',
  sender_name: 'Jane Smith',
  content: 'Hello everyone!',
  message_type: 'text',
  meta: { mentions: ['user_123'], priority: 'normal' },
  created_at: '2024-01-01T12:00:00Z',
  ...over,
});

/** An adapter that has connected as `ctx`, as the connection would have it. */
function connected() {
  const adapter = createRoomsAdapter();
  adapter.socketUrl(ctx);
  adapter.reset();
  adapter.opened(ctx);
  return adapter;
}

function sendRequest(
  adapter: ReturnType<typeof createRoomsAdapter>,
  text: string,
  clientId: string,
) {
  const out = adapter.encodeMessage(text, clientId, ctx);
  if (!('http' in out)) throw new Error('rooms sends over REST');
  return out.http;
}

describe('rooms adapter: connecting and sending', () => {
  it('puts the room in the path and credentials in the query, whatever the trailing slash', () => {
    const adapter = createRoomsAdapter();
    const url = new URL(adapter.socketUrl(ctx));
    expect(url.origin + url.pathname).to.equal(`wss://api.chatapi.dev/ws/${ROOM}`);
    expect(Object.fromEntries(url.searchParams)).to.deep.equal({
      token: 'sk_test_1234567890abcdef',
      user_id: 'user_123',
      user_name: 'John Doe',
    });
    const plain = new URL(adapter.socketUrl({ ...ctx, server: 'ws://localhost:8000/ws?tenant=a' }));
    expect(plain.pathname).to.equal(`/ws/${ROOM}`);
    expect(plain.searchParams.get('tenant')).to.equal('a');
    expect(plain.searchParams.get('token')).to.equal('sk_test_1234567890abcdef');
    const odd = new URL(
      adapter.socketUrl({ ...ctx, conversationId: 'a/b c', userName: undefined }),
    );
    expect(odd.pathname).to.equal('/ws/a%2Fb%20c');
    expect(odd.searchParams.has('user_name')).to.equal(false);
  });

  it('refuses to build a socket URL without a room', () => {
    expect(() => createRoomsAdapter().socketUrl({ ...ctx, conversationId: undefined })).to.throw(
      /conversation-id/,
    );
  });

  it('asks who is online when the socket opens, and has typing and ping frames', () => {
    const adapter = createRoomsAdapter();
    expect(adapter.opened(ctx).map((f) => JSON.parse(f))).to.deep.equal([
      { type: 'get_online_users', data: {} },
    ]);
    expect(JSON.parse(adapter.encodeTyping(true, ctx)!)).to.deep.equal({
      type: 'typing',
      data: { is_typing: true },
    });
    expect(JSON.parse(adapter.encodeTyping(false, ctx)!)).to.deep.equal({
      type: 'typing',
      data: { is_typing: false },
    });
    expect(JSON.parse(adapter.encodePing()!)).to.deep.equal({ type: 'ping', data: {} });
    expect(adapter.encodeEscalate('x', ctx)).to.equal(null);
    expect(adapter.prepare(ctx)).to.equal(null);
    expect(adapter.capabilities()).to.include({
      escalation: false,
      typing: true,
      acks: true,
      history: false,
    });
  });

  it('sends a message as the documented REST call', () => {
    const http: HttpRequest = sendRequest(createRoomsAdapter(), 'Hi there', 'c1');
    expect(http).to.deep.equal({
      method: 'POST',
      url: `https://api.chatapi.dev/api/v1/rooms/${ROOM}/messages/`,
      headers: { 'X-API-Key': 'sk_test_1234567890abcdef' },
      body: {
        sender_id: 'user_123',
        sender_name: 'John Doe',
        content: 'Hi there',
        message_type: 'text',
      },
    });
  });

  it('acks a send from the REST answer, enveloped or bare', () => {
    const adapter = connected();
    sendRequest(adapter, 'one', 'c1');
    sendRequest(adapter, 'two', 'c2');
    expect(
      adapter.readSendResponse?.({ data: messageData({ id: 'm1' }), status: 'success' }, 'c1'),
    ).to.deep.equal([{ kind: 'ack', clientId: 'c1', id: 'm1' }]);
    expect(adapter.readSendResponse?.({ id: 'm2', content: 'two' }, 'c2')).to.deep.equal([
      { kind: 'ack', clientId: 'c2', id: 'm2' },
    ]);
    expect(adapter.readSendResponse?.(null, 'c3')).to.deep.equal([{ kind: 'ack', clientId: 'c3' }]);
  });

  it('turns our own echo into an ack, whether it comes before or after the REST answer', () => {
    const adapter = connected();
    sendRequest(adapter, 'first', 'c1');
    sendRequest(adapter, 'second', 'c2');
    // The echo of the second message overtakes everything: matched by content, not order.
    const early = frame(
      'message',
      messageData({ id: 'm2', sender_id: 'user_123', content: 'second' }),
    );
    expect(adapter.decode(early)).to.deep.equal([
      { kind: 'ack', id: 'm2', content: 'second', clientId: 'c2' },
    ]);
    expect(adapter.readSendResponse?.({ data: { id: 'm2' } }, 'c2')).to.deep.equal([
      { kind: 'ack', clientId: 'c2', id: 'm2' },
    ]);
    // The first one's REST answer comes first; its echo then names a known id.
    expect(adapter.readSendResponse?.({ data: { id: 'm1' } }, 'c1')).to.deep.equal([
      { kind: 'ack', clientId: 'c1', id: 'm1' },
    ]);
    const late = frame(
      'message',
      messageData({ id: 'm1', sender_id: 'user_123', content: 'first' }),
    );
    expect(adapter.decode(late)).to.deep.equal([
      { kind: 'ack', id: 'm1', content: 'first', clientId: 'c1' },
    ]);
    // A known id is ours even if a server rewrote the sender.
    const rewritten = frame(
      'message',
      messageData({ id: 'm1', sender_id: 'gateway', content: 'first' }),
    );
    expect(adapter.decode(rewritten)[0]).to.include({ kind: 'ack', id: 'm1' });
  });
});

describe('rooms adapter: frames', () => {
  it('reads messages from others with their name; a person by meta.role, else the assistant', () => {
    const adapter = connected();
    expect(adapter.decode(frame('message', messageData()))).to.deep.equal([
      {
        kind: 'message',
        message: {
          id: '550e8400-e29b-41d4-a716-446655440002',
          role: 'assistant',
          content: 'Hello everyone!',
          author: { name: 'Jane Smith' },
          createdAt: Date.parse('2024-01-01T12:00:00Z'),
        },
      },
    ]);
    const human = adapter.decode(
      frame('message', messageData({ id: 'h1', meta: { role: 'agent' } })),
    );
    expect(human[0]).to.have.nested.property('message.role', 'agent');
    const member = adapter.decode(
      frame('message', messageData({ id: 'h2', meta: { role: 'member' } })),
    );
    expect(member[0]).to.have.nested.property('message.role', 'agent');
    const notice = adapter.decode(
      frame('message', messageData({ id: 's1', message_type: 'system' })),
    );
    expect(notice[0]).to.have.nested.property('message.role', 'system');
    const nameless = adapter.decode(
      frame('message', messageData({ id: 'n1', sender_name: null, meta: null, created_at: null })),
    );
    expect(nameless).to.deep.equal([
      {
        kind: 'message',
        message: {
          id: 'n1',
          role: 'assistant',
          content: 'Hello everyone!',
          author: { name: 'user_456' },
        },
      },
    ]);
  });

  it('reads edits and deletions', () => {
    const adapter = connected();
    expect(
      adapter.decode(
        frame('message_updated', {
          id: '550e8400-e29b-41d4-a716-446655440002',
          content: 'Updated message content!',
          edited_at: '2024-01-01T12:05:00Z',
          edit_reason: 'Fixed typo',
        }),
      ),
    ).to.deep.equal([
      {
        kind: 'update',
        id: '550e8400-e29b-41d4-a716-446655440002',
        content: 'Updated message content!',
      },
    ]);
    expect(
      adapter.decode(
        frame('message_deleted', {
          id: '550e8400-e29b-41d4-a716-446655440002',
          deleted_by: 'user_123',
          deleted_at: '2024-01-01T12:10:00Z',
        }),
      ),
    ).to.deep.equal([{ kind: 'delete', id: '550e8400-e29b-41d4-a716-446655440002' }]);
  });

  it('writes joins, leaves and notifications as system lines, skipping our own arrival', () => {
    const adapter = connected();
    const joined = {
      user_id: 'user_789',
      user_name: 'Jane Smith',
      joined_at: '2024-01-01T12:00:00Z',
      meta: { role: 'member' },
    };
    expect(adapter.decode(frame('user_joined', joined))).to.deep.equal([
      { kind: 'membership', name: 'Jane Smith', joined: true },
    ]);
    expect(
      adapter.decode(
        frame('user_left', {
          user_id: 'user_789',
          user_name: 'Jane Smith',
          left_at: '2024-01-01T12:30:00Z',
        }),
      ),
    ).to.deep.equal([{ kind: 'membership', name: 'Jane Smith', joined: false }]);
    expect(adapter.decode(frame('user_joined', { ...joined, user_id: 'user_123' }))).to.deep.equal(
      [],
    );
    expect(
      adapter.decode(
        frame('notification', {
          id: '550e8400-e29b-41d4-a716-446655440003',
          title: 'New Message',
          content: 'You have a new message from John Doe',
          action_url: '/rooms/550e8400-e29b-41d4-a716-446655440001',
          priority: 'normal',
          icon: 'message',
        }),
      ),
    ).to.deep.equal([
      {
        kind: 'system',
        text: 'New Message: You have a new message from John Doe',
        id: '550e8400-e29b-41d4-a716-446655440003',
      },
    ]);
  });

  it('shows others typing by name, never ourselves', () => {
    const adapter = connected();
    expect(
      adapter.decode(
        frame('typing', { user_id: 'user_456', user_name: 'Jane Smith', is_typing: true }),
      ),
    ).to.deep.equal([{ kind: 'typing', active: true, who: { name: 'Jane Smith' } }]);
    expect(
      adapter.decode(
        frame('typing', { user_id: 'user_456', user_name: 'Jane Smith', is_typing: false }),
      ),
    ).to.deep.equal([{ kind: 'typing', active: false, who: { name: 'Jane Smith' } }]);
    expect(
      adapter.decode(
        frame('typing', { user_id: 'user_123', user_name: 'John Doe', is_typing: true }),
      ),
    ).to.deep.equal([]);
  });

  it('counts who is online from connection_status and from answers to get_online_users', () => {
    const adapter = connected();
    // As the document shows it: no room_id at the top level, it is inside data.
    const status = JSON.stringify({
      type: 'connection_status',
      data: {
        status: 'connected',
        user_id: 'user_123',
        room_id: ROOM,
        online_users: ['user_123', 'user_456', 'user_789'],
        total_participants: 15,
      },
      timestamp: '2024-01-01T12:00:00Z',
    });
    expect(adapter.decode(status)).to.deep.equal([{ kind: 'presence', online: 3 }]);
    expect(
      adapter.decode(
        frame('online_users', { online_users: ['user_123', 'user_456'], total_online: 2 }),
      ),
    ).to.deep.equal([{ kind: 'presence', online: 2 }]);
    expect(adapter.decode(frame('get_online_users', { online_users: ['a'] }))).to.deep.equal([
      { kind: 'presence', online: 1 },
    ]);
    expect(adapter.decode(frame('pong', {}))).to.deep.equal([{ kind: 'pong' }]);
    expect(adapter.decode(JSON.stringify({ type: 'pong' }))).to.deep.equal([{ kind: 'pong' }]);
  });

  it('moves the online count with joins and leaves once it knows who is online', () => {
    const adapter = connected();
    adapter.decode(frame('connection_status', { online_users: ['user_123', 'user_456'] }));
    const joined = adapter.decode(frame('user_joined', { user_id: 'user_789', user_name: 'Jo' }));
    expect(joined).to.deep.include({ kind: 'presence', online: 3 });
    // A second tab of someone already here changes nothing.
    const again = adapter.decode(frame('user_joined', { user_id: 'user_789', user_name: 'Jo' }));
    expect(again.map((e) => e.kind)).to.deep.equal(['membership']);
    const left = adapter.decode(frame('user_left', { user_id: 'user_456', user_name: 'Al' }));
    expect(left).to.deep.include({ kind: 'presence', online: 2 });
    adapter.reset();
    const unknown = adapter.decode(frame('user_left', { user_id: 'user_789', user_name: 'Jo' }));
    expect(unknown.map((e) => e.kind)).to.deep.equal(['membership']);
  });

  it('reads the documented close codes', () => {
    const adapter = createRoomsAdapter();
    expect(adapter.interpretClose(4001, 'Unauthorized', true)).to.include({ action: 'auth' });
    expect(adapter.interpretClose(4001, '', true).message).to.match(/unauthori[sz]ed/i);
    expect(adapter.interpretClose(4002, '', true)).to.include({ action: 'stop' });
    expect(adapter.interpretClose(4002, '', true).message).to.match(/not exist|not found/i);
    // Access comes with the token: one new token may grant it.
    expect(adapter.interpretClose(4003, '', true)).to.include({ action: 'auth' });
    expect(adapter.interpretClose(4003, '', true).message).to.match(/denied/i);
    expect(adapter.interpretClose(4004, '', true)).to.include({ action: 'retry' });
    expect(adapter.interpretClose(4004, '', true).message).to.match(/too many/i);
    expect(adapter.interpretClose(1000, '', true).action).to.equal('stop');
    for (const code of [1001, 1006, 1011, 4000]) {
      expect(adapter.interpretClose(code, '', true).action, String(code)).to.equal('retry');
    }
  });

  it('ignores what the document does not name, binary and malformed frames, and never throws', () => {
    const adapter = connected();
    const bad: unknown[] = [
      'not json',
      '',
      'null',
      '[1,2]',
      new ArrayBuffer(4),
      new Blob(['x']),
      null,
      42,
      frame('error', { message: 'nope' }),
      frame('presence_changed', { online: 3 }),
      JSON.stringify({ data: messageData() }),
      frame('message', null),
      frame('message', { id: 'x' }),
      frame('message', messageData({ id: null })),
      frame('message_updated', { id: 'x', content: null }),
      frame('message_deleted', {}),
      frame('user_joined', { user_id: null, user_name: null }),
      frame('notification', { title: null, content: '' }),
      frame('connection_status', { status: 'connected' }),
      JSON.stringify({ type: 'typing' }).replace('}', ',"data":"str"}'),
    ];
    for (const data of bad) expect(adapter.decode(data), String(data)).to.deep.equal([]);
  });
});
