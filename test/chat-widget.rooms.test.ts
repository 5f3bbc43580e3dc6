/**
 * `<chat-widget protocol="rooms">` end to end against test/fixtures/rooms-server.js:
 * what the user sees in the shadow DOM, what the page hears in events, and what the
 * server received. Every test uses a room of its own.
 */
import { expect } from '@open-wc/testing';
import '../src/define.js';
import type { ChatWidget } from '../src/chat-widget.js';
import type { TokenProvider } from '../src/types.js';
import { connected, messages, part, typeAndSend, uniqueKey, until } from './helpers.js';
import { type Entry, type RecordedEvents, fixtureServer, mountRecordingEvents } from './helpers.js';

const server = fixtureServer('rooms');
const { received, control } = server;
const TOKEN = 'test-token';
const BOT = 'Helper Bot';

const settings = (room: string, values: Entry) =>
  control({ action: 'room', room, settings: values });

const push = (room: string, type: string, data: Entry) =>
  control({ action: 'push', room, frame: { type, data, timestamp: new Date().toISOString() } });

interface Mounted extends RecordedEvents {
  el: ChatWidget;
  room: string;
}

interface Options {
  room?: string;
  token?: string;
  getToken?: TokenProvider;
  query?: string;
  lang?: string;
}

const USER = 'user-me';
const NAME = 'Mia Member';

/** Built before it joins the page so the very first `chat-status` is heard. */
async function mount(options: Options = {}): Promise<Mounted> {
  const el = document.createElement('chat-widget');
  const room = options.room ?? `room-${uniqueKey()}`;
  el.id = room;
  el.mode = 'inline';
  el.protocol = 'rooms';
  el.server = `${server.ws}${options.query ? `?${options.query}` : ''}`;
  if (options.getToken) el.getToken = options.getToken;
  else el.token = options.token ?? TOKEN;
  el.userId = USER;
  el.userName = NAME;
  el.conversationId = room;
  if (options.lang) el.lang = options.lang;
  el.style.height = '420px';
  return { el, room, ...(await mountRecordingEvents(el)) };
}

/** The room's sockets are registered once the socket's first frame has been sent. */
async function joined(mounted: Mounted): Promise<void> {
  await connected(mounted.el);
  await until(
    async () => (await received({ kind: 'frame', room: mounted.room })).length > 0,
    'get_online_users arrived',
  );
}

/** Someone else in the room, over a socket of their own. */
function visitor(room: string, id: string, name: string): Promise<WebSocket> {
  const url = `${server.ws}/${room}?token=${TOKEN}&user_id=${id}&user_name=${encodeURIComponent(name)}`;
  const socket = new WebSocket(url);
  return new Promise((resolve, reject) => {
    socket.onopen = () => resolve(socket);
    socket.onerror = () => reject(new Error('visitor could not connect'));
  });
}

const text = (message: HTMLElement | undefined) =>
  message?.querySelector('[part="content"]')?.textContent?.trim() ?? '';

/** The name shown over a message. */
const author = (message: HTMLElement | undefined) =>
  message?.querySelector('[part~="author"]')?.textContent?.trim() ?? '';

/** The header's status line and the online count beside it. */
const statusText = (el: ChatWidget) =>
  el.shadowRoot!.querySelector('.title')!.textContent!.replace(/\s+/g, ' ');

beforeEach(() => sessionStorage.clear());

