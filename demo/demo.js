// Wires the demo page to the server it was loaded from. Runs before the widget script (both are
// modules, executed in document order), so the widgets already have their protocol and `server`
// when they are upgraded and connect.
//
// /demo-config.js comes from the demo server: the protocol it was started with (`--protocol`)
// and where each protocol's endpoints are. `?protocol=` in this page's address wins, and the
// picker keeps it there, so a reload stays on the protocol last chosen.
import config from '/demo-config.js';

const widgets = /** @type {HTMLElement[]} */ ([...document.querySelectorAll('chat-widget')]);
const popup = /** @type {HTMLElement} */ (document.getElementById('popup-chat'));
const controls = /** @type {HTMLFormElement} */ (document.getElementById('controls'));
const protocolPicker = /** @type {HTMLSelectElement} */ (document.getElementById('ctl-protocol'));

const requested = new URLSearchParams(location.search).get('protocol');
const initialProtocol =
  requested && Object.hasOwn(config.endpoints, requested) ? requested : config.protocol;
protocolPicker.value = initialProtocol;
applyProtocol(initialProtocol);
protocolPicker.addEventListener('input', () => {
  applyProtocol(protocolPicker.value);
  const url = new URL(location.href);
  url.searchParams.set('protocol', protocolPicker.value);
  history.replaceState(history.state, '', url);
});

/**
 * Points both widgets at this server's endpoints for `protocol`. Changing these attributes makes
 * a running widget reconnect, with the transcript it keeps for that protocol in this tab.
 * @param {string} protocol
 */
function applyProtocol(protocol) {
  const { server, apiBase } = config.endpoints[protocol];
  const socketOrigin = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}`;
  for (const widget of widgets) {
    widget.setAttribute('protocol', protocol);
    widget.setAttribute('server', socketOrigin + server);
    if (apiBase) widget.setAttribute('api-base', new URL(apiBase, location.origin).href);
    else widget.removeAttribute('api-base');
    // A room must be named before connecting; the other protocols create or pick their own.
    if (protocol === 'rooms') widget.setAttribute('conversation-id', roomFor(widget.id));
    else widget.removeAttribute('conversation-id');
  }
}

/**
 * One room per widget and tab, kept across reloads like the widget's own transcript.
 * @param {string} widgetId
 */
function roomFor(widgetId) {
  const key = `chat-widget-demo:room:${widgetId}`;
  let room = null;
  try {
    room = sessionStorage.getItem(key);
    if (!room) {
      room = newUuid();
      sessionStorage.setItem(key, room);
    }
  } catch {
    // No storage (sandboxed frame): a fresh room per load still works, just without continuity.
  }
  return room ?? newUuid();
}

/** crypto.randomUUID only exists on https and localhost; the demo may be opened over a LAN. */
function newUuid() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// The contract's defaults, for attributes the page does not set.
const DEFAULTS = { theme: 'auto', mode: 'popup', position: 'bottom-right', lang: 'en' };

for (const control of controls.elements) {
  if (!(control instanceof HTMLInputElement || control instanceof HTMLSelectElement)) continue;
  if (control === protocolPicker) continue;
  control.value =
    popup.getAttribute(control.name) ??
    DEFAULTS[/** @type {keyof DEFAULTS} */ (control.name)] ??
    '';
  control.addEventListener('input', () => applyControl(control));
}

// Enter in the heading field must not reload the page.
controls.addEventListener('submit', (event) => event.preventDefault());

/** @param {HTMLInputElement | HTMLSelectElement} control */
function applyControl(control) {
  const value = control.value.trim();
  if (value === '' && control.name === 'heading') popup.removeAttribute('heading');
  else popup.setAttribute(control.name, value);
  if (control.name === 'mode') {
    document.getElementById('stage')?.classList.toggle('is-inline', value === 'inline');
  }
}

document.getElementById('open-chat')?.addEventListener('click', () => {
  if (popup.getAttribute('mode') === 'inline') {
    popup.scrollIntoView({ behavior: 'smooth', block: 'center' });
  } else {
    popup.setAttribute('open', '');
  }
});

// What the widgets tell the page, so the public events can be seen at work.
const log = /** @type {HTMLOListElement} */ (document.getElementById('event-log'));
const MAX_LOG_ENTRIES = 40;
const EVENTS = [
  'chat-open',
  'chat-close',
  'chat-send',
  'chat-status',
  'chat-message',
  'chat-escalate',
  'chat-handoff',
  'chat-error',
];
for (const name of EVENTS) {
  document.addEventListener(name, (event) => {
    const source = event.target instanceof Element ? event.target.id || 'chat-widget' : '?';
    const detail = /** @type {CustomEvent} */ (event).detail;
    const item = document.createElement('li');
    const time = document.createElement('time');
    time.textContent = new Date().toLocaleTimeString();
    const what = document.createElement('span');
    // textContent only: details carry user and bot text, which must not become markup here.
    what.textContent = `${source} · ${name}${detail ? ` ${summarize(detail)}` : ''}`;
    item.append(time, what);
    log.prepend(item);
    while (log.children.length > MAX_LOG_ENTRIES) log.lastElementChild?.remove();
  });
}

/** @param {unknown} detail */
function summarize(detail) {
  const text = JSON.stringify(detail) ?? '';
  return text.length > 140 ? `${text.slice(0, 139)}…` : text;
}

// After `load` every module script has run, so an undefined element means the build is missing.
addEventListener('load', () => {
  if (!customElements.get('chat-widget')) {
    document.getElementById('build-notice')?.removeAttribute('hidden');
  }
});
