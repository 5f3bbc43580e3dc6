/**
 * Issue 5, bad input from every side, through the real element:
 *
 * - from the server (stream fixture: `__send`, `__send-binary`, `__burst`): malformed JSON,
 *   binary frames, unknown types, a 1 MB token, 10,000 tokens in one burst, tokens for ids that
 *   never started, null and number fields. After each the widget still sends and renders a
 *   normal exchange, and no uncaught error or unhandled rejection reaches the page.
 * - from the user: a 100,000-character paste is refused with a clear message (and `max-length`
 *   moves the limit); typing faster than a protocol's rate limit queues instead of dropping
 *   (`events`: 10/s in the document; `stream`: the reference server's 10/s, whose refusals
 *   echo the message's clientMessageId).
 * - from the host page: a missing or malformed `server`, an unknown `protocol`, a token source
 *   that fails (status, non-JSON, JSON without a token, unreachable, a throwing `getToken`): a
 *   clear error in `part="error"` and `chat-error` with a code. (test/chat-widget.test.ts has
 *   the banner texts for the first cases; these add the codes and the other variants.)
 * (Hostile markdown has its own file, hostile-markdown.test.ts.)
 */
import { expect, fixture, html } from '@open-wc/testing';
import { fixtures } from '/__fixtures__.js';
import '../../src/define.js';
import type { ChatWidget } from '../../src/chat-widget.js';
import {
  STREAM_TOKEN,
  connected,
  framesUntil,
  messageById,
  messages,
  mountStreamWidget,
  nextFrame,
  part,
  received,
  recordUncaught,
  stallDuring,
  streamControl,
  streamHttp,
  streamSend,
  streamUrl,
  typeAndSend,
  uniqueKey,
  until,
} from '../helpers.js';

// --- the page must never see an uncaught error ------------------------------------------------

const uncaught = recordUncaught();

beforeEach(() => sessionStorage.clear());

// The widget logs each ignored frame with console.debug (README: "ignored and logged"); count
// them instead of echoing megabytes of junk into the runner's output.
let debugLogs = 0;
const debug = console.debug.bind(console);
console.debug = (...args: unknown[]) => {
  if (typeof args[0] === 'string' && args[0].startsWith('[chat-widget]')) debugLogs++;
  else debug(...args);
};

/** A normal exchange: typed, sent, echoed back as a complete reply. */
async function exchange(el: ChatWidget, text: string) {
  await typeAndSend(el, text);
  await until(
    () =>
      messages(el, 'assistant').some(
        (m) => m.dataset.state === 'complete' && m.textContent!.includes(`echo: ${text}`),
      ),
    `the reply to "${text}"`,
  );
  const mine = messages(el, 'user').filter((m) => m.textContent!.includes(text));
  expect(
    mine.map((m) => m.dataset.state),
    text,
  ).to.deep.equal(['sent']);
}

// --- from the server -----------------------------------------------------------------------------

type Bad = [name: string, action: (key: string) => Promise<void>];

const text = (frame: unknown) => (key: string) => streamSend(key, JSON.stringify(frame));
const raw = (data: string) => (key: string) => streamSend(key, data);
const binary = (bytes: Uint8Array) => (key: string) =>
  streamControl('/__send-binary', key, bytes as unknown as BodyInit);

