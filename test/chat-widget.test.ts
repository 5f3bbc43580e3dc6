import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../src/define.js';
import type { ChatWidget } from '../src/chat-widget.js';
import {
  connected,
  messages,
  part,
  received,
  streamHttp,
  streamUrl,
  typeAndSend,
  uniqueKey,
  until,
} from './helpers.js';
import { STREAM_TOKEN, streamWidgetFixture } from './helpers.js';

beforeEach(() => sessionStorage.clear());

async function inline(key: string, scenario = 'strict', extra = {}) {
  const el = await streamWidgetFixture(key, { scenario, height: '500px' });
  Object.assign(el, extra);
  return el;
}

describe('chat-widget: loading', () => {
  it('is defined once and typed in the tag map', () => {
    const ctor = customElements.get('chat-widget');
    expect(ctor).to.exist;
    expect(document.createElement('chat-widget')).to.be.instanceOf(ctor!);
  });

  it('adds nothing to the host document', async () => {
    const before = document.head.querySelectorAll('style, link').length;
    await fixture(
      html`<chat-widget mode="inline" server="ws://127.0.0.1:9/x" token="t"></chat-widget>`,
    );
    expect(document.head.querySelectorAll('style, link').length).to.equal(before);
  });
});

describe('chat-widget: popup mode', () => {
  it('shows only the launcher until opened', async () => {
    const el = await fixture<ChatWidget>(
      html`<chat-widget server=${streamUrl(uniqueKey())} token=${STREAM_TOKEN}></chat-widget>`,
    );
    expect(part(el, 'launcher')).to.exist;
    expect(part(el, 'panel')!.hidden).to.be.true;
    await expect(el).to.be.accessible();
  });

  it('opens from the launcher, focuses the input, and closes with Escape back to the launcher', async () => {
    const el = await fixture<ChatWidget>(
      html`<chat-widget server=${streamUrl(uniqueKey())} token=${STREAM_TOKEN}></chat-widget>`,
    );
    const opened = oneEvent(el, 'chat-open');
    part(el, 'launcher')!.click();
    await opened;
    await el.updateComplete;
    expect(el.hasAttribute('open')).to.be.true;
    expect(part(el, 'panel')!.hidden).to.be.false;
    expect(el.shadowRoot!.activeElement).to.equal(part(el, 'input'));
    await connected(el);
    await expect(el).to.be.accessible();

    const closed = oneEvent(el, 'chat-close');
    part(el, 'input')!.dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }),
    );
    await closed;
    await el.updateComplete;
    expect(el.open).to.be.false;
    expect(el.shadowRoot!.activeElement).to.equal(part(el, 'launcher'));
  });

  it('does not connect before the panel first opens', async () => {
    const key = uniqueKey();
    const el = await fixture<ChatWidget>(
      html`<chat-widget server=${streamUrl(key)} token=${STREAM_TOKEN}></chat-widget>`,
    );
    await el.updateComplete;
    const before = await (await fetch(`${streamHttp()}/__connections?key=${key}`)).json();
    expect(before).to.have.length(0);
    el.open = true;
    await connected(el);
  });

  it('takes position and theme from attributes', async () => {
    const el = await fixture<ChatWidget>(
      html`<chat-widget
        position="bottom-left"
        theme="dark"
        open
        server=${streamUrl(uniqueKey())}
        token=${STREAM_TOKEN}
      ></chat-widget>`,
    );
    const launcher = part(el, 'launcher')!;
    expect(launcher.getBoundingClientRect().left).to.be.lessThan(window.innerWidth / 2);
    const bg = getComputedStyle(part(el, 'panel')!).backgroundColor;
    expect(bg).to.equal('rgb(13, 17, 23)');
    await connected(el);
    await expect(el).to.be.accessible();
  });

  it('lets custom properties restyle it', async () => {
    const el = await fixture<ChatWidget>(
      html`<chat-widget
        style="--chat-widget-accent: rgb(1, 2, 3)"
        server=${streamUrl(uniqueKey())}
        token=${STREAM_TOKEN}
      ></chat-widget>`,
    );
    expect(getComputedStyle(part(el, 'launcher')!).backgroundColor).to.equal('rgb(1, 2, 3)');
  });
});

