/**
 * What the `stream` endpoint and the agent console share, in memory: one conversation per visitor
 * (every tab and reconnect of theirs reads and writes it), its handoff state, the queue of
 * conversations waiting for a person, messages left for the team, and agent sessions.
 *
 * Every method is async and hands out copies, like store/memory-store.js, so a shared store
 * (Redis, a database) can take its place for several instances. The methods that decide who gets
 * a chat (`enqueue`, `take`, `transfer`, `release`, `requeue`, `dequeue`) are compare-and-set:
 * each checks the state it expects and changes it in one step, so two agents taking the same
 * chat at once cannot both win. A shared implementation must keep them atomic (a Lua script or
 * WATCH/MULTI in Redis, a conditional UPDATE in SQL).
 *
 * Bounds, so a demo left running cannot be filled up:
 * - conversations idle for `idleTtlMs` are forgotten, and past `maxConversations` the least
 *   recently used go first; conversations in a handoff are passed over while others remain;
 * - a conversation keeps its last `maxMessagesPerConversation` messages;
 * - at most `maxLeftMessages` left messages are kept, oldest dropped first;
 * - sessions and sign-in links expire, and at most `maxSessions` of each are kept.
 */
import { randomBytes } from 'node:crypto';

/**
 * @typedef {'user' | 'assistant' | 'agent' | 'system'} SupportRole
 *   `system` lines are notes for the console ("Maya took the chat"); visitors never get them
 * @typedef {{ id: string, name: string, avatar?: string }} AgentRef
 * @typedef {object} SupportMessage
 * @property {string} messageId
 * @property {SupportRole} role
 * @property {string} content
 * @property {string} timestamp ISO time it was stored
 * @property {string} [clientMessageId] the visitor's id for their message
 * @property {AgentRef} [agent] who wrote an `agent` message, or whom a `system` note is about
 * @property {string} [deliveredAt] an `agent` message: when a visitor's window first had it
 * @property {boolean} [unanswered] a `user` message whose reply failed or was abandoned; the
 *   bot does not see it again, as the deployed server forgets a turn that failed
 */

/**
 * @typedef {object} Handoff
 * @property {'queued' | 'assigned'} state
 * @property {string} queuedAt ISO time the visitor asked; the queue is in this order
 * @property {string} [agentId] who holds the chat (`assigned`)
 * @property {string} [assignedAt]
 */

/**
 * @typedef {object} SupportConversation
 * @property {string} id random, not the visitor id, so the console never learns the cookie value
 * @property {string} visitorId the token subject it belongs to
 * @property {string} createdAt
 * @property {string} updatedAt last message or handoff change
 * @property {Handoff | null} handoff
 * @property {string} [closedAt] set when an agent closes it, cleared by the visitor's next message
 * @property {string} [lastVisitorMessage] the visitor's latest message, for the inbox
 * @property {string} [lastVisitorMessageAt]
 * @property {number} messageCount
 */

/**
 * @typedef {object} LeftMessage
 * @property {string} id
 * @property {string} conversationId
 * @property {string} email
 * @property {string} message
 * @property {string} createdAt
 * @property {string} [resolvedAt]
 * @property {string} [resolvedBy] agent id
 */

/**
 * @typedef {{ ok: boolean, conversation: SupportConversation | undefined }} HandoffResult
 *   `ok` false: the conversation was not in the expected state (or is gone); `conversation` is
 *   how it stands now either way
 */

