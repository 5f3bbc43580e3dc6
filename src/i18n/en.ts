/**
 * Every string the widget shows. Other languages implement the same keys; a
 * host may override any of them through the `strings` property.
 */
export const en = {
  heading: 'Chat',
  placeholder: 'Type a message…',
  send: 'Send',
  openChat: 'Open chat',
  closeChat: 'Close chat',
  talkToHuman: 'Talk to a human',
  escalationReason: 'The visitor asked for a human.',
  inputLabel: 'Message',
  messagesLabel: 'Conversation',
  newMessages: 'New messages',
  typing: 'Assistant is typing…',
  personTyping: '{name} is typing…',
  you: 'You',
  assistant: 'Assistant',
  copy: 'Copy code',
  copied: 'Copied',
  dismiss: 'Dismiss',
  retry: 'Retry',
  statusConnecting: 'Connecting…',
  statusConnected: 'Connected',
  statusReconnecting: 'Reconnecting…',
  statusReconnectingIn: 'Reconnecting in {seconds} s',
  statusOffline: 'Offline',
  statusError: 'Error',
  online: '{count} online',
  stateSending: 'Sending…',
  stateFailed: 'Not sent',
  noteInterrupted: 'This reply was interrupted.',
  noteEdited: 'edited',
  noteDeleted: 'This message was deleted.',
  noteTruncated: 'This reply was too long and has been shortened.',
  tooLong: 'Your message is {length} characters; the limit is {max}. Shorten it to send.',
  rateLimited: 'You are sending quickly; your messages are queued and will go out in a moment.',
  offlineQueued: 'You are offline. Messages you send now go out when the connection is back.',
  errorNoServer: 'The chat is not configured: the server attribute is missing.',
  errorBadServer: 'The chat is not configured: "{server}" is not a WebSocket URL.',
  errorProtocol: 'The chat is not configured: unknown protocol "{protocol}".',
  errorToken: 'Could not sign in to the chat: {reason}',
  errorRefused:
    'The chat server refused the connection (it may be down, or the sign-in token was rejected).',
  errorAuth: 'The chat server rejected the sign-in: {reason}',
  errorServer: '{reason}',
  errorClosed: 'The chat connection closed: {reason}',
  openChatUnread: 'Open chat, {count} unread',
  agent: 'Support agent',
};

export type Strings = typeof en;
export type StringKey = keyof Strings;