describe('chat-widget: a conversation on the stream protocol', () => {
  it('sends with Enter and streams the reply in as rendered markdown', async () => {
    const key = uniqueKey();
    const el = await inline(key);
    await connected(el);
    const sent: string[] = [];
    const done: Array<{ role: string; content: string }> = [];
    el.addEventListener('chat-send', (e) => sent.push(e.detail.text));
    el.addEventListener('chat-message', (e) => done.push(e.detail.message));

    await typeAndSend(el, 'md:Here is **bold** and a list:\n\n- one\n- two');
    expect(sent).to.deep.equal(['md:Here is **bold** and a list:\n\n- one\n- two']);
    expect((part(el, 'input') as HTMLTextAreaElement).value).to.equal('');
    await until(() => messages(el, 'assistant')[0]?.dataset.state === 'complete', 'reply complete');

    const reply = messages(el, 'assistant')[0]!;
    const content = reply.querySelector('[part="content"]')!;
    expect(content.querySelector('strong')!.textContent).to.equal('bold');
    expect(content.querySelectorAll('li')).to.have.length(2);
    expect(reply.dataset.id).to.match(/^r/);
    expect(messages(el, 'user')[0]!.dataset.state).to.equal('sent');
    expect(done.map((m) => m.role)).to.include.members(['user', 'assistant']);
    const frames = await received(key);
    expect(frames[0]).to.include({
      type: 'chat',
      content: 'md:Here is **bold** and a list:\n\n- one\n- two',
    });
    expect(frames[0]!.timestamp).to.be.a('string');
    await expect(el).to.be.accessible();
  });

  it('sends with the icon button and keeps the focus in the composer', async () => {
    const key = uniqueKey();
    const el = await inline(key);
    await connected(el);
    const input = part(el, 'input') as HTMLTextAreaElement;
    const button = part(el, 'send-button') as HTMLButtonElement;
    expect(button.getAttribute('aria-label')).to.equal('Send');
    input.value = 'by the button';
    input.dispatchEvent(new InputEvent('input'));
    await el.updateComplete;
    button.focus();
    button.click();
    await el.updateComplete;
    expect(el.shadowRoot!.activeElement).to.equal(input);
    expect(input.value).to.equal('');
    await until(
      async () => (await received(key)).some((f) => f.content === 'by the button'),
      'sent',
    );
  });

  it('makes a new line with Shift+Enter and cannot send an empty message', async () => {
    const el = await inline(uniqueKey());
    const input = part(el, 'input') as HTMLTextAreaElement;
    const button = part(el, 'send-button') as HTMLButtonElement;
    expect(button.disabled).to.be.true;
    input.value = '   ';
    input.dispatchEvent(new InputEvent('input'));
    await el.updateComplete;
    expect(button.disabled).to.be.true;
    input.value = 'line one';
    input.dispatchEvent(new InputEvent('input'));
    await el.updateComplete;
    const shiftEnter = new KeyboardEvent('keydown', {
      key: 'Enter',
      shiftKey: true,
      cancelable: true,
    });
    input.dispatchEvent(shiftEnter);
    expect(shiftEnter.defaultPrevented).to.be.false;
    expect(messages(el, 'user')).to.have.length(0);
    expect(button.disabled).to.be.false;
  });

  it('shows typing from the moment a message is sent until the first token', async () => {
    const key = uniqueKey();
    const el = await inline(key, 'hold');
    await connected(el);
    await typeAndSend(el, 'anyone there?');
    await until(() => part(el, 'typing'), 'typing indicator');
    expect(part(el, 'typing')!.textContent).to.contain('typing');
    await expect(el).to.be.accessible();
    await fetch(`${streamHttp()}/__send?key=${key}`, {
      method: 'POST',
      body: JSON.stringify({ type: 'stream-start', messageId: 'm1' }),
    });
    await fetch(`${streamHttp()}/__send?key=${key}`, {
      method: 'POST',
      body: JSON.stringify({ type: 'stream-token', messageId: 'm1', token: 'Hi' }),
    });
    await until(() => messages(el, 'assistant')[0]?.textContent?.includes('Hi'), 'first token');
    expect(part(el, 'typing')).to.equal(null);
    expect(messages(el, 'assistant')[0]!.dataset.state).to.equal('streaming');
  });

  it('lets the page veto a message with chat-send', async () => {
    const key = uniqueKey();
    const el = await inline(key);
    await connected(el);
    el.addEventListener('chat-send', (e) => e.preventDefault());
    await typeAndSend(el, 'secret');
    expect(messages(el, 'user')).to.have.length(0);
    expect((part(el, 'input') as HTMLTextAreaElement).value).to.equal('secret');
    await el.send('secret').then(
      () => expect.fail('send should reject'),
      (error: Error) => expect(error.message).to.contain('vetoed'),
    );
  });

  it('refuses a message over the limit with a clear message and keeps the text', async () => {
    const el = await inline(uniqueKey());
    await connected(el);
    const errors: string[] = [];
    el.addEventListener('chat-error', (e) => errors.push(e.detail.code));
    const long = 'x'.repeat(2001);
    await typeAndSend(el, long);
    expect(messages(el, 'user')).to.have.length(0);
    expect((part(el, 'input') as HTMLTextAreaElement).value).to.equal(long);
    expect(el.shadowRoot!.querySelector('.notice')!.textContent).to.contain('2000');
    expect(errors).to.deep.equal(['too-long']);
  });

  it('honours a configured max-length', async () => {
    const el = await inline(uniqueKey());
    el.maxLength = 10;
    const outcome = await el.send('12345678901').then(
      () => 'sent',
      (error: Error) => error.message,
    );
    expect(outcome).to.contain('limit is 10');
    expect(messages(el, 'user')).to.have.length(0);
  });

  it('works with deployed servers: typing frame, then one ai-response', async () => {
    const el = await inline(uniqueKey(), 'deployed');
    await connected(el);
    await typeAndSend(el, 'md:# Title\n\ntext');
    await until(() => messages(el, 'assistant')[0]?.dataset.state === 'complete', 'ai-response');
    expect(messages(el, 'assistant')[0]!.querySelector('h1')!.textContent).to.equal('Title');
    expect(part(el, 'typing')).to.equal(null);
  });

  it('finalizes and marks a reply that an error frame cut off, and shows the error', async () => {
    const el = await inline(uniqueKey(), 'error-mid');
    await connected(el);
    await typeAndSend(el, 'one two three four');
    const error = oneEvent(el, 'chat-error');
    await until(() => part(el, 'error'), 'error banner');
    // The visitor reads plain words; the server's own goes to the page.
    expect(part(el, 'error')!.textContent).to.contain('The assistant could not answer just now.');
    expect(part(el, 'error')!.textContent).not.to.contain('Stream error occurred');
    expect((await error).detail.detail).to.equal('Stream error occurred');
    const reply = messages(el, 'assistant')[0]!;
    expect(reply.dataset.state).to.equal('complete');
    expect(reply.dataset.note).to.equal('interrupted');
    expect(reply.textContent).to.contain('interrupted');
    expect(part(el, 'typing')).to.equal(null);
    await expect(el).to.be.accessible();
    // Still usable afterwards.
    await el.send('again');
  });

  it('marks the message failed when an error arrives instead of its reply, with Retry', async () => {
    const key = uniqueKey();
    const el = await inline(key, 'error-first');
    await connected(el);
    const error = oneEvent(el, 'chat-error');
    await typeAndSend(el, 'hello');
    await until(() => messages(el, 'user')[0]?.dataset.state === 'failed', 'failed message');
    expect((await error).detail).to.deep.equal({
      code: 'send-failed',
      message: 'the chat did not accept this message',
      detail: 'Model unavailable',
    });
    const mine = messages(el, 'user')[0]!;
    expect(mine.textContent).to.contain('Not sent');
    expect(mine.textContent).not.to.contain('Model unavailable');
    expect(part(el, 'typing')).to.equal(null);
    expect(part(el, 'error')).to.equal(null);
    await expect(el).to.be.accessible();
    // Retry sends the same text again; the draft was never lost.
    mine.querySelector('button')!.click();
    await until(
      async () => (await received(key)).filter((f) => f.content === 'hello').length === 2,
      'the message sent again',
    );
  });

  it('ignores malformed, binary, unknown and stray frames and keeps working', async () => {
    const el = await inline(uniqueKey(), 'garbage');
    await connected(el);
    await el.send('still fine?');
    await until(() => messages(el, 'assistant')[0]?.dataset.state === 'complete', 'reply');
    expect(messages(el, 'assistant')).to.have.length(1);
    expect(messages(el, 'assistant')[0]!.textContent).to.contain('echo: still fine?');
    expect(el.shadowRoot!.textContent).not.to.contain('stray');
  });

  it('escalates: sends the frame, shows the answer, fires chat-escalate', async () => {
    const key = uniqueKey();
    const el = await inline(key);
    await connected(el);
    const escalated = oneEvent(el, 'chat-escalate');
    part(el, 'escalate-button')!.click();
    const event = await escalated;
    expect(event.detail.reason).to.be.a('string');
    await until(() => messages(el, 'system')[0], 'escalation response');
    expect(messages(el, 'system')[0]!.textContent).to.contain(
      'A human agent will contact you soon.',
    );
    const frames = await received(key);
    expect(frames.some((f) => f.type === 'human-escalation')).to.be.true;
  });

  it('hides "Talk to a human" when escalation="off"', async () => {
    const el = await fixture<ChatWidget>(
      html`<chat-widget
        mode="inline"
        escalation="off"
        server=${streamUrl(uniqueKey())}
        token=${STREAM_TOKEN}
      ></chat-widget>`,
    );
    expect(part(el, 'escalate-button')).to.equal(null);
  });
});

