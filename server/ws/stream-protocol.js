/**
 * The `stream` chat protocol on one open socket, as /work/shared/protocols/stream.md documents
 * it and as the deployed servers really behave: `connection` on open; `chat` is answered with
 * `typing` ("AI is thinking..."), then `stream-start`, `stream-token`…, `stream-end` sharing one
 * `messageId`; `human-escalation` → `human-escalation-response`; `ping` → `pong`; anything wrong
 * gets an `error` frame and the socket stays open. A model failure after streaming began is
 * reported as "Stream error occurred" and the reply never gets its `stream-end`.
 *
 * Extensions. A client that follows stream.md to the letter ignores all of them:
 *
 * 1. `connection` carries `features: ["ack", "dedupe"]`, so a client knows it may rely on 2–3.
 *
 * 2. Acknowledgement. A `chat` may carry `clientMessageId`, a string of 1–64 characters chosen
 *    by the client. Once the server has accepted the message (valid, recorded, reply queued) it
 *    sends, before `typing`:
 *      {"type":"ack","clientMessageId":"…","messageId":"msg_…","timestamp":"…"}
 *    `messageId` is the server's id for the user's message, not the id of the reply stream.
 *    A chat that is refused is never acknowledged; its `error` frame echoes the id instead:
 *      {"type":"error","message":"…","clientMessageId":"…","timestamp":"…"}
 *    (as does an error from producing its reply).
 *
 * 3. De-duplication. A `chat` whose `clientMessageId` this visitor (the token's `sub`, so across
 *    reconnects and new tokens) already sent within the last 10 minutes is acknowledged again,
 *    with the same `messageId`, and not answered again. This is what makes it safe for a client
 *    to resend unacknowledged messages after a reconnect. The one exception: when the first
 *    attempt never got a complete reply (the socket closed mid-reply, or the model failed), the
 *    resend is answered, so each id gets at most one complete reply and a lost one is not lost
 *    for good.
 *
 * 4. A reply in flight when its socket closes is abandoned: the bot's AbortSignal fires and
 *    nothing more is generated for that socket.
 *
 * Limits: a `chat` is refused while `MAX_QUEUED` replies are still pending on the socket, and
 * the bot sees at most the last `HISTORY_LIMIT` turns of this socket's conversation.
 */
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { createStreamRateLimit } from '../limits/stream-rate.js';

export const FEATURES = Object.freeze(['ack', 'dedupe']);
export const MAX_CONTENT_LENGTH = 2000;
export const MAX_CLIENT_MESSAGE_ID_LENGTH = 64;
export const MAX_QUEUED = 5;
export const HISTORY_LIMIT = 20;

export const MESSAGES = Object.freeze({
  connected: 'Connected to chatbot server',
  typing: 'AI is thinking...',
  escalation: 'A human agent will contact you soon.',
  invalidFormat: 'Invalid message format',
  unknownType: 'Unknown message type',
  emptyContent: 'Message content cannot be empty',
  tooLong: `Message too long (maximum ${MAX_CONTENT_LENGTH} characters)`,
  invalidClientMessageId: `Invalid clientMessageId (a string of 1-${MAX_CLIENT_MESSAGE_ID_LENGTH} characters)`,
  busy: 'Too many messages at once, please wait for the current reply',
  replyFailed: 'Could not get a reply, please try again',
  streamFailed: 'Stream error occurred',
});

/**
 * @typedef {{ role: 'user' | 'assistant', content: string }} Turn
 * @typedef {{ messageId: string, state: 'pending' | 'answered' | 'failed' }} Acceptance
 *   one attempt at answering a user message; a retry after failure gets a fresh object, so a
 *   late-finishing old attempt cannot overwrite the new one's state
 * @typedef {{ get(key: string): Acceptance | undefined, set(key: string, value: Acceptance): void }} SeenIds
 */

/**
 * @param {WebSocket} ws an open socket whose token has been verified
 * @param {object} deps
 * @param {string} deps.visitorId the token's `sub`
 * @param {import('../bots/index.js').Bot} deps.bot
 * @param {SeenIds} deps.seen shared by all sockets, keyed per visitor
 * @param {{ error(...args: unknown[]): void }} deps.logger
 */
