import { css, unsafeCSS } from 'lit';
import { launcherCss } from './loader/launcher.styles.js';

/** The dark palette: for `theme="dark"`, and for `auto` when the system is dark. */
const dark = css`
  --_bg: var(--chat-widget-background, #0d1117);
  --_fg: var(--chat-widget-foreground, #e6edf3);
  --_muted: var(--chat-widget-muted, #9198a1);
  --_border: var(--chat-widget-border, #3d444d);
  --_surface: var(--chat-widget-surface, #161b22);
  --_agent-bg: var(--chat-widget-agent-background, #3b2e00);
  --_error-bg: var(--chat-widget-error-background, #3c0b10);
  --_error-fg: var(--chat-widget-error-foreground, #ffb3b8);
  --_accent: var(--chat-widget-accent, #1f6feb);
  --_user-fg: var(--chat-widget-user-foreground, #ffffff);
  --_ok: var(--chat-widget-status-connected, #3fb950);
  --_warn: var(--chat-widget-status-reconnecting, #d29922);
  --_bad: var(--chat-widget-status-error, #ff7b72);
  color-scheme: dark;
`;

/**
 * Public custom properties (`--chat-widget-*`) are read once here into private
 * aliases (`--_*`), so the rest of the sheet has one name per value and the
 * themes only swap defaults.
 */
/** The launcher, shared with the loader (plain CSS text, ours, not a page's or a backend's). */
const launcher = unsafeCSS(launcherCss);