describe('chat-widget: reliability', () => {
  it('keeps a message sent while disconnected as sending, then sends it on reconnect', async () => {
    const key = uniqueKey();
    const el = await inline(key);
    await connected(el);
    await fetch(`${streamHttp()}/__drop?key=${key}`, { method: 'POST' });
    await until(() => part(el, 'status')!.dataset.status !== 'connected', 'drop noticed');
    const promise = el.send('queued while down');
    await el.updateComplete;
    expect(messages(el, 'user')[0]!.dataset.state).to.equal('sending');
    await promise;
    await connected(el);
    await until(async () => (await received(key)).length > 0, 'server got it');
    const frames = await received(key);
    expect(frames.filter((f) => f.content === 'queued while down')).to.have.length(1);
  });

  it('waits for the ack of a server that announces it, and resends after a reconnect', async () => {
    const key = uniqueKey();
    const el = await inline(key, 'features');
    await connected(el);
    await el.send('acked please');
    await el.updateComplete;
    expect(messages(el, 'user')[0]!.dataset.state).to.equal('sent');
    const [frame] = await received(key);
    expect(frame!.clientMessageId).to.equal(messages(el, 'user')[0]!.dataset.id);
  });

  it('keeps an unacknowledged message in the outbox across a reconnect and resends it', async () => {
    const key = uniqueKey();
    const el = await inline(key, 'features-hold');
    await connected(el);
    let settled = false;
    const sending = el.send('did you get this?').then(() => (settled = true));
    await until(async () => (await received(key)).length === 1, 'first delivery');
    await el.updateComplete;
    expect(messages(el, 'user')[0]!.dataset.state).to.equal('sending');
    await fetch(`${streamHttp()}/__drop?key=${key}`, { method: 'POST' });
    await until(async () => (await received(key)).length === 2, 'resent after reconnect');
    const frames = await received(key);
    expect(frames[1]!.clientMessageId).to.equal(frames[0]!.clientMessageId);
    expect(settled).to.be.false;
    await fetch(`${streamHttp()}/__send?key=${key}`, {
      method: 'POST',
      body: JSON.stringify({
        type: 'ack',
        clientMessageId: frames[0]!.clientMessageId,
        messageId: 's1',
      }),
    });
    await sending;
    await el.updateComplete;
    expect(messages(el, 'user')[0]!.dataset.state).to.equal('sent');
    expect(messages(el, 'user')).to.have.length(1);
  });

  it('restores the transcript after a reload in the same tab, without the token', async () => {
    const key = uniqueKey();
    const el = await inline(key);
    await connected(el);
    await el.send('remember me');
    await until(() => messages(el, 'assistant')[0]?.dataset.state === 'complete', 'reply');
    el.remove();
    const again = await inline(key);
    expect(messages(again, 'user')[0]!.textContent).to.contain('remember me');
    expect(messages(again, 'assistant')[0]!.textContent).to.contain('echo: remember me');
    const stored = Object.keys(sessionStorage)
      .map((k) => sessionStorage.getItem(k))
      .join('');
    expect(stored).to.contain('remember me');
    expect(stored).not.to.contain(STREAM_TOKEN);
  });

  it('clear() forgets the transcript', async () => {
    const key = uniqueKey();
    const el = await inline(key);
    await connected(el);
    await el.send('forget me');
    el.clear();
    await el.updateComplete;
    expect(messages(el)).to.have.length(0);
    expect(JSON.stringify(sessionStorage)).not.to.contain('forget me');
  });

  it('fetches a new token once when the handshake is refused, then connects', async () => {
    const key = uniqueKey();
    let calls = 0;
    const el = await fixture<ChatWidget>(
      html`<chat-widget
        mode="inline"
        id=${key}
        server=${streamUrl(key, 'refuse-once')}
        .getToken=${() => {
          calls += 1;
          return Promise.resolve({ token: STREAM_TOKEN, expires_in: 300 });
        }}
      ></chat-widget>`,
    );
    await connected(el);
    expect(calls).to.equal(2);
  });

  it('after a second refusal shows the error and backs off instead of hammering', async () => {
    const key = uniqueKey();
    const el = await fixture<ChatWidget>(
      html`<chat-widget
        mode="inline"
        server=${streamUrl(key, 'refuse')}
        token-url=${`${streamHttp()}/token?key=${key}`}
      ></chat-widget>`,
    );
    const error = await oneEvent(el, 'chat-error');
    expect(error.detail.code).to.equal('auth');
    await until(() => part(el, 'error'), 'error banner');
    expect(part(el, 'error')!.textContent).to.contain('could not sign you in');
    expect(part(el, 'status')!.dataset.status).to.equal('error');
    expect(part(el, 'status')!.textContent).to.match(/Reconnecting in \d+ s/);
    const shakes = await (await fetch(`${streamHttp()}/__connections?key=${key}`)).json();
    expect(shakes).to.have.length(2);
    const tokens = await (await fetch(`${streamHttp()}/__tokens?key=${key}`)).json();
    expect(tokens).to.have.length(2);
    await expect(el).to.be.accessible();
  });
});

