/**
 * `<chat-widget protocol="events">` end to end against test/fixtures/events-server.js:
 * what the user sees in the shadow DOM, what the page hears in events, and what the
 * server received.
 */
import { expect } from '@open-wc/testing';
import '../src/define.js';
import type { ChatWidget } from '../src/chat-widget.js';
import { storageKey } from '../src/transcript/storage.js';
import { connected, messages, part, typeAndSend, uniqueKey, until } from './helpers.js';
import { type Entry, type RecordedEvents, fixtureServer, mountRecordingEvents } from './helpers.js';

const server = fixtureServer('events');
const { received, control } = server;
const API_KEY = 'test-key';

async function createChat(userId: string, count = 0): Promise<string> {
  const answer = await control({ action: 'create_chat', user_id: userId, messages: count });
  return (answer.chat as { id: string }).id;
}

const push = (chatId: string, event: Entry) => control({ action: 'push', chat_id: chatId, event });

interface Mounted extends RecordedEvents {
  el: ChatWidget;
}

interface Options {
  id?: string;
  chat?: string;
  user?: string;
  token?: string;
  query?: string;
}

/** Built before it joins the page so the very first `chat-status` is heard. */
async function mount(options: Options = {}): Promise<Mounted> {
  const el = document.createElement('chat-widget');
  el.id = options.id ?? uniqueKey();
  el.mode = 'inline';
  el.protocol = 'events';
  el.server = `${server.ws}${options.query ? `?${options.query}` : ''}`;
  el.token = options.token ?? API_KEY;
  el.userId = options.user ?? `user-${el.id}`;
  if (options.chat) el.conversationId = options.chat;
  el.style.height = '400px';
  return { el, ...(await mountRecordingEvents(el)) };
}

const text = (message: HTMLElement | undefined) =>
  message?.querySelector('[part="content"]')?.textContent?.trim() ?? '';

const reply = (el: ChatWidget) => messages(el, 'assistant').at(-1);

beforeEach(() => sessionStorage.clear());

describe('chat-widget, protocol="events": connecting', () => {
  it('connects with api_key, user_id and chat_id, and offers no "Talk to a human"', async () => {
    const user = `user-${uniqueKey()}`;
    const chat = await createChat(user);
    const { el, statuses } = await mount({ chat, user });
    el.escalation = 'auto';
    await connected(el);

    const [connect] = await received({ kind: 'connect', chat_id: chat });
    expect(connect).to.include({ api_key: API_KEY, user_id: user, chat_id: chat });
    expect(statuses.slice(0, 2)).to.deep.equal(['connecting', 'connected']);
    expect(await received({ kind: 'rest', method: 'POST', api_key: API_KEY })).not.to.satisfy(
      (posts: Entry[]) => posts.some((p) => (p.body as Entry | undefined)?.user_id === user),
    );
    await el.updateComplete;
    expect(part(el, 'escalate-button')).to.equal(null);
    await expect(el).to.be.accessible();
  });

  it('creates the chat over REST without a conversation id, and keeps it for the tab', async () => {
    const id = uniqueKey();
    const user = `user-${id}`;
    const posts = async () =>
      (await received({ kind: 'rest', method: 'POST', path: '/api/v1/chats/' })).filter(
        (p) => (p.body as Entry | undefined)?.user_id === user,
      );

    const first = await mount({ id, user });
    await connected(first.el);
    const [created] = await posts();
    expect(created).to.include({ api_key: API_KEY });
    const chat = created!.chat_id as string;
    await until(async () => (await received({ kind: 'connect', chat_id: chat })).length === 1);

    await first.el.send('remember this chat');
    await until(() => reply(first.el)?.dataset.state === 'complete', 'reply complete');
    first.el.remove();

    const again = await mount({ id, user });
    await connected(again.el);
    await until(async () => (await received({ kind: 'connect', chat_id: chat })).length === 2);
    expect(await posts()).to.have.length(1);
    // The history page the new element loads names the same two messages: no repeats.
    await until(
      async () => (await received({ kind: 'rest', method: 'GET', chat_id: chat })).length === 2,
    );
    await again.el.updateComplete;
    expect(messages(again.el).map((m) => m.getAttribute('part'))).to.deep.equal([
      'message user',
      'message assistant',
    ]);
    expect(text(messages(again.el, 'user')[0])).to.equal('remember this chat');
  });

  it('loads the newest page of history first, and older pages at the top of the list', async () => {
    const user = `user-${uniqueKey()}`;
    const chat = await createChat(user, 60);
    const { el } = await mount({ chat, user });
    await until(() => messages(el).length === 50, 'newest page');
    const shown = () => messages(el).map((m) => text(m));
    expect(shown()[0]).to.equal('Message 11');
    expect(shown().at(-1)).to.equal('Message 60');
    expect(messages(el, 'user')[0]!.dataset.id).to.equal(`${chat}-m11`);
    const [firstGet] = await received({ kind: 'rest', method: 'GET', chat_id: chat });
    expect(firstGet).to.include({ api_key: API_KEY });
    expect(new URLSearchParams(firstGet!.query as string).get('order')).to.equal('desc');
    await expect(el).to.be.accessible();

    const log = part(el, 'messages')!;
    await until(() => log.scrollTop > 0, 'list scrolled to the newest');
    log.scrollTop = 0;
    log.dispatchEvent(new Event('scroll'));
    await until(() => messages(el).length === 60, 'older page');
    expect(shown()).to.deep.equal(Array.from({ length: 60 }, (_, i) => `Message ${i + 1}`));
    const gets = await received({ kind: 'rest', method: 'GET', chat_id: chat });
    expect(gets.map((g) => new URLSearchParams(g.query as string).get('offset'))).to.deep.equal([
      '0',
      '50',
    ]);

    // Nothing older is left: reaching the top again asks for nothing.
    log.scrollTop = 0;
    log.dispatchEvent(new Event('scroll'));
    await el.updateComplete;
    expect(await received({ kind: 'rest', method: 'GET', chat_id: chat })).to.have.length(2);
  });
});

