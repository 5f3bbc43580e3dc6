/**
 * `chat-widget/react`: the element as a React component, with typed `onChat…` props for its
 * events (https://lit.dev/docs/frameworks/react/). React 19 renders custom elements natively, but
 * a wrapper still gives typed event props, properties (`getToken`, `strings`) set as properties,
 * and the same component on React 18.
 */
import { createComponent, type EventName } from '@lit/react';
import * as React from 'react';
import { ChatWidget as ChatWidgetElement } from './chat-widget.js';
import './define.js';
import type {
  ChatCloseEvent,
  ChatErrorEvent,
  ChatEscalateEvent,
  ChatHandoffEvent,
  ChatMessageEvent,
  ChatOpenEvent,
  ChatSendEvent,
  ChatStatusEvent,
} from './events.js';

export const ChatWidget = createComponent({
  tagName: 'chat-widget',
  elementClass: ChatWidgetElement,
  react: React,
  events: {
    onChatOpen: 'chat-open' as EventName<ChatOpenEvent>,
    onChatClose: 'chat-close' as EventName<ChatCloseEvent>,
    onChatSend: 'chat-send' as EventName<ChatSendEvent>,
    onChatStatus: 'chat-status' as EventName<ChatStatusEvent>,
    onChatMessage: 'chat-message' as EventName<ChatMessageEvent>,
    onChatEscalate: 'chat-escalate' as EventName<ChatEscalateEvent>,
    onChatHandoff: 'chat-handoff' as EventName<ChatHandoffEvent>,
    onChatError: 'chat-error' as EventName<ChatErrorEvent>,
  },
  displayName: 'ChatWidget',
});