describe('chat-widget: configuration errors', () => {
  it('says so when server is missing', async () => {
    const el = await fixture<ChatWidget>(html`<chat-widget mode="inline" token="t"></chat-widget>`);
    await until(() => part(el, 'error'), 'error banner');
    expect(part(el, 'error')!.textContent).to.contain('server attribute is missing');
    expect(part(el, 'status')!.dataset.status).to.equal('error');
  });

  it('says so for an unknown protocol and a non-WebSocket server', async () => {
    const el = await fixture<ChatWidget>(
      html`<chat-widget
        mode="inline"
        protocol="carrier-pigeon"
        server="ws://x"
        token="t"
      ></chat-widget>`,
    );
    await until(() => part(el, 'error'), 'error banner');
    expect(part(el, 'error')!.textContent).to.contain('carrier-pigeon');
    const el2 = await fixture<ChatWidget>(
      html`<chat-widget mode="inline" server="https://example.com" token="t"></chat-widget>`,
    );
    await until(() => part(el2, 'error'), 'error banner');
    expect(part(el2, 'error')!.textContent).to.contain('not a WebSocket URL');
  });

  for (const fail of ['500', 'html']) {
    it(`reports a token-url that answers ${fail}`, async () => {
      const el = document.createElement('chat-widget');
      el.mode = 'inline';
      el.server = streamUrl(uniqueKey());
      el.tokenUrl = `${streamHttp()}/token?fail=${fail}`;
      const error = oneEvent(el, 'chat-error');
      await fixture(html`<div>${el}</div>`);
      const { detail } = await error;
      expect(detail.code).to.equal('token');
      expect(detail.detail).to.contain(fail === '500' ? '500' : 'JSON');
      await until(() => part(el, 'error'), 'error banner');
      expect(part(el, 'error')!.textContent).to.contain('could not sign you in');
    });
  }
});