export function handleStreamConnection(ws, { visitorId, bot, seen, logger }) {
  const controller = new AbortController();
  /** @type {Turn[]} */
  const history = [];
  /** @type {Set<Acceptance>} */
  const pending = new Set();
  let queue = Promise.resolve();
  const rate = createStreamRateLimit();

  /** @param {Record<string, unknown>} frame */
  const send = (frame) => {
    if (ws.readyState === WebSocket.OPEN) {
      ws.send(JSON.stringify({ ...frame, timestamp: new Date().toISOString() }));
    }
  };
  /** @param {string} message @param {string} [clientMessageId] */
  const sendError = (message, clientMessageId) =>
    send({ type: 'error', message, ...(clientMessageId ? { clientMessageId } : {}) });

  ws.on('error', (err) => logger.error(`[ws] socket error for visitor ${visitorId}:`, err));
  ws.on('close', () => {
    controller.abort();
    // Synchronously, so a resend arriving on the visitor's next socket is answered even if the
    // abandoned reply is still unwinding.
    for (const acceptance of pending) acceptance.state = 'failed';
    pending.clear();
  });

  ws.on('message', (data, isBinary) => {
    const frame = isBinary ? undefined : parseFrame(data.toString());
    // First, so a refused chat is neither answered nor recorded as seen (limits/stream-rate.js).
    const refusal = rate.refuse(frame);
    if (refusal) return send(refusal);
    if (!frame) {
      sendError(MESSAGES.invalidFormat);
      return;
    }
    switch (frame.type) {
      case 'chat':
        onChat(frame);
        break;
      case 'human-escalation':
        // The deployed server ignores `reason`, and so does this one.
        send({ type: 'human-escalation-response', message: MESSAGES.escalation });
        break;
      case 'ping':
        send({ type: 'pong' });
        break;
      default:
        sendError(MESSAGES.unknownType);
    }
  });

  /** @param {Record<string, unknown>} frame */
  function onChat(frame) {
    const { content, clientMessageId } = frame;
    const echoId = typeof clientMessageId === 'string' ? clientMessageId : undefined;

    if (clientMessageId !== undefined && !isValidClientMessageId(clientMessageId)) {
      sendError(MESSAGES.invalidClientMessageId);
      return;
    }
    if (content !== undefined && content !== null && typeof content !== 'string') {
      sendError(MESSAGES.invalidFormat, echoId);
      return;
    }
    if (typeof content !== 'string' || content.trim() === '') {
      sendError(MESSAGES.emptyContent, echoId);
      return;
    }
    if (content.length > MAX_CONTENT_LENGTH) {
      sendError(MESSAGES.tooLong, echoId);
      return;
    }

    const key = echoId === undefined ? undefined : `${visitorId}\n${echoId}`;
    const earlier = key === undefined ? undefined : seen.get(key);
    if (earlier && earlier.state !== 'failed') {
      send({ type: 'ack', clientMessageId: echoId, messageId: earlier.messageId });
      return;
    }
    if (pending.size >= MAX_QUEUED) {
      sendError(MESSAGES.busy, echoId);
      return;
    }

    /** @type {Acceptance} */
    const acceptance = { messageId: earlier?.messageId ?? newMessageId(), state: 'pending' };
    pending.add(acceptance);
    if (key !== undefined) {
      seen.set(key, acceptance);
      send({ type: 'ack', clientMessageId: echoId, messageId: acceptance.messageId });
    }
    // One reply at a time per socket keeps the conversation history in order.
    queue = queue.then(() => answer(content, acceptance, echoId));
  }

  /**
   * @param {string} content
   * @param {Acceptance} acceptance
   * @param {string | undefined} clientMessageId
   */
  async function answer(content, acceptance, clientMessageId) {
    const { signal } = controller;
    if (signal.aborted) return;

    /** @type {Turn} */
    const userTurn = { role: 'user', content };
    send({ type: 'typing', message: MESSAGES.typing });

    const messageId = newMessageId();
    let started = false;
    let text = '';
    try {
      for await (const delta of bot.reply({ history: [...history, userTurn], signal })) {
        if (signal.aborted) break;
        if (typeof delta !== 'string' || delta === '') continue;
        // Sent lazily, so a model that fails before its first token produces only an `error`,
        // as the deployed server does.
        if (!started) {
          send({ type: 'stream-start', messageId });
          started = true;
        }
        text += delta;
        send({ type: 'stream-token', messageId, token: delta });
      }
      if (signal.aborted) return;
      if (!started) send({ type: 'stream-start', messageId });
      send({ type: 'stream-end', messageId });

      history.push(userTurn, { role: 'assistant', content: text });
      if (history.length > HISTORY_LIMIT) history.splice(0, history.length - HISTORY_LIMIT);
      settle(acceptance, 'answered');
    } catch (err) {
      settle(acceptance, 'failed');
      if (signal.aborted) return;
      logger.error(`[bot] reply failed for visitor ${visitorId}:`, err);
      sendError(started ? MESSAGES.streamFailed : MESSAGES.replyFailed, clientMessageId);
    }
  }

  /** @param {Acceptance} acceptance @param {'answered' | 'failed'} state */
  function settle(acceptance, state) {
    if (!pending.delete(acceptance)) return;
    acceptance.state = state;
  }

  send({ type: 'connection', message: MESSAGES.connected, features: FEATURES });
}

/**
 * @param {string} text
 * @returns {Record<string, unknown> & { type: string } | undefined}
 */
function parseFrame(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  if (typeof value.type !== 'string') return undefined;
  return value;
}

/** @param {unknown} id */
function isValidClientMessageId(id) {
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_CLIENT_MESSAGE_ID_LENGTH;
}

function newMessageId() {
  return `msg_${randomBytes(9).toString('base64url')}`;
}
