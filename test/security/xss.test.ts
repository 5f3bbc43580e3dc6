/**
 * Issue 5, "nothing injected": every vector of xss-vectors.json is streamed as an assistant reply
 * through the real element (stream fixture, `__stream` control endpoint, so the test chooses the
 * token boundaries), whole and cut at several places: inside the tag name, inside the attribute
 * or URL scheme, and at seeded random points. It fails on
 *
 * - any execution: alert/confirm/prompt/print, or the `__xss` trap the vectors call or assign;
 * - any dangerous node or attribute that ever enters the shadow DOM, even for one frame (a
 *   MutationObserver checks every insertion and attribute change as it happens), and anything
 *   dangerous left at the end: script, iframe, object, embed, svg, math, form, style (and their
 *   kin: link, meta, base, frame, template…) inside the message list, any `on*` or `style`
 *   attribute, any href/src/action/formaction/xlink:href/srcset/poster/… whose scheme is not
 *   http, https or mailto (or `#…` for href), any img that is not https from `image-hosts`;
 * - any image fetch: an img in the shadow root that fired load/error with a forbidden src, a
 *   resource-timing entry for a forbidden image, or a request reaching the fixture's `__beacon/`
 *   URL that vectors aim their images, styles and pings at.
 *
 * Failure messages name the vector by group and index and show it with `<` and `>` escaped: the
 * runner may show messages as HTML, so they must not carry a live payload.
 */
import { expect, fixture, html } from '@open-wc/testing';
import '../../src/define.js';
import type { ChatWidget } from '../../src/chat-widget.js';
import { connected, part, streamHttp, streamUrl, uniqueKey, until } from '../helpers.js';
import { seededRandom } from '../seeded-random.js';

const IMAGE_HOST = 'img.example.com';
const RUN = uniqueKey();
const BEACON = `${streamHttp()}/__beacon/${RUN}`;
/** Replies streamed at once: vectors per batch (each with all its splits). */
const BATCH = 8;
/** Between token rounds: about a frame, so each cut is rendered on its own. */
const TOKEN_DELAY_MS = 18;

interface Corpus {
  about: string;
  groups: Record<string, string[]>;
}

// --- traps ------------------------------------------------------------------------------------

/** What ran, and while which batch was streaming. */
const executions: string[] = [];
let inFlight = 'setup';

const trap =
  (what: string) =>
  (..._args: unknown[]): undefined => {
    executions.push(`${what} while streaming ${inFlight}`);
    return undefined;
  };
const w = window as unknown as Record<string, unknown>;
w.alert = trap('alert()');
w.confirm = trap('confirm()');
w.prompt = trap('prompt()');
w.print = trap('print()');
Object.defineProperty(window, '__xss', {
  configurable: true,
  get: () => trap('__xss()'),
  set: () => executions.push(`__xss assigned while streaming ${inFlight}`),
});

/** Resource loads that were not this page's own modules and fetches. */
const resources: string[] = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries() as PerformanceResourceTiming[]) {
    if (!['fetch', 'xmlhttprequest', 'script'].includes(entry.initiatorType)) {
      resources.push(`${entry.initiatorType} ${entry.name}`);
    }
  }
}).observe({ type: 'resource', buffered: true });

// --- what counts as dangerous -------------------------------------------------------------------

/** Never inside a message. */
const FORBIDDEN_TAGS = new Set(
  (
    'script iframe object embed svg math form style link meta base frame frameset applet portal ' +
    'template noscript video audio source picture track textarea select option ' +
    'isindex keygen marquee xmp plaintext listing noembed noframes param image use foreignobject'
  ).split(' '),
);
/** Attributes holding a URL the browser may fetch or navigate to. */
const URL_ATTRIBUTES = new Set(
  (
    'href src action formaction xlink:href srcset poster background ping srcdoc data codebase ' +
    'dynsrc lowsrc cite longdesc manifest icon usemap archive classid'
  ).split(' '),
);
const LINK_SCHEMES = new Set(['http:', 'https:', 'mailto:']);