describe('chat-widget: scrolling', () => {
  it('stays pinned at the bottom, and offers "New messages" when the user scrolled up', async () => {
    const key = uniqueKey();
    const el = await inline(key);
    await connected(el);
    for (let i = 0; i < 12; i++) await el.send(`message ${i}\n\nwith\n\nlines`);
    await until(
      () => messages(el, 'assistant').filter((m) => m.dataset.state === 'complete').length === 12,
      'replies',
    );
    const log = part(el, 'messages')!;
    await until(() => log.scrollHeight - log.scrollTop - log.clientHeight < 40, 'pinned');
    log.scrollTop = 0;
    log.dispatchEvent(new Event('scroll'));
    await fetch(`${streamHttp()}/__send?key=${key}`, {
      method: 'POST',
      body: JSON.stringify({
        type: 'ai-response',
        messageId: 'late',
        message: 'one more\n\nthing',
      }),
    });
    await until(() => el.shadowRoot!.querySelector('.new-messages'), 'new messages button');
    expect(log.scrollTop).to.equal(0);
    (el.shadowRoot!.querySelector('.new-messages') as HTMLButtonElement).click();
    await el.updateComplete;
    expect(log.scrollHeight - log.scrollTop - log.clientHeight).to.be.lessThan(40);
  });
});