const FROM_SERVER: Bad[] = [
  ['unterminated JSON', raw('{not json')],
  ['truncated frame', raw('{"type":"stream-token","messageId":"x","tok')],
  ['empty text frame', raw('')],
  ['whitespace', raw('   \n\t ')],
  ['JSON null', raw('null')],
  ['JSON number', raw('42')],
  ['JSON string', raw('"stream-start"')],
  ['JSON array of frames', raw('[{"type":"ai-response","messageId":"arr","message":"array"}]')],
  ['trailing garbage', raw('{"type":"ai-response","messageId":"tg","message":"x"}garbage')],
  ['a NUL byte', raw('\u0000')],
  ['lone surrogates', raw('{"type":"ai-response","messageId":"sur","message":"\\ud800 \\udfff"}')],
  ['JSON nested 50,000 deep', raw('['.repeat(50_000) + ']'.repeat(50_000))],
  ['binary bytes', binary(new Uint8Array([1, 2, 3, 0, 255]))],
  ['empty binary frame', binary(new Uint8Array())],
  [
    'valid JSON sent as binary',
    binary(
      new TextEncoder().encode(
        JSON.stringify({ type: 'ai-response', messageId: 'bin', message: 'BINARY REPLY' }),
      ),
    ),
  ],
  ['unknown type', text({ type: 'surprise', payload: 1 })],
  ['type __proto__', text({ type: '__proto__', messageId: 'p', token: 'x' })],
  ['type constructor', text({ type: 'constructor' })],
  ['type toString', text({ type: 'toString' })],
  ['type hasOwnProperty', text({ type: 'hasOwnProperty' })],
  ['no type', text({ messageId: 'nt', token: 'x' })],
  ['numeric type', text({ type: 123 })],
  ['null type', text({ type: null })],
  ['array type', text({ type: ['stream-token'], messageId: 'at', token: 'x' })],
  [
    'stray token for an unknown id',
    text({ type: 'stream-token', messageId: 'nobody', token: 'STRAY' }),
  ],
  ['stream-end for an unknown id', text({ type: 'stream-end', messageId: 'nobody-else' })],
  [
    'token before its stream-start',
    async (key) => {
      await streamSend(
        key,
        JSON.stringify({ type: 'stream-token', messageId: 'early', token: 'EARLY ' }),
      );
      await streamSend(key, JSON.stringify({ type: 'stream-start', messageId: 'early' }));
      await streamSend(
        key,
        JSON.stringify({ type: 'stream-token', messageId: 'early', token: 'on time' }),
      );
      await streamSend(key, JSON.stringify({ type: 'stream-end', messageId: 'early' }));
    },
  ],
  [
    'token with null id and number token',
    text({ type: 'stream-token', messageId: null, token: 5 }),
  ],
  ['stream-start with a number id', text({ type: 'stream-start', messageId: 7 })],
  ['stream-token with an object token', text({ type: 'stream-token', messageId: 7, token: {} })],
  ['ai-response with null message', text({ type: 'ai-response', messageId: 'n1', message: null })],
  ['ai-response with null id', text({ type: 'ai-response', messageId: null, message: 'NULL ID' })],
  ['ai-response with a number message', text({ type: 'ai-response', messageId: 'n2', message: 9 })],
  ['error with null message', text({ type: 'error', message: null })],
  ['error with an object message', text({ type: 'error', message: { html: '<b>x</b>' } })],
  ['connection with null features', text({ type: 'connection', features: null })],
  ['connection with string features', text({ type: 'connection', features: 'ack' })],
  ['ack with a number id', text({ type: 'ack', clientMessageId: 5, messageId: null })],
  ['ack for an unknown message', text({ type: 'ack', clientMessageId: 'nope', messageId: 'x' })],
  ['sync with null messages', text({ type: 'sync', messages: null, handoff: 5 })],
  ['sync with junk items', text({ type: 'sync', messages: [null, 1, 'x', {}, { role: 'user' }] })],
  ['handoff with null state', text({ type: 'handoff', state: null, position: 'first' })],
  ['handoff with an unknown state', text({ type: 'handoff', state: 'exploded' })],
  [
    'agent-message with a number content',
    text({ type: 'agent-message', messageId: 'a1', content: 5 }),
  ],
  ['agent-typing without an agent', text({ type: 'agent-typing', active: true, agent: null })],
  ['typing with a string active', text({ type: 'typing', active: 'yes' })],
  [
    'user-message with null content',
    text({ type: 'user-message', messageId: 'u1', content: null }),
  ],
  ['pong with junk', text({ type: 'pong', timestamp: { nope: true } })],
  [
    'a reply with the id __proto__',
    async (key) => {
      for (const frame of [
        { type: 'stream-start', messageId: '__proto__' },
        { type: 'stream-token', messageId: '__proto__', token: 'proto reply' },
        { type: 'stream-end', messageId: '__proto__' },
        { type: 'ai-response', messageId: 'constructor', message: 'constructor reply' },
      ]) {
        await streamSend(key, JSON.stringify(frame));
      }
    },
  ],
  [
    'a __proto__ payload',
    raw('{"type":"ack","__proto__":{"polluted":true},"clientMessageId":"x"}'),
  ],
];