describe('chat-widget, protocol="events": a conversation', () => {
  it('shows a user message as sending until message_received, then sent', async () => {
    const user = `user-${uniqueKey()}`;
    const chat = await createChat(user);
    const { el, done } = await mount({ chat, user, query: 'reply=none' });
    await connected(el);
    await typeAndSend(el, 'is this saved?');
    expect(messages(el, 'user')[0]!.dataset.state).to.equal('sending');

    await until(() => messages(el, 'user')[0]!.dataset.state === 'sent', 'sent');
    await expect(el).to.be.accessible();
    const [frame] = await received({ kind: 'frame', chat_id: chat });
    expect((frame!.frame as Entry).content).to.equal('is this saved?');
    const mine = messages(el, 'user')[0]!.dataset.id!;
    expect(done).to.deep.equal([{ id: mine, role: 'user', content: 'is this saved?' }]);
  });

  it('shows typing on message_stream_started, streams tokens, and keeps the ended content', async () => {
    const user = `user-${uniqueKey()}`;
    const chat = await createChat(user);
    const { el, done } = await mount({ chat, user, query: 'reply=none&timestamps=none' });
    await connected(el);
    // `connection_established` has arrived once the server knows the socket.
    await until(async () => (await push(chat, { event_type: 'noop' })).sent === 1, 'registered');

    await push(chat, { event_type: 'message_stream_started', chat_id: chat, user_id: user });
    await until(() => part(el, 'typing'), 'typing indicator');
    expect(part(el, 'typing')!.textContent).to.contain('typing');
    // Nothing to read yet: the dots, not an empty bubble beside them.
    expect(messages(el, 'assistant')).to.have.length(0);
    await expect(el).to.be.accessible();

    await push(chat, { event_type: 'message_stream_token', chat_id: chat, token: 'Hello ' });
    await push(chat, { event_type: 'message_stream_token', chat_id: chat, token: '**wor' });
    await until(() => text(reply(el)).includes('Hello'), 'first tokens');
    expect(reply(el)!.dataset.state).to.equal('streaming');
    expect(part(el, 'typing')).to.equal(null);
    await expect(el).to.be.accessible();

    const messageId = `msg-ai-${uniqueKey()}`;
    await push(chat, {
      event_type: 'message_stream_ended',
      message_id: messageId,
      chat_id: chat,
      user_id: user,
      content: 'Hello **world**, in full.',
    });
    await until(() => reply(el)?.dataset.state === 'complete', 'reply complete');
    expect(messages(el, 'assistant')).to.have.length(1);
    expect(reply(el)!.dataset.id).to.equal(messageId);
    expect(text(reply(el))).to.equal('Hello world, in full.');
    expect(reply(el)!.querySelector('strong')!.textContent).to.equal('world');
    expect(done).to.deep.equal([
      { id: messageId, role: 'assistant', content: 'Hello **world**, in full.' },
    ]);
    await expect(el).to.be.accessible();
  });

  it('talks to the bot without any timestamps', async () => {
    const user = `user-${uniqueKey()}`;
    const chat = await createChat(user);
    const { el, errors } = await mount({ chat, user, query: 'timestamps=none' });
    await connected(el);
    await el.send('no clocks here');
    await until(() => reply(el)?.dataset.state === 'complete', 'reply complete');
    const [bot] = await received({ kind: 'reply', chat_id: chat });
    expect(reply(el)!.querySelector('strong')!.textContent).to.equal('no clocks here');
    expect(reply(el)!.querySelectorAll('li')).to.have.length(2);
    expect(bot!.content).to.contain('You said');
    expect(messages(el, 'user')[0]!.dataset.state).to.equal('sent');
    expect(errors).to.deep.equal([]);
  });

  it('queues past 10 messages a second: all 15 arrive once, in order, with a note meanwhile', async function () {
    // The limit alone spreads these over 1.5 s, and the audit of 15 bubbles is slow on a busy
    // machine: more than the default 10 s there.
    this.timeout(30_000);
    const user = `user-${uniqueKey()}`;
    const chat = await createChat(user);
    const { el, errors } = await mount({ chat, user, query: 'reply=none' });
    await connected(el);
    const texts = Array.from({ length: 15 }, (_, i) => `quick ${i + 1}`);
    const sends = texts.map((t) => el.send(t));
    await el.updateComplete;
    const notice = () => el.shadowRoot!.querySelector<HTMLElement>('.notice');
    await until(() => notice()?.textContent?.includes('queued'), 'queued note');
    // The styles dim `sending` bubbles below AA contrast (opacity 0.7); that is theirs to fix.
    await expect(el).to.be.accessible();

    await Promise.all(sends);
    const frames = await received({ kind: 'frame', chat_id: chat });
    expect(frames.map((f) => (f.frame as Entry).content)).to.deep.equal(texts);
    await until(() => !notice(), 'note gone');
    expect(messages(el, 'user').map((m) => m.dataset.state)).to.deep.equal(texts.map(() => 'sent'));
    expect(part(el, 'error')).to.equal(null);
    expect(errors).to.deep.equal([]);
  });
});

