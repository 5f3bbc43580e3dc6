// The benchmark page (browser side): `/?renderer=widget|naive|floor&server=ws://…&tokens=N`.
// bench/run.mjs opens it in a fresh browser context per run, awaits `bench.ready`, calls
// `bench.send()`, lets the server release the reply, and awaits `bench.finished()`, which
// resolves once the whole reply is rendered and its last token is on screen.
//
// Every renderer receives frames through the same instrumented WebSocket, so the probe's cost (a
// prefix test and a counter per frame) is identical for all three; they differ only in what they
// do with a token.

const params = new URLSearchParams(location.search);
const rendererName = params.get('renderer');
const server = params.get('server');
const expected = Number(params.get('tokens'));

const START_PREFIX = '{"type":"stream-start"';
const TOKEN_PREFIX = '{"type":"stream-token"';
const probe = { frames: 0, tokens: 0, startedAt: 0, lastTokenAt: 0, paintedAt: 0, doneAt: 0 };
let onPainted = () => {};
let onConnected = () => {};
const painted = new Promise((resolve) => (onPainted = resolve));
const connected = new Promise((resolve) => (onConnected = resolve));

// When the last token has reached the page, wait for the frame that shows it. A rAF callback
// registered now runs in the next rendering update, before that update's style, layout and paint;
// a task posted from it can only run once that update has finished, so its timestamp is the end
// of the first frame produced after the token arrived. rAF callbacks run in registration order,
// so the widget's own coalescing rAF (scheduled in this task, or earlier) renders in that same
// frame. This is time until the main thread has committed the frame; the compositor's draw after
// that is not the page's work. MessageChannel rather than setTimeout(0): no timer clamping.
function lastTokenArrived() {
  probe.lastTokenAt = performance.now();
  requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      probe.paintedAt = performance.now();
      performance.mark('bench-painted');
      onPainted();
    };
    channel.port2.postMessage(0);
  });
}

function observe(event) {
  probe.frames++;
  const data = event.data;
  if (probe.frames === 1) onConnected();
  if (typeof data !== 'string') return;
  if (data.startsWith(TOKEN_PREFIX)) {
    if (++probe.tokens === expected) lastTokenArrived();
  } else if (data.startsWith(START_PREFIX)) {
    // The measured window opens when the reply starts to arrive, not when the question left:
    // rendering the user's own message is not streaming.
    probe.startedAt = performance.now();
    performance.mark('bench-start');
  }
}

// Installed before any renderer exists; the widget is imported only afterwards. Listeners run in
// the order they were added, so this one sees each frame before the renderer handles it.
const NativeWebSocket = window.WebSocket;
window.WebSocket = class ObservedWebSocket extends NativeWebSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener('message', observe);
  }
};

const longTasks = [];
new PerformanceObserver((list) => longTasks.push(...list.getEntries())).observe({
  type: 'longtask',
  buffered: true,
});

const out = document.getElementById('out');
const QUESTION = 'Please explain streaming.';

/** Opens its own socket; `onFrame` gets each parsed frame. Resolves with a `send` function. */
async function ownSocket(onFrame) {
  const ws = new WebSocket(server);
  ws.onmessage = (event) => onFrame(JSON.parse(event.data));
  await connected;
  return () => ws.send(JSON.stringify({ type: 'chat', content: QUESTION }));
}

