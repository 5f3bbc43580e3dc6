/**
 * The one shape every backend is translated into. Adapters turn wire frames
 * into these events and widget intents into wire frames; nothing above
 * `src/protocols/` sees a frame.
 */
import type { Author, HandoffState, ProtocolName, Role } from '../types.js';

/** A complete message as a backend reports it (history, another participant, a one-shot reply). */
export interface WireMessage {
  id: string;
  role: Role;
  content: string;
  author?: Author;
  /** ms since epoch when the backend says; otherwise the receive time */
  createdAt?: number;
  /** The client message id this echoes, when the backend echoes ours. */
  clientId?: string;
  /** The backend keeps this reply as cut off before its end (its producer died or stopped). */
  interrupted?: boolean;
}

export type InboundEvent =
  /** The socket is usable; `features` are the extensions the server announced. */
  | { kind: 'ready'; features?: string[]; conversationId?: string }
  /** The backend stored the user's message `clientId` (optionally under its own id). */
  | { kind: 'ack'; clientId?: string; id?: string; content?: string }
  /** Someone is (or stopped) typing. No `who` means "the assistant". */
  | { kind: 'typing'; active: boolean; who?: Author; role?: Role }
  /** A whole message at once. */
  | { kind: 'message'; message: WireMessage }
  /** A reply starts streaming. */
  | { kind: 'stream-start'; id: string; role?: Role; author?: Author }
  /** More text for reply `id`. */
  | { kind: 'stream-delta'; id: string; delta: string; role?: Role }
  /**
   * Reply `id` is complete; `content`, when present, is the final text to keep;
   * `finalId` renames it; `interrupted` when it was cut off (its producer died).
   */
  | { kind: 'stream-end'; id: string; content?: string; finalId?: string; interrupted?: boolean }
  /** A message was edited or deleted by its author. */
  | { kind: 'update'; id: string; content: string }
  | { kind: 'delete'; id: string }
  /** A line for the transcript from the backend (joins, leaves, notices, escalation answers). */
  | { kind: 'system'; text: string; id?: string }
  /** Someone else joined or left; the widget words it in the visitor's language. */
  | { kind: 'membership'; name: string; joined: boolean }
  /**
   * Something went wrong. `message` is the backend's own words (never shown to the visitor as
   * they are); `fatal` stops reconnecting; `abortsStream` when it ended the reply in flight.
   */
  | { kind: 'error'; code: string; message: string; fatal?: boolean; abortsStream?: boolean }
  /** The server refused the sign-in on an open socket (an error naming authentication, `AUTH_ERROR`). */
  | { kind: 'auth-refused'; message: string }
  /**
   * One item of a history the server replays over the socket (`threads`). It is the server's
   * truth: `first` starts a replay, which replaces what the tab shows (its unsent messages aside).
   */
  | { kind: 'replay'; message: WireMessage; first: boolean }
  /** How many people are in the conversation. */
  | { kind: 'presence'; online: number }
  /** Human handoff moved on; `reason` says why nobody is available. */
  | { kind: 'handoff'; state: HandoffState; agent?: Author; position?: number; reason?: string }
  /** Any frame proves the socket alive; `pong` says so explicitly. */
  | { kind: 'pong' }
  /**
   * The backend refused user message `clientId`: for now (busy, rate limit: send it again
   * later), or for good (`permanent`: too long, invalid: it fails with the reason).
   */
  | { kind: 'refused'; clientId: string; message: string; permanent?: boolean }
  /** A message left for people (when nobody was available) was stored. */
  | { kind: 'left-message' }
  /** The conversation's position: frames up to `seq` are in; kept to resume after a drop. */
  | { kind: 'cursor'; seq: number }
  /** The server asks for an immediate reconnect (it is shutting down). */
  | { kind: 'reconnect' }
  /** The server lost this conversation and started a fresh one for the socket. */
  | { kind: 'conversation-reset' };

/** What the widget knows when it connects. */
export interface ConnectContext {
  server: string;
  token: string;
  userId?: string;
  userName?: string;
  conversationId?: string;
  apiBase: string;
  agentId?: string;
}

/** A REST call an adapter asks the connection to make. */
export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
}

/** How an outgoing intent leaves: a socket frame, or a REST call. */
export type Outgoing = { frame: string } | { http: HttpRequest };