describe('chat-widget, protocol="events": errors', () => {
  it('takes AUTH_ERROR for a refused sign-in: one new token, then an error in plain words', async () => {
    const user = `user-${uniqueKey()}`;
    const chat = await createChat(user);
    const { el, errors, statuses } = await mount({ chat, user, token: 'wrong-key' });
    await until(() => part(el, 'error'), 'error banner');
    const banner = part(el, 'error')!.textContent!;
    expect(banner).to.contain('could not sign you in');
    expect(banner).not.to.contain('Invalid API key');
    expect(errors).to.deep.include({
      code: 'auth',
      message: 'The chat could not sign you in. Reload the page to try again.',
      detail: 'Invalid API key',
    });
    expect(part(el, 'status')!.dataset.status).to.equal('error');
    expect(statuses).not.to.include('connected');
    expect(statuses.at(-1)).to.equal('error');
    await expect(el).to.be.accessible();
    // The first refusal got one immediate try with a new token; later ones back off.
    expect((await received({ kind: 'connect', chat_id: chat })).length).to.be.within(2, 3);
  });

  it('says a chat the page named is gone, in plain words, without making another', async () => {
    const user = `user-${uniqueKey()}`;
    const chat = `no-such-chat-${uniqueKey()}`;
    const { el, errors } = await mount({ chat, user });
    await until(() => part(el, 'error'), 'error banner');
    const detail = `Chat with chat_id '${chat}' not found or does not belong to your tenant`;
    expect(part(el, 'error')!.textContent).to.contain('This conversation is no longer available.');
    expect(part(el, 'error')!.textContent).not.to.contain(chat);
    expect(errors).to.deep.include({
      code: 'CHAT_NOT_FOUND',
      message: 'This conversation is no longer available.',
      detail,
    });
    expect(part(el, 'status')!.dataset.status).to.equal('error');
    const posts = await received({ kind: 'rest', method: 'POST', path: '/api/v1/chats/' });
    expect(posts.filter((p) => (p.body as Entry | undefined)?.user_id === user)).to.have.length(0);
  });

  it('reconnects once with a new token after an AUTH_ERROR on an open socket', async () => {
    const user = `user-${uniqueKey()}`;
    const chat = await createChat(user);
    const { el, errors } = await mount({ chat, user });
    await connected(el);
    await until(async () => (await push(chat, { event_type: 'noop' })).sent === 1, 'registered');
    await push(chat, {
      event_type: 'error',
      error_code: 'AUTH_ERROR',
      error_message: 'Missing user_id parameter',
      details: { fix: 'Add user_id parameter' },
    });
    await until(
      async () => (await received({ kind: 'connect', chat_id: chat })).length === 2,
      'a second connection',
    );
    await connected(el);
    // One refusal is not news for the visitor: the new token worked.
    expect(part(el, 'error')).to.equal(null);
    expect(errors).to.deep.equal([]);
    await el.send('still here');
    await until(() => reply(el)?.dataset.state === 'complete', 'a reply on the new connection');
    await expect(el).to.be.accessible();
  });

  it('shows any other error, ends the reply it cut off, and keeps working', async () => {
    const user = `user-${uniqueKey()}`;
    const chat = await createChat(user);
    const { el, errors } = await mount({ chat, user, query: 'reply=fail' });
    await connected(el);
    await el.send('please fail');
    await until(() => part(el, 'error'), 'error banner');
    expect(part(el, 'error')!.textContent).to.contain(
      'The assistant could not answer just now. Please try again.',
    );
    expect(part(el, 'error')!.textContent).not.to.contain('The model failed');
    expect(errors).to.deep.include({
      code: 'PROCESSING_ERROR',
      message: 'The assistant could not answer just now. Please try again.',
      detail: 'The model failed while answering',
    });
    await until(() => reply(el)?.dataset.state === 'complete', 'cut-off reply ended');
    expect(reply(el)!.dataset.note).to.equal('interrupted');
    expect(part(el, 'typing')).to.equal(null);
    expect(part(el, 'status')!.dataset.status).to.equal('connected');
    await expect(el).to.be.accessible();

    await el.send('still there?');
    const frames = await received({ kind: 'frame', chat_id: chat });
    expect(frames.map((f) => (f.frame as Entry).content)).to.deep.equal([
      'please fail',
      'still there?',
    ]);
  });

  it('starts a new chat when the one remembered for the tab is gone', async () => {
    const id = uniqueKey();
    const user = `user-${id}`;
    const stale = `gone-${id}`;
    sessionStorage.setItem(
      storageKey('events', server.ws, id),
      JSON.stringify({ conversationId: stale, messages: [] }),
    );
    const { el, errors } = await mount({ id, user });
    await connected(el);
    await until(async () => (await received({ kind: 'connect', user_id: user })).length === 2);
    const connects = await received({ kind: 'connect', user_id: user });
    expect(connects[0]!.chat_id).to.equal(stale);
    const posts = (await received({ kind: 'rest', method: 'POST', path: '/api/v1/chats/' })).filter(
      (p) => (p.body as Entry | undefined)?.user_id === user,
    );
    expect(posts).to.have.length(1);
    expect(connects[1]!.chat_id).to.equal(posts[0]!.chat_id);
    await until(() => part(el, 'status')!.dataset.status === 'connected', 'connected again');
    await el.updateComplete;
    expect(part(el, 'error')).to.equal(null);
    expect(errors).to.deep.equal([]);
    expect(sessionStorage.getItem(storageKey('events', server.ws, id))).to.contain(
      posts[0]!.chat_id as string,
    );
    await el.send('a fresh start');
    await until(() => reply(el)?.dataset.state === 'complete', 'reply');
  });
});
