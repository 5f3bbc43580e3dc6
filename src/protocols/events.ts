/**
 * `protocol="events"`: the tenant chat API of shared/protocols/events-websocket.md and
 * events-rest.md, read together with what its deployed server does (shared/deployments.md):
 * the chat is created over REST before the socket opens, authentication and unknown-chat
 * errors arrive as `error` events on an accepted socket, stream tokens carry no message id,
 * `timestamp` is sometimes missing, and history uses `sender_role`.
 */
import { idOf, restUrl } from './events-fields.js';
import { obj, parseFrame, str, time, withQuery } from './frames.js';
import type {
  Capabilities,
  CloseVerdict,
  ConnectContext,
  HistoryPage,
  HttpRequest,
  InboundEvent,
  ProtocolAdapter,
  WireMessage,
} from './types.js';
import type { Role } from '../types.js';

/** The documented per-connection limit on client messages. */
export const EVENTS_RATE_LIMIT = 10;
/** Messages per history page; the API caps `limit` at 100. */
export const EVENTS_HISTORY_PAGE = 50;

/** Errors after which reconnecting with the same key and chat cannot succeed. */
const FATAL_CODES = new Set(['AUTH_ERROR', 'CHAT_NOT_FOUND']);
/** Errors that refuse one client message rather than the reply being generated. */
const MESSAGE_CODES = new Set(['RATE_LIMIT_EXCEEDED', 'INVALID_MESSAGE']);

/** What the events adapter can do: data, the same for every server of the protocol. */
export const EVENTS_CAPABILITIES: Capabilities = Object.freeze({
  escalation: false,
  typing: false,
  acks: true,
  history: true,
  rateLimitPerSecond: EVENTS_RATE_LIMIT,
  // Every reply ends with `message_stream_ended`; a long silence means it was lost.
  replySilenceMs: 60_000,
  replySilenceMeans: 'interrupted',
  greets: true,
  expectsReply: true,
});