describe('bad input from the server', function () {
  this.timeout(120_000);

  it('survives each bad frame and still sends and renders a normal exchange after it', async () => {
    const key = uniqueKey();
    const el = await mountStreamWidget(key);
    await connected(el);
    const before = uncaught.length;
    const logged = debugLogs;
    const survived: string[] = [];
    for (const [index, [name, action]] of FROM_SERVER.entries()) {
      await action(key);
      // Without acks, an error that reaches the widget after its next message would be read
      // as that message's refusal: the exchange waits until the error has arrived.
      if (name.startsWith('error '))
        await until(() => part(el, 'error'), `the banner for "${name}"`);
      await exchange(el, `normal exchange ${index}`);
      expect(uncaught.slice(before), `after "${name}"`).to.deep.equal([]);
      survived.push(name);
    }
    const shown = el.shadowRoot!.textContent!;
    // Ignored frames leave nothing behind.
    for (const ignored of ['STRAY', 'BINARY REPLY', 'NULL ID', 'EARLY', 'array']) {
      expect(shown, ignored).not.to.contain(ignored);
    }
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    expect(part(el, 'status')!.dataset.status).to.equal('connected');
    console.log(
      `[bad-input] server: ${survived.length} bad inputs, each followed by a normal exchange; ` +
        `${debugLogs - logged} frames ignored and logged with console.debug; ` +
        `${uncaught.length - before} uncaught errors`,
    );
  });

  // Timed parts take the best of up to three tries: the box is shared with other work.
  it('renders a 1 MB token cut at max-reply-length, and stays usable', async () => {
    const key = uniqueKey();
    const el = await mountStreamWidget(key);
    await connected(el);
    const big = 'lorem ipsum dolor sit amet '.repeat(40_000); // ≈ 1.08 MB
    const tries: Array<{ ms: number; stall: number; shown: number; cut: boolean }> = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const id = `big${attempt}`;
      const { value: ms, stall } = await stallDuring(async () => {
        const start = performance.now();
        await streamSend(key, JSON.stringify({ type: 'stream-start', messageId: id }));
        await streamSend(key, JSON.stringify({ type: 'stream-token', messageId: id, token: big }));
        await streamSend(key, JSON.stringify({ type: 'stream-end', messageId: id }));
        await framesUntil(
          () => messageById(el, id)?.dataset.state === 'complete',
          'the 1 MB reply',
        );
        await nextFrame();
        return performance.now() - start;
      });
      const content = messageById(el, id)!.querySelector<HTMLElement>('[part="content"]')!;
      tries.push({
        ms,
        stall,
        shown: content.textContent!.trim().length,
        cut: content.hasAttribute('data-truncated'),
      });
      await exchange(el, `still here after megabyte ${attempt}`);
      el.clear();
      if (stall < 1000 && ms < 3000) break;
    }
    const best = tries.reduce((a, b) => (b.stall < a.stall ? b : a));
    console.log(
      `[bad-input] 1 MB token: rendered, cut to ${best.shown} characters, ${Math.round(best.ms)} ms ` +
        `after it was sent (longest stall ${Math.round(best.stall)} ms; ${tries.length} tries)`,
    );
    expect(tries.every((t) => t.cut)).to.equal(true);
    expect(best.shown).to.be.within(90_000, 100_000);
    expect(best.stall, 'longest stall').to.be.lessThan(1000);
    expect(best.ms).to.be.lessThan(3000);
    expect(uncaught).to.deep.equal([]);
  });

  it('renders 10,000 tokens sent in one burst, every one of them, and stays usable', async () => {
    const key = uniqueKey();
    const el = await mountStreamWidget(key);
    await connected(el);
    const tries: Array<{ ms: number; stall: number }> = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const id = `burst${attempt}`;
      const { value: ms, stall } = await stallDuring(async () => {
        const start = performance.now();
        await streamControl('/__burst', key, JSON.stringify({ id, count: 10_000, token: 'w{i} ' }));
        await framesUntil(
          () => messageById(el, id)?.dataset.state === 'complete',
          'the burst reply',
        );
        await nextFrame();
        return performance.now() - start;
      });
      const words = messageById(el, id)!
        .querySelector('[part="content"]')!
        .textContent!.trim()
        .split(/\s+/);
      expect(words.length).to.equal(10_000);
      expect(words[0]).to.equal('w0');
      expect(words.at(-1)).to.equal('w9999');
      tries.push({ ms, stall });
      await exchange(el, `still here after burst ${attempt}`);
      el.clear();
      if (stall < 1000 && ms < 10_000) break;
    }
    const best = tries.reduce((a, b) => (b.stall < a.stall ? b : a));
    console.log(
      `[bad-input] 10,000-token burst: complete and rendered ${Math.round(best.ms)} ms after it ` +
        `was sent (longest stall ${Math.round(best.stall)} ms; ${tries.length} tries)`,
    );
    // A burst is not a freeze: the page keeps answering while it renders.
    expect(best.stall, 'longest stall').to.be.lessThan(1000);
    expect(best.ms).to.be.lessThan(10_000);
    expect(uncaught).to.deep.equal([]);
  });
});