describe('chat-widget, protocol="rooms": connecting', () => {
  it('joins {server}/{room} with token, user_id and user_name, and shows who is online', async () => {
    const mounted = await mount();
    const { el, room, statuses } = mounted;
    await joined(mounted);
    const [connect] = await received({ kind: 'connect', room });
    expect(connect).to.include({ room, token: TOKEN, user_id: USER, user_name: NAME });
    expect(statuses.slice(0, 2)).to.deep.equal(['connecting', 'connected']);
    await until(() => statusText(el).includes('1 online'), 'online count');
    expect(part(el, 'escalate-button')).to.equal(null);
    await expect(el).to.be.accessible();
  });

  it("words joins and leaves in the visitor's language", async () => {
    const mounted = await mount({ lang: 'fr' });
    const { el, room } = mounted;
    await joined(mounted);
    const bob = await visitor(room, 'user-bob', 'Bob Builder');
    await until(() => messages(el, 'system').length === 1, 'join');
    bob.close();
    await until(() => messages(el, 'system').length === 2, 'leave');
    expect(messages(el, 'system').map(text)).to.deep.equal([
      'Bob Builder a rejoint la discussion.',
      'Bob Builder a quitté la discussion.',
    ]);
  });

  it('shows joins, leaves and notifications as system lines, and keeps the count', async () => {
    const mounted = await mount();
    const { el, room } = mounted;
    await joined(mounted);
    await until(() => statusText(el).includes('1 online'), 'alone');

    const bob = await visitor(room, 'user-bob', 'Bob Builder');
    await until(() => text(messages(el, 'system')[0]) === 'Bob Builder joined the chat.', 'join');
    await until(() => statusText(el).includes('2 online'), 'two online');
    await expect(el).to.be.accessible();

    bob.close();
    await until(() => text(messages(el, 'system')[1]) === 'Bob Builder left the chat.', 'leave');
    await until(() => statusText(el).includes('1 online'), 'one online again');

    await push(room, 'notification', {
      id: `n-${room}`,
      title: 'Maintenance',
      content: 'The room closes at 6 pm',
      priority: 'normal',
    });
    await until(() => messages(el, 'system').length === 3, 'notification');
    expect(text(messages(el, 'system')[2])).to.equal('Maintenance: The room closes at 6 pm');
    expect(mounted.done.filter((m) => m.role === 'system').map((m) => m.content)).to.deep.equal([
      'Bob Builder joined the chat.',
      'Bob Builder left the chat.',
      'Maintenance: The room closes at 6 pm',
    ]);
    await expect(el).to.be.accessible();
  });
});

