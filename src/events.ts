/**
 * The widget's public events: one typed class each, all `bubbles` and
 * `composed` so a host page can listen on the element or above it.
 */
import type { Author, ConnectionStatus, HandoffState, PublicMessage } from './types.js';

abstract class ChatEvent<T> extends CustomEvent<T> {
  constructor(type: string, detail: T, cancelable = false) {
    super(type, { detail, bubbles: true, composed: true, cancelable });
  }
}

export class ChatOpenEvent extends ChatEvent<null> {
  static readonly type = 'chat-open';
  constructor() {
    super(ChatOpenEvent.type, null);
  }
}

export class ChatCloseEvent extends ChatEvent<null> {
  static readonly type = 'chat-close';
  constructor() {
    super(ChatCloseEvent.type, null);
  }
}

/** Fired before a user message leaves; `preventDefault()` vetoes it. */
export class ChatSendEvent extends ChatEvent<{ text: string }> {
  static readonly type = 'chat-send';
  constructor(text: string) {
    super(ChatSendEvent.type, { text }, true);
  }
}

export class ChatStatusEvent extends ChatEvent<{ status: ConnectionStatus }> {
  static readonly type = 'chat-status';
  constructor(status: ConnectionStatus) {
    super(ChatStatusEvent.type, { status });
  }
}

export class ChatMessageEvent extends ChatEvent<{ message: PublicMessage }> {
  static readonly type = 'chat-message';
  constructor(message: PublicMessage) {
    super(ChatMessageEvent.type, { message });
  }
}

export class ChatEscalateEvent extends ChatEvent<{ reason: string }> {
  static readonly type = 'chat-escalate';
  constructor(reason: string) {
    super(ChatEscalateEvent.type, { reason });
  }
}

export interface HandoffDetail {
  state: HandoffState;
  agent?: Author;
  position?: number;
}

export class ChatHandoffEvent extends ChatEvent<HandoffDetail> {
  static readonly type = 'chat-handoff';
  constructor(detail: HandoffDetail) {
    super(ChatHandoffEvent.type, detail);
  }
}

/** Error codes a host page can branch on. */
export type ChatErrorCode =
  | 'config'
  | 'token'
  | 'auth'
  | 'connection'
  | 'server-error'
  | 'rate-limited'
  | 'too-long'
  | 'send-failed'
  | (string & {});

/**
 * `message` is what the visitor was told (in their language); `detail`, when there is one, is
 * the backend's own words (a server's error text, a close reason), for the page's logs.
 */
export interface ChatErrorDetail {
  code: ChatErrorCode;
  message: string;
  detail?: string;
}

export class ChatErrorEvent extends ChatEvent<ChatErrorDetail> {
  static readonly type = 'chat-error';
  constructor(code: ChatErrorCode, message: string, detail?: string) {
    super(ChatErrorEvent.type, { code, message, ...(detail !== undefined ? { detail } : {}) });
  }
}

/** Every event of the widget, by name: they bubble and are composed, so they reach `document`. */
export interface ChatWidgetEventMap {
  'chat-open': ChatOpenEvent;
  'chat-close': ChatCloseEvent;
  'chat-send': ChatSendEvent;
  'chat-status': ChatStatusEvent;
  'chat-message': ChatMessageEvent;
  'chat-escalate': ChatEscalateEvent;
  'chat-handoff': ChatHandoffEvent;
  'chat-error': ChatErrorEvent;
}

// Declaration merging into the DOM's own maps: `el.addEventListener('chat-error', e => e.detail)`
// and the same on `document` or `window` are typed.
/* eslint-disable @typescript-eslint/no-empty-object-type -- merging needs the empty body */
declare global {
  interface HTMLElementEventMap extends ChatWidgetEventMap {}
  interface DocumentEventMap extends ChatWidgetEventMap {}
  interface WindowEventMap extends ChatWidgetEventMap {}
}
/* eslint-enable @typescript-eslint/no-empty-object-type */
