/**
 * Rooms as both the socket and the REST API see them, and the frames they share.
 *
 * Which rooms exist: every room whose id is UUID-shaped (any version). The document's rooms are
 * created through a REST API this server does not have, and a widget makes up a fresh UUID for a
 * new conversation, so a room comes into being the first time it is used. Anything else is
 * "room not found" (close 4002, HTTP 404); this also keeps `/ws/chat` (the `events` socket) from
 * ever being taken for a room.
 */
import { randomUUID } from 'node:crypto';

export const KIND = 'room';

const ROOM_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The bot, as it appears in rooms. */
export const ASSISTANT = Object.freeze({ id: 'demo-assistant', name: 'Demo Assistant' });

/** For a visitor who gives no name. */
export const DEFAULT_USER_NAME = 'Visitor';
export const MAX_NAME_LENGTH = 100;

/** @param {string} roomId */
export function isRoomId(roomId) {
  return ROOM_ID.test(roomId);
}

/**
 * A display name from untrusted input: trimmed, shortened, never empty.
 * @param {unknown} name
 */
export function displayName(name) {
  const trimmed = typeof name === 'string' ? name.trim().slice(0, MAX_NAME_LENGTH) : '';
  return trimmed || DEFAULT_USER_NAME;
}

/**
 * The document's frame envelope for room events.
 * @param {string} type
 * @param {Record<string, unknown>} data
 * @param {string} roomId
 */
export function roomFrame(type, data, roomId) {
  return { type, data, timestamp: new Date().toISOString(), room_id: roomId };
}

/**
 * A stored room message, in the shape of the document's `message` frame data.
 * @param {{ sender_id: string, sender_name: string, content: string, meta?: Record<string, unknown> }} fields
 */
export function roomMessage({ sender_id, sender_name, content, meta = {} }) {
  return {
    id: randomUUID(),
    sender_id,
    sender_name,
    content,
    message_type: 'text',
    meta,
    created_at: new Date().toISOString(),
  };
}
