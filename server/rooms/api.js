/**
 * The `rooms` REST calls: posting a message and asking who is online. Authentication (the
 * `X-API-Key` header) and the rate limit are `platform/http/api.js`'s.
 *
 * A posted message is stored, broadcast as a `message` frame to every socket in the room (the
 * sender's too: a client recognises its own by `sender_id`), answered `201 {data, status}` in
 * the envelope the document uses for its other REST answers, and then given to the bot.
 *
 * `sender_id` defaults to the token's visitor and may not name anyone else (403), so nobody can
 * speak for another person. `message_type` is `text`, the only type the document shows.
 */
import { HttpError } from '../platform/http/body.js';
import { contentProblem, smallObject } from '../platform/limits/messages.js';
import { KIND, displayName, isRoomId, roomFrame, roomMessage } from './rooms.js';

/**
 * @param {object} deps
 * @param {import('../conversations/store.js').ConversationStore} deps.store
 * @param {import('./hub.js').RoomHub} deps.hub
 * @param {import('./responder.js').RoomResponder} deps.responder
 * @returns {import('../platform/http/api.js').ApiRoute[]}
 */
export function roomsRoutes({ store, hub, responder }) {
  /** @param {string} roomId */
  const checkRoom = (roomId) => {
    if (!isRoomId(roomId)) throw new HttpError(404, 'Room not found');
  };

  return [
    {
      method: 'POST',
      path: /^\/api\/v1\/rooms\/([^/]+)\/messages\/?$/,
      async handle({ params: [roomId = ''], body, visitor }) {
        checkRoom(roomId);
        const input = await body();
        if (input === null || typeof input !== 'object' || Array.isArray(input)) {
          throw new HttpError(422, 'Expected a JSON object with content');
        }
        const fields = /** @type {Record<string, unknown>} */ (input);
        const problem = contentProblem(fields.content);
        if (problem) throw new HttpError(422, problem);
        if (fields.sender_id != null && fields.sender_id !== visitor.sub) {
          throw new HttpError(403, 'sender_id does not match the API key');
        }
        if (fields.message_type != null && fields.message_type !== 'text') {
          throw new HttpError(422, 'message_type must be text');
        }
        const meta = fields.meta == null ? {} : smallObject(fields.meta);
        if (!meta) throw new HttpError(422, 'meta must be a small JSON object');
        if (!responder.canAccept(roomId)) {
          throw new HttpError(429, 'Too many messages waiting for a reply in this room', {
            'Retry-After': '2',
          });
        }

        await store.ensureConversation(KIND, roomId, visitor.sub);
        const message = roomMessage({
          sender_id: visitor.sub,
          sender_name: displayName(fields.sender_name),
          content: /** @type {string} */ (fields.content),
          meta,
        });
        if (!(await store.appendMessage(KIND, roomId, message))) {
          throw new HttpError(404, 'Room not found');
        }
        hub.broadcast(roomId, roomFrame('message', message, roomId));
        void responder.answer(roomId, message.id);
        return { status: 201, body: { data: message, status: 'success' } };
      },
    },
    {
      method: 'GET',
      path: /^\/api\/v1\/rooms\/([^/]+)\/online\/?$/,
      async handle({ params: [roomId = ''] }) {
        checkRoom(roomId);
        const online = await hub.onlineUsers(roomId);
        return {
          status: 200,
          body: { data: { online_users: online, total_online: online.length }, status: 'success' },
        };
      },
    },
  ];
}
