import { ChatWidget } from './chat-widget.js';

// A page may include the script twice (a CMS plugin and a manual tag): the
// second copy must not throw on a second `define`.
if (!customElements.get('chat-widget')) {
  customElements.define('chat-widget', ChatWidget);
}

declare global {
  interface HTMLElementTagNameMap {
    'chat-widget': ChatWidget;
  }
}