describe('chat-widget, protocol="rooms": messages', () => {
  for (const echo of ['before', 'after'] as const) {
    it(`posts over REST and shows its own message once (echo ${echo} the answer)`, async () => {
      const room = `room-${uniqueKey()}`;
      // The bot answers well after the echo, so its reply proves the echo was seen.
      await settings(room, { echo, bot_delay: 100 });
      const mounted = await mount({ room });
      const { el, done } = mounted;
      await joined(mounted);
      await typeAndSend(el, 'hello *room*');

      await until(() => messages(el, 'user')[0]?.dataset.state === 'sent', 'sent');
      await until(() => messages(el, 'assistant').length === 1, 'bot reply');
      const [post] = await received({ kind: 'rest', method: 'POST', room });
      expect(post).to.include({ path: `/api/v1/rooms/${room}/messages/`, api_key: TOKEN });
      expect(post!.body).to.deep.equal({
        sender_id: USER,
        sender_name: NAME,
        content: 'hello *room*',
        message_type: 'text',
      });
      expect(messages(el, 'user')).to.have.length(1);
      expect(text(messages(el, 'user')[0])).to.equal('hello *room*');

      const bot = messages(el, 'assistant')[0]!;
      const [reply] = await received({ kind: 'reply', room });
      expect(bot.dataset.id).to.equal(reply!.id);
      expect(author(bot)).to.equal(BOT);
      expect(bot.querySelector('strong')!.textContent).to.equal('Noted.');
      expect(bot.querySelector('blockquote em')!.textContent).to.equal('room');
      expect(messages(el)).to.have.length(2);
      expect(done.map((m) => m.role)).to.deep.equal(['user', 'assistant']);
      expect(done[0]).to.deep.equal({
        id: messages(el, 'user')[0]!.dataset.id,
        role: 'user',
        content: 'hello *room*',
      });
      expect(done[1]).to.deep.equal({
        id: reply!.id,
        role: 'assistant',
        content: reply!.content,
        author: { name: BOT },
      });
      await expect(el).to.be.accessible();
    });
  }

  it("shows others' messages by name, people as agents, and their edits and deletions", async () => {
    const room = `room-${uniqueKey()}`;
    await settings(room, { bot: false });
    const mounted = await mount({ room });
    const { el } = mounted;
    await joined(mounted);

    const said = await control({
      action: 'say',
      room,
      sender_id: 'user-alice',
      sender_name: 'Alice Agent',
      content: 'I can **help** with that.',
      meta: { role: 'member' },
    });
    const aliceId = (said.message as { id: string }).id;
    await control({
      action: 'say',
      room,
      sender_id: 'ops-bot',
      sender_name: 'Ops Bot',
      content: 'Automated notice.',
    });
    await until(() => messages(el).length === 2, 'two messages');
    const alice = messages(el, 'agent')[0]!;
    expect(alice.dataset.id).to.equal(aliceId);
    expect(author(alice)).to.equal('Alice Agent');
    expect(alice.querySelector('strong')!.textContent).to.equal('help');
    const ops = messages(el, 'assistant')[0]!;
    expect(author(ops)).to.equal('Ops Bot');
    expect(text(ops)).to.equal('Automated notice.');
    expect(mounted.done.map((m) => [m.role, m.author?.name])).to.deep.equal([
      ['agent', 'Alice Agent'],
      ['assistant', 'Ops Bot'],
    ]);
    await expect(el).to.be.accessible();

    await push(room, 'message_updated', {
      id: aliceId,
      content: 'I can **really** help with that.',
      edited_at: new Date().toISOString(),
      edit_reason: 'Fixed typo',
    });
    await until(() => text(messages(el, 'agent')[0]).includes('really'), 'edit');
    expect(messages(el, 'agent')[0]!.textContent).to.contain('edited');
    await expect(el).to.be.accessible();

    await push(room, 'message_deleted', {
      id: aliceId,
      deleted_by: 'user-alice',
      deleted_at: new Date().toISOString(),
    });
    await until(() => text(messages(el, 'agent')[0]) === 'This message was deleted.', 'deleted');
    expect(messages(el, 'agent')[0]!.textContent).not.to.contain('help');
    expect(messages(el)).to.have.length(2);
    await expect(el).to.be.accessible();
  });

  it("shows who is typing from others' typing frames, until they stop", async () => {
    const mounted = await mount();
    const { el, room } = mounted;
    await joined(mounted);
    const typing = (active: boolean) =>
      push(room, 'typing', { user_id: 'user-alice', user_name: 'Alice', is_typing: active });

    await typing(true);
    await until(() => part(el, 'typing'), 'typing indicator');
    expect(part(el, 'typing')!.textContent).to.contain('Alice is typing…');
    await expect(el).to.be.accessible();
    await typing(false);
    await until(() => !part(el, 'typing'), 'typing gone');
  });

  it("sends the user's typing, and its end once the message is sent", async () => {
    const room = `room-${uniqueKey()}`;
    await settings(room, { bot: false });
    const mounted = await mount({ room });
    const { el } = mounted;
    await joined(mounted);
    const typingFrames = async () =>
      (await received({ kind: 'frame', room }))
        .map((r) => r.frame as { type: string; data: { is_typing: boolean } })
        .filter((f) => f.type === 'typing')
        .map((f) => f.data.is_typing);

    const input = part(el, 'input') as HTMLTextAreaElement;
    input.value = 'I am wri';
    input.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
    await until(async () => (await typingFrames()).length === 1, 'typing sent');
    expect(await typingFrames()).to.deep.equal([true]);
    // More keystrokes in the same burst say nothing new.
    input.value = 'I am writing';
    input.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
    await typeAndSend(el, 'I am writing this');
    await until(async () => (await typingFrames()).length === 2, 'typing ended');
    expect(await typingFrames()).to.deep.equal([true, false]);
  });

  it('stops the typing indicator it sent after 3 s without keystrokes', async function () {
    // The idle delay is fixed in the element (3 s, as the document's example); nothing shortens it.
    this.timeout(10_000);
    const mounted = await mount();
    const { el, room } = mounted;
    await joined(mounted);
    const input = part(el, 'input') as HTMLTextAreaElement;
    input.value = 'thinking';
    input.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
    const typingFrames = async () =>
      (await received({ kind: 'frame', room }))
        .map((r) => r.frame as { type: string; data: { is_typing: boolean }; at?: number })
        .filter((f) => f.type === 'typing')
        .map((f) => f.data.is_typing);
    await until(async () => (await typingFrames()).length === 1, 'typing sent');
    const started = Date.now();
    await until(async () => (await typingFrames()).length === 2, 'idle typing end', 6000);
    expect(Date.now() - started).to.be.greaterThan(2000);
    expect(await typingFrames()).to.deep.equal([true, false]);
  });
});