export const styles = css`
  ${launcher}

  :host {
    --_accent: var(--chat-widget-accent, #2563eb);
    --_on-accent: var(--chat-widget-on-accent, #ffffff);
    --_bg: var(--chat-widget-background, #ffffff);
    --_fg: var(--chat-widget-foreground, #1f2328);
    --_muted: var(--chat-widget-muted, #57606a);
    --_border: var(--chat-widget-border, #d0d7de);
    --_surface: var(--chat-widget-surface, #f6f8fa);
    --_user-bg: var(--chat-widget-user-background, var(--_accent));
    --_user-fg: var(--chat-widget-user-foreground, var(--_on-accent));
    --_assistant-bg: var(--chat-widget-assistant-background, var(--_surface));
    --_agent-bg: var(--chat-widget-agent-background, #fff8c5);
    --_error-bg: var(--chat-widget-error-background, #ffebe9);
    --_error-fg: var(--chat-widget-error-foreground, #82071e);
    --_ok: var(--chat-widget-status-connected, #1a7f37);
    --_warn: var(--chat-widget-status-reconnecting, #9a6700);
    --_bad: var(--chat-widget-status-error, #cf222e);
    --_font: var(--chat-widget-font, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    --_mono: var(--chat-widget-mono-font, ui-monospace, SFMono-Regular, Menlo, Consolas, monospace);
    --_font-size: var(--chat-widget-font-size, 15px);
    --_radius: var(--chat-widget-radius, 12px);
    --_width: var(--chat-widget-width, 380px);
    --_height: var(--chat-widget-height, 600px);
    --_z: var(--chat-widget-z-index, 2147483000);
    --_offset: var(--chat-widget-offset, 20px);
    --_launcher-size: var(--chat-widget-launcher-size, 56px);
    --_shadow: var(--chat-widget-shadow, 0 12px 40px rgb(0 0 0 / 0.18));
    --_badge-bg: var(--chat-widget-badge-background, #cf222e);
    --_badge-fg: var(--chat-widget-badge-foreground, #ffffff);
    --_code-bg: var(--chat-widget-code-background, #0d1117);
    --_code-fg: var(--chat-widget-code-foreground, #e6edf3);
    --_code-border: var(--chat-widget-code-border, #3d444d);
    --_inline-code-bg: var(--chat-widget-inline-code-background, rgb(127 127 127 / 0.15));

    font-family: var(--_font);
    font-size: var(--_font-size);
    line-height: 1.45;
    color: var(--_fg);
    color-scheme: light;
  }

  :host([theme='dark']) {
    ${dark}
  }

  @media (prefers-color-scheme: dark) {
    :host(:not([theme='light']):not([theme='dark'])) {
      ${dark}
    }
  }

  :host([mode='inline']) {
    display: block;
    height: 100%;
  }

  [hidden] {
    display: none !important;
  }

  button {
    font: inherit;
    cursor: pointer;
  }

  :focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }

  /* A visitor hears about the connection only when something is wrong: connected, the status
     stays in the page (and for screen readers) but takes no room. */
  [part='status'][data-status='connected'],
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }

  [part='badge'] {
    position: absolute;
    top: -4px;
    inset-inline-end: -4px;
    min-width: 20px;
    height: 20px;
    padding: 0 5px;
    box-sizing: border-box;
    border-radius: 10px;
    background: var(--_badge-bg);
    color: var(--_badge-fg);
    font-size: 12px;
    font-weight: 700;
    line-height: 20px;
    text-align: center;
  }

  .icon {
    width: 26px;
    height: 26px;
    fill: currentColor;
  }

  [part='panel'] {
    box-sizing: border-box;
    display: flex;
    flex-direction: column;
    background: var(--_bg);
    color: var(--_fg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    overflow: hidden;
  }

  :host(:not([mode='inline'])) [part='panel'] {
    position: fixed;
    bottom: calc(var(--_offset) * 2 + var(--_launcher-size));
    right: var(--_offset);
    z-index: var(--_z);
    width: min(var(--_width), calc(100vw - 2 * var(--_offset)));
    height: min(var(--_height), calc(100vh - 4 * var(--_offset) - var(--_launcher-size)));
    box-shadow: var(--_shadow);
  }

  :host([position='bottom-left']:not([mode='inline'])) [part='panel'] {
    right: auto;
    left: var(--_offset);
  }

  :host([mode='inline']) [part='panel'] {
    height: 100%;
    min-height: 320px;
  }

  /* Phones: the popup takes the whole screen, as a native chat would. */
  @media (max-width: 480px) {
    :host(:not([mode='inline'])) [part='panel'] {
      /* The visual viewport's box (ViewportController), whatever the host page's width. */
      inset: auto;
      left: var(--_vv-left, 0);
      top: var(--_vv-top, 0);
      width: var(--_vv-width, 100%);
      height: var(--_vv-height, 100%);
      border-radius: 0;
      border: none;
    }
  }

  [part='header'] {
    display: flex;
    align-items: center;
    gap: 8px;
    padding: 10px 12px;
    border-bottom: 1px solid var(--_border);
    background: var(--_surface);
  }

  .title {
    flex: 1;
    min-width: 0;
  }

  .title h2 {
    margin: 0;
    font-size: 1.05em;
    font-weight: 600;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }

  [part='status'] {
    display: flex;
    align-items: center;
    gap: 6px;
    font-size: 0.82em;
    color: var(--_muted);
  }

  [part='status']::before {
    content: '';
    width: 8px;
    height: 8px;
    border-radius: 50%;
    background: var(--_muted);
    flex: none;
  }

  [part='status'][data-status='connected']::before {
    background: var(--_ok);
  }
  .presence {
    font-size: 0.82em;
    color: var(--_muted);
  }
  [part='status'][data-status='reconnecting']::before,
  [part='status'][data-status='connecting']::before {
    background: var(--_warn);
  }
  [part='status'][data-status='error']::before,
  [part='status'][data-status='offline']::before {
    background: var(--_bad);
  }

  /* A header action with a person in the accent colour beside it: not a chip among chips (the
     text keeps the foreground colour: the accent is too dark on the dark surface to read). */
  [part='escalate-button'] {
    display: inline-flex;
    align-items: center;
    gap: 6px;
    border: none;
    background: transparent;
    color: var(--_fg);
    border-radius: 8px;
    padding: 6px 8px;
    font-size: 0.85em;
    font-weight: 600;
    white-space: nowrap;
  }
  [part='escalate-button']:hover {
    background: var(--_bg);
  }
  [part='escalate-button'] svg {
    width: 18px;
    height: 18px;
    fill: var(--_accent);
  }

  .header-button {
    border: none;
    background: transparent;
    color: var(--_fg);
    border-radius: 8px;
    padding: 4px;
    display: grid;
    place-items: center;
  }

  .header-button svg {
    width: 20px;
    height: 20px;
    fill: currentColor;
  }

  [part='error'] {
    display: flex;
    gap: 8px;
    align-items: flex-start;
    padding: 8px 12px;
    background: var(--_error-bg);
    color: var(--_error-fg);
    font-size: 0.9em;
  }

  [part='error'] p {
    margin: 0;
    flex: 1;
  }

  [part='error'] button {
    border: none;
    background: transparent;
    color: inherit;
    text-decoration: underline;
    padding: 0;
  }

  [part='handoff'] {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 8px;
    padding: 8px 12px;
    background: var(--_agent-bg);
    font-size: 0.9em;
  }

  [part='handoff'] p {
    margin: 0;
    flex: 1;
    min-width: 60%;
  }

  [part='handoff'] .link {
    border: none;
    background: transparent;
    color: inherit;
    text-decoration: underline;
    padding: 0;
  }

  .leave {
    display: grid;
    gap: 6px;
    width: 100%;
  }

  .leave label {
    display: grid;
    gap: 2px;
  }

  .leave input,
  .leave textarea {
    font: inherit;
    color: var(--_fg);
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: 6px;
    padding: 4px 6px;
  }

  .leave button {
    justify-self: start;
    border: none;
    border-radius: 6px;
    background: var(--_accent);
    color: var(--_on-accent);
    padding: 4px 10px;
  }

  .agent-chip {
    display: inline-flex;
    align-items: center;
    gap: 4px;
  }

  .log-wrap {
    position: relative;
    flex: 1;
    min-height: 0;
    display: flex;
  }

  [part='messages'] {
    flex: 1;
    overflow-y: auto;
    overscroll-behavior: contain;
  }

  .stack {
    padding: 12px;
    display: flex;
    flex-direction: column;
    gap: 10px;
  }

  [part~='message'] {
    max-width: 88%;
    padding: 8px 12px;
    border-radius: var(--_radius);
    overflow-wrap: anywhere;
    /* Off-screen messages cost no layout or paint in long conversations. */
    content-visibility: auto;
    contain-intrinsic-size: auto 3em;
  }

  [part~='user'] {
    align-self: flex-end;
    background: var(--_user-bg);
    color: var(--_user-fg);
    border-bottom-right-radius: 4px;
  }

  [part~='assistant'],
  [part~='agent'] {
    --_bubble: var(--_assistant-bg);
    align-self: flex-start;
    background: var(--_bubble);
    border-bottom-left-radius: 4px;
  }

  [part~='agent'] {
    --_bubble: var(--_agent-bg);
    background: var(--_agent-bg);
  }

  [part~='system'] {
    align-self: center;
    background: transparent;
    color: var(--_muted);
    font-size: 0.88em;
    text-align: center;
  }

  /* Not faded: faded text fails contrast; the "Sending…" line says the state. */
  [part~='message'][data-state='sending'] {
    outline: 1px dashed var(--_border);
    outline-offset: 1px;
  }

  [part~='message'][data-state='failed'] {
    outline: 1px solid var(--_bad);
  }

  .author {
    display: flex;
    align-items: center;
    gap: 6px;
    font-size: 0.78em;
    font-weight: 600;
    color: var(--_muted);
    margin-bottom: 2px;
  }

  [part='avatar'] {
    width: 20px;
    height: 20px;
    border-radius: 50%;
    object-fit: cover;
  }

  .meta {
    display: flex;
    gap: 6px;
    font-size: 0.76em;
    margin-top: 4px;
  }

  .meta button {
    border: none;
    background: transparent;
    color: inherit;
    text-decoration: underline;
    padding: 0 0 0 6px;
  }

  [part='content'] > :first-child {
    margin-top: 0;
  }
  [part='content'] > :last-child {
    margin-bottom: 0;
  }
  [part='content'] p,
  [part='content'] ul,
  [part='content'] ol,
  [part='content'] pre,
  [part='content'] table,
  [part='content'] blockquote {
    margin: 0.5em 0;
  }
  [part='content'] ul,
  [part='content'] ol {
    padding-inline-start: 1.4em;
  }
  [part='content'] a {
    color: inherit;
    text-decoration: underline;
  }
  [part='content'] code {
    font-family: var(--_mono);
    font-size: 0.9em;
  }
  [part='content'] :not(pre) > code {
    background: var(--_inline-code-bg);
    border-radius: 4px;
    padding: 0.1em 0.3em;
  }
  [part='content'] pre {
    position: relative;
    background: var(--_code-bg);
    color: var(--_code-fg);
    padding: 10px 12px;
    border-radius: 8px;
    overflow-x: auto;
  }
  /* The copy button sits after the <pre>, inside the code block, in its top corner. */
  [part='content'] [part='code-block'] {
    position: relative;
    margin: 0.5em 0;
  }
  /* The button has the code block's first row to itself: long lines scroll beneath it. */
  [part='content'] [part='code-block'] pre {
    margin: 0;
    padding-top: 32px;
  }
  [part='content'] [part='copy-button'] {
    position: absolute;
    top: 6px;
    inset-inline-end: 6px;
    font-size: 0.75em;
    border: 1px solid var(--_code-border);
    background: var(--_code-bg);
    color: var(--_code-fg);
    border-radius: 6px;
    padding: 2px 6px;
  }
  [part='content'] [part='copy-button']:hover {
    border-color: var(--_code-fg);
  }
  /* A wide table scrolls; a shadow at the edge that has more says so (the covers scroll with
     the content, the shadows stay: https://lea.verou.me/blog/2012/04/background-attachment-local/). */
  [part='content'] table {
    border-collapse: collapse;
    display: block;
    overflow-x: auto;
    max-width: 100%;
    background:
      linear-gradient(to right, var(--_bubble), transparent) left / 24px 100% no-repeat local,
      linear-gradient(to left, var(--_bubble), transparent) right / 24px 100% no-repeat local,
      radial-gradient(farthest-side at 0 50%, rgb(0 0 0 / 0.25), transparent) left / 10px 100%
        no-repeat scroll,
      radial-gradient(farthest-side at 100% 50%, rgb(0 0 0 / 0.25), transparent) right / 10px 100%
        no-repeat scroll;
  }
  [part='content'] th,
  [part='content'] td {
    border: 1px solid var(--_border);
    padding: 4px 8px;
    text-align: start;
    /* Bubbles break anywhere so long URLs cannot overflow; a table scrolls instead. */
    overflow-wrap: normal;
  }
  [part='content'] blockquote {
    border-inline-start: 3px solid var(--_border);
    padding-inline-start: 10px;
    color: var(--_muted);
  }
  [part='content'] img {
    max-width: 100%;
    height: auto;
  }
  [part='content'][data-plain] {
    white-space: pre-wrap;
  }
  /* A very long plain-text fallback paragraph, cut into chunks that read as one paragraph and
     are laid out only near the viewport (100 lines of about 1.45em each). */
  [part='content'] p[data-chunk] {
    content-visibility: auto;
    contain-intrinsic-size: auto 145em;
  }
  [part='content'] p[data-chunk='next'] {
    margin-top: 0;
  }
  [part='content'] p[data-chunk]:has(+ p[data-chunk='next']) {
    margin-bottom: 0;
  }

  [part='typing'] {
    align-self: flex-start;
    display: flex;
    align-items: center;
    gap: 8px;
    color: var(--_muted);
    font-size: 0.88em;
  }

  .dots {
    display: inline-flex;
    gap: 3px;
  }

  .dots span {
    width: 6px;
    height: 6px;
    border-radius: 50%;
    background: currentColor;
    animation: blink 1.2s infinite ease-in-out;
  }
  .dots span:nth-child(2) {
    animation-delay: 0.2s;
  }
  .dots span:nth-child(3) {
    animation-delay: 0.4s;
  }

  @keyframes blink {
    0%,
    80%,
    100% {
      opacity: 0.25;
    }
    40% {
      opacity: 1;
    }
  }

  .new-messages {
    position: absolute;
    bottom: 10px;
    left: 50%;
    transform: translateX(-50%);
    border: none;
    border-radius: 999px;
    padding: 6px 12px;
    background: var(--_accent);
    color: var(--_on-accent);
    box-shadow: var(--_shadow);
    font-size: 0.85em;
  }

  [part='composer'] {
    display: flex;
    gap: 8px;
    align-items: flex-end;
    padding: 10px 12px;
    border-top: 1px solid var(--_border);
  }

  [part='input'] {
    flex: 1;
    resize: none;
    font: inherit;
    color: inherit;
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: 8px;
    padding: 8px 10px;
    /* Grows with its text up to a few lines, then scrolls. */
    field-sizing: content;
    min-height: 1.45em;
    max-height: calc(1.45em * 5 + 16px);
  }

  [part='send-button'] {
    border: none;
    border-radius: 50%;
    background: var(--_accent);
    color: var(--_on-accent);
    width: 38px;
    height: 38px;
    padding: 0;
    display: grid;
    place-items: center;
    flex: none;
    align-self: flex-end;
  }
  [part='send-button'] svg {
    width: 20px;
    height: 20px;
    fill: currentColor;
  }
  /* The plane points the way the text runs. */
  [dir='rtl'] [part='send-button'] svg {
    transform: scaleX(-1);
  }

  [part='send-button']:disabled {
    opacity: 0.5;
    cursor: not-allowed;
  }

  .notice {
    margin: 0;
    padding: 0 12px 8px;
    font-size: 0.82em;
    color: var(--_bad);
  }

  /* Brief motion for what arrives: the panel opening, a new message. Movement only, never
     opacity, so that text is at full contrast at every instant (axe checks mid-animation). */
  @keyframes rise {
    from {
      transform: translateY(6px);
    }
  }
  @keyframes open {
    from {
      transform: translateY(12px) scale(0.98);
    }
  }
  :host(:not([mode='inline'])) [part='panel']:not([hidden]) {
    animation: open 0.18s ease-out;
    transform-origin: bottom right;
  }
  [part~='message'] {
    animation: rise 0.15s ease-out;
  }

  @media (prefers-reduced-motion: reduce) {
    *,
    *::before,
    *::after {
      animation: none !important;
      transition: none !important;
    }
  }
`;
