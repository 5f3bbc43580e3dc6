// Wires the demo page to the server it was loaded from. Runs before the widget script (both are
// modules, executed in document order), so the widgets already have their `server` when they
// are upgraded and connect.

const server = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
for (const widget of document.querySelectorAll('chat-widget')) {
  widget.setAttribute('server', server);
}

const popup = /** @type {HTMLElement} */ (document.getElementById('popup-chat'));
const controls = /** @type {HTMLFormElement} */ (document.getElementById('controls'));

// The contract's defaults, for attributes the page does not set.
const DEFAULTS = { theme: 'auto', mode: 'popup', position: 'bottom-right', lang: 'en' };

for (const control of controls.elements) {
  if (!(control instanceof HTMLInputElement || control instanceof HTMLSelectElement)) continue;
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