describe('chat-widget, protocol="rooms": closes', () => {
  it('4001: fetches one new token, then shows the refusal', async () => {
    let calls = 0;
    const getToken: TokenProvider = () => {
      calls += 1;
      return Promise.resolve({ token: 'wrong-token', expires_in: 300 });
    };
    const mounted = await mount({ getToken });
    const { el, room, errors } = mounted;
    await until(() => part(el, 'error'), 'error banner');
    expect(calls).to.equal(2);
    expect(await received({ kind: 'connect', room })).to.have.length(2);
    expect(part(el, 'error')!.textContent).to.contain('could not sign you in');
    expect(errors).to.deep.equal([
      {
        code: 'auth',
        message: 'The chat could not sign you in. Reload the page to try again.',
        detail: 'Unauthorized: the API key was refused.',
      },
    ]);
    // Refused twice in a row: an error, retried later with backoff.
    expect(part(el, 'status')!.dataset.status).to.equal('error');
    expect(statusText(el)).to.match(/Reconnecting in \d+ s/);
    await expect(el).to.be.accessible();
  });

  it('4002: says the room is gone and does not retry', async () => {
    const mounted = await mount({ room: `missing-${uniqueKey()}` });
    const { el, room, errors, statuses } = mounted;
    await until(() => part(el, 'error'), 'error banner');
    expect(part(el, 'error')!.textContent).to.contain('This conversation is no longer available.');
    expect(errors).to.deep.equal([
      {
        code: 'room-not-found',
        message: 'This conversation is no longer available.',
        detail: 'This chat room does not exist.',
      },
    ]);
    expect(part(el, 'status')!.dataset.status).to.equal('error');
    expect(statusText(el)).not.to.contain('Reconnecting');
    await expect(el).to.be.accessible();
    expect(statuses).to.deep.equal(['connecting', 'connected', 'error']);
    expect(await received({ kind: 'connect', room })).to.have.length(1);
  });

  it('4003: a refused sign-in: one new token, then an error, never "connected" again', async () => {
    const mounted = await mount({ room: `private-${uniqueKey()}` });
    const { el, room, errors, statuses } = mounted;
    await until(() => part(el, 'error'), 'error banner');
    expect(part(el, 'error')!.textContent).to.contain('could not sign you in');
    expect(errors.map((e) => [e.code, e.detail])).to.deep.equal([
      ['auth', 'Access to this chat room was denied.'],
    ]);
    expect(part(el, 'status')!.dataset.status).to.equal('error');
    expect(statuses.filter((s) => s === 'connected')).to.have.length(1);
    await expect(el).to.be.accessible();
    expect((await received({ kind: 'connect', room })).length).to.be.within(2, 3);
  });

  it('4004: backs off with a message', async () => {
    // No frame at all is allowed: the first one (get_online_users) closes with 4004.
    const mounted = await mount({ query: 'rate_limit=0' });
    const { el, errors } = mounted;
    await until(() => part(el, 'error'), 'error banner');
    expect(part(el, 'error')!.textContent).to.contain('You are sending quickly');
    expect(errors.map((e) => [e.code, e.detail])).to.deep.equal([
      ['rate-limited', 'Too many messages too quickly; reconnecting in a moment.'],
    ]);
    expect(part(el, 'status')!.dataset.status).to.equal('reconnecting');
    expect(statusText(el)).to.match(/Reconnecting in \d+ s/);
    await expect(el).to.be.accessible();
  });

  it('1000: the server ended the chat, and it is not retried', async () => {
    const mounted = await mount();
    const { el, room, errors } = mounted;
    await joined(mounted);
    await control({ action: 'close', room, code: 1000, reason: 'bye' });
    await until(() => part(el, 'error'), 'error banner');
    expect(part(el, 'error')!.textContent).to.contain('This chat has ended.');
    expect(errors.map((e) => [e.code, e.detail])).to.deep.equal([
      ['closed', 'The chat server ended the connection.'],
    ]);
    expect(part(el, 'status')!.dataset.status).to.equal('error');
    expect(statusText(el)).not.to.contain('Reconnecting');
    await expect(el).to.be.accessible();
    expect(await received({ kind: 'connect', room })).to.have.length(1);
  });
});
