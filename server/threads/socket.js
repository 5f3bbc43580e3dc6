/**
 * The `threads` WebSocket (`/chat/ws?token=` or `?key=`, refused at the handshake when bad) on
 * one open socket, as the document describes it:
 * - `{"type":"history","thread_id"}` → the thread's messages, oldest first, each as
 *   `{"type":"message","id","thread_id","role","content","created_at"}`;
 * - `{"type":"message","thread_id","agent_id"?,"content"}` → `message_received` (`id` of the
 *   stored user message, `thread_id`, `job_id`), then the reply as assistant `message` frames
 *   that all carry the reply's id, one per piece the bot streams; joined, their contents are
 *   the reply that history returns later under the same id;
 * - anything wrong → `{"type":"error","message"}`, and the socket stays open.
 *
 * Like the deployed server, one client frame is handled at a time: the next (even `history`)
 * waits until the current reply is finished. At most `MAX_WAITING_FRAMES` wait; past that a
 * frame is refused with an error rather than queued without end.
 *
 * Threads: the id must be a UUID. A thread belongs to the visitor who first sent a message to
 * it. Someone else's thread answers `history` with nothing (as if empty, which reveals
 * nothing) and refuses `message` with an error.
 *
 * A socket follows the threads it asked the history of or wrote to: their frames reach it from
 * every socket of the visitor, on every process (platform/ws/channels.js), the question as a user
 * `message` (as history shows it) and the reply's parts as the asker gets them. A reply cut off by a model failure ends with an
 * error frame; it, and one abandoned because the socket closed, are not stored.
 */
import { randomUUID } from 'node:crypto';
import { replyText } from '../bots/index.js';
import { ConversationsFull } from '../conversations/store.js';
import { HISTORY_LIMIT, contentProblem } from '../platform/limits/messages.js';
import { parseObjectFrame, sendFrame } from '../platform/ws/send.js';

export const KIND = 'thread';
export const MAX_WAITING_FRAMES = 10;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const ERRORS = Object.freeze({
  invalidFormat: 'Invalid message format',
  threadRequired: 'Thread ID is required',
  invalidThread: 'Invalid thread ID format',
  foreignThread: 'This thread belongs to someone else',
  busy: 'Too many messages at once, please wait for the current reply',
  replyFailed: 'Could not get a reply, please try again',
});

/**
 * @param {import('ws').WebSocket} ws
 * @param {object} deps
 * @param {{ sub: string }} deps.visitor
 * @param {import('../conversations/store.js').ConversationStore} deps.store
 * @param {import('../bots/index.js').Bot} deps.bot
 * @param {import('../platform/ws/channels.js').Channels} deps.channels
 * @param {{ error(...args: unknown[]): void }} deps.logger
 */
export function handleThreadsConnection(ws, { visitor, store, bot, channels, logger }) {
  const controller = new AbortController();
  /** @type {Set<string>} the channels of the threads this socket follows */
  const following = new Set();
  let waiting = 0;
  let chain = Promise.resolve();

  /** @param {string} message */
  const error = (message) => sendFrame(ws, { type: 'error', message });

  ws.on('error', (err) => logger.error('[threads] socket error:', err));
  ws.on('close', () => {
    controller.abort();
    for (const name of following) channels.leave(name, ws);
    following.clear();
  });

  /**
   * From now on the socket gets the thread's frames from every socket (on every process).
   * @param {string} threadId
   * @returns {Promise<string>} the thread's channel
   */
  async function follow(threadId) {
    const name = `threads:${threadId}`;
    if (following.has(name) || controller.signal.aborted) return name;
    following.add(name);
    await channels.join(name, ws);
    return name;
  }
  ws.on('message', (data, isBinary) => {
    if (waiting >= MAX_WAITING_FRAMES) {
      error(ERRORS.busy);
      return;
    }
    waiting += 1;
    const frame = parseObjectFrame(data, isBinary);
    chain = chain
      .then(() => handle(frame))
      .catch((err) => {
        // A full store is a refusal that says why, not a failure to log.
        if (err instanceof ConversationsFull) {
          error(err.detail);
          return;
        }
        logger.error('[threads] frame failed:', err);
        error(ERRORS.replyFailed);
      })
      .finally(() => {
        waiting -= 1;
      });
  });

  /** @param {Record<string, unknown> | undefined} frame */
  async function handle(frame) {
    if (controller.signal.aborted) return;
    if (!frame || typeof frame.type !== 'string') {
      error(ERRORS.invalidFormat);
      return;
    }
    if (frame.type !== 'history' && frame.type !== 'message') {
      error(`Unknown message type: ${frame.type.slice(0, 50)}`);
      return;
    }
    const threadId = frame.thread_id;
    if (threadId === undefined || threadId === null || threadId === '') {
      error(ERRORS.threadRequired);
      return;
    }
    if (typeof threadId !== 'string' || !UUID.test(threadId)) {
      error(ERRORS.invalidThread);
      return;
    }
    if (frame.type === 'history') await sendHistory(threadId);
    else await answer(threadId, frame.content);
  }

  /** @param {string} threadId */
  async function sendHistory(threadId) {
    const thread = await store.getConversation(KIND, threadId);
    if (!thread || thread.owner !== visitor.sub) return;
    await follow(threadId);
    const page = await store.listMessages(KIND, threadId);
    for (const item of page?.messages ?? []) {
      sendFrame(ws, { type: 'message', thread_id: threadId, ...item });
    }
  }

  /** @param {string} threadId @param {unknown} content */
  async function answer(threadId, content) {
    const problem = contentProblem(content);
    if (problem) {
      error(problem);
      return;
    }
    const { conversation } = await store.ensureConversation(KIND, threadId, visitor.sub);
    if (conversation.owner !== visitor.sub) {
      error(ERRORS.foreignThread);
      return;
    }
    const channel = await follow(threadId);
    const question = item('user', /** @type {string} */ (content));
    await store.appendMessage(KIND, threadId, question);
    // The thread's other sockets see the question as history shows it.
    channels.send(channel, { type: 'message', thread_id: threadId, ...question }, ws);
    sendFrame(ws, {
      type: 'message_received',
      id: question.id,
      thread_id: threadId,
      job_id: `job_${randomUUID()}`,
    });

    const recent = await store.listMessages(KIND, threadId, {
      limit: HISTORY_LIMIT,
      order: 'desc',
    });
    /** @type {import('../bots/index.js').Turn[]} */
    const history = (recent?.messages ?? []).reverse().map((m) => ({
      role: m.role === 'user' ? 'user' : 'assistant',
      content: String(m.content),
    }));

    const { signal } = controller;
    const reply = item('assistant', '');
    try {
      for await (const delta of replyText(bot, history, signal)) {
        reply.content += delta;
        channels.send(channel, { type: 'message', thread_id: threadId, ...reply, content: delta });
      }
    } catch (err) {
      if (signal.aborted) return;
      logger.error(`[threads] reply failed in thread ${threadId}:`, err);
      error(ERRORS.replyFailed);
      return;
    }
    if (reply.content !== '') await store.appendMessage(KIND, threadId, reply);
  }
}

/**
 * A stored thread message; its `created_at` is when it began, which is also what every part of
 * a streamed reply carries.
 * @param {'user' | 'assistant'} role
 * @param {string} content
 */
function item(role, content) {
  return { id: `msg_${randomUUID()}`, role, content, created_at: new Date().toISOString() };
}
