/**
 * `protocol="stream"` against servers that behave as deployed ones do (shared/deployments.md),
 * not as the document promises: a server with no greeting, one that refuses the token after
 * `open`, one that hangs after `typing`. What the visitor sees, what the page hears, and what
 * the server received (test/fixtures/stream-server.js).
 */
import { expect } from '@open-wc/testing';
import '../src/define.js';
import type { ChatWidget } from '../src/chat-widget.js';
import {
  connected,
  messages,
  mountRecordingEvents,
  part,
  received,
  streamHttp,
  streamSend,
  streamUrl,
  typeAndSend,
  uniqueKey,
  until,
  type RecordedEvents,
} from './helpers.js';

/** Built before it joins the page, so the very first `chat-status` is heard. */
async function mount(
  key: string,
  scenario: string,
  attrs: Record<string, string> = {},
): Promise<{ el: ChatWidget } & RecordedEvents> {
  const el = document.createElement('chat-widget');
  el.id = key;
  el.mode = 'inline';
  el.server = streamUrl(key, scenario);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
  el.style.height = '480px';
  return { el, ...(await mountRecordingEvents(el)) };
}

const tokenUrl = (key: string, token?: string) =>
  `${streamHttp()}/token?key=${key}${token ? `&token=${token}` : ''}`;

beforeEach(() => sessionStorage.clear());

describe('chat-widget against a stream server with no greeting', () => {
  it('sends without waiting for a `connection` frame that never comes, and shows the welcome once', async () => {
    const key = uniqueKey();
    const { el, statuses } = await mount(key, 'example', { token: 'any-token' });
    await connected(el);
    await typeAndSend(el, 'hello there');
    await until(
      () => messages(el, 'assistant').some((m) => m.textContent!.includes('echo: hello there')),
      'the reply',
    );
    const mine = messages(el, 'user')[0]!;
    expect(mine.dataset.state).to.equal('sent');
    expect((await received(key)).map((f) => f.content)).to.deep.equal(['hello there']);
    expect(statuses).to.include('connected');
    // The example server's welcome is a message of its own; a reconnect repeats it, once shown.
    await fetch(`${streamHttp()}/__drop?key=${key}`, { method: 'POST' });
    await until(
      async () =>
        ((await (await fetch(`${streamHttp()}/__connections?key=${key}`)).json()) as unknown[])
          .length === 2,
      'a second connection',
    );
    await connected(el);
    const welcomes = messages(el, 'assistant').filter((m) => m.textContent!.includes('Welcome!'));
    expect(welcomes).to.have.length(1);
    await expect(el).to.be.accessible();
  });
});

describe('chat-widget against a stream server that refuses the token after open', () => {
  it('takes one new token, then says so in plain words, never "Connected", and backs off', async () => {
    const key = uniqueKey();
    const { el, errors, statuses } = await mount(key, 'auth-after-open', {
      'token-url': tokenUrl(key, 'expired-token'),
    });
    await until(() => part(el, 'error'), 'the error banner');
    expect(part(el, 'error')!.textContent).to.contain('could not sign you in');
    expect(part(el, 'error')!.textContent).not.to.contain('Authentication failed');
    expect(errors).to.deep.equal([
      {
        code: 'auth',
        message: 'The chat could not sign you in. Reload the page to try again.',
        detail: 'Authentication failed: invalid token',
      },
    ]);
    expect(part(el, 'status')!.dataset.status).to.equal('error');
    expect(statuses).not.to.include('connected');
    expect(part(el, 'status')!.textContent).to.match(/Reconnecting in \d+ s/);
    const tokens = (await (await fetch(`${streamHttp()}/__tokens?key=${key}`)).json()) as unknown[];
    expect(tokens).to.have.length(2);
    await expect(el).to.be.accessible();
  });

  it('keeps what the visitor typed while refused, and sends it once a good token is in', async () => {
    const key = uniqueKey();
    let calls = 0;
    const el = document.createElement('chat-widget');
    el.id = key;
    el.mode = 'inline';
    el.server = streamUrl(key, 'auth-after-open');
    // The host's session was stale once: its first token is refused, the next one works.
    el.getToken = () => Promise.resolve({ token: ++calls === 1 ? 'stale' : 'stream-token' });
    const { errors } = await mountRecordingEvents(el);
    await typeAndSend(el, 'are you there?');
    await until(
      () => messages(el, 'assistant').some((m) => m.textContent!.includes('echo: are you there?')),
      'the reply on the second connection',
    );
    expect(calls).to.equal(2);
    expect(errors).to.deep.equal([]);
    expect(part(el, 'error')).to.equal(null);
    expect((await received(key)).map((f) => f.content)).to.deep.equal(['are you there?']);
  });
});

describe('chat-widget against a stream server that goes silent', () => {
  it('stops typing and says "No answer yet" with Retry; Retry asks again; a late reply still shows', async () => {
    const key = uniqueKey();
    const { el } = await mount(key, 'hang', { token: 'stream-token', 'reply-timeout': '2' });
    await connected(el);
    await typeAndSend(el, 'anyone?');
    await until(() => part(el, 'typing'), 'the typing indicator');
    const mine = () => messages(el, 'user')[0]!;
    await until(() => mine().dataset.note === 'no-answer', '"No answer yet"', 6000);
    expect(part(el, 'typing')).to.equal(null);
    expect(mine().textContent).to.contain('No answer yet.');
    await expect(el).to.be.accessible();

    mine().querySelector('button')!.click();
    await until(async () => (await received(key)).length === 2, 'the question asked again');
    const chats = await received(key);
    expect(chats.map((f) => f.content)).to.deep.equal(['anyone?', 'anyone?']);
    // A new id: a server that drops repeated ids takes it as a new question.
    expect(chats[0]!.clientMessageId).not.to.equal(chats[1]!.clientMessageId);
    expect(mine().dataset.note).to.equal(undefined);

    await streamSend(
      key,
      JSON.stringify({ type: 'ai-response', messageId: 'late', message: 'Sorry, I was slow.' }),
    );
    await until(
      () => messages(el, 'assistant').some((m) => m.textContent!.includes('Sorry, I was slow.')),
      'the late reply',
    );
    expect(messages(el, 'user')).to.have.length(1);
  });
});