/**
 * @typedef {object} SupportStore
 * @property {(visitorId: string) => Promise<SupportConversation>} conversationOf
 *   the visitor's conversation, created on first use
 * @property {(id: string) => Promise<SupportConversation | undefined>} getConversation
 * @property {(filter?: { handoff?: 'none' | 'queued' | 'assigned', limit?: number, includeClosed?: boolean }) => Promise<SupportConversation[]>} listConversations
 *   most recently updated first; `none` lists conversations with at least one message
 * @property {(id: string, message: SupportMessage) => Promise<boolean>} appendMessage
 *   false when the conversation is gone
 * @property {(id: string, options?: { limit?: number }) => Promise<SupportMessage[] | undefined>} listMessages
 *   oldest first; `limit` keeps the newest
 * @property {(id: string, messageId: string, changes: { unanswered?: boolean }) => Promise<boolean>} updateMessage
 *   false when there is no such message
 * @property {(id: string, time: string) => Promise<string[]>} markDelivered
 *   marks every undelivered agent message delivered; their ids
 * @property {(id: string, time: string) => Promise<HandoffResult>} enqueue
 *   no handoff → queued
 * @property {(id: string) => Promise<HandoffResult>} dequeue queued → none
 * @property {(id: string, agentId: string, time: string) => Promise<HandoffResult>} take
 *   queued → assigned to `agentId`
 * @property {(id: string, fromAgentId: string, toAgentId: string, time: string) => Promise<HandoffResult>} transfer
 *   assigned to `fromAgentId` → assigned to `toAgentId`
 * @property {(id: string, agentId: string, options: { close: boolean, time: string }) => Promise<HandoffResult>} release
 *   assigned to `agentId` → none (and closed, when `close`)
 * @property {(id: string, agentId: string) => Promise<HandoffResult>} requeue
 *   assigned to `agentId` → queued, keeping its place from when the visitor asked
 * @property {() => Promise<string[]>} queue conversation ids waiting, first in line first
 * @property {(entry: Omit<LeftMessage, 'id' | 'createdAt'> & { createdAt?: string }) => Promise<LeftMessage>} addLeftMessage
 * @property {(options?: { includeResolved?: boolean }) => Promise<LeftMessage[]>} listLeftMessages
 *   newest first
 * @property {(id: string, agentId: string, time: string) => Promise<boolean>} resolveLeftMessage
 * @property {(tokenHash: string, agentId: string, expiresAt: number) => Promise<void>} createSession
 * @property {(tokenHash: string) => Promise<{ agentId: string, expiresAt: number } | undefined>} getSession
 * @property {(tokenHash: string) => Promise<void>} deleteSession
 * @property {(tokenHash: string, agentId: string, expiresAt: number) => Promise<void>} createLoginToken
 * @property {(tokenHash: string) => Promise<string | undefined>} consumeLoginToken
 *   the agent id, once: the token is gone afterwards whether it was valid or not
 */

export const SUPPORT_LIMITS = Object.freeze({
  idleTtlMs: 24 * 60 * 60_000,
  maxConversations: 10_000,
  maxMessagesPerConversation: 500,
  maxLeftMessages: 1000,
  maxSessions: 1000,
});

/**
 * @typedef {{ meta: SupportConversation, messages: SupportMessage[], lastUsed: number, queueSeq: number }} Entry
 *   `queueSeq` orders the queue: many visitors can ask within one millisecond
 */

/**
 * @param {Partial<typeof SUPPORT_LIMITS> & { now?: () => number }} [options]
 * @returns {SupportStore}
 */
