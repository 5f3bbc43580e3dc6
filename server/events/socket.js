/**
 * The `events` WebSocket (`/ws/chat?api_key=&user_id=&chat_id=`) on one accepted socket.
 *
 * As documented: `connection_established`, `user_created` the first time a user connects,
 * then per message `message_received`, `message_stream_started`, `message_stream_token`…
 * (`chat_id` and `token` only), `message_stream_ended` with the reply's `message_id` and whole
 * `content`. Authentication and unknown chats are `error` events on the accepted socket, as the
 * deployed server does; the socket is then closed with 1008 and the error code as reason, since
 * nothing can succeed on it.
 *
 * Where the document is silent:
 * - Rate limit: 10 messages in any rolling second per connection. A message past it is refused
 *   with `error` `RATE_LIMIT_EXCEEDED` (not stored, not answered) and the socket stays open.
 * - Replies are produced one at a time per connection; with `MAX_PENDING_REPLIES` waiting, a
 *   new message is refused the same way.
 * - A malformed message (no non-empty `content`, over 2000 characters, `metadata` not a small
 *   object) gets `error` `INVALID_MESSAGE`.
 * - `message_received` repeats the message's `metadata` when it had one, so a client that put
 *   its own id there can match the confirmation exactly; a client that does not ignores it.
 * - The user id must be the token's subject (`AUTH_ERROR` otherwise): chats are per visitor.
 * - A model failure is an `error` `AI_RESPONSE_ERROR`; the partial reply is not stored, nor is
 *   one abandoned because the socket closed.
 * - Every socket of the chat (other tabs, on any process: platform/ws/channels.js) gets the chat's
 *   frames (`message_received`, the stream, `AI_RESPONSE_ERROR`); the other errors and the
 *   connection events go to their socket only. A reply still stops when its asker's socket
 *   closes.
 */
import { randomUUID } from 'node:crypto';
import { turnsFor } from '../bots/history.js';
import { replyText } from '../bots/index.js';
import { createSlidingWindow } from '../platform/limits/rate-limit.js';
import { HISTORY_LIMIT, contentProblem, smallObject } from '../platform/limits/messages.js';
import { parseObjectFrame, sendFrame } from '../platform/ws/send.js';
import { KIND, TENANT_ID, chatMessage, findOwnChat } from './chats.js';

export const EVENTS_RATE_LIMIT = 10;
export const MAX_PENDING_REPLIES = 5;

/**
 * @typedef {object} EventsDeps
 * @property {{ sub: string } | undefined} visitor the verified token, if one was valid
 * @property {'ok' | 'missing' | 'invalid'} credential
 * @property {URL} url
 * @property {import('node:http').IncomingMessage} req
 * @property {import('../conversations/store.js').ConversationStore} store
 * @property {import('../bots/index.js').Bot} bot
 * @property {import('../platform/ws/channels.js').Channels} channels
 * @property {{ error(...args: unknown[]): void }} logger
 */

/**
 * @param {import('ws').WebSocket} ws
 * @param {EventsDeps} deps
 */