/** How to read a socket close. */
export interface CloseVerdict {
  /** `retry`: back off and reconnect; `auth`: get a new token, then retry once; `stop`: do not reconnect. */
  action: 'retry' | 'auth' | 'stop';
  /** Words for the user, when the close deserves them. */
  message?: string;
  code?: string;
}

export interface Capabilities {
  /** "Talk to a human" can be carried. */
  escalation: boolean;
  /** The user's own typing can be sent. */
  typing: boolean;
  /** The backend confirms each user message (so `sending` lasts until it does). */
  acks: boolean;
  /** Older messages can be paged in. */
  history: boolean;
  /** Client-side messages per second, when the backend documents a limit. */
  rateLimitPerSecond?: number;
  /** Longest message content the backend accepts. */
  maxContentLength?: number;
  /** A reply silent this long is finalized: `complete` for backends that never send an end, else marked interrupted. */
  replySilenceMs: number;
  replySilenceMeans: 'complete' | 'interrupted';
  /**
   * The server sends a frame that becomes `ready` after the socket opens; queued
   * messages wait for it (so they go out knowing the server's features).
   * Default false: they go on `open`.
   */
  greets?: boolean;
  /** Each user message gets a reply from a bot (so "thinking" dots show). Default true. */
  expectsReply?: boolean;
  /**
   * After a drop the server resumes the conversation where this tab left it,
   * so a reply cut off by the drop continues instead of ending. Default false.
   */
  resumes?: boolean;
  /** An interrupted reply's question can be asked again (`encodeRetry` gives a frame). */
  retries?: boolean;
  /**
   * The server handles one client frame at a time and marks neither the start nor always the end
   * of a reply: the next message waits until the current reply is finished, so replies stay whole.
   */
  oneReplyAtATime?: boolean;
  /** The server replays the conversation on every connect (`replay` events). */
  replaysHistory?: boolean;
}

/** An older page of history. */
export interface HistoryPage {
  messages: WireMessage[];
  /** Pass back to get the next older page; absent when there is none. */
  before?: string;
}

/**
 * One backend. An adapter is created per widget and may keep translation state
 * (the id of the reply being streamed, say), but does no I/O: sockets, timers
 * and `fetch` belong to the connection controller, which runs what the adapter
 * describes.
 */
export interface ProtocolAdapter {
  readonly protocol: ProtocolName;
  capabilities(): Capabilities;
  /**
   * A REST call to make before the socket opens (create the chat), and how to
   * read its JSON answer into context changes. Null when none is needed.
   */
  prepare(
    ctx: ConnectContext,
  ): { request: HttpRequest; read(json: unknown): Partial<ConnectContext> } | null;
  socketUrl(ctx: ConnectContext): string;
  /** Frames to send as soon as the socket opens (history request, presence query). */
  opened(ctx: ConnectContext): string[];
  /**
   * Frames to send once the server's greeting (`ready`) arrived, when they
   * depend on what it announced (a conversation sync, say). Optional.
   */
  greeted?(ctx: ConnectContext): string[];
  /** Ask for the question before interrupted reply `id` to be answered again; null where unsupported. */
  encodeRetry?(id: string, ctx: ConnectContext): string | null;
  /** A message for people when nobody can take the chat; null where the backend has no such thing. */
  encodeLeaveMessage?(email: string, message: string, ctx: ConnectContext): string | null;
  /** Translate one received frame. Never throws: bad frames give `[]`. */
  decode(data: unknown): InboundEvent[];
  encodeMessage(text: string, clientId: string, ctx: ConnectContext): Outgoing;
  /** Read the answer of an `http` send, when sending is a REST call. */
  readSendResponse?(json: unknown, clientId: string): InboundEvent[];
  encodeEscalate(reason: string, ctx: ConnectContext): string | null;
  encodePing(): string | null;
  encodeTyping(active: boolean, ctx: ConnectContext): string | null;
  /** `opened` says whether the socket ever opened (a close before open may be a refused handshake). */
  interpretClose(code: number, reason: string, opened: boolean): CloseVerdict;
  /** The request for a page of history older than `before` (newest page when absent), and how to read it. */
  historyRequest?(
    ctx: ConnectContext,
    before: string | undefined,
  ): { request: HttpRequest; read(json: unknown): HistoryPage } | null;
  /** Forget per-connection state (a reply in flight) on reconnect. */
  reset(): void;
  /**
   * What this tab already shows (restored from storage), for backends that
   * replay history without ids and must recognise it. Optional.
   */
  recall?(messages: readonly { id: string; role: Role; content: string; state: string }[]): void;
}
