/**
 * The launcher's look, as plain CSS text: the full element embeds it in its styles, and the
 * loader (which has no Lit) adopts it as a constructable stylesheet, so the two launchers cannot
 * drift apart. `css` here only marks the literal for the build's CSS minifier (vite.config.ts).
 */
const css = String.raw;

export const launcherCss = css`
  :host {
    --_accent: var(--chat-widget-accent, #2563eb);
    --_on-accent: var(--chat-widget-on-accent, #ffffff);
    --_z: var(--chat-widget-z-index, 2147483000);
    --_offset: var(--chat-widget-offset, 20px);
    --_launcher-size: var(--chat-widget-launcher-size, 56px);
    --_shadow: var(--chat-widget-shadow, 0 12px 40px rgb(0 0 0 / 0.18));
  }
  :host([theme='dark']) {
    --_accent: var(--chat-widget-accent, #1f6feb);
  }
  @media (prefers-color-scheme: dark) {
    :host(:not([theme='light']):not([theme='dark'])) {
      --_accent: var(--chat-widget-accent, #1f6feb);
    }
  }
  [part='launcher'] {
    position: fixed;
    bottom: var(--_offset);
    right: var(--_offset);
    z-index: var(--_z);
    width: var(--_launcher-size);
    height: var(--_launcher-size);
    border-radius: 50%;
    border: none;
    background: var(--_accent);
    color: var(--_on-accent);
    box-shadow: var(--_shadow);
    display: grid;
    place-items: center;
    transition: transform 0.15s ease;
    font: inherit;
    cursor: pointer;
  }
  [part='launcher']:hover {
    transform: scale(1.05);
  }
  [part='launcher']:focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  :host([position='bottom-left']) [part='launcher'] {
    right: auto;
    left: var(--_offset);
  }
  [part='launcher'] svg {
    width: 26px;
    height: 26px;
    fill: currentColor;
  }
`;

/** The launcher's chat bubble icon (24×24 view box). */
export const CHAT_ICON_PATH = 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z';