describe('chat-widget: names, badge, time, languages', () => {
  it('counts replies that arrive while the popup is closed on the launcher, and clears on open', async () => {
    const key = uniqueKey();
    const el = await fixture<ChatWidget>(
      html`<chat-widget id=${key} server=${streamUrl(key)} token=${STREAM_TOKEN}></chat-widget>`,
    );
    el.open = true;
    await connected(el);
    el.open = false;
    await el.send('reply while closed');
    await until(() => part(el, 'badge'), 'badge');
    expect(part(el, 'badge')!.textContent!.trim()).to.equal('1');
    expect(part(el, 'launcher')!.getAttribute('aria-label')).to.equal('Open chat, 1 unread');
    await expect(el).to.be.accessible();
    el.open = true;
    await el.updateComplete;
    await el.updateComplete;
    expect(part(el, 'badge')).to.equal(null);
  });

  it('shows the assistant name and avatar, and a relative time', async () => {
    const key = uniqueKey();
    const el = await fixture<ChatWidget>(
      html`<chat-widget
        id=${key}
        mode="inline"
        assistant-name="Ada"
        assistant-avatar="data:image/gif;base64,R0lGODlhAQABAAAAACw="
        server=${streamUrl(key)}
        token=${STREAM_TOKEN}
      ></chat-widget>`,
    );
    await connected(el);
    await el.send('hi');
    await until(() => messages(el, 'assistant')[0]?.dataset.state === 'complete', 'reply');
    const reply = messages(el, 'assistant')[0]!;
    expect(reply.querySelector('[part="author"]')!.textContent).to.contain('Ada');
    expect(reply.querySelector('[part="avatar"]')).to.exist;
    expect(reply.querySelector('[part="timestamp"]')!.textContent).to.equal('now');
    expect(reply.querySelector('time')!.getAttribute('datetime')).to.match(/^\d{4}-/);
    await expect(el).to.be.accessible();
  });

  it('shows one time per group of messages, the exact time on hover', async () => {
    const key = uniqueKey();
    // Acknowledged and not answered: two messages of the visitor's in a row.
    const el = await inline(key, 'resume');
    await connected(el);
    await el.send('one');
    await el.send('two');
    await el.updateComplete;
    const [first, second] = messages(el, 'user');
    expect(first!.querySelector('[part="timestamp"]')).to.equal(null);
    const time = second!.querySelector('[part="timestamp"]')!;
    expect(time.textContent).to.equal('now');
    expect(time.getAttribute('title')).to.match(/\d/);
    await expect(el).to.be.accessible();
  });

  it('speaks the chosen language, mirrors for Arabic, and takes string overrides', async () => {
    const el = await fixture<ChatWidget>(
      html`<chat-widget
        mode="inline"
        lang="ar"
        server=${streamUrl(uniqueKey())}
        token=${STREAM_TOKEN}
      ></chat-widget>`,
    );
    const panel = part(el, 'panel')!;
    expect(panel.getAttribute('dir')).to.equal('rtl');
    expect(part(el, 'send-button')!.getAttribute('aria-label')).to.equal('إرسال');
    await expect(el).to.be.accessible();
    el.lang = 'de';
    el.strings = { send: 'Los' };
    await el.updateComplete;
    expect(panel.getAttribute('dir')).to.equal('ltr');
    expect(part(el, 'send-button')!.getAttribute('aria-label')).to.equal('Los');
    expect((part(el, 'input') as HTMLTextAreaElement).placeholder).to.equal('Nachricht eingeben…');
  });

  it('is accessible while a reply streams', async () => {
    const key = uniqueKey();
    const el = await inline(key, 'silent');
    await connected(el);
    await el.send('one two three');
    await until(() => messages(el, 'assistant')[0]?.dataset.state === 'streaming', 'streaming');
    await expect(el).to.be.accessible();
  });
});

