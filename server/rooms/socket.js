/**
 * The `rooms` WebSocket (`/ws/{room_id}?token=&user_id=&user_name=`) on one accepted socket.
 * The socket receives (messages, typing, presence); messages are sent with the REST call.
 *
 * On connect: `connection_status` (the room id inside `data`), and `user_joined` to the others
 * when this is the user's first socket in the room; `user_left` when their last one closes.
 * Presence and every broadcast span all processes (hub.js): the socket gets `connection_status`
 * once its process hears the room.
 * Client frames: `typing` is relayed to the room's other sockets, `get_online_users` is answered
 * with a fresh `connection_status` (the document names no answer, and that is the frame its own
 * client reads online users from), `ping` with `pong`; anything else is ignored.
 *
 * Close codes: 4001 when the token is missing or invalid, or when `user_id` is not the token's
 * visitor; 4002 when the room id is not UUID-shaped (see rooms.js); 4004 past
 * `ROOMS_RATE_LIMIT` frames in any second. `user_name` defaults to "Visitor".
 */
import { ConversationsFull } from '../conversations/store.js';
import { createSlidingWindow } from '../platform/limits/rate-limit.js';
import { parseObjectFrame, sendFrame } from '../platform/ws/send.js';
import { KIND, displayName, isRoomId, roomFrame } from './rooms.js';

export const ROOMS_RATE_LIMIT = 20;

/**
 * @param {import('ws').WebSocket} ws
 * @param {import('../platform/ws/upgrade.js').SocketContext & {
 *   store: import('../conversations/store.js').ConversationStore,
 *   hub: import('./hub.js').RoomHub,
 *   logger: { error(...args: unknown[]): void },
 * }} deps
 */
export function handleRoomsConnection(ws, { visitor, url, params, store, hub, logger }) {
  const roomId = params[0] ?? '';
  const requestedUser = url.searchParams.get('user_id');
  ws.on('error', (err) => logger.error('[rooms] socket error:', err));

  if (!visitor) {
    ws.close(4001, 'Unauthorized');
    return;
  }
  if (requestedUser && requestedUser !== visitor.sub) {
    ws.close(4001, 'user_id does not match the token');
    return;
  }
  if (!isRoomId(roomId)) {
    ws.close(4002, 'Room not found');
    return;
  }

  const userId = visitor.sub;
  /** @type {import('./hub.js').Member} */
  const member = {
    ws,
    userId,
    userName: displayName(url.searchParams.get('user_name')),
  };
  const rate = createSlidingWindow(ROOMS_RATE_LIMIT, 1000);
  let joined = false;
  // Frames that arrive while the room is being looked up wait for it.
  let ready = join().catch((err) => {
    // 1013 is "try again later": the store is full of active rooms, nothing broke.
    if (err instanceof ConversationsFull) {
      ws.close(1013, 'Server full, try again later');
      return;
    }
    logger.error('[rooms] join failed:', err);
    ws.close(1011, 'Internal error');
  });

  async function onClose() {
    if (!joined) return;
    let last;
    try {
      last = await hub.leave(roomId, member);
    } catch (err) {
      logger.error('[rooms] leave failed:', err);
      return;
    }
    if (last) {
      hub.broadcast(
        roomId,
        roomFrame(
          'user_left',
          {
            user_id: member.userId,
            user_name: member.userName,
            left_at: new Date().toISOString(),
          },
          roomId,
        ),
      );
    }
  }
  // onClose logs its own failure.
  ws.on('close', () => void onClose());

  ws.on('message', (data, isBinary) => {
    if (!rate.take()) {
      ws.close(4004, 'Rate limit exceeded');
      return;
    }
    const frame = parseObjectFrame(data, isBinary);
    if (!frame) return;
    ready = ready
      .then(() => onFrame(frame))
      .catch((err) => {
        logger.error('[rooms] frame failed:', err);
        ws.close(1011, 'Internal error');
      });
  });

  async function join() {
    await store.ensureConversation(KIND, roomId, userId);
    // The socket may have closed during the lookup; joining then would leave a ghost online.
    if (ws.readyState !== ws.OPEN) return;
    joined = true;
    const first = await hub.join(roomId, member);
    sendFrame(ws, await connectionStatus());
    if (first) {
      hub.broadcast(
        roomId,
        roomFrame(
          'user_joined',
          {
            user_id: member.userId,
            user_name: member.userName,
            joined_at: new Date().toISOString(),
            meta: { role: 'member' },
          },
          roomId,
        ),
        member,
      );
    }
  }

  /** @param {Record<string, unknown>} frame */
  async function onFrame(frame) {
    if (!joined) return;
    const data = frame.data !== null && typeof frame.data === 'object' ? frame.data : {};
    switch (frame.type) {
      case 'typing': {
        const isTyping = /** @type {Record<string, unknown>} */ (data).is_typing === true;
        const typing = { user_id: member.userId, user_name: member.userName, is_typing: isTyping };
        hub.broadcast(roomId, roomFrame('typing', typing, roomId), member);
        return;
      }
      case 'get_online_users':
        sendFrame(ws, await connectionStatus());
        return;
      case 'ping':
        sendFrame(ws, roomFrame('pong', {}, roomId));
        return;
      default:
      // The document names no other client frames.
    }
  }

  /**
   * Not in the envelope: the document's example carries the room id inside `data` only.
   * Participants are everyone online or with a kept message in the room, the bot included.
   */
  async function connectionStatus() {
    const online = await hub.onlineUsers(roomId);
    const page = await store.listMessages(KIND, roomId);
    const participants = new Set([
      ...online,
      ...(page?.messages ?? []).map((m) => String(m.sender_id)),
    ]);
    return {
      type: 'connection_status',
      data: {
        status: 'connected',
        user_id: member.userId,
        room_id: roomId,
        online_users: online,
        total_participants: participants.size,
      },
      timestamp: new Date().toISOString(),
    };
  }
}
