/**
 * `dist/chat-widget.loader.js`: a classic script used instead of the full widget with the same
 * `<chat-widget>` markup. Until the visitor reaches for the chat it draws only the launcher, in
 * the element's own shadow root (so `::part(launcher)` and the custom properties style it), and
 * loads nothing else. On intent (pointer over, focus, a touch, a click, `open`, `mode="inline"`,
 * a conversation this tab already has, a method call, `preload="idle"`) it loads `chat-widget.js`
 * from its own directory, pinned by the Subresource Integrity value the build baked in; the real
 * element then takes over in place (`ChatWidget#createRenderRoot` reads what the loader left).
 *
 * Facades like this are what Lighthouse asks of chat widgets ("lazy load third-party resources
 * with facades", https://developer.chrome.com/docs/lighthouse/performance/third-party-facades).
 */
import { matchLanguage, requestedLanguages } from '../i18n/match.js';
import { hasStoredConversation } from '../transcript/storage.js';
import { CHAT_ICON_PATH, launcherCss } from './launcher.styles.js';
import { loaderStrings, type LoaderLanguage } from './strings.js';

/** The full file's integrity value, written in by the build (vite.config.ts, `loader` mode). */
declare const __CHAT_WIDGET_INTEGRITY__: string;

const TAG = 'chat-widget';
/** What a host may call before the element is real: each call loads it, then runs. */
const METHODS = ['send', 'escalate', 'connect', 'disconnect', 'clear'];
const LANGUAGES = Object.keys(loaderStrings) as LoaderLanguage[];
/** Where the loader's failure note sits: above the launcher. */
const ALERT_CSS =
  '[data-loader-alert]{position:fixed;bottom:calc(var(--_offset) * 2 + var(--_launcher-size));' +
  'right:var(--_offset);z-index:var(--_z);max-width:260px;margin:0;padding:8px 12px;' +
  'border-radius:8px;background:#ffebe9;color:#82071e;font:14px/1.4 system-ui,sans-serif;' +
  'box-shadow:var(--_shadow)}:host([position=bottom-left]) [data-loader-alert]{right:auto;' +
  'left:var(--_offset)}';

type Host = HTMLElement & Record<string, unknown>;

// `document.currentScript` is null under `type="module"`: then the loader's own <script> tag
// names the directory (any path, any CDN version folder).
const here =
  (document.currentScript as HTMLScriptElement | null)?.src ||
  [...document.querySelectorAll<HTMLScriptElement>('script[src*="chat-widget.loader"]')].pop()
    ?.src ||
  location.href;

const prepared = new Set<Host>();
let loading: Promise<void> | undefined;
let attempts = 0;
let sheet: CSSStyleSheet | undefined;

const flag = Symbol.for('chat-widget.loader');
const global = window as unknown as Record<symbol, boolean>;
// Twice on one page, or after the full file: nothing more to do.
if (!customElements.get(TAG) && !global[flag]) {
  global[flag] = true;
  for (const el of document.querySelectorAll<Host>(TAG)) prepare(el);
  // Elements added later (single-page apps, the parser still running).
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (!(node instanceof Element)) continue;
        if (node.localName === TAG) prepare(node as Host);
        for (const el of node.querySelectorAll<Host>(TAG)) prepare(el);
      }
    }
  });
  observer.observe(document.documentElement, { childList: true, subtree: true });
  void customElements.whenDefined(TAG).then(() => {
    observer.disconnect();
    for (const el of prepared) unstub(el);
  });
}

function prepare(el: Host): void {
  if (prepared.has(el) || el.shadowRoot || customElements.get(TAG)) return;
  prepared.add(el);
  stub(el);
  const inline = el.getAttribute('mode') === 'inline';
  if (
    inline ||
    el.hasAttribute('open') ||
    hasStoredConversation(
      el.getAttribute('protocol') || 'stream',
      el.getAttribute('server') || '',
      el.id,
    )
  ) {
    void load().catch(() => {});
  }
  if (inline) return;
  const root = el.attachShadow({ mode: 'open' });
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(launcherCss + ALERT_CSS);
  }
  root.adoptedStyleSheets = [sheet];
  const [name, failed] = words(el);
  const button = document.createElement('button');
  button.type = 'button';
  button.setAttribute('part', 'launcher');
  button.setAttribute('aria-label', name);
  button.setAttribute('aria-expanded', 'false');
  button.dataset.loader = '';
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', CHAT_ICON_PATH);
  svg.append(path);
  button.append(svg);
  const soon = () => void load().catch(() => {});
  button.addEventListener('pointerenter', soon);
  button.addEventListener('focus', soon);
  button.addEventListener('touchstart', soon, { passive: true });
  button.addEventListener('click', () => {
    // The real element opens the panel for this very click when it takes over.
    button.dataset.intent = 'open';
    root.querySelector('[data-loader-alert]')?.remove();
    load().catch(() => {
      delete button.dataset.intent;
      const alert = document.createElement('p');
      alert.setAttribute('role', 'alert');
      alert.dir = 'auto';
      alert.dataset.loaderAlert = '';
      alert.textContent = failed;
      root.append(alert);
    });
  });
  root.append(button);
  if (el.getAttribute('preload') === 'idle') {
    (window.requestIdleCallback ?? ((run: () => void) => setTimeout(run, 1)))(soon);
  }
}

/** The launcher's name and the failure note, in the element's language or the page's `strings`. */
function words(el: Host): [string, string] {
  const [name, failed] = loaderStrings[matchLanguage(requestedLanguages(el), LANGUAGES, 'en')];
  const custom = (el.strings ?? {}) as Record<string, unknown>;
  return [
    typeof custom.openChat === 'string' ? custom.openChat : name,
    typeof custom.loadFailed === 'string' ? custom.loadFailed : failed,
  ];
}

/** Method calls and `open = true` before the element is real load it, then take effect. */
function stub(el: Host): void {
  for (const method of METHODS) {
    el[method] = (...args: unknown[]) =>
      load().then(() => (el[method] as (...a: unknown[]) => unknown)(...args));
  }
  let open: unknown;
  Object.defineProperty(el, 'open', {
    configurable: true,
    enumerable: true,
    get: () => open ?? el.hasAttribute('open'),
    set: (value: unknown) => {
      open = value;
      if (value) void load().catch(() => {});
    },
  });
}

function unstub(el: Host): void {
  // Lit has already taken `open` as an instance value; what is left are the method stubs.
  for (const method of METHODS) delete el[method];
}

/** The full widget, once; a failed try is forgotten so that the next intent tries again. */
function load(): Promise<void> {
  if (customElements.get(TAG)) return Promise.resolve();
  loading ??= fetchFull().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

function fetchFull(): Promise<void> {
  const url = new URL('chat-widget.js', here);
  // A module that failed stays failed in the page's module map: a retry needs another URL.
  if (attempts++ > 0) url.searchParams.set('retry', String(attempts));
  // The preload carries the integrity value; `import()` then takes the module it fetched, so no
  // script element is created (and no Trusted Types policy is needed).
  const link = document.createElement('link');
  link.rel = 'modulepreload';
  link.integrity = __CHAT_WIDGET_INTEGRITY__;
  link.href = url.href;
  const preloaded = new Promise<void>((resolve, reject) => {
    link.onload = () => resolve();
    link.onerror = () => reject(new Error('chat-widget.js could not be loaded'));
  });
  document.head.append(link);
  return preloaded
    .then(() => import(/* @vite-ignore */ url.href))
    .then(() => customElements.whenDefined(TAG))
    .then(() => {
      for (const el of prepared) unstub(el);
    })
    .finally(() => link.remove());
}