export function createEventsAdapter(): ProtocolAdapter {
  // The server confirms messages in the order it stores them but echoes no
  // client id, so confirmations are matched to sends by their content, then in order.
  let pending: Array<{ clientId: string; content: string }> = [];
  // Tokens name no message, so the reply in flight gets a local id until
  // `message_stream_ended` tells the real one.
  let streaming: string | undefined;
  let replies = 0;

  const newReplyId = (): string => `events-reply-${Date.now().toString(36)}-${++replies}`;

  const startReply = (id: string): InboundEvent[] => [
    { kind: 'typing', active: true, role: 'assistant' },
    { kind: 'stream-start', id, role: 'assistant' },
  ];

  const decode = (data: unknown): InboundEvent[] => {
    const frame = parseFrame(data);
    if (!frame) return [];
    switch (frame.event_type) {
      case 'connection_established': {
        const chatId = idOf(frame.chat_id);
        return [{ kind: 'ready', ...(chatId ? { conversationId: chatId } : {}) }];
      }
      case 'user_created':
        // Backend bookkeeping (a user record now exists); the person chatting
        // learns nothing from it, so it stays out of the transcript.
        return [];
      case 'message_received': {
        const id = idOf(frame.message_id);
        const content = str(frame.content);
        const clientId = claimPending(str(obj(frame.metadata)?.client_id), content);
        if (!clientId && !id) return [];
        return [
          {
            kind: 'ack',
            ...(clientId ? { clientId } : {}),
            ...(id ? { id } : {}),
            ...(content !== undefined ? { content } : {}),
          },
        ];
      }
      case 'message_stream_started':
        streaming = newReplyId();
        return startReply(streaming);
      case 'message_stream_token': {
        const token = str(frame.token);
        if (!token) return [];
        const delta = (id: string): InboundEvent => ({
          kind: 'stream-delta',
          id,
          delta: token,
          role: 'assistant',
        });
        if (streaming) return [delta(streaming)];
        // A socket that (re)connected mid-reply sees tokens without their start.
        streaming = newReplyId();
        return [...startReply(streaming), delta(streaming)];
      }
      case 'message_stream_ended':
        return endReply(frame);
      case 'error': {
        const code = str(frame.error_code) ?? 'server-error';
        // A reply that fails mid-stream gets an error and never its `message_stream_ended`;
        // an error about one of our messages (too fast, malformed) leaves the reply alone.
        const cut = streaming !== undefined && !MESSAGE_CODES.has(code);
        if (cut) streaming = undefined;
        // Frames are answered in order, so the refused one is the oldest unconfirmed.
        // It stays `sending` in the outbox and goes again on the next connection.
        if (MESSAGE_CODES.has(code)) pending.shift();
        const message = str(frame.error_message) ?? 'The chat server reported an error.';
        // A refused sign-in is retried with a new token like a refused handshake.
        if (code === 'AUTH_ERROR') return [{ kind: 'auth-refused', message }];
        return [
          {
            kind: 'error',
            code,
            message,
            fatal: FATAL_CODES.has(code),
            ...(cut ? { abortsStream: true } : {}),
          },
        ];
      }
      default:
        return [];
    }
  };

  const claimPending = (
    echoed: string | undefined,
    content: string | undefined,
  ): string | undefined => {
    // A server that does echo our metadata names the message; trust that over order.
    // Otherwise the echoed text keeps a message the server refused from taking the
    // next one's confirmation.
    let at = echoed ? pending.findIndex((p) => p.clientId === echoed) : -1;
    if (at < 0 && content !== undefined) at = pending.findIndex((p) => p.content === content);
    return pending.splice(Math.max(at, 0), 1)[0]?.clientId;
  };

  const endReply = (frame: Record<string, unknown>): InboundEvent[] => {
    const finalId = idOf(frame.message_id);
    const content = str(frame.content);
    const id = streaming;
    streaming = undefined;
    const stopTyping: InboundEvent = { kind: 'typing', active: false, role: 'assistant' };
    if (!id) {
      // An end without a start (every token was missed): the frame alone is the whole reply.
      if (!finalId || content === undefined) return [stopTyping];
      const createdAt = time(frame.timestamp);
      return [
        stopTyping,
        {
          kind: 'message',
          message: { id: finalId, role: 'assistant', content, ...(createdAt ? { createdAt } : {}) },
        },
      ];
    }
    return [
      stopTyping,
      {
        kind: 'stream-end',
        id,
        ...(content !== undefined ? { content } : {}),
        ...(finalId ? { finalId } : {}),
      },
    ];
  };

  const prepare = (
    ctx: ConnectContext,
  ): { request: HttpRequest; read(json: unknown): Partial<ConnectContext> } | null => {
    if (ctx.conversationId) return null;
    return {
      request: {
        method: 'POST',
        url: restUrl(ctx.apiBase, '/api/v1/chats/'),
        headers: { 'X-API-Key': ctx.token },
        body: { user_id: ctx.userId },
      },
      read(json) {
        const chat = obj(json);
        // Lenient about an enveloped answer: some gateways wrap bodies in `data`.
        const id = idOf(chat?.id) ?? idOf(obj(chat?.data)?.id);
        return id ? { conversationId: id } : {};
      },
    };
  };

  const historyRequest = (
    ctx: ConnectContext,
    before: string | undefined,
  ): { request: HttpRequest; read(json: unknown): HistoryPage } | null => {
    if (!ctx.conversationId) return null;
    const offset = Math.max(0, Number.parseInt(before ?? '0', 10) || 0);
    const url = new URL(
      restUrl(ctx.apiBase, `/api/v1/chats/${encodeURIComponent(ctx.conversationId)}/messages`),
    );
    url.searchParams.set('offset', String(offset));
    url.searchParams.set('limit', String(EVENTS_HISTORY_PAGE));
    url.searchParams.set('order', 'desc');
    return {
      request: { method: 'GET', url: url.toString(), headers: { 'X-API-Key': ctx.token } },
      read: (json) => readHistory(json, offset),
    };
  };

  const interpretClose = (code: number): CloseVerdict => {
    // Auth problems come as `error` events (fatal ones stop reconnecting before
    // the close arrives); 1008 is what such servers close with when they say nothing.
    if (code === 1008 || code === 4001 || code === 4003) return { action: 'auth' };
    return { action: 'retry' };
  };

  return {
    protocol: 'events',
    capabilities: () => EVENTS_CAPABILITIES,
    prepare,
    socketUrl: (ctx) =>
      withQuery(ctx.server, {
        api_key: ctx.token,
        user_id: ctx.userId,
        chat_id: ctx.conversationId,
      }),
    opened: () => [],
    decode,
    encodeMessage: (text, clientId) => {
      pending.push({ clientId, content: text });
      // `metadata` is documented as free-form; the id in it costs a strict server nothing.
      return { frame: JSON.stringify({ content: text, metadata: { client_id: clientId } }) };
    },
    encodeEscalate: () => null,
    // Anything sent is stored as a user message, so there is no safe ping frame.
    encodePing: () => null,
    encodeTyping: () => null,
    interpretClose,
    historyRequest,
    reset: () => {
      pending = [];
      streaming = undefined;
    },
  };
}

function roleOf(value: unknown): Role {
  switch (value) {
    case 'user':
    case 'system':
    case 'agent':
      return value;
    case 'human':
      return 'agent';
    default:
      return 'assistant';
  }
}

function readHistory(json: unknown, requestedOffset: number): HistoryPage {
  const page = obj(json);
  const items = Array.isArray(page?.messages) ? page.messages : [];
  const messages: WireMessage[] = [];
  for (const item of items) {
    const row = obj(item);
    const id = idOf(row?.id);
    if (!row || !id) continue;
    const content = str(row.content) || str(row.media_url);
    if (content === undefined) continue;
    const createdAt = time(row.created_at);
    messages.push({
      id,
      role: roleOf(row.sender_role ?? row.role),
      content,
      ...(createdAt ? { createdAt } : {}),
    });
  }
  // Asked newest-first so the first page is the latest; the transcript reads oldest-first.
  messages.reverse();

  const offset = typeof page?.offset === 'number' ? page.offset : requestedOffset;
  const next = offset + items.length;
  const more =
    typeof page?.has_more === 'boolean'
      ? page.has_more
      : typeof page?.total === 'number' && next < page.total;
  // An empty page cannot advance the cursor; stop rather than ask for it forever.
  return more && items.length > 0 ? { messages, before: String(next) } : { messages };
}
