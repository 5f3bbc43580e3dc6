/**
 * Conversations and their messages, in memory. Everything the `events`, `rooms` and `threads`
 * endpoints keep goes through this interface, and every method is async and hands out copies,
 * so a shared store (Redis, a database) can take its place without touching the protocols.
 *
 * A conversation is an `events` chat, a room or a thread (`kind`), owned by the visitor who
 * created it. Messages are opaque JSON records in the shape their protocol documents; the store
 * only needs an `id`.
 *
 * Bounds, so a demo left running cannot be filled up by one visitor or by many:
 * - conversations idle (no read, no write) for `idleTtlMs` are forgotten;
 * - past `maxConversations` in all, the least recently used go first;
 * - past `maxConversationsPerOwner` for one visitor, that visitor's least recently used goes;
 * - a conversation keeps its last `maxMessagesPerConversation` messages (older ones drop off,
 *   and `total` in listings counts what is kept);
 * - `markUserSeen` remembers at most `maxUsers` users, least recently seen forgotten first.
 */

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
  maxUsers: 100_000,
});

/**
 * @typedef {{ meta: Conversation, messages: MessageRecord[], lastUsed: number, useSeq: number }} Entry
 *   `lastUsed` (a time) decides expiry; `useSeq` (a counter) decides recency, since many
 *   uses can share one millisecond
 */

/**
 * @param {Partial<typeof DEFAULT_LIMITS> & { now?: () => number }} [options]
 * @returns {ConversationStore}
 */
export function createMemoryStore(options = {}) {
  const { now = Date.now, ...overrides } = options;
  /** @type {{ -readonly [K in keyof typeof DEFAULT_LIMITS]: number }} */
  const limits = { ...DEFAULT_LIMITS, ...overrides };
  // A cap of 0 would make room for a new conversation by evicting nothing, forever.
  limits.maxConversationsPerOwner = Math.max(1, limits.maxConversationsPerOwner);

  // Map order is least recently used first: touching an entry moves it to the back.
  /** @type {Map<string, Entry>} */
  const entries = new Map();
  /** @type {Map<string, Set<string>>} owner → keys of their conversations */
  const byOwner = new Map();
  /** @type {Map<string, true>} */
  const users = new Map();
  let uses = 0;

  /** @param {ConversationKind} kind @param {string} id */
  const keyOf = (kind, id) => `${kind}:${id}`;

  /** @param {string} key */
  function drop(key) {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    const owned = byOwner.get(entry.meta.owner);
    owned?.delete(key);
    if (owned?.size === 0) byOwner.delete(entry.meta.owner);
  }

  function prune() {
    const expired = now() - limits.idleTtlMs;
    for (const [key, entry] of entries) {
      if (entry.lastUsed > expired && entries.size <= limits.maxConversations) break;
      drop(key);
    }
  }

  /** @param {string} key @returns {Entry | undefined} */
  function use(key) {
    prune();
    const entry = entries.get(key);
    if (!entry) return undefined;
    entries.delete(key);
    entries.set(key, entry);
    entry.lastUsed = now();
    entry.useSeq = ++uses;
    return entry;
  }

  /**
   * The owner's least recently used conversation. Their set is in creation order, not use
   * order, and it holds at most `maxConversationsPerOwner` keys, so a scan is cheap.
   * @param {Set<string>} owned not empty
   */
  function stalestOf(owned) {
    let stalest = '';
    let oldest = Infinity;
    for (const key of owned) {
      const useSeq = entries.get(key)?.useSeq ?? -Infinity;
      if (useSeq < oldest) {
        oldest = useSeq;
        stalest = key;
      }
    }
    return stalest;
  }

  /** @param {Entry} entry @returns {Conversation} */
  const copy = (entry) => structuredClone({ ...entry.meta, message_count: entry.messages.length });

  return {
    async ensureConversation(kind, id, owner, data = {}) {
      const key = keyOf(kind, id);
      const existing = use(key);
      if (existing) return { conversation: copy(existing), created: false };

      const owned = byOwner.get(owner) ?? new Set();
      byOwner.set(owner, owned);
      while (owned.size >= limits.maxConversationsPerOwner) drop(stalestOf(owned));
      const time = new Date(now()).toISOString();
      /** @type {Entry} */
      const entry = {
        meta: {
          kind,
          id,
          owner,
          created_at: time,
          updated_at: time,
          message_count: 0,
          data: structuredClone(data),
        },
        messages: [],
        lastUsed: now(),
        useSeq: ++uses,
      };
      entries.set(key, entry);
      owned.add(key);
      prune();
      return { conversation: copy(entry), created: true };
    },

    async getConversation(kind, id) {
      const entry = use(keyOf(kind, id));
      return entry && copy(entry);
    },

    async listConversations(kind, owner) {
      prune();
      const keys = byOwner.get(owner) ?? new Set();
      return [...keys]
        .map((key) => entries.get(key))
        .filter(
          /** @returns {entry is Entry} */ (entry) =>
            entry !== undefined && entry.meta.kind === kind,
        )
        .map(copy)
        .sort((a, b) => b.updated_at.localeCompare(a.updated_at));
    },

    async deleteConversation(kind, id) {
      const key = keyOf(kind, id);
      const existed = entries.has(key);
      drop(key);
      return existed;
    },

    async appendMessage(kind, id, message) {
      const entry = use(keyOf(kind, id));
      if (!entry) return false;
      entry.messages.push(structuredClone(message));
      if (entry.messages.length > limits.maxMessagesPerConversation) {
        entry.messages.splice(0, entry.messages.length - limits.maxMessagesPerConversation);
      }
      const time = new Date(now()).toISOString();
      entry.meta.updated_at = time;
      entry.meta.last_message_at = time;
      return true;
    },

    async listMessages(kind, id, { offset = 0, limit = Infinity, order = 'asc' } = {}) {
      const entry = use(keyOf(kind, id));
      if (!entry) return undefined;
      const all = order === 'desc' ? [...entry.messages].reverse() : entry.messages;
      return {
        messages: structuredClone(all.slice(offset, offset + limit)),
        total: all.length,
      };
    },

    async markUserSeen(userId) {
      const known = users.delete(userId);
      users.set(userId, true);
      if (users.size > limits.maxUsers) {
        const oldest = users.keys().next().value;
        if (oldest !== undefined) users.delete(oldest);
      }
      return !known;
    },
  };
}