const renderers = {
  // The least any renderer must do: parse the frame and put the token's text on screen.
  async floor(done) {
    return ownSocket((frame) => {
      if (frame.type === 'stream-token') out.appendChild(document.createTextNode(frame.token));
      else if (frame.type === 'stream-end') done();
    });
  },

  // What a first attempt does: re-render all the text so far on every token.
  async naive(done) {
    const [{ marked }, { default: DOMPurify }] = await Promise.all([
      import('/vendor/marked.js'),
      import('/vendor/purify.js'),
    ]);
    let text = '';
    return ownSocket((frame) => {
      if (frame.type === 'stream-token') {
        text += frame.token;
        out.innerHTML = DOMPurify.sanitize(marked.parse(text));
      } else if (frame.type === 'stream-end') {
        done();
      }
    });
  },

  // A peer, as a site would use it for a stream of its own: deep-chat's `connect.handler` in
  // stream mode, fed the same tokens (`signals.onResponse({ text })` appends one).
  async 'deep-chat'(done) {
    out.remove();
    await import('/vendor/deep-chat.js');
    const el = document.createElement('deep-chat');
    el.id = 'deep-chat';
    el.style.cssText = 'display:block;width:640px;height:720px';
    let signals;
    const send = await ownSocket((frame) => {
      if (frame.type === 'stream-token') void signals?.onResponse({ text: frame.token });
      else if (frame.type === 'stream-end') {
        signals?.onClose();
        requestAnimationFrame(() => done());
      }
    });
    el.connect = {
      stream: true,
      handler: (_body, given) => {
        signals = given;
        signals.onOpen();
        send();
      },
    };
    document.body.append(el);
    await customElements.whenDefined('deep-chat');
    return () => el.submitUserMessage({ text: QUESTION });
  },

  async widget(done) {
    out.remove();
    await import('/dist/chat-widget.js');
    const el = document.createElement('chat-widget');
    el.setAttribute('mode', 'inline');
    el.setAttribute('server', server);
    el.setAttribute('token', 'bench');
    el.id = 'widget';
    document.body.append(el);
    // How often the element re-rendered: tells per-frame coalescing from extra updates.
    const update = el.update;
    el.update = function (...args) {
      probe.updates = (probe.updates ?? 0) + 1;
      return update.apply(this, args);
    };
    el.addEventListener('chat-message', async (event) => {
      if (event.detail.message.role !== 'assistant') return;
      // The event fires while the widget is still handling `stream-end`, which requests the
      // re-render after it; let that handler return before waiting for the update.
      await null;
      await el.updateComplete;
      const selector = '[part~="assistant"][data-state="complete"]';
      while (!el.shadowRoot.querySelector(selector)) {
        await new Promise((resolve) => requestAnimationFrame(resolve));
      }
      done();
    });
    await connected;
    await el.updateComplete;
    return () => el.send(QUESTION);
  },
};

async function prepare() {
  let finish = () => {};
  const finished = new Promise((resolve) => (finish = resolve));
  const done = () => {
    probe.doneAt = performance.now();
    performance.mark('bench-done');
    finish();
  };
  const send = await renderers[rendererName](done);
  // Let the first render, styles and fonts settle so they are not billed to the stream.
  for (let i = 0; i < 5; i++) await new Promise((resolve) => requestAnimationFrame(resolve));
  await new Promise((resolve) => setTimeout(resolve, 100));
  return { send, finished };
}

const preparing = prepare();

window.bench = {
  ready: preparing.then(() => true),
  /** Asks for the reply; the server holds it until run.mjs releases it. */
  async send() {
    const { send } = await preparing;
    send();
  },
  /** Waits for two frames, so whatever sending rendered is painted before measuring starts. */
  async settle() {
    for (let i = 0; i < 2; i++) await new Promise((resolve) => requestAnimationFrame(resolve));
  },
  async finished() {
    const { finished } = await preparing;
    await Promise.all([finished, painted]);
    return { ...probe };
  },
  /** Long tasks that overlap the measured window. */
  longTasks() {
    const end = Math.max(probe.doneAt, probe.paintedAt);
    return longTasks
      .filter((t) => t.startTime + t.duration >= probe.startedAt && t.startTime <= end)
      .map((t) => ({ start: t.startTime, duration: t.duration }));
  },
  /** What ended up on screen, to check that the renderers showed the same kinds of blocks. */
  shape() {
    const host = document.getElementById(rendererName);
    const root = host?.shadowRoot ?? out;
    const count = (s) => root.querySelectorAll(s).length;
    const content =
      rendererName === 'widget'
        ? root.querySelector('[part~="assistant"] [part~="content"]')
        : rendererName === 'deep-chat'
          ? [...root.querySelectorAll('.ai-message-text')].at(-1)
          : out;
    return {
      chars: content?.textContent.length ?? 0,
      tables: count('table'),
      pre: count('pre'),
      strong: count('strong'),
      links: count('a[href]'),
      lists: count('ul, ol'),
    };
  },
};