export function createMemorySupportStore(options = {}) {
  const { now = Date.now, ...overrides } = options;
  const limits = { ...SUPPORT_LIMITS, ...overrides };

  // Least recently used first: a use moves the entry to the back.
  /** @type {Map<string, Entry>} */
  const entries = new Map();
  /** @type {Map<string, string>} visitor id → conversation id */
  const byVisitor = new Map();
  /** @type {Map<string, LeftMessage>} oldest first */
  const leftMessages = new Map();
  /** @type {Map<string, { agentId: string, expiresAt: number }>} */
  const sessions = new Map();
  /** @type {Map<string, { agentId: string, expiresAt: number }>} */
  const loginTokens = new Map();
  let enqueued = 0;

  const iso = () => new Date(now()).toISOString();

  /** @param {string} id */
  function drop(id) {
    const entry = entries.get(id);
    if (!entry) return;
    entries.delete(id);
    if (byVisitor.get(entry.meta.visitorId) === id) byVisitor.delete(entry.meta.visitorId);
  }

  function prune() {
    const expired = now() - limits.idleTtlMs;
    for (const [id, entry] of entries) {
      if (entry.lastUsed > expired) break;
      drop(id);
    }
    if (entries.size <= limits.maxConversations) return;
    // Over the cap: the stalest conversations nobody is waiting in or talking to go first.
    for (const [id, entry] of entries) {
      if (entries.size <= limits.maxConversations) return;
      if (!entry.meta.handoff) drop(id);
    }
    for (const id of entries.keys()) {
      if (entries.size <= limits.maxConversations) return;
      drop(id);
    }
  }

  /** @param {string} id @returns {Entry | undefined} */
  function use(id) {
    prune();
    const entry = entries.get(id);
    if (!entry) return undefined;
    entries.delete(id);
    entries.set(id, entry);
    entry.lastUsed = now();
    return entry;
  }

  /** @param {Entry} entry @returns {SupportConversation} */
  const copy = (entry) => structuredClone({ ...entry.meta, messageCount: entry.messages.length });

  /**
   * @param {string} id
   * @param {(handoff: Handoff | null) => boolean} expected
   * @param {(entry: Entry) => void} change
   * @returns {HandoffResult}
   */
  function compareAndSet(id, expected, change) {
    const entry = use(id);
    if (!entry) return { ok: false, conversation: undefined };
    if (!expected(entry.meta.handoff)) return { ok: false, conversation: copy(entry) };
    change(entry);
    entry.meta.updatedAt = iso();
    return { ok: true, conversation: copy(entry) };
  }

  /**
   * @template V
   * @param {Map<string, V & { expiresAt: number }>} map
   */
  function pruneExpiring(map) {
    const time = now();
    for (const [key, value] of map) {
      if (value.expiresAt <= time) map.delete(key);
    }
    while (map.size > limits.maxSessions) {
      const oldest = map.keys().next().value;
      if (oldest === undefined) break;
      map.delete(oldest);
    }
  }

  return {
    async conversationOf(visitorId) {
      const known = byVisitor.get(visitorId);
      const existing = known === undefined ? undefined : use(known);
      if (existing) return copy(existing);
      const time = iso();
      const id = `conv_${randomBytes(9).toString('base64url')}`;
      /** @type {Entry} */
      const entry = {
        meta: {
          id,
          visitorId,
          createdAt: time,
          updatedAt: time,
          handoff: null,
          messageCount: 0,
        },
        messages: [],
        lastUsed: now(),
        queueSeq: 0,
      };
      entries.set(id, entry);
      byVisitor.set(visitorId, id);
      prune();
      return copy(entry);
    },

    async getConversation(id) {
      const entry = use(id);
      return entry && copy(entry);
    },

    async listConversations({ handoff, limit = Infinity, includeClosed = true } = {}) {
      prune();
      const found = [...entries.values()].filter((entry) => {
        const state = entry.meta.handoff?.state ?? 'none';
        if (handoff !== undefined && state !== handoff) return false;
        if (handoff === 'none' && entry.messages.length === 0) return false;
        return includeClosed || !entry.meta.closedAt;
      });
      return found
        .map(copy)
        .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
        .slice(0, limit);
    },

    async appendMessage(id, message) {
      const entry = use(id);
      if (!entry) return false;
      entry.messages.push(structuredClone(message));
      if (entry.messages.length > limits.maxMessagesPerConversation) {
        entry.messages.splice(0, entry.messages.length - limits.maxMessagesPerConversation);
      }
      entry.meta.updatedAt = message.timestamp;
      if (message.role === 'user') {
        entry.meta.lastVisitorMessage = message.content;
        entry.meta.lastVisitorMessageAt = message.timestamp;
        delete entry.meta.closedAt;
      }
      return true;
    },

    async listMessages(id, { limit = Infinity } = {}) {
      const entry = use(id);
      if (!entry) return undefined;
      return structuredClone(
        limit >= entry.messages.length ? entry.messages : entry.messages.slice(-limit),
      );
    },

    async updateMessage(id, messageId, { unanswered }) {
      const message = use(id)?.messages.find((m) => m.messageId === messageId);
      if (!message) return false;
      if (unanswered) message.unanswered = true;
      else delete message.unanswered;
      return true;
    },

    async markDelivered(id, time) {
      const entry = use(id);
      if (!entry) return [];
      const marked = [];
      for (const message of entry.messages) {
        if (message.role === 'agent' && !message.deliveredAt) {
          message.deliveredAt = time;
          marked.push(message.messageId);
        }
      }
      return marked;
    },

    async enqueue(id, time) {
      return compareAndSet(
        id,
        (handoff) => handoff === null,
        (entry) => {
          entry.meta.handoff = { state: 'queued', queuedAt: time };
          entry.queueSeq = ++enqueued;
        },
      );
    },

    async dequeue(id) {
      return compareAndSet(
        id,
        (handoff) => handoff?.state === 'queued',
        (entry) => {
          entry.meta.handoff = null;
        },
      );
    },

    async take(id, agentId, time) {
      return compareAndSet(
        id,
        (handoff) => handoff?.state === 'queued',
        (entry) => {
          const queuedAt = entry.meta.handoff?.queuedAt ?? time;
          entry.meta.handoff = { state: 'assigned', queuedAt, agentId, assignedAt: time };
        },
      );
    },

    async transfer(id, fromAgentId, toAgentId, time) {
      return compareAndSet(
        id,
        (handoff) => handoff?.state === 'assigned' && handoff.agentId === fromAgentId,
        (entry) => {
          const queuedAt = entry.meta.handoff?.queuedAt ?? time;
          entry.meta.handoff = {
            state: 'assigned',
            queuedAt,
            agentId: toAgentId,
            assignedAt: time,
          };
        },
      );
    },

    async release(id, agentId, { close, time }) {
      return compareAndSet(
        id,
        (handoff) => handoff?.state === 'assigned' && handoff.agentId === agentId,
        (entry) => {
          entry.meta.handoff = null;
          if (close) entry.meta.closedAt = time;
        },
      );
    },

    async requeue(id, agentId) {
      return compareAndSet(
        id,
        (handoff) => handoff?.state === 'assigned' && handoff.agentId === agentId,
        (entry) => {
          const queuedAt = entry.meta.handoff?.queuedAt ?? iso();
          entry.meta.handoff = { state: 'queued', queuedAt };
        },
      );
    },

    async queue() {
      prune();
      return [...entries.values()]
        .filter((entry) => entry.meta.handoff?.state === 'queued')
        .sort((a, b) => a.queueSeq - b.queueSeq)
        .map((entry) => entry.meta.id);
    },

    async addLeftMessage(entry) {
      /** @type {LeftMessage} */
      const record = {
        ...structuredClone(entry),
        id: `left_${randomBytes(9).toString('base64url')}`,
        createdAt: entry.createdAt ?? iso(),
      };
      leftMessages.set(record.id, record);
      while (leftMessages.size > limits.maxLeftMessages) {
        const oldest = leftMessages.keys().next().value;
        if (oldest === undefined) break;
        leftMessages.delete(oldest);
      }
      return structuredClone(record);
    },

    async listLeftMessages({ includeResolved = false } = {}) {
      return structuredClone(
        [...leftMessages.values()].filter((m) => includeResolved || !m.resolvedAt).reverse(),
      );
    },

    async resolveLeftMessage(id, agentId, time) {
      const record = leftMessages.get(id);
      if (!record || record.resolvedAt) return false;
      record.resolvedAt = time;
      record.resolvedBy = agentId;
      return true;
    },

    async createSession(tokenHash, agentId, expiresAt) {
      sessions.set(tokenHash, { agentId, expiresAt });
      pruneExpiring(sessions);
    },

    async getSession(tokenHash) {
      const session = sessions.get(tokenHash);
      if (!session) return undefined;
      if (session.expiresAt <= now()) {
        sessions.delete(tokenHash);
        return undefined;
      }
      return { ...session };
    },

    async deleteSession(tokenHash) {
      sessions.delete(tokenHash);
    },

    async createLoginToken(tokenHash, agentId, expiresAt) {
      loginTokens.set(tokenHash, { agentId, expiresAt });
      pruneExpiring(loginTokens);
    },

    async consumeLoginToken(tokenHash) {
      const token = loginTokens.get(tokenHash);
      loginTokens.delete(tokenHash);
      if (!token || token.expiresAt <= now()) return undefined;
      return token.agentId;
    },
  };
}
