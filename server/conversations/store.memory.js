/**
 * The ConversationStore (store.js) in this process's memory, with an overall cap on
 * conversations and users besides the bounds both stores keep.
 */
import { ConversationsFull, DEFAULT_LIMITS } from './store.js';

/**
 * @typedef {import('./store.js').Conversation} Conversation
 * @typedef {import('./store.js').ConversationKind} ConversationKind
 * @typedef {import('./store.js').MessageRecord} MessageRecord
 */

/**
 * @typedef {{ meta: Conversation, messages: MessageRecord[], sizes: number[], bytes: number, lastUsed: number, useSeq: number }} Entry
 *   `lastUsed` (a time) decides expiry and protection; `useSeq` (a counter) decides recency,
 *   since many uses can share one millisecond; `sizes` are the messages' JSON bytes
 */

/** @param {unknown} value */
const sizeOf = (value) => Buffer.byteLength(JSON.stringify(value));

/**
 * @param {Partial<typeof DEFAULT_LIMITS> & { now?: () => number }} [options]
 * @returns {import('./store.js').ConversationStore}
 */
export function createMemoryConversationStore(options = {}) {
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
      if (entry.lastUsed > expired) break;
      drop(key);
    }
    if (entries.size <= limits.maxConversations) return;
    // Over the cap (a newcomer was just let in past idle ones): the least recently used idle
    // conversations go; one used within the protection window never goes for someone else.
    const active = now() - limits.activeProtectMs;
    for (const [key, entry] of entries) {
      if (entries.size <= limits.maxConversations || entry.lastUsed > active) return;
      drop(key);
    }
  }

  /**
   * Room for one more conversation of `owner`: theirs before anyone else's, then the least
   * recently used idle one; false when all are active.
   * @param {Set<string>} owned
   */
  function makeRoom(owned) {
    if (entries.size < limits.maxConversations) return true;
    if (owned.size > 0) {
      drop(stalestOf(owned));
      return true;
    }
    const first = entries.values().next().value;
    if (!first || first.lastUsed > now() - limits.activeProtectMs) return false;
    drop(keyOf(first.meta.kind, first.meta.id));
    return true;
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
      while (owned.size >= limits.maxConversationsPerOwner) drop(stalestOf(owned));
      if (!makeRoom(owned)) throw new ConversationsFull();
      byOwner.set(owner, owned);
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
        sizes: [],
        bytes: 0,
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
      const size = sizeOf(message);
      entry.messages.push(structuredClone(message));
      entry.sizes.push(size);
      entry.bytes += size;
      // The newest message always stays, even alone past the budget (content is capped anyway).
      while (
        entry.messages.length > 1 &&
        (entry.messages.length > limits.maxMessagesPerConversation ||
          entry.bytes > limits.maxBytesPerConversation)
      ) {
        if (entry.bytes > limits.maxBytesPerConversation) entry.meta.truncated = true;
        entry.messages.shift();
        entry.bytes -= entry.sizes.shift() ?? 0;
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