export function handleEventsConnection(
  ws,
  { visitor, credential, url, req, store, bot, channels, logger },
) {
  const query = url.searchParams;
  const userId = query.get('user_id') || headerValue(req, 'x-user-id');
  const chatId = query.get('chat_id') || headerValue(req, 'x-chat-id');
  const controller = new AbortController();
  const rate = createSlidingWindow(EVENTS_RATE_LIMIT, 1000);
  let pendingReplies = 0;
  // Confirmations and refusals go out in the order messages arrived; replies follow one by one.
  /** @type {Promise<string | undefined>} */
  let accepting;
  /** @type {Promise<void>} */
  let replying = Promise.resolve();

  /** @param {string} type @param {Record<string, unknown>} fields */
  const emit = (type, fields) =>
    sendFrame(ws, { event_type: type, timestamp: new Date().toISOString(), ...fields });
  /** To every socket of the chat, on every process. @param {string} type @param {Record<string, unknown>} fields */
  const broadcast = (type, fields) =>
    channels.send(`events:${chatId}`, {
      event_type: type,
      timestamp: new Date().toISOString(),
      ...fields,
    });
  /** @param {string} code @param {string} message @param {Record<string, unknown>} [details] */
  const error = (code, message, details) =>
    emit('error', { error_code: code, error_message: message, ...(details ? { details } : {}) });
  /** @param {string} code @param {string} message @param {string} fix */
  const fatal = (code, message, fix) => {
    error(code, message, { fix });
    ws.close(1008, code);
  };

  ws.on('error', (err) => logger.error('[events] socket error:', err));
  ws.on('close', () => {
    controller.abort();
    if (chatId) channels.leave(`events:${chatId}`, ws);
  });

  accepting = open().catch(broken);
  ws.on('message', (data, isBinary) => {
    const allowed = rate.take();
    const frame = parseObjectFrame(data, isBinary);
    accepting = accepting.then((chat) => chat && accept(chat, frame, allowed)).catch(broken);
  });

  /** A store failure: this socket cannot go on, but the next one may. @param {unknown} err */
  function broken(err) {
    logger.error('[events] connection failed:', err);
    ws.close(1011, 'Internal error');
    return undefined;
  }

  /** @returns {Promise<string | undefined>} the chat id once the socket may chat */
  async function open() {
    if (credential === 'missing') {
      fatal('AUTH_ERROR', 'Missing api_key parameter', 'Add api_key parameter: ?api_key=…');
      return undefined;
    }
    if (!visitor) {
      fatal('AUTH_ERROR', 'Invalid API key', 'Fetch a new token from the token endpoint.');
      return undefined;
    }
    if (!userId) {
      fatal('AUTH_ERROR', 'Missing user_id parameter', 'Add user_id parameter: ?user_id=…');
      return undefined;
    }
    if (userId !== visitor.sub) {
      fatal(
        'AUTH_ERROR',
        'user_id does not match the API key',
        'Use the user_id the token endpoint returned with the key.',
      );
      return undefined;
    }
    if (!chatId) {
      fatal('AUTH_ERROR', 'Missing chat_id parameter', 'Add chat_id parameter: ?chat_id=…');
      return undefined;
    }
    const chat = await findOwnChat(store, chatId, visitor.sub);
    if (!chat) {
      fatal(
        'CHAT_NOT_FOUND',
        `Chat with chat_id '${chatId}' not found or does not belong to your tenant`,
        'Create the chat first using POST /api/v1/chats/ endpoint',
      );
      return undefined;
    }
    await channels.join(`events:${chatId}`, ws);
    if (ws.readyState !== ws.OPEN) {
      channels.leave(`events:${chatId}`, ws);
      return undefined;
    }
    emit('connection_established', { user_id: userId, chat_id: chatId, tenant_id: TENANT_ID });
    if (await store.markUserSeen(userId)) emit('user_created', { user_id: userId });
    return chatId;
  }

  /**
   * @param {string} chat
   * @param {Record<string, unknown> | undefined} frame
   * @param {boolean} allowed within the rate limit when it arrived
   */
  async function accept(chat, frame, allowed) {
    if (!allowed) {
      error(
        'RATE_LIMIT_EXCEEDED',
        `Too many messages: at most ${EVENTS_RATE_LIMIT} per second per connection`,
      );
      return chat;
    }
    const problem = frame ? contentProblem(frame.content) : 'Messages are JSON objects';
    const metadata = frame?.metadata == null ? undefined : smallObject(frame.metadata);
    if (problem || (frame?.metadata != null && !metadata)) {
      error('INVALID_MESSAGE', problem ?? 'metadata must be a small JSON object');
      return chat;
    }
    if (pendingReplies >= MAX_PENDING_REPLIES) {
      error('RATE_LIMIT_EXCEEDED', 'Too many messages waiting for a reply');
      return chat;
    }
    const content = /** @type {string} */ (frame?.content);
    const message = chatMessage({
      id: randomUUID(),
      content,
      role: 'user',
      ...(metadata ? { metadata } : {}),
    });
    if (!(await store.appendMessage(KIND, chat, message))) {
      chatGone(chat);
      return undefined;
    }
    broadcast('message_received', {
      message_id: message.id,
      chat_id: chat,
      user_id: userId,
      content,
      ...(metadata ? { metadata } : {}),
    });
    pendingReplies += 1;
    replying = replying
      .then(() => answer(chat, message.id))
      .catch(broken)
      .finally(() => {
        pendingReplies -= 1;
      });
    return chat;
  }

  /** @param {string} chat @param {string} questionId */
  async function answer(chat, questionId) {
    const { signal } = controller;
    if (signal.aborted) return;
    const recent = await store.listMessages(KIND, chat, {
      limit: HISTORY_LIMIT + 2 * MAX_PENDING_REPLIES,
      order: 'desc',
    });
    const history =
      recent &&
      turnsFor(recent.messages.reverse(), questionId, (m) => ({
        role: m.sender_role === 'user' ? 'user' : 'assistant',
        content: String(m.content),
      }));
    if (!history) {
      chatGone(chat);
      return;
    }

    broadcast('message_stream_started', { chat_id: chat, user_id: userId });
    let text = '';
    try {
      for await (const token of replyText(bot, history, signal)) {
        text += token;
        broadcast('message_stream_token', { chat_id: chat, token });
      }
    } catch (err) {
      if (signal.aborted) return;
      logger.error(`[events] reply failed in chat ${chat}:`, err);
      broadcast('error', {
        error_code: 'AI_RESPONSE_ERROR',
        error_message: 'Could not generate a reply, please try again',
      });
      return;
    }
    const reply = chatMessage({ id: randomUUID(), content: text, role: 'assistant' });
    if (!(await store.appendMessage(KIND, chat, reply))) {
      chatGone(chat);
      return;
    }
    broadcast('message_stream_ended', {
      message_id: reply.id,
      chat_id: chat,
      user_id: userId,
      content: text,
    });
  }

  /** The chat was deleted (or expired) while this socket was open. @param {string} chat */
  function chatGone(chat) {
    fatal(
      'CHAT_NOT_FOUND',
      `Chat with chat_id '${chat}' not found or does not belong to your tenant`,
      'Create the chat first using POST /api/v1/chats/ endpoint',
    );
  }
}

/**
 * Non-browser clients may authenticate with headers instead of the query string.
 * @param {import('node:http').IncomingMessage} req
 * @param {string} name
 */
function headerValue(req, name) {
  const value = req.headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
