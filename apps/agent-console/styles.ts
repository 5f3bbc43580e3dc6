/**
 * The console's look. Over 400 lines because it is one stylesheet for one shadow root, in the
 * order of the views it styles (views/): the shell, the inbox, the chat, the sign-in form.
 */
import { css } from 'lit';

/**
 * The page around the console. Set from the script as a constructed stylesheet, so the HTML
 * carries no style and the page's policy can forbid inline ones.
 */
export const pageStyles = css`
  html,
  body {
    margin: 0;
    height: 100%;
    background: #f6f7f9;
    color-scheme: light dark;
  }
  @media (prefers-color-scheme: dark) {
    html,
    body {
      background: #0f1419;
    }
  }
`;

// Colours are chosen for at least 4.5:1 against the surface they sit on, in both schemes.
export const styles = css`
  :host {
    --bg: #f6f7f9;
    --surface: #ffffff;
    --surface-2: #eef1f5;
    --text: #1b1f24;
    --muted: #525a64;
    --border: #c9d1db;
    --accent: #0b5cad;
    --accent-text: #ffffff;
    --accent-soft: #e3eefb;
    --danger: #a4161a;
    --ok: #1a6b35;
    --focus: #0b5cad;
    --visitor: #ffffff;
    --team: #e3eefb;
    --note: #5a4a00;
    display: block;
    height: 100%;
    font:
      15px/1.45 system-ui,
      -apple-system,
      'Segoe UI',
      Roboto,
      sans-serif;
    color: var(--text);
    background: var(--bg);
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --bg: #0f1419;
      --surface: #1a2028;
      --surface-2: #232b35;
      --text: #e6edf3;
      --muted: #a4afbb;
      --border: #3a4552;
      --accent: #6cb0f5;
      --accent-text: #0b0f14;
      --accent-soft: #1d3550;
      --danger: #ff8f8a;
      --ok: #7ad492;
      --focus: #6cb0f5;
      --visitor: #1a2028;
      --team: #1d3550;
      --note: #e8cf6a;
    }
  }
  * {
    box-sizing: border-box;
  }
  :focus-visible {
    outline: 3px solid var(--focus);
    outline-offset: 2px;
  }
  button,
  input,
  select,
  textarea {
    font: inherit;
    color: inherit;
  }
  button {
    cursor: pointer;
    border: 1px solid var(--border);
    background: var(--surface);
    border-radius: 6px;
    padding: 0.35rem 0.75rem;
    min-height: 2.25rem;
  }
  button.primary {
    background: var(--accent);
    border-color: var(--accent);
    color: var(--accent-text);
    font-weight: 600;
  }
  button.danger {
    color: var(--danger);
  }
  button:disabled {
    cursor: not-allowed;
    opacity: 0.65;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  .shell {
    display: grid;
    grid-template-rows: auto auto 1fr;
    height: 100%;
    min-height: 0;
  }
  header.top {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5rem 1rem;
    padding: 0.5rem 1rem;
    background: var(--surface);
    border-bottom: 1px solid var(--border);
  }
  header.top h1 {
    font-size: 1.05rem;
    margin: 0;
    margin-inline-end: auto;
  }
  .who {
    display: inline-flex;
    align-items: center;
    gap: 0.4rem;
  }
  .avatar {
    width: 28px;
    height: 28px;
    border-radius: 50%;
    object-fit: cover;
  }
  .pill {
    display: inline-block;
    padding: 0.05rem 0.5rem;
    border-radius: 999px;
    background: var(--surface-2);
    color: var(--muted);
    font-size: 0.85rem;
  }
  .pill[data-status='connected'] {
    color: var(--ok);
  }
  .banner {
    margin: 0;
    padding: 0.5rem 1rem;
    background: var(--accent-soft);
    border-bottom: 1px solid var(--border);
  }
  .banner[role='alert'] {
    color: var(--danger);
  }
  .layout {
    display: grid;
    grid-template-columns: minmax(16rem, 22rem) 1fr;
    min-height: 0;
  }
  nav.inbox {
    overflow: auto;
    border-inline-end: 1px solid var(--border);
    background: var(--surface);
    padding: 0.25rem 0 1rem;
  }
  nav.inbox h2 {
    font-size: 0.8rem;
    text-transform: uppercase;
    letter-spacing: 0.04em;
    color: var(--muted);
    margin: 1rem 1rem 0.25rem;
  }
  nav.inbox ul {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  nav.inbox li {
    display: flex;
    align-items: stretch;
    border-bottom: 1px solid var(--surface-2);
  }
  .chat-link {
    flex: 1;
    min-width: 0;
    text-align: start;
    border: 0;
    border-radius: 0;
    background: transparent;
    padding: 0.5rem 1rem;
    display: grid;
    gap: 0.1rem;
  }
  .chat-link[aria-current='true'] {
    background: var(--accent-soft);
    box-shadow: inset 4px 0 0 var(--accent);
  }
  .chat-link .line {
    display: flex;
    flex-wrap: wrap;
    gap: 0 0.5rem;
    justify-content: space-between;
  }
  .chat-link .line strong {
    white-space: nowrap;
  }
  .chat-link .preview {
    color: var(--muted);
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .chat-link .meta {
    color: var(--muted);
    font-size: 0.85rem;
    white-space: nowrap;
  }
  nav.inbox li > button.take {
    margin: 0.5rem 1rem 0.5rem 0;
    align-self: center;
  }
  .empty {
    color: var(--muted);
    margin: 0.25rem 1rem;
  }
  .left-message {
    display: block;
    padding: 0.5rem 1rem;
  }
  .left-message p {
    margin: 0.25rem 0;
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  .left-message .actions {
    display: flex;
    gap: 0.5rem;
    flex-wrap: wrap;
  }
  main.chat {
    display: grid;
    grid-template-rows: auto 1fr auto auto;
    min-height: 0;
    min-width: 0;
  }
  main.chat.placeholder {
    display: grid;
    place-items: center;
    color: var(--muted);
    padding: 2rem;
    text-align: center;
  }
  .chat-header {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5rem;
    padding: 0.5rem 1rem;
    background: var(--surface);
    border-bottom: 1px solid var(--border);
  }
  .chat-header h2 {
    margin: 0;
    font-size: 1.05rem;
    margin-inline-end: auto;
  }
  .chat-header .state {
    color: var(--muted);
    font-size: 0.9rem;
  }
  .transfer {
    display: inline-flex;
    gap: 0.35rem;
    align-items: center;
  }
  .transfer select {
    min-height: 2.25rem;
    border: 1px solid var(--border);
    border-radius: 6px;
    background: var(--surface);
  }
  .back {
    display: none;
  }
  .transcript {
    overflow: auto;
    min-height: 0;
  }
  ol.messages {
    list-style: none;
    margin: 0;
    padding: 1rem;
    display: flex;
    flex-direction: column;
    gap: 0.6rem;
  }
  .message {
    max-width: min(42rem, 90%);
    padding: 0.5rem 0.75rem;
    border-radius: 10px;
    border: 1px solid var(--border);
    background: var(--visitor);
    overflow-wrap: anywhere;
  }
  .message.user {
    align-self: flex-start;
  }
  .message.assistant,
  .message.agent {
    align-self: flex-end;
    background: var(--team);
  }
  .message.system {
    align-self: center;
    border: 0;
    background: transparent;
    color: var(--note);
    font-size: 0.9rem;
    text-align: center;
    padding: 0.1rem 0.5rem;
  }
  .message .author {
    display: flex;
    gap: 0.5rem;
    justify-content: space-between;
    font-size: 0.8rem;
    color: var(--muted);
    margin-bottom: 0.2rem;
  }
  .message .author strong {
    color: var(--text);
  }
  .message .plain {
    white-space: pre-wrap;
    margin: 0;
  }
  .message .delivery {
    font-size: 0.8rem;
    color: var(--muted);
    margin-top: 0.25rem;
  }
  .message .delivery[data-state='failed'] {
    color: var(--danger);
  }
  .content > :first-child {
    margin-top: 0;
  }
  .content > :last-child {
    margin-bottom: 0;
  }
  /* Wrapped rather than scrolled: a scrolling block inside the scrolling transcript would need
     its own tab stop to be read with a keyboard. */
  .content pre {
    white-space: pre-wrap;
    overflow-wrap: anywhere;
    padding: 0.5rem;
    background: var(--surface-2);
    border-radius: 6px;
  }
  .content table {
    border-collapse: collapse;
    max-width: 100%;
  }
  .content th,
  .content td {
    border: 1px solid var(--border);
    padding: 0.2rem 0.5rem;
  }
  .content a {
    color: var(--accent);
  }
  .content [part='code-block'] {
    position: relative;
  }
  .content [part='copy-button'] {
    position: absolute;
    top: 0.25rem;
    inset-inline-end: 0.25rem;
    min-height: 0;
    padding: 0.1rem 0.4rem;
    font-size: 0.8rem;
  }
  .typing {
    padding: 0 1rem 0.25rem;
    min-height: 1.5rem;
    color: var(--muted);
    font-style: italic;
  }
  form.composer {
    display: grid;
    grid-template-columns: 1fr auto;
    gap: 0.5rem;
    padding: 0.5rem 1rem 1rem;
    border-top: 1px solid var(--border);
    background: var(--surface);
  }
  form.composer label {
    grid-column: 1 / -1;
    font-size: 0.85rem;
    color: var(--muted);
  }
  form.composer textarea {
    resize: vertical;
    min-height: 2.75rem;
    max-height: 12rem;
    padding: 0.5rem;
    border: 1px solid var(--border);
    border-radius: 6px;
    background: var(--surface);
  }
  form.composer button {
    align-self: end;
  }
  .hint {
    margin: 0;
    padding: 0.75rem 1rem 1rem;
    border-top: 1px solid var(--border);
    background: var(--surface);
    color: var(--muted);
  }
  .sign-in {
    max-width: 22rem;
    margin: 10vh auto 0;
    padding: 1.5rem;
    background: var(--surface);
    border: 1px solid var(--border);
    border-radius: 10px;
    display: grid;
    gap: 0.75rem;
  }
  .sign-in h1 {
    margin: 0;
    font-size: 1.25rem;
  }
  .sign-in label {
    display: grid;
    gap: 0.25rem;
  }
  .sign-in input {
    padding: 0.45rem;
    border: 1px solid var(--border);
    border-radius: 6px;
    background: var(--surface);
  }
  .sign-in .error {
    color: var(--danger);
    margin: 0;
  }
  .sign-in p {
    margin: 0;
    color: var(--muted);
  }

  /* A phone: the inbox or one chat, never both. */
  @media (max-width: 720px) {
    .layout {
      grid-template-columns: 1fr;
    }
    .layout[data-pane='chat'] nav.inbox,
    .layout[data-pane='inbox'] main.chat {
      display: none;
    }
    nav.inbox {
      border-inline-end: 0;
    }
    .back {
      display: inline-block;
    }
    .message {
      max-width: 95%;
    }
    header.top {
      padding: 0.5rem;
    }
  }
`;
