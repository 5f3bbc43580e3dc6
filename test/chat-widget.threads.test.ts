/**
 * `<chat-widget protocol="threads">` end to end against test/fixtures/threads-server.js,
 * in its documented and deployed modes: what the user sees in the shadow DOM, what the
 * page hears in events, and what the server received. Every test uses a thread of its own.
 */
import { expect } from '@open-wc/testing';
import '../src/define.js';
import type { ChatWidget } from '../src/chat-widget.js';
import { THREADS_REPLY_SILENCE_MS } from '../src/protocols/threads.js';
import type { TokenProvider } from '../src/types.js';
import { connected, messages, part, typeAndSend, uniqueKey, until } from './helpers.js';
import { type Entry, type RecordedEvents, fixtureServer, mountRecordingEvents } from './helpers.js';

const server = fixtureServer('threads');
const { received, control } = server;
const TOKEN = 'test-token';
/** The fixture's thread with one question and one answer (read-only by convention). */
const SEEDED_THREAD_ID = '123e4567-e89b-12d3-a456-426614174000';
/** Time for a reply with no end to be completed by silence, plus the widget's 1 s tick. */
const SILENCE_WAIT_MS = THREADS_REPLY_SILENCE_MS + 3000;

type Frame = { type: string; thread_id?: string; agent_id?: string | null; content?: string };

/** This test's handshakes: the server URL carries the test's key. */
async function handshakes(key: string): Promise<Entry[]> {
  const all = await received({ kind: 'handshake' });
  return all.filter((h) => new URLSearchParams(h.query as string).get('k') === key);
}

/** Frames the server got on this test's sockets, in arrival order. */
async function frames(key: string): Promise<Frame[]> {
  const conns = new Set((await handshakes(key)).map((h) => h.conn));
  const all = await received({ kind: 'frame' });
  return all.filter((f) => conns.has(f.conn)).map((f) => f.frame as Frame);
}

const historyRequests = async (key: string) =>
  (await frames(key)).filter((f) => f.type === 'history');

interface Mounted extends RecordedEvents {
  el: ChatWidget;
  key: string;
}

interface Options {
  key?: string;
  thread?: string;
  agent?: string;
  query?: string;
  getToken?: TokenProvider;
}

/** Built before it joins the page so the very first `chat-status` is heard. */
async function mount(options: Options = {}): Promise<Mounted> {
  const key = options.key ?? uniqueKey();
  const el = document.createElement('chat-widget');
  el.id = key;
  el.mode = 'inline';
  el.protocol = 'threads';
  el.server = `${server.ws}?k=${key}${options.query ? `&${options.query}` : ''}`;
  if (options.getToken) el.getToken = options.getToken;
  else el.token = TOKEN;
  if (options.thread) el.conversationId = options.thread;
  if (options.agent) el.agentId = options.agent;
  el.style.height = '420px';
  return { el, key, ...(await mountRecordingEvents(el)) };
}

const text = (message: HTMLElement | undefined) =>
  message?.querySelector('[part="content"]')?.textContent?.trim() ?? '';

const reply = (el: ChatWidget) => messages(el, 'assistant').at(-1);

const complete = (el: ChatWidget, count = 1) =>
  until(
    () => messages(el, 'assistant').filter((m) => m.dataset.state === 'complete').length === count,
    `${count} complete replies`,
    SILENCE_WAIT_MS,
  );

/** The transcript as the user reads it: role and text, top to bottom. */
const transcript = (el: ChatWidget) =>
  messages(el).map((m) => `${m.getAttribute('part')!.split(' ')[1]}: ${text(m).split('\n')[0]}`);

beforeEach(() => sessionStorage.clear());

