/**
 * The conversations of the `events`, `rooms` and `threads` endpoints and their messages.
 * Everything those protocols keep goes through this interface, and every method is async and
 * hands out copies, so a shared store (Redis: store.redis.js) can take the memory one's place
 * (store.memory.js) without touching the protocols. test/server/stores/conversations.suite.js is
 * its contract.
 *
 * A conversation is an `events` chat, a room or a thread (`kind`), owned by the visitor who
 * created it. Messages are opaque JSON records in the shape their protocol documents; the store
 * only needs an `id`.
 *
 * Bounds, so a demo left running cannot be filled up by one visitor or by many:
 * - conversations idle (no read, no write) for `idleTtlMs` are forgotten;
 * - past `maxConversations` in all, the least recently used go first;
 * - past `maxConversationsPerOwner` for one visitor, that visitor's least recently used goes;
 * - a conversation keeps its last `maxMessagesPerConversation` messages, and its last
 *   `maxBytesPerConversation` bytes of them (as JSON): older ones drop off, `total` in listings
 *   counts what is kept, and the conversation says `truncated: true` from then on;
 * - memory only: a newcomer is not given room by evicting a conversation used within the last
 *   `activeProtectMs`; the creating visitor's own least recently used conversation goes first,
 *   then anyone's idle one, and when every one is active the creation is refused
 *   (ConversationsFull, a 503 with `Retry-After`) rather than taking one from someone else;
 * - `markUserSeen` remembers at most `maxUsers` users, least recently seen forgotten first.
 */

import { HttpError } from '../platform/http/body.js';

/**
 * @typedef {'chat' | 'room' | 'thread'} ConversationKind
 * @typedef {{ id: string } & Record<string, unknown>} MessageRecord
 * @typedef {object} Conversation
 * @property {ConversationKind} kind
 * @property {string} id
 * @property {string} owner the visitor (token subject) who created it
 * @property {string} created_at ISO time
 * @property {string} updated_at ISO time of the last change
 * @property {string} [last_message_at]
 * @property {number} message_count
 * @property {true} [truncated] older messages were dropped to keep it within its byte budget
 * @property {Record<string, unknown>} data protocol-specific fields (a chat's title, config…)
 * @typedef {object} MessagePage
 * @property {MessageRecord[]} messages
 * @property {number} total
 */

/**
 * @typedef {object} ConversationStore
 * @property {(kind: ConversationKind, id: string, owner: string, data?: Record<string, unknown>) => Promise<{ conversation: Conversation, created: boolean }>} ensureConversation
 *   the conversation with this id, created for `owner` when there is none
 * @property {(kind: ConversationKind, id: string) => Promise<Conversation | undefined>} getConversation
 * @property {(kind: ConversationKind, owner: string) => Promise<Conversation[]>} listConversations
 *   most recently updated first
 * @property {(kind: ConversationKind, id: string) => Promise<boolean>} deleteConversation
 * @property {(kind: ConversationKind, id: string, message: MessageRecord) => Promise<boolean>} appendMessage
 *   false when the conversation no longer exists
 * @property {(kind: ConversationKind, id: string, page?: { offset?: number, limit?: number, order?: 'asc' | 'desc' }) => Promise<MessagePage | undefined>} listMessages
 * @property {(userId: string) => Promise<boolean>} markUserSeen true the first time a user is seen
 */

export const DEFAULT_LIMITS = Object.freeze({
  idleTtlMs: 24 * 60 * 60_000,
  maxConversations: 10_000,
  maxConversationsPerOwner: 50,
  maxMessagesPerConversation: 500,
  // 500 messages of 2,000 characters would be 2 MiB; 256 KiB is still ~130 such messages, and
  // caps the memory store at ~2.5 GiB however the conversations are filled.
  maxBytesPerConversation: 256 * 1024,
  activeProtectMs: 5 * 60_000,
  maxUsers: 100_000,
});

/** Every conversation is active and the store is full: this one is not created. */
export class ConversationsFull extends HttpError {
  constructor() {
    super(503, 'The server is full: try again in a few minutes', { 'Retry-After': '60' });
  }
}
