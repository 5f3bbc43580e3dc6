/**
 * The bot as a member of every room: each message posted by someone else is answered with
 * `typing` (is_typing true), the whole reply as one `message` from "Demo Assistant", then
 * `typing` (is_typing false). Rooms do not stream, so the bot's deltas are collected first.
 *
 * A room's replies come one at a time, in the order the messages were posted; at most
 * `MAX_PENDING_REPLIES` wait per room, and the REST call refuses a message past that. A reply
 * keeps going when its asker's socket leaves (others in the room may read it) and stops only
 * when the server shuts down. A failed reply becomes a `notification` in the room.
 */
import { randomUUID } from 'node:crypto';
import { turnsFor } from '../bots/history.js';
import { replyText } from '../bots/index.js';
import { HISTORY_LIMIT } from '../platform/limits/messages.js';
import { ASSISTANT, KIND, roomFrame, roomMessage } from './rooms.js';

export const MAX_PENDING_REPLIES = 5;

/**
 * @param {object} deps
 * @param {import('../conversations/store.js').ConversationStore} deps.store
 * @param {import('./hub.js').RoomHub} deps.hub
 * @param {import('../bots/index.js').Bot} deps.bot
 * @param {AbortSignal} deps.signal aborts on shutdown
 * @param {{ error(...args: unknown[]): void }} deps.logger
 */
export function createRoomResponder({ store, hub, bot, signal, logger }) {
  /** @type {Map<string, { tail: Promise<void>, pending: number }>} */
  const queues = new Map();
  const typing = { user_id: ASSISTANT.id, user_name: ASSISTANT.name };

  /** @param {string} roomId @param {string} messageId */
  async function answer(roomId, messageId) {
    if (signal.aborted) return;
    const recent = await store.listMessages(KIND, roomId, {
      limit: HISTORY_LIMIT + 2 * MAX_PENDING_REPLIES,
      order: 'desc',
    });
    const history =
      recent &&
      turnsFor(recent.messages.reverse(), messageId, (m) => ({
        role: m.sender_id === ASSISTANT.id ? 'assistant' : 'user',
        content: String(m.content),
      }));
    if (!history) return;

    hub.broadcast(roomId, roomFrame('typing', { ...typing, is_typing: true }, roomId));
    try {
      let text = '';
      for await (const delta of replyText(bot, history, signal)) text += delta;
      const reply = roomMessage({
        sender_id: ASSISTANT.id,
        sender_name: ASSISTANT.name,
        content: text,
        meta: { role: 'assistant' },
      });
      if (await store.appendMessage(KIND, roomId, reply)) {
        hub.broadcast(roomId, roomFrame('message', reply, roomId));
      }
    } catch (err) {
      if (signal.aborted) return;
      logger.error(`[rooms] reply failed in room ${roomId}:`, err);
      hub.broadcast(
        roomId,
        roomFrame(
          'notification',
          {
            id: randomUUID(),
            title: ASSISTANT.name,
            content: 'Could not answer that message, please try again.',
            priority: 'normal',
          },
          roomId,
        ),
      );
    } finally {
      hub.broadcast(roomId, roomFrame('typing', { ...typing, is_typing: false }, roomId));
    }
  }

  return {
    /** @param {string} roomId whether another reply may be queued in this room */
    canAccept(roomId) {
      return (queues.get(roomId)?.pending ?? 0) < MAX_PENDING_REPLIES;
    },

    /**
     * Queues a reply to one stored message.
     * @param {string} roomId
     * @param {string} messageId
     * @returns {Promise<void>} settles when this reply is done
     */
    answer(roomId, messageId) {
      const queue = queues.get(roomId) ?? { tail: Promise.resolve(), pending: 0 };
      queues.set(roomId, queue);
      queue.pending += 1;
      const done = queue.tail
        .then(() => answer(roomId, messageId))
        .catch((err) => logger.error(`[rooms] reply failed in room ${roomId}:`, err))
        .finally(() => {
          queue.pending -= 1;
          if (queue.pending === 0 && queues.get(roomId) === queue) queues.delete(roomId);
        });
      queue.tail = done;
      return done;
    },
  };
}

/** @typedef {ReturnType<typeof createRoomResponder>} RoomResponder */