describe('chat-widget, protocol="threads": the thread', () => {
  it('asks for the history of the conversation-id thread, and sends with its agent-id', async function () {
    this.timeout(SILENCE_WAIT_MS + 5000);
    const thread = crypto.randomUUID();
    const agent = crypto.randomUUID();
    const mounted = await mount({ thread, agent });
    const { el, key, statuses, done } = mounted;
    await connected(el);
    expect(statuses.slice(0, 2)).to.deep.equal(['connecting', 'connected']);
    await until(async () => (await historyRequests(key)).length === 1, 'history requested');
    expect((await handshakes(key))[0]).to.include({ token: TOKEN, accepted: true });
    expect(part(el, 'escalate-button')).to.equal(null);
    await expect(el).to.be.accessible();

    await typeAndSend(el, 'what is a DAO?');
    await until(async () => (await frames(key)).length === 2, 'message sent');
    expect((await frames(key))[1]).to.deep.equal({
      type: 'message',
      thread_id: thread,
      agent_id: agent,
      content: 'what is a DAO?',
    });
    // Documented: every part of the reply carries the same id; they make one message.
    await until(() => text(reply(el)).includes('You said'), 'reply streaming');
    await complete(el);
    expect(messages(el, 'assistant')).to.have.length(1);
    const [bot] = await received({ kind: 'reply', thread_id: thread });
    const answer = reply(el)!;
    expect(answer.dataset.id).to.match(/^msg_\d+$/);
    expect(answer.dataset.note).to.equal(undefined);
    expect(answer.querySelector('strong')!.textContent).to.equal('what is a DAO?');
    expect(answer.querySelectorAll('li')).to.have.length(2);
    expect(messages(el, 'user')[0]!.dataset.state).to.equal('sent');
    expect(done).to.deep.equal([
      { id: messages(el, 'user')[0]!.dataset.id, role: 'user', content: 'what is a DAO?' },
      { id: answer.dataset.id, role: 'assistant', content: bot!.content },
    ]);
    await expect(el).to.be.accessible();
  });

  it('makes a thread id of its own without conversation-id, and keeps it across a reload', async () => {
    const key = uniqueKey();
    const first = await mount({ key, query: 'scenario=deployed&end=1' });
    await until(async () => (await historyRequests(key)).length === 1, 'history requested');
    const [{ thread_id: thread }] = (await historyRequests(key)) as [Frame];
    expect(thread).to.match(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    await first.el.send('first visit');
    await complete(first.el);
    first.el.remove();

    const again = await mount({ key, query: 'scenario=deployed&end=1' });
    await until(async () => (await historyRequests(key)).length === 2, 'history again');
    expect((await historyRequests(key)).map((f) => f.thread_id)).to.deep.equal([thread, thread]);
    // The replay names nothing by id; what this tab already shows must not come twice.
    await again.el.send('second visit');
    await complete(again.el, 2);
    expect(transcript(again.el)).to.deep.equal([
      'user: first visit',
      'assistant: You said: first visit',
      'user: second visit',
      'assistant: You said: second visit',
    ]);
    expect(
      (await frames(key)).filter((f) => f.type === 'message').map((f) => f.thread_id),
    ).to.deep.equal([thread, thread]);
  });

  for (const scenario of ['documented', 'deployed'] as const) {
    it(`asks for history again after a reconnect: shown once, in the server's order (${scenario})`, async function () {
      // Each next message waits for the reply before it to end (by silence on the documented server).
      this.timeout(SILENCE_WAIT_MS * 3 + 8000);
      const thread = crypto.randomUUID();
      const mounted = await mount({ thread, query: `scenario=${scenario}&end=1` });
      const { el, key } = mounted;
      await connected(el);
      await el.send('before the drop');
      await complete(el);
      await el.send('also before');
      await complete(el, 2);
      await until(() => messages(el, 'user')[1]!.dataset.state === 'sent', 'sent');

      await control({ action: 'close', thread_id: thread, code: 1012, reason: 'restart' });
      await until(async () => (await historyRequests(key)).length === 2, 'history on reconnect');
      await connected(el);
      await el.send('after the drop');
      await complete(el, 3);
      // The replay replaced what the tab showed: once each, in the server's order.
      expect(transcript(el)).to.deep.equal([
        'user: before the drop',
        'assistant: You said: before the drop',
        'user: also before',
        'assistant: You said: also before',
        'user: after the drop',
        'assistant: You said: after the drop',
      ]);
      expect(messages(el).map((m) => m.dataset.state)).to.deep.equal([
        'sent',
        'complete',
        'sent',
        'complete',
        'sent',
        'complete',
      ]);
      await expect(el).to.be.accessible();
    });
  }
});

describe('chat-widget, protocol="threads": replies and history', () => {
  it('deployed: streams id-less tokens into one reply and completes it on status end', async () => {
    const thread = crypto.randomUUID();
    const mounted = await mount({ thread, query: 'scenario=deployed&end=1&tool=1&token_delay=40' });
    const { el, done } = mounted;
    await connected(el);
    await typeAndSend(el, 'stream please');
    await until(() => part(el, 'typing'), 'typing while the agent works');
    await until(
      () => reply(el)?.dataset.state === 'streaming' && text(reply(el)) !== '',
      'streaming',
    );
    expect(part(el, 'typing')).to.equal(null);
    await expect(el).to.be.accessible();
    // The end frame completes it long before any silence could.
    await until(() => reply(el)?.dataset.state === 'complete', 'complete', 3000);
    const [bot] = await received({ kind: 'reply', thread_id: thread });
    expect(messages(el, 'assistant')).to.have.length(1);
    expect(reply(el)!.dataset.note).to.equal(undefined);
    expect(reply(el)!.querySelector('strong')!.textContent).to.equal('stream please');
    // The tool step is the agent's own working, not part of the conversation.
    expect(messages(el)).to.have.length(2);
    expect(done.at(-1)).to.include({ role: 'assistant', content: bot!.content });
    await expect(el).to.be.accessible();
  });

  it('deployed: completes a reply that never ends after the silence window', async function () {
    this.timeout(SILENCE_WAIT_MS + 5000);
    const thread = crypto.randomUUID();
    const { el } = await mount({ thread, query: 'scenario=deployed' });
    await connected(el);
    await el.send('no end marker');
    await until(() => text(reply(el)).includes('write markdown'), 'all text arrived');
    expect(reply(el)!.dataset.state).to.equal('streaming');
    await complete(el);
    expect(reply(el)!.dataset.note).to.equal(undefined);
    expect(reply(el)!.querySelectorAll('li')).to.have.length(2);
  });

  for (const scenario of ['documented', 'deployed'] as const) {
    it(`shows the seeded thread's history in order (${scenario})`, async () => {
      const { el, key, done } = await mount({
        thread: SEEDED_THREAD_ID,
        query: `scenario=${scenario}`,
      });
      await until(() => messages(el).length === 2, 'history');
      expect(transcript(el)).to.deep.equal([
        'user: Hello, can you help me with something?',
        "assistant: Of course! I'd be happy to help. What do you need assistance with?",
      ]);
      expect(messages(el).map((m) => m.dataset.state)).to.deep.equal(['sent', 'complete']);
      if (scenario === 'documented') {
        expect(messages(el).map((m) => m.dataset.id)).to.deep.equal(['msg_123', 'msg_124']);
      }
      expect(done.map((m) => m.role)).to.deep.equal(['user', 'assistant']);
      expect(await historyRequests(key)).to.have.length(1);
      await expect(el).to.be.accessible();
    });
  }
});

describe('chat-widget, protocol="threads": errors', () => {
  it('shows an error frame and stays connected', async () => {
    const { el, errors } = await mount({ thread: 'not-a-uuid' });
    await until(() => part(el, 'error'), 'error banner');
    expect(part(el, 'error')!.textContent).to.contain('Something went wrong with the chat.');
    expect(part(el, 'error')!.textContent).not.to.contain('Invalid thread ID format');
    expect(errors).to.deep.equal([
      {
        code: 'server-error',
        message: 'Something went wrong with the chat. Please try again.',
        detail: 'Invalid thread ID format',
      },
    ]);
    expect(part(el, 'status')!.dataset.status).to.equal('connected');
    await expect(el).to.be.accessible();
  });

  it('fetches one new token after a refused handshake, then shows the refusal', async () => {
    let calls = 0;
    const getToken: TokenProvider = () => {
      calls += 1;
      return Promise.resolve({ token: 'wrong-token', expires_in: 300 });
    };
    const { el, key, errors } = await mount({ thread: crypto.randomUUID(), getToken });
    await until(() => part(el, 'error'), 'error banner');
    expect(calls).to.equal(2);
    const shakes = await handshakes(key);
    expect(shakes.map((h) => h.accepted)).to.deep.equal([false, false]);
    expect(part(el, 'error')!.textContent).to.contain('could not sign you in');
    expect(errors.map((e) => e.code)).to.deep.equal(['auth']);
    expect(part(el, 'status')!.dataset.status).to.equal('error');
    await expect(el).to.be.accessible();
  });
});

describe('chat-widget, protocol="threads": as the deployed server behaves', () => {
  it('documented: a message reads "sending" until the server acknowledges it', async () => {
    const thread = crypto.randomUUID();
    const { el } = await mount({ thread, query: 'scenario=documented&token_delay=30' });
    await connected(el);
    const states: string[] = [];
    const observer = new MutationObserver(() => {
      const state = messages(el, 'user')[0]?.dataset.state;
      if (state && states.at(-1) !== state) states.push(state);
    });
    observer.observe(el.shadowRoot!, { subtree: true, attributes: true, childList: true });
    await el.send('acknowledge me');
    await el.updateComplete;
    observer.disconnect();
    expect(states[0]).to.equal('sending');
    expect(messages(el, 'user')[0]!.dataset.state).to.equal('sent');
  });

  it('deployed: a message sent while a reply streams waits, so both replies stay whole and in order', async function () {
    this.timeout(SILENCE_WAIT_MS * 2 + 8000);
    const thread = crypto.randomUUID();
    const { el, key } = await mount({ thread, query: 'scenario=deployed&token_delay=40' });
    await connected(el);
    await el.send('first question');
    await until(() => reply(el)?.dataset.state === 'streaming', 'the first reply streaming');
    await typeAndSend(el, 'second question');
    // It waits in the outbox, shown as sending, while the first reply is still coming.
    expect(messages(el, 'user')[1]!.dataset.state).to.equal('sending');
    // Each reply ends by silence here (no end marker): two silences and both replies.
    await until(
      () => messages(el, 'assistant').filter((m) => m.dataset.state === 'complete').length === 2,
      'two complete replies',
      SILENCE_WAIT_MS * 2 + 2000,
    );
    expect(transcript(el)).to.deep.equal([
      'user: first question',
      'assistant: You said: first question',
      'user: second question',
      'assistant: You said: second question',
    ]);
    // Each bubble holds one whole reply: nothing of the second leaked into the first.
    for (const bubble of messages(el, 'assistant')) {
      expect(text(bubble).match(/You said/g)).to.have.length(1);
      expect(bubble.querySelectorAll('li')).to.have.length(2);
    }
    // The server read the second message only after the first reply was over.
    const sent = (await frames(key)).filter((f) => f.type === 'message');
    expect(sent.map((f) => f.content)).to.deep.equal(['first question', 'second question']);
    expect(messages(el).map((m) => m.dataset.state)).to.deep.equal([
      'sent',
      'complete',
      'sent',
      'complete',
    ]);
  });

  it('deployed: two replies back to back stay two bubbles', async function () {
    this.timeout(SILENCE_WAIT_MS * 2 + 8000);
    const thread = crypto.randomUUID();
    const { el } = await mount({ thread, query: 'scenario=deployed&end=1' });
    await connected(el);
    await typeAndSend(el, 'one');
    await typeAndSend(el, 'two');
    await complete(el, 2);
    expect(transcript(el)).to.deep.equal([
      'user: one',
      'assistant: You said: one',
      'user: two',
      'assistant: You said: two',
    ]);
  });

  it('deployed: a reply of several model calls shows once after a reload, as the server keeps it', async function () {
    this.timeout(SILENCE_WAIT_MS + 10000);
    const key = uniqueKey();
    const thread = crypto.randomUUID();
    const first = await mount({ key, thread, query: 'scenario=deployed&end=1&calls=2' });
    await connected(first.el);
    await first.el.send('look it up');
    await complete(first.el);
    expect(text(reply(first.el))).to.contain('Let me look that up.');
    first.el.remove();

    // The server stored only the last call's text: that is what the thread now says.
    const again = await mount({ key, thread, query: 'scenario=deployed&end=1&calls=2' });
    await until(async () => (await historyRequests(key)).length === 2, 'history again');
    await until(() => !text(reply(again.el)).includes('Let me look that up.'), 'the replay');
    expect(transcript(again.el)).to.deep.equal([
      'user: look it up',
      'assistant: You said: look it up',
    ]);
    await expect(again.el).to.be.accessible();
  });

  it("deployed: a new thread's failed history says nothing to the visitor", async () => {
    const thread = crypto.randomUUID();
    const { el, errors } = await mount({ thread, query: 'scenario=deployed' });
    await connected(el);
    await control({
      action: 'push',
      thread_id: thread,
      frame: { type: 'error', message: "Error retrieving history: {'code': 'PGRST116'}" },
    });
    await el.send('hello');
    await complete(el);
    expect(part(el, 'error')).to.equal(null);
    expect(errors).to.deep.equal([]);
  });
});