describe('chat-widget: screen readers', () => {
  it('announce a reply once when it completes, not token by token, and status changes', async () => {
    const key = uniqueKey();
    const el = await inline(key, 'hold');
    await connected(el);
    const live = el.shadowRoot!.querySelector('[aria-live="polite"]')!;
    expect(live.textContent!.trim()).to.equal('Connected');
    // The log itself is not live: streamed tokens would be read out one by one.
    expect(part(el, 'messages')!.getAttribute('aria-live')).to.equal('off');
    await el.send('hello');
    for (const [i, token] of ['Hello ', 'there, ', 'friend.'].entries()) {
      if (i === 0)
        await fetch(`${streamHttp()}/__send?key=${key}`, {
          method: 'POST',
          body: JSON.stringify({ type: 'stream-start', messageId: 'sr1' }),
        });
      await fetch(`${streamHttp()}/__send?key=${key}`, {
        method: 'POST',
        body: JSON.stringify({ type: 'stream-token', messageId: 'sr1', token }),
      });
      await until(() => messages(el, 'assistant')[0]?.textContent?.includes(token.trim()), token);
      expect(live.textContent!.trim()).to.equal('Connected');
    }
    await fetch(`${streamHttp()}/__send?key=${key}`, {
      method: 'POST',
      body: JSON.stringify({ type: 'stream-end', messageId: 'sr1' }),
    });
    await until(
      () => live.textContent!.trim() === 'Hello there, friend.',
      'announced once complete',
    );
  });
});

describe('chat-widget: configured late by a page script', () => {
  it('connects once the page sets server after the element upgraded, and drops the config error', async () => {
    const key = uniqueKey();
    const el = await fixture<ChatWidget>(
      html`<chat-widget mode="inline" token=${STREAM_TOKEN}></chat-widget>`,
    );
    await until(() => part(el, 'error'), 'config error shown');
    el.setAttribute('server', streamUrl(key));
    await connected(el);
    expect(part(el, 'error')).to.equal(null);
    await el.send('late but fine');
    await until(() => messages(el, 'assistant')[0]?.dataset.state === 'complete', 'reply');
  });
});
