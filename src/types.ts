/** Who wrote a message. `agent` is a human; `system` is a note from the widget or the backend. */
export type Role = 'user' | 'assistant' | 'agent' | 'system';

/** Where a message is in its life; mirrored on `data-state` of `part="message"`. */
export type MessageState = 'sending' | 'sent' | 'streaming' | 'complete' | 'failed';

/** Connection status; mirrored on `data-status` of `part="status"` and in `chat-status`. */
export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'error';

export type HandoffState = 'queued' | 'assigned' | 'ended' | 'unavailable';

export type ProtocolName = 'stream' | 'events' | 'rooms' | 'threads';

export interface Author {
  name: string;
  avatar?: string;
}

/** One message in the transcript, as the widget keeps and persists it. */
export interface ChatMessage {
  id: string;
  role: Role;
  content: string;
  state: MessageState;
  /** ms since epoch, local clock */
  createdAt: number;
  author?: Author;
  /** Why a message ended abnormally, or that it was edited/deleted; shown under the text. */
  note?: 'interrupted' | 'edited' | 'deleted' | 'truncated' | 'rejected' | 'no-answer';
  /** For `failed` user messages and interrupted replies: the reason in words. */
  reason?: string;
  /** An interrupted reply whose question was asked again (once is enough, after a reload too). */
  retried?: true;
  /** Other ids the backend knows this message by (server id of a user message, final id of a reply). */
  aliases?: string[];
}

/** The public message shape of `chat-message`. */
export interface PublicMessage {
  id: string;
  role: Role;
  content: string;
  author?: Author;
}

/** What `token-url` or `getToken` gives the widget. */
export interface TokenResponse {
  token: string;
  expires_in?: number;
  user_id?: string;
  user_name?: string;
  conversation_id?: string;
}

export type TokenProvider = () => Promise<TokenResponse | string>;