// --- from the user ---------------------------------------------------------------------------------

/** A paste: the textarea gets the text at once, as the browser's insertFromPaste does. */
async function paste(el: ChatWidget, value: string) {
  const input = part(el, 'input') as HTMLTextAreaElement;
  input.focus();
  input.value = value;
  input.dispatchEvent(
    new InputEvent('input', { bubbles: true, composed: true, inputType: 'insertFromPaste' }),
  );
  await el.updateComplete;
}

/** Types and presses Enter without waiting for a render: a visitor faster than any limit. */
function typeNow(el: ChatWidget, value: string) {
  const input = part(el, 'input') as HTMLTextAreaElement;
  input.value = value;
  input.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
  input.dispatchEvent(
    new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true, cancelable: true }),
  );
}

function enter(el: ChatWidget) {
  part(el, 'input')!.dispatchEvent(
    new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true, cancelable: true }),
  );
  return el.updateComplete;
}

describe('bad input from the user', function () {
  this.timeout(60_000);

  it('refuses a 100,000-character paste with a clear message, keeps it, and sends nothing', async () => {
    const key = uniqueKey();
    const el = await mountStreamWidget(key);
    await connected(el);
    const errors: Array<{ code: string; message: string; detail?: string }> = [];
    el.addEventListener('chat-error', (e) => errors.push(e.detail));
    const huge = 'x'.repeat(100_000);
    const start = performance.now();
    await paste(el, huge);
    await enter(el);
    const ms = performance.now() - start;
    const notice = el.shadowRoot!.querySelector('.notice')!.textContent!;
    expect(notice).to.contain('100000').and.to.contain('2000');
    expect(messages(el, 'user')).to.have.length(0);
    expect((part(el, 'input') as HTMLTextAreaElement).value).to.equal(huge);
    expect(errors.map((e) => e.code)).to.deep.equal(['too-long']);
    // The send button submits the same way.
    (part(el, 'send-button') as HTMLButtonElement).click();
    await el.updateComplete;
    expect(messages(el, 'user')).to.have.length(0);
    expect(errors.map((e) => e.code)).to.deep.equal(['too-long', 'too-long']);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await received(key)).filter((f) => f.type === 'chat')).to.deep.equal([]);
    console.log(
      `[bad-input] 100,000-character paste refused in ${Math.round(ms)} ms: "${notice.trim()}"`,
    );
    // And the visitor can shorten it and go on.
    await paste(el, '');
    await exchange(el, 'a short one instead');
  });

  it('takes its limit from the max-length attribute, through the UI', async () => {
    const key = uniqueKey();
    const el = await mountStreamWidget(key, 'strict', { 'max-length': '50' });
    await connected(el);
    await paste(el, 'y'.repeat(51));
    await enter(el);
    expect(el.shadowRoot!.querySelector('.notice')!.textContent).to.contain('50');
    expect(messages(el, 'user')).to.have.length(0);
    await paste(el, 'z'.repeat(50));
    await enter(el);
    await until(
      () => messages(el, 'user')[0]?.dataset.state === 'sent',
      'the 50-character message',
    );
    el.setAttribute('max-length', '10');
    await el.updateComplete;
    await paste(el, 'eleven char');
    await enter(el);
    expect(el.shadowRoot!.querySelector('.notice')!.textContent).to.contain('10');
    expect(messages(el, 'user')).to.have.length(1);
  });

  it('events: typing 15 messages in a second queues past 10/s, and delivers all once, in order', async () => {
    const events = fixtures.events!;
    const user = `user-${uniqueKey()}`;
    const created = await fetch(`${events.http}/__control`, {
      method: 'POST',
      body: JSON.stringify({ action: 'create_chat', user_id: user }),
    });
    const chat = ((await created.json()) as { chat: { id: string } }).chat.id;
    const el = document.createElement('chat-widget');
    el.id = uniqueKey();
    el.mode = 'inline';
    el.protocol = 'events';
    el.server = `${events.ws}?reply=none`;
    el.token = 'test-key';
    el.userId = user;
    el.conversationId = chat;
    const errors: string[] = [];
    el.addEventListener('chat-error', (e) => errors.push(e.detail.code));
    await fixture(html`<div style="height: 400px">${el}</div>`);
    await connected(el);
    const texts = Array.from({ length: 15 }, (_, i) => `typed fast ${i + 1}`);
    const started = performance.now();
    for (const t of texts) typeNow(el, t);
    const typedIn = performance.now() - started;
    await el.updateComplete;
    // Five of the fifteen wait about a second: the note shows while they do (waited for, as
    // it appears with the next render rather than synchronously with the typing).
    const sawNotice = await until(
      () => el.shadowRoot!.querySelector('.notice')?.textContent?.includes('queued'),
      'queued note',
      2000,
    ).then(
      () => true,
      () => false,
    );
    expect(messages(el, 'user')).to.have.length(15);
    await until(
      () => messages(el, 'user').every((m) => m.dataset.state === 'sent'),
      'all 15 confirmed',
      10_000,
    );
    const response = await fetch(
      `${events.http}/__received?${new URLSearchParams({ kind: 'frame', chat_id: chat })}`,
    );
    const frames = (await response.json()) as Array<{ frame: { content: string } }>;
    expect(frames.map((f) => f.frame.content)).to.deep.equal(texts);
    console.log(
      `[bad-input] events at 10/s: 15 messages typed in ${Math.round(typedIn)} ms, all ` +
        `delivered once in order, "queued" note shown: ${sawNotice}`,
    );
    expect(sawNotice, 'a "queued" note while waiting').to.equal(true);
    expect(errors).to.deep.equal([]);
  });

  it('stream: typing 15 messages in a second at a 10/s server loses none and answers each once', async () => {
    const key = uniqueKey();
    const el = await mountStreamWidget(key, 'features-rate-limited');
    await connected(el);
    const texts = Array.from({ length: 15 }, (_, i) => `burst message ${i + 1}`);
    for (const t of texts) typeNow(el, t);
    await el.updateComplete;
    let settled = true;
    try {
      await until(
        () =>
          messages(el, 'user').every((m) => m.dataset.state === 'sent') &&
          messages(el, 'assistant').filter((m) => m.dataset.state === 'complete').length >= 15,
        'all 15 acknowledged and answered',
        8000,
      );
    } catch {
      settled = false;
    }
    const frames = await received(key);
    const states = messages(el, 'user').map((m) => m.dataset.state);
    const reply = (m: HTMLElement) => m.querySelector('[part="content"]')!.textContent!.trim();
    const answered = texts.map(
      (t) => messages(el, 'assistant').filter((m) => reply(m) === `echo: ${t}`).length,
    );
    const interrupted = messages(el, 'assistant').filter((m) => m.dataset.note === 'interrupted');
    const counts: Record<string, number> = {};
    for (const state of states) counts[state!] = (counts[state!] ?? 0) + 1;
    console.log(
      `[bad-input] stream at a 10/s server: ${frames.filter((f) => f.type === 'chat').length} ` +
        `chat frames for 15 messages; states ${JSON.stringify(counts)}; answered ` +
        `${answered.filter((n) => n === 1).length}/15, ${interrupted.length} replies marked ` +
        `interrupted; banner ${JSON.stringify(part(el, 'error')?.querySelector('p')?.textContent ?? null)}`,
    );
    expect(settled, 'every message acknowledged and answered').to.equal(true);
    expect(answered).to.deep.equal(texts.map(() => 1));
    // The refusal was about one message, not about the replies streaming meanwhile.
    expect(interrupted).to.have.length(0);
  });
});