function absolute(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

function imageAllowed(src: string): boolean {
  const url = absolute(src);
  return url !== null && url.protocol === 'https:' && url.host === IMAGE_HOST;
}

/** Why this element is dangerous, or null. `inMessages`: it is reply content, not chrome. */
function danger(el: Element, inMessages: boolean): string | null {
  const tag = el.localName.toLowerCase();
  if (
    inMessages &&
    (FORBIDDEN_TAGS.has(tag) || el.namespaceURI !== 'http://www.w3.org/1999/xhtml')
  ) {
    return `<${tag}> element (${el.namespaceURI})`;
  }
  for (const attr of Array.from(el.attributes)) {
    const name = attr.name.toLowerCase();
    const value = attr.value;
    if (name.startsWith('on')) return `${name} attribute on <${tag}>`;
    if (!inMessages) {
      // The widget's own chrome: its form, icons and buttons are fine; images still follow
      // the image rule, wherever their URL came from.
      if (tag === 'img' && name === 'src' && !imageAllowed(value)) {
        return `img src="${value}" (not https from ${IMAGE_HOST})`;
      }
      if (URL_ATTRIBUTES.has(name) && /^\s*(?:javascript|vbscript|data):/i.test(value)) {
        return `${name}="${value}" on <${tag}>`;
      }
      continue;
    }
    if (name === 'style') return `style attribute on <${tag}>`;
    if (!URL_ATTRIBUTES.has(name)) continue;
    if (name === 'href' && tag === 'a') {
      if (value.startsWith('#')) continue;
      const url = absolute(value);
      if (url && LINK_SCHEMES.has(url.protocol)) continue;
      return `href="${value}" on <a>`;
    }
    if (name === 'src' && tag === 'img') {
      if (imageAllowed(value)) continue;
      return `img src="${value}" (not https from ${IMAGE_HOST})`;
    }
    return `${name}="${value}" on <${tag}>`;
  }
  return null;
}

/** Escaped for any reporter: no `<` or `>` reaches a failure message. */
function show(text: string): string {
  return JSON.stringify(text).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').slice(0, 300);
}

// --- splitting --------------------------------------------------------------------------------

const random = seededRandom;

function cutAt(text: string, cuts: number[]): string[] {
  const points = [...new Set(cuts.filter((c) => c > 0 && c < text.length))].sort((a, b) => a - b);
  const tokens: string[] = [];
  let from = 0;
  for (const at of points) {
    tokens.push(text.slice(from, at));
    from = at;
  }
  tokens.push(text.slice(from));
  return tokens;
}

/** Cut points: inside the first tag name and between link text and destination. */
function midTagCuts(v: string): number[] {
  const cuts: number[] = [];
  const lt = v.search(/<[a-zA-Z!?/]/);
  if (lt >= 0) cuts.push(lt + 1, lt + 3);
  const bracket = v.indexOf('](');
  if (bracket >= 0) cuts.push(bracket + 1, bracket + 3);
  const close = v.indexOf('>', lt + 1);
  if (lt >= 0 && close > 0) cuts.push(close);
  return cuts.length > 0 ? cuts : [Math.floor(v.length / 2)];
}

/** Cut points: at and inside the first attribute value, inside URL schemes, inside quotes. */
function midAttributeCuts(v: string): number[] {
  const cuts: number[] = [];
  const eq = v.indexOf('=');
  if (eq >= 0) cuts.push(eq, eq + 1, eq + 3);
  for (const m of v.matchAll(/javascript|vbscript|script|data:|https?:|&#|on[a-z]+=/gi)) {
    cuts.push(m.index + 2, m.index + m[0].length - 1);
  }
  const quote = v.search(/["']/);
  if (quote >= 0) cuts.push(quote + 1);
  for (let i = v.indexOf('\n'); i >= 0; i = v.indexOf('\n', i + 1)) cuts.push(i, i + 1);
  return cuts.length > 0 ? cuts : [Math.floor(v.length / 3), Math.floor((2 * v.length) / 3)];
}

function randomCuts(v: string, seed: number): number[] {
  const next = random(seed);
  const cuts: number[] = [];
  for (let at = 0; at < v.length;) {
    at += 1 + Math.floor(next() * 8);
    cuts.push(at);
  }
  return cuts;
}

interface Split {
  name: string;
  tokens: string[];
}

function splits(v: string, seed: number): Split[] {
  const all: Split[] = [
    { name: 'whole', tokens: [v] },
    { name: 'mid-tag', tokens: cutAt(v, midTagCuts(v)) },
    { name: 'mid-attribute', tokens: cutAt(v, midAttributeCuts(v)) },
    { name: 'random', tokens: cutAt(v, randomCuts(v, seed)) },
  ];
  const seen = new Set<string>();
  return all.filter((s) => {
    const key = JSON.stringify(s.tokens);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// --- the element --------------------------------------------------------------------------------

interface Watch {
  violations: string[];
  stop(): void;
}

/** Reports every dangerous insertion or attribute change in the shadow root as it happens. */
function watch(el: ChatWidget, label: (node: Node) => string): Watch {
  const root = el.shadowRoot!;
  const messagesList = part(el, 'messages')!;
  const violations: string[] = [];
  const check = (node: Element, context: Node) => {
    const inMessages = messagesList.contains(node.isConnected ? node : context);
    const why = danger(node, inMessages);
    if (why) violations.push(`${label(node.isConnected ? node : context)}: ${why}`);
  };
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === 'attributes') {
        check(record.target as Element, record.target);
        continue;
      }
      for (const node of Array.from(record.addedNodes)) {
        if (!(node instanceof Element)) continue;
        check(node, record.target);
        for (const inner of Array.from(node.querySelectorAll('*'))) check(inner, record.target);
      }
    }
  });
  observer.observe(root, { subtree: true, childList: true, attributes: true });
  // An image that loads or fails was fetched; it must have been an allowed one.
  const onImage = (event: Event) => {
    const target = event.target;
    if (target instanceof HTMLImageElement && !imageAllowed(target.src)) {
      violations.push(`${label(target)}: img fetched (${event.type}) from ${show(target.src)}`);
    }
  };
  root.addEventListener('load', onImage, true);
  root.addEventListener('error', onImage, true);
  return {
    violations,
    stop() {
      observer.disconnect();
      root.removeEventListener('load', onImage, true);
      root.removeEventListener('error', onImage, true);
    },
  };
}

/** Everything dangerous in the shadow root now. */
function scan(el: ChatWidget, label: (node: Node) => string): string[] {
  const messagesList = part(el, 'messages')!;
  const found: string[] = [];
  for (const node of Array.from(el.shadowRoot!.querySelectorAll('*'))) {
    const why = danger(node, messagesList.contains(node));
    if (why) found.push(`${label(node)}: ${why}`);
  }
  return found;
}

async function mount(key: string): Promise<ChatWidget> {
  const el = await fixture<ChatWidget>(
    html`<chat-widget
      id=${key}
      mode="inline"
      image-hosts=${IMAGE_HOST}
      server=${streamUrl(key)}
      token="stream-token"
      style="height: 600px"
    ></chat-widget>`,
  );
  await connected(el);
  return el;
}

async function stream(key: string, replies: { id: string; tokens: string[] }[]): Promise<void> {
  const response = await fetch(`${streamHttp()}/__stream?key=${key}`, {
    method: 'POST',
    body: JSON.stringify({ replies, delayMs: TOKEN_DELAY_MS }),
  });
  expect(response.ok).to.equal(true);
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let corpus: Corpus;
const totals = { vectors: 0, replies: 0, tokens: 0, failures: 0 };

before(async () => {
  corpus = (await (await fetch(new URL('./xss-vectors.json', import.meta.url))).json()) as Corpus;
});

beforeEach(() => sessionStorage.clear());

describe('security: XSS vectors streamed through <chat-widget>', function () {
  this.timeout(180_000);

  /** The groups of vectors the issue names. */
  const GROUPS = [
    'script-and-handlers',
    'url-schemes',
    'svg-and-mathml',
    'mutation-xss',
    'obfuscation',
    'markdown',
  ];

  it('has a corpus of at least 200 vectors in every group the issue names', () => {
    const sizes = Object.fromEntries(Object.entries(corpus.groups).map(([g, v]) => [g, v.length]));
    const total = Object.values(sizes).reduce((a, b) => a + b, 0);
    console.log(`[xss] corpus: ${total} vectors ${JSON.stringify(sizes)}`);
    expect(total).to.be.at.least(200);
    expect(Object.keys(sizes)).to.include.members(GROUPS);
  });

  it('detects what it is meant to detect (a planted payload, a fetched beacon)', async () => {
    const key = uniqueKey();
    const el = await mount(key);
    const label = () => 'planted';
    const watcher = watch(el, label);
    const planted = document.createElement('div');
    planted.setAttribute('part', 'planted');
    const img = document.createElement('img');
    img.setAttribute('src', `${BEACON}/control.png`);
    img.setAttribute('onerror', '__xss()');
    planted.append(img);
    part(el, 'messages')!.append(planted);
    try {
      await until(() => executions.length > 0, 'the planted onerror to run');
      await settle(50);
      console.log(
        `[xss] control: ${watcher.violations.length} seen as they happened, ` +
          `${scan(el, label).length} left, ${executions.length} executions: ${watcher.violations.join('; ')}`,
      );
      // The onerror attribute on insertion, and the fetch (error event) of a forbidden image.
      expect(watcher.violations.length).to.be.at.least(2);
      expect(scan(el, label).length).to.be.at.least(1);
      const beacons = (await (await fetch(`${streamHttp()}/__beacons`)).json()) as {
        path: string;
      }[];
      expect(beacons.some((b) => b.path === `/__beacon/${RUN}/control.png`)).to.equal(true);
      expect(resources.some((r) => r.includes(`${RUN}/control.png`))).to.equal(true);
    } finally {
      watcher.stop();
      planted.remove();
      executions.length = 0;
    }
  });

  GROUPS.forEach((group, groupIndex) => {
    it(`streams every "${group}" vector whole and cut mid-tag, mid-attribute and at random`, async () => {
      const vectors = corpus.groups[group]!.map((v) => v.replaceAll('{{BEACON}}', BEACON));
      const key = uniqueKey();
      const el = await mount(key);
      const byId = new Map<string, string>();
      const label = (node: Node) => {
        const start = node instanceof Element ? node : node.parentElement;
        const id = start?.closest<HTMLElement>('[part~="message"]')?.dataset.id;
        return id ? `${byId.get(id) ?? id}` : `unattributed (batch ${inFlight})`;
      };
      const watcher = watch(el, label);
      const failures: string[] = [];
      const started = performance.now();
      let replies = 0;
      let tokens = 0;
      let shown = 0;
      for (let from = 0; from < vectors.length; from += BATCH) {
        const batch: { id: string; tokens: string[] }[] = [];
        vectors.slice(from, from + BATCH).forEach((vector, offset) => {
          const index = from + offset;
          for (const split of splits(vector, 1000 * groupIndex + index)) {
            const id = `x${groupIndex}-${index}-${split.name}`;
            byId.set(id, `${group}#${index} (${split.name}) ${show(vector)}`);
            batch.push({ id, tokens: split.tokens });
            tokens += split.tokens.length;
          }
        });
        inFlight = `${group}#${from}-${from + BATCH - 1}`;
        const before = executions.length;
        await stream(key, batch);
        await until(
          () =>
            batch.every(
              (r) =>
                el.shadowRoot!.querySelector<HTMLElement>(`[part~="message"][data-id="${r.id}"]`)
                  ?.dataset.state === 'complete',
            ),
          `batch ${inFlight} complete`,
          15_000,
        );
        await settle(40);
        failures.push(...scan(el, label));
        // Not vacuous: the replies are there, as text the reader can see.
        shown += batch.filter((r) =>
          el.shadowRoot!.querySelector(`[data-id="${r.id}"] [part="content"]`)?.textContent?.trim(),
        ).length;
        if (executions.length > before) {
          // Attribute the execution: replay each vector of the batch alone.
          for (const r of batch) {
            const mark = executions.length;
            inFlight = byId.get(r.id)!;
            await stream(key, [{ id: `${r.id}-again`, tokens: r.tokens }]);
            await settle(150);
            if (executions.length > mark) failures.push(`${byId.get(r.id)}: executed`);
          }
        }
        replies += batch.length;
        el.clear();
        await el.updateComplete;
      }
      await settle(300);
      watcher.stop();
      failures.push(...watcher.violations, ...executions.splice(0));
      const ms = Math.round(performance.now() - started);
      totals.vectors += vectors.length;
      totals.replies += replies;
      totals.tokens += tokens;
      totals.failures += failures.length;
      console.log(
        `[xss] ${group}: ${vectors.length} vectors, ${replies} streamed replies ` +
          `(${(replies / vectors.length).toFixed(1)} splits each, ${tokens} tokens), ` +
          `${shown} with visible text, ${failures.length} failures, ${ms} ms`,
      );
      for (const failure of failures.slice(0, 40)) console.log(`[xss]   FAIL ${failure}`);
      expect(failures, failures.slice(0, 10).join('\n')).to.deep.equal([]);
      // Only reference definitions and comments may render to nothing.
      expect(shown).to.be.at.least(Math.floor(replies * 0.9));
    });
  });

  it('treats names and avatars of a human agent from the server like reply content', async () => {
    // Outside markdown: the handoff banner and agent messages show a name and an avatar the
    // server sends. The name must stay text, and the avatar is an image like any other.
    const key = uniqueKey();
    const el = await fixture<ChatWidget>(
      html`<chat-widget
        id=${key}
        mode="inline"
        image-hosts=${IMAGE_HOST}
        server=${streamUrl(key, 'handoff')}
        token="stream-token"
        style="height: 600px"
      ></chat-widget>`,
    );
    await connected(el);
    const label = () => 'agent';
    const watcher = watch(el, label);
    const avatarBeacon = `${streamHttp()}/__beacon/${RUN}-avatar`;
    const frames = [
      {
        type: 'handoff',
        state: 'assigned',
        agent: { name: '<img src=x onerror=__xss()>', avatar: `${avatarBeacon}/banner.png` },
      },
      {
        type: 'agent-message',
        messageId: 'agent-1',
        content: '[x](javascript:__xss()) <img src=x onerror=__xss()>',
        agent: { name: '<svg onload=__xss()>', avatar: `${avatarBeacon}/message.png` },
      },
      {
        type: 'agent-message',
        messageId: 'agent-2',
        content: 'plain',
        agent: {
          name: 'Maya',
          avatar: 'data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22/%3E',
        },
      },
      {
        type: 'agent-message',
        messageId: 'agent-3',
        content: 'plain',
        agent: { name: 'Maya', avatar: 'javascript:__xss()' },
      },
    ];
    inFlight = 'agent frames';
    for (const frame of frames) {
      await fetch(`${streamHttp()}/__send?key=${key}`, {
        method: 'POST',
        body: JSON.stringify(frame),
      });
    }
    await until(() => el.shadowRoot!.querySelector('[data-id="agent-3"]'), 'the agent messages');
    await settle(400);
    watcher.stop();
    const beacons = (
      (await (await fetch(`${streamHttp()}/__beacons`)).json()) as { path: string }[]
    )
      .map((b) => b.path)
      .filter((p) => p.startsWith(`/__beacon/${RUN}-avatar/`));
    const found = [...new Set([...watcher.violations, ...scan(el, label)])];
    const ran = executions.splice(0);
    console.log(
      `[xss] agent names and avatars: ${found.length} violations, ${beacons.length} avatar ` +
        `fetches, ${ran.length} executions${found.length ? `: ${found.map(show).join('; ')}` : ''}`,
    );
    expect(el.shadowRoot!.textContent).to.contain('<img src=x onerror=__xss()>');
    expect(ran).to.deep.equal([]);
    expect(found.map(show)).to.deep.equal([]);
    expect(beacons).to.deep.equal([]);
  });

  it('fetched no forbidden image: no beacon request, no resource entry outside image-hosts', async () => {
    await settle(300);
    const beacons = (
      (await (await fetch(`${streamHttp()}/__beacons`)).json()) as { path: string }[]
    )
      .map((b) => b.path)
      .filter((p) => p.startsWith(`/__beacon/${RUN}/`) && !p.endsWith('/control.png'));
    const forbidden = resources.filter((r) => {
      const url = absolute(r.slice(r.indexOf(' ') + 1));
      if (!url || r.includes(`${RUN}/control.png`)) return false;
      if (url.href.includes(`/__beacon/${RUN}-avatar/`)) return false; // the avatar test's own
      if (url.href.includes('/__beacon/')) return true;
      return url.origin !== location.origin && url.host !== IMAGE_HOST;
    });
    console.log(
      `[xss] total: ${totals.vectors} vectors, ${totals.replies} streamed replies, ` +
        `${totals.tokens} tokens, ${totals.failures} failures; ` +
        `${beacons.length} beacon requests, ${forbidden.length} forbidden resource loads`,
    );
    expect(beacons.map(show)).to.deep.equal([]);
    expect(forbidden.map(show)).to.deep.equal([]);
  });
});
