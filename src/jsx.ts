/**
 * `import type {} from 'chat-widget/jsx'`: `<chat-widget …>` in React 19 TSX, typed. Opt-in, so
 * that a site without React's types is not asked for them.
 */
import type { HTMLAttributes } from 'react';
import type { ChatWidget } from './chat-widget.js';
import type { ProtocolName } from './types.js';

/** The element's attributes as JSX takes them (React 19 sets unknown props on custom elements). */
export interface ChatWidgetJsxAttributes extends HTMLAttributes<ChatWidget> {
  server?: string;
  protocol?: ProtocolName;
  'token-url'?: string;
  token?: string;
  'user-id'?: string;
  'user-name'?: string;
  'conversation-id'?: string;
  'api-base'?: string;
  'agent-id'?: string;
  heading?: string;
  placeholder?: string;
  greeting?: string;
  theme?: 'light' | 'dark' | 'auto';
  mode?: 'popup' | 'inline';
  position?: 'bottom-right' | 'bottom-left';
  open?: boolean;
  escalation?: 'auto' | 'off';
  'image-hosts'?: string;
  'max-length'?: number;
  'max-reply-length'?: number;
  'reply-timeout'?: number;
  'assistant-name'?: string;
  'assistant-avatar'?: string;
  'agent-name'?: string;
  preload?: 'idle';
}

declare module 'react' {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- React's own JSX namespace
  namespace JSX {
    interface IntrinsicElements {
      'chat-widget': ChatWidgetJsxAttributes;
    }
  }
}