// --- from the host page ------------------------------------------------------------------------

async function configured(build: (el: ChatWidget) => void) {
  const el = document.createElement('chat-widget');
  el.mode = 'inline';
  build(el);
  const errors: Array<{ code: string; message: string; detail?: string }> = [];
  el.addEventListener('chat-error', (e) => errors.push(e.detail));
  await fixture(html`<div>${el}</div>`);
  await until(() => part(el, 'error') && errors.length > 0, 'an error banner and chat-error');
  return { el, errors, banner: part(el, 'error')!.textContent!.replace(/\s+/g, ' ').trim() };
}

describe('bad configuration from the host page', function () {
  this.timeout(60_000);

  const servers: Array<[string, string | null]> = [
    ['missing', null],
    ['empty', ''],
    ['not a URL', 'not a url'],
    ['https, not ws', 'https://example.com/ws'],
    ['ws without a host', 'ws://'],
    ['a broken IPv6 host', 'ws://[::1'],
    ['javascript:', 'javascript:alert(1)'],
    ['protocol-relative', '//example.com/ws'],
  ];
  for (const [name, server] of servers) {
    it(`server ${name}: a banner and chat-error "config"`, async () => {
      const { el, errors, banner } = await configured((w) => {
        if (server !== null) w.setAttribute('server', server);
        w.token = STREAM_TOKEN;
      });
      expect(errors.map((e) => e.code)).to.deep.equal(['config']);
      expect(banner).to.match(/not configured/);
      expect(part(el, 'status')!.dataset.status).to.equal('error');
      console.log(`[bad-input] server ${name}: "${banner}"`);
    });
  }

  for (const protocol of [
    'carrier-pigeon',
    '__proto__',
    'toString',
    'constructor',
    'STREAM',
    ' stream',
  ]) {
    it(`protocol ${JSON.stringify(protocol)}: a banner and chat-error "config"`, async () => {
      const { el, errors, banner } = await configured((w) => {
        w.setAttribute('protocol', protocol);
        w.server = streamUrl(uniqueKey());
        w.token = STREAM_TOKEN;
      });
      expect(errors.map((e) => e.code)).to.deep.equal(['config']);
      expect(banner).to.contain(`unknown protocol "${protocol}"`);
      expect(part(el, 'status')!.dataset.status).to.equal('error');
    });
  }

  const tokenSources: Array<[string, (w: ChatWidget) => void, RegExp]> = [
    ['token-url answering 401', (w) => (w.tokenUrl = `${streamHttp()}/token?fail=401`), /401/],
    ['token-url answering {}', (w) => (w.tokenUrl = `${streamHttp()}/token?fail=empty`), /token/],
    ['token-url answering null', (w) => (w.tokenUrl = `${streamHttp()}/token?fail=null`), /token/],
    [
      'token-url answering a number token',
      (w) => (w.tokenUrl = `${streamHttp()}/token?fail=number`),
      /token/,
    ],
    [
      'token-url that cannot be reached',
      (w) => (w.tokenUrl = 'http://127.0.0.1:9/token'),
      /reached/,
    ],
    [
      'getToken that rejects',
      (w) => (w.getToken = () => Promise.reject(new Error('no session'))),
      /no session/,
    ],
    [
      'getToken that throws',
      (w) =>
        (w.getToken = () => {
          throw new Error('broken provider');
        }),
      /broken provider/,
    ],
    [
      'getToken that resolves a number',
      (w) => (w.getToken = () => Promise.resolve(42 as never)),
      /token/,
    ],
  ];
  for (const [name, setup, says] of tokenSources) {
    it(`${name}: a banner and chat-error "token"`, async () => {
      const { errors, banner } = await configured((w) => {
        w.server = streamUrl(uniqueKey());
        setup(w);
      });
      expect(errors[0]!.code).to.equal('token');
      // The visitor reads plain words; what went wrong is the page's to log.
      expect(banner).to.contain('could not sign you in');
      expect(banner).not.to.match(says);
      expect(errors[0]!.detail).to.match(says);
      console.log(`[bad-input] ${name}: ${errors[0]!.code} "${banner}" (${errors[0]!.detail})`);
    });
  }
});
