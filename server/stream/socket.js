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
 * 1. `connection` carries `features: ["ack", "dedupe", "sync", "typing", "handoff"]`, so a
 *    client knows it may rely on 2–3 and may send the frames of 5.
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
 * 4. The conversation is the visitor's, shared by all their sockets (stream/service.js).
 *    A reply goes on while any of them is open, and is abandoned (the bot's AbortSignal fires)
 *    when the last one closes.
 *
 * 5. `sync`, visitor `typing`, `leave-message`, and a person taking over after
 *    `human-escalation`: the README's extension table. A socket that has sent none of these
 *    frames is a strict stream.md client: it is sent nothing else than before, and its
 *    `human-escalation` gets stream.md's canned answer.
 *
 * 6. `resume` and `retry` (several processes, stream/service.js): every frame of the
 *    conversation carries `seq`, and `sync` the `seq` it stands at; `{"type":"resume","lastSeq"}`
 *    replays the frames after it (or answers with a `sync` when they are no longer kept). A reply
 *    whose process died ends with `stream-end` `interrupted: true`, and
 *    `{"type":"retry","messageId"}` answers its question again. `{"type":"reconnect"}` says this
 *    process is shutting down.
 *
 * A frame that fails because the store is unreachable is not acknowledged: a `chat` gets an
 * `error` echoing its `clientMessageId`, so the client keeps it and sends it again.
 *
 * Frames are handled one at a time, in the order they came, so answers go out in that order
 * even when handling one waits for the store.
 *
 * Limits: a `chat` is refused while `MAX_QUEUED` replies are still pending in the conversation,
 * and the bot sees at most the last `HISTORY_LIMIT` turns of it.
 */
import WebSocket from 'ws';
import {
  MAX_CONTENT_LENGTH,
  MAX_ID_LENGTH,
  isClientMessageId,
} from '../platform/limits/messages.js';
import { TEXTS } from './texts.js';
import { parseObjectFrame } from '../platform/ws/send.js';
import { createStreamRateLimit } from './rate.js';

export const FEATURES = Object.freeze([
  'ack',
  'dedupe',
  'sync',
  'typing',
  'handoff',
  'resume',
  'retry',
]);

export const MESSAGES = Object.freeze({
  connected: 'Connected to chatbot server',
  typing: TEXTS.typing,
  escalation: TEXTS.strictEscalation,
  invalidFormat: 'Invalid message format',
  unknownType: 'Unknown message type',
  emptyContent: 'Message content cannot be empty',
  tooLong: `Message too long (maximum ${MAX_CONTENT_LENGTH} characters)`,
  invalidClientMessageId: `Invalid clientMessageId (a string of 1-${MAX_ID_LENGTH} characters)`,
  busy: TEXTS.busy,
  replyFailed: TEXTS.replyFailed,
  invalidSeq: 'Invalid lastSeq (a whole number of at least 0)',
  nothingToRetry: 'There is no interrupted reply with that messageId',
  streamFailed: TEXTS.streamFailed,
});

/**
 * @param {WebSocket} ws an open socket whose token has been verified
 * @param {object} deps
 * @param {string} deps.visitorId the token's `sub`
 * @param {import('./service.js').StreamService} deps.stream
 * @param {{ error(...args: unknown[]): void }} deps.logger
 */
export function handleStreamConnection(ws, { visitorId, stream, logger }) {
  let frames = Promise.resolve();
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
  /** @type {import('./ports.js').VisitorSocket} */
  const socket = { send, extended: false };
  const visitor = stream.connectVisitor(visitorId, socket);
  ws.on('close', () => visitor.close());

  ws.on('message', (data, isBinary) => {
    const frame = parseFrame(data, isBinary);
    frames = frames
      .then(() => onFrame(frame))
      .catch((err) => {
        if (ws.readyState !== WebSocket.OPEN) return;
        logger.error(`[ws] frame failed for visitor ${visitorId}:`, err);
        // Echoed, so a client that keeps unacknowledged messages sends this one again.
        const id = frame?.type === 'chat' ? frame.clientMessageId : undefined;
        sendError(MESSAGES.replyFailed, isClientMessageId(id) ? String(id) : undefined);
      });
  });

  /** @param {(Record<string, unknown> & { type: string }) | undefined} frame */
  async function onFrame(frame) {
    if (rate.tooManyPings(frame)) {
      ws.close(1008, 'Too many pings');
      return;
    }
    // First, so a refused chat is neither answered nor recorded as seen (stream/rate.js).
    const refusal = rate.refuse(frame);
    if (refusal) return send(refusal);
    if (!frame) {
      sendError(MESSAGES.invalidFormat);
      return;
    }
    switch (frame.type) {
      case 'chat':
        await onChat(frame);
        break;
      case 'human-escalation':
        // The deployed server ignores `reason`, and so does this one.
        await visitor.escalate();
        break;
      case 'ping':
        send({ type: 'pong' });
        break;
      case 'sync':
        await visitor.sync();
        break;
      case 'typing':
        if (typeof frame.active !== 'boolean') sendError(MESSAGES.invalidFormat);
        else await visitor.typing(frame.active);
        break;
      case 'leave-message':
        await visitor.leaveMessage(frame.email, frame.message);
        break;
      case 'resume':
        if (!Number.isSafeInteger(frame.lastSeq) || Number(frame.lastSeq) < 0) {
          sendError(MESSAGES.invalidSeq);
        } else await visitor.resume(Number(frame.lastSeq));
        break;
      case 'retry':
        if (typeof frame.messageId !== 'string' || frame.messageId.length > MAX_ID_LENGTH) {
          sendError(MESSAGES.invalidFormat);
        } else if (!(await visitor.retry(frame.messageId))) {
          sendError(MESSAGES.nothingToRetry);
        }
        break;
      default:
        sendError(MESSAGES.unknownType);
    }
  }

  /** @param {Record<string, unknown>} frame */
  async function onChat(frame) {
    const { content, clientMessageId } = frame;
    const echoId = typeof clientMessageId === 'string' ? clientMessageId : undefined;

    if (clientMessageId !== undefined && !isClientMessageId(clientMessageId)) {
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

    // Dedupe, the reply queue and who hears what are the conversation's business.
    await visitor.chat(content, echoId);
  }

  send({ type: 'connection', message: MESSAGES.connected, features: FEATURES });
}

/**
 * A frame with a `type`, or undefined for anything else (binary, bad JSON, non-objects).
 * @param {import('ws').RawData} data
 * @param {boolean} isBinary
 * @returns {Record<string, unknown> & { type: string } | undefined}
 */
function parseFrame(data, isBinary) {
  const value = parseObjectFrame(data, isBinary);
  return typeof value?.type === 'string'
    ? /** @type {Record<string, unknown> & { type: string }} */ (value)
    : undefined;
}
