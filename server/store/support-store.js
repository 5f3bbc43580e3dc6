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
 * @property {boolean} [interrupted] an `assistant` reply cut off because the process producing
 *   it died; its text is what the visitor was shown
 * @property {string} [replyTo] an `assistant` reply: the question it answers (for `retry`)
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
 *
 * The conversation's frame log, what makes `resume` exact on any process:
 * @property {(id: string, frame: Record<string, unknown>, options?: PublishOptions) => Promise<number | undefined>} publish
 *   in one atomic step: applies `message` / `reply`, gives the frame the conversation's next
 *   `seq`, keeps it in the log and hands it to every subscriber of the conversation (on every
 *   process). undefined, and nothing changed, when the conversation is gone or a `reply` step
 *   does not match the reply in progress (it was taken over)
 * @property {(id: string) => Promise<number>} lastSeq 0 for a conversation with no frame yet
 * @property {(id: string, seq: number) => Promise<{ frames: LoggedFrame[], complete: boolean }>} framesAfter
 *   the frames after `seq`, oldest first; `complete` false when some of them are no longer kept
 *   (or `seq` is from the future: the store lost them), and then a client needs a `sync`
 * @property {(id: string) => Promise<Snapshot | undefined>} snapshot
 *   the conversation, its transcript, the reply in progress and the `seq` they stand at, read
 *   atomically: the frames after that `seq` are exactly what the snapshot does not show
 * @property {(id: string, listener: (entry: LoggedFrame) => void) => Promise<() => Promise<void>>} subscribe
 *   frames published from now on, in `seq` order (gaps are possible when the connection to a
 *   shared store drops: the caller fills them from `framesAfter`); resolves once subscribed
 * @property {(listener: () => void) => () => void} onResubscribed a shared store's subscriber
 *   reconnected: frames published meanwhile may have been missed
 *
 * Replies: questions waiting for the bot are jobs of the conversation; one process at a time
 * (the worker, holding a lease it renews) answers them, and another takes over a lease that ran
 * out, because the process holding it died.
 * @property {(id: string, questionId: string, max: number) => Promise<boolean>} addJob
 *   false when `max` questions are already waiting
 * @property {(id: string) => Promise<string[]>} jobs question ids, first to answer first
 * @property {(id: string, questionId: string) => Promise<boolean>} removeJob
 * @property {(id: string) => Promise<string[]>} clearJobs the question ids removed
 * @property {(id: string, owner: string, leaseMs: number) => Promise<boolean>} claimWorker
 *   true when `owner` holds the lease now: it was free, ran out, or was already theirs (renewed)
 * @property {(id: string, owner: string) => Promise<boolean>} releaseWorker
 * @property {(id: string, owner: string) => Promise<boolean>} expireWorker
 *   ends the lease at once (a process shutting down): another process takes over
 * @property {(now: number) => Promise<string[]>} expiredWorkers conversations whose lease ran out
 * @property {(id: string, socketId: string, ttlMs: number) => Promise<void>} attachVisitor
 *   a visitor socket (on any process) is open; renewed before `ttlMs` runs out
 * @property {(id: string, socketId: string) => Promise<void>} detachVisitor
 * @property {(id: string) => Promise<number>} attachedVisitors sockets open on every process
 * @property {(agentId: string, socketId: string, ttlMs: number) => Promise<void>} attachAgent
 * @property {(agentId: string, socketId: string, graceMs: number) => Promise<void>} detachAgent
 *   the agent still counts as online for `graceMs` unless another console of theirs is open
 * @property {() => Promise<Set<string>>} onlineAgents
 * @property {(event: Record<string, unknown>) => Promise<void>} publishConsole
 *   an event for every agent console on every process
 * @property {(listener: (event: Record<string, unknown>) => void) => Promise<() => Promise<void>>} subscribeConsole
 *
 * Live frames of the other protocols (`rooms`, `events`, `threads`), which keep no frame log:
 * @property {(name: string, payload: Record<string, unknown>) => Promise<void>} publishChannel
 *   hands `payload` to every subscriber of channel `name` on every process (this one too);
 *   nothing is kept for a subscriber that comes later
 * @property {(name: string, listener: (payload: Record<string, unknown>) => void) => Promise<() => Promise<void>>} subscribeChannel
 *   resolves once subscribed
 *
 * Who is in a `rooms` room, on every process: each socket's entry expires unless renewed, so
 * the users of a process that died drop out.
 * @property {(roomId: string, userId: string, socketId: string, ttlMs: number) => Promise<boolean>} joinRoom
 *   adds or renews the socket; true when it is the user's first live socket in the room
 * @property {(roomId: string, socketId: string) => Promise<string | undefined>} leaveRoom
 *   the socket's user when that was their last live socket in the room
 * @property {(roomId: string) => Promise<string[]>} roomPresence
 *   distinct users with a live socket, in order of their earliest live socket's arrival
 */

/**
 * @typedef {object} PublishOptions
 * @property {SupportMessage} [message] stored with the frame
 * @property {ReplyStep} [reply] the reply in progress moves with the frame
 * @property {string} [except] a socket id that must not get the frame (its sender)
 * @property {string} [to] a socket id that gets it even when it speaks no extension (the asker)
 *
 * @typedef {{ op: 'start', messageId: string, questionId: string, timestamp: string }
 *   | { op: 'token', messageId: string, token: string }
 *   | { op: 'end', messageId: string, interrupted?: boolean }
 *   | { op: 'abort', messageId: string }} ReplyStep
 *   `end` stores the reply's text as an `assistant` message (with `interrupted` and `replyTo`);
 *   `abort` forgets it (the bot failed, or nobody is left to read it)
 *
 * @typedef {{ messageId: string, questionId: string, text: string, timestamp: string }} ReplyState
 * @typedef {{ seq: number, frame: Record<string, unknown>, except?: string, to?: string }} LoggedFrame
 * @typedef {{ conversation: SupportConversation, messages: SupportMessage[], reply: ReplyState | null, seq: number }} Snapshot
 */

export const SUPPORT_LIMITS = Object.freeze({
  idleTtlMs: 24 * 60 * 60_000,
  maxConversations: 10_000,
  maxMessagesPerConversation: 500,
  maxLeftMessages: 1000,
  maxSessions: 1000,
  maxFramesPerConversation: 5000,
});

/**
 * @typedef {object} Entry
 * @property {SupportConversation} meta
 * @property {SupportMessage[]} messages
 * @property {number} lastUsed
 * @property {number} queueSeq orders the queue: many visitors can ask within one millisecond
 * @property {number} seq the last frame's
 * @property {LoggedFrame[]} frames the latest, oldest first
 * @property {ReplyState | null} reply
 * @property {string[]} jobs
 * @property {{ owner: string, until: number } | null} worker
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
  /** @type {Map<string, Set<(entry: LoggedFrame) => void>>} */
  const subscribers = new Map();
  /** @type {Set<(event: Record<string, unknown>) => void>} */
  const consoleListeners = new Set();
  /** @type {Map<string, Map<string, number>>} conversation id → socket id → expiry */
  const visitorSockets = new Map();
  /** @type {Map<string, Map<string, number>>} agent id → console socket id → expiry */
  const agentSockets = new Map();
  /** @type {Map<string, number>} agent id → counts as online until */
  const agentGrace = new Map();
  /** @type {Map<string, Set<(payload: Record<string, unknown>) => void>>} */
  const channelListeners = new Map();
  /** @type {Map<string, Map<string, { userId: string, until: number, arrived: number }>>} */
  const roomSockets = new Map();
  let arrivals = 0;

  /** @param {string} roomId the room's live sockets, expired ones dropped */
  function liveRoom(roomId) {
    const sockets = roomSockets.get(roomId) ?? new Map();
    const time = Date.now();
    for (const [socketId, entry] of sockets) if (entry.until <= time) sockets.delete(socketId);
    if (sockets.size === 0) roomSockets.delete(roomId);
    return sockets;
  }

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

  /** @param {Entry} entry @param {SupportMessage} message */
  function pushMessage(entry, message) {
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
  }

  /**
   * Whether the reply step fits the reply in progress, and applies it.
   * @param {Entry} entry
   * @param {ReplyStep} step
   */
  function applyReply(entry, step) {
    if (step.op === 'start') {
      if (entry.reply) return false;
      entry.reply = {
        messageId: step.messageId,
        questionId: step.questionId,
        text: '',
        timestamp: step.timestamp,
      };
      return true;
    }
    const reply = entry.reply;
    if (!reply || reply.messageId !== step.messageId) return false;
    if (step.op === 'token') {
      reply.text += step.token;
      return true;
    }
    if (step.op === 'abort') {
      entry.reply = null;
      return true;
    }
    pushMessage(entry, {
      messageId: reply.messageId,
      role: 'assistant',
      content: reply.text,
      timestamp: reply.timestamp,
      replyTo: reply.questionId,
      ...(step.interrupted ? { interrupted: true } : {}),
    });
    entry.reply = null;
    return true;
  }

  /** @param {Map<string, Map<string, number>>} map @param {string} key */
  function liveCount(map, key) {
    const sockets = map.get(key);
    if (!sockets) return 0;
    // Leases and presence run on real time: the store's clock may be fixed (opening hours).
    const time = Date.now();
    for (const [socketId, until] of sockets) if (until <= time) sockets.delete(socketId);
    if (sockets.size === 0) map.delete(key);
    return sockets.size;
  }

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
        seq: 0,
        frames: [],
        reply: null,
        jobs: [],
        worker: null,
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
      pushMessage(entry, message);
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

    async publish(id, frame, { message, reply, except, to } = {}) {
      const entry = use(id);
      if (!entry) return undefined;
      if (reply && !applyReply(entry, reply)) return undefined;
      if (message) pushMessage(entry, message);
      /** @type {LoggedFrame} */
      const logged = {
        seq: ++entry.seq,
        frame: structuredClone(frame),
        ...(except ? { except } : {}),
        ...(to ? { to } : {}),
      };
      entry.frames.push(logged);
      if (entry.frames.length > limits.maxFramesPerConversation) {
        entry.frames.splice(0, entry.frames.length - limits.maxFramesPerConversation);
      }
      // Asynchronously, as a shared store's subscribers hear it: a publisher never runs
      // delivery code inside its own call.
      const listeners = subscribers.get(id);
      if (listeners) {
        queueMicrotask(() => {
          for (const listener of listeners) listener(structuredClone(logged));
        });
      }
      return logged.seq;
    },

    async lastSeq(id) {
      return entries.get(id)?.seq ?? 0;
    },

    async framesAfter(id, seq) {
      const entry = use(id);
      if (!entry) return { frames: [], complete: seq === 0 };
      if (seq > entry.seq) return { frames: [], complete: false };
      const frames = entry.frames.filter((f) => f.seq > seq);
      const complete = seq === entry.seq || frames[0]?.seq === seq + 1;
      return { frames: complete ? structuredClone(frames) : [], complete };
    },

    async snapshot(id) {
      const entry = use(id);
      if (!entry) return undefined;
      return {
        conversation: copy(entry),
        messages: structuredClone(entry.messages),
        reply: entry.reply && { ...entry.reply },
        seq: entry.seq,
      };
    },

    async subscribe(id, listener) {
      const listeners = subscribers.get(id) ?? new Set();
      subscribers.set(id, listeners);
      listeners.add(listener);
      return async () => {
        listeners.delete(listener);
        if (listeners.size === 0 && subscribers.get(id) === listeners) subscribers.delete(id);
      };
    },

    onResubscribed() {
      return () => {};
    },

    async addJob(id, questionId, max) {
      const entry = use(id);
      if (!entry || entry.jobs.length >= max) return false;
      entry.jobs.push(questionId);
      return true;
    },

    async jobs(id) {
      return [...(entries.get(id)?.jobs ?? [])];
    },

    async removeJob(id, questionId) {
      const entry = entries.get(id);
      const at = entry?.jobs.indexOf(questionId) ?? -1;
      if (!entry || at < 0) return false;
      entry.jobs.splice(at, 1);
      return true;
    },

    async clearJobs(id) {
      const entry = entries.get(id);
      if (!entry) return [];
      return entry.jobs.splice(0);
    },

    async claimWorker(id, owner, leaseMs) {
      const entry = entries.get(id);
      if (!entry) return false;
      const worker = entry.worker;
      if (worker && worker.owner !== owner && worker.until > Date.now()) return false;
      entry.worker = { owner, until: Date.now() + leaseMs };
      return true;
    },

    async releaseWorker(id, owner) {
      const entry = entries.get(id);
      if (entry?.worker?.owner !== owner) return false;
      entry.worker = null;
      return true;
    },

    async expireWorker(id, owner) {
      const entry = entries.get(id);
      if (!entry?.worker || entry.worker.owner !== owner) return false;
      entry.worker.until = 0;
      return true;
    },

    async expiredWorkers(time) {
      return [...entries.values()]
        .filter((entry) => entry.worker && entry.worker.until <= time)
        .map((entry) => entry.meta.id);
    },

    async attachVisitor(id, socketId, ttlMs) {
      const sockets = visitorSockets.get(id) ?? new Map();
      visitorSockets.set(id, sockets);
      sockets.set(socketId, Date.now() + ttlMs);
    },

    async detachVisitor(id, socketId) {
      visitorSockets.get(id)?.delete(socketId);
      liveCount(visitorSockets, id);
    },

    async attachedVisitors(id) {
      return liveCount(visitorSockets, id);
    },

    async attachAgent(agentId, socketId, ttlMs) {
      const sockets = agentSockets.get(agentId) ?? new Map();
      agentSockets.set(agentId, sockets);
      sockets.set(socketId, Date.now() + ttlMs);
      agentGrace.delete(agentId);
    },

    async detachAgent(agentId, socketId, graceMs) {
      agentSockets.get(agentId)?.delete(socketId);
      if (liveCount(agentSockets, agentId) === 0) agentGrace.set(agentId, Date.now() + graceMs);
    },

    async onlineAgents() {
      const online = new Set();
      for (const agentId of [...agentSockets.keys()]) {
        if (liveCount(agentSockets, agentId) > 0) online.add(agentId);
      }
      for (const [agentId, until] of agentGrace) {
        if (until > Date.now()) online.add(agentId);
        else agentGrace.delete(agentId);
      }
      return online;
    },

    async publishConsole(event) {
      const copyOf = structuredClone(event);
      queueMicrotask(() => {
        for (const listener of consoleListeners) listener(structuredClone(copyOf));
      });
    },

    async subscribeConsole(listener) {
      consoleListeners.add(listener);
      return async () => {
        consoleListeners.delete(listener);
      };
    },

    async publishChannel(name, payload) {
      const copyOf = structuredClone(payload);
      const listeners = channelListeners.get(name);
      if (!listeners) return;
      queueMicrotask(() => {
        for (const listener of listeners) listener(structuredClone(copyOf));
      });
    },

    async subscribeChannel(name, listener) {
      const listeners = channelListeners.get(name) ?? new Set();
      channelListeners.set(name, listeners);
      listeners.add(listener);
      return async () => {
        listeners.delete(listener);
        if (listeners.size === 0 && channelListeners.get(name) === listeners) {
          channelListeners.delete(name);
        }
      };
    },

    async joinRoom(roomId, userId, socketId, ttlMs) {
      const sockets = liveRoom(roomId);
      roomSockets.set(roomId, sockets);
      const known = sockets.get(socketId);
      const first = !known && ![...sockets.values()].some((s) => s.userId === userId);
      sockets.set(socketId, {
        userId,
        until: Date.now() + ttlMs,
        arrived: known?.arrived ?? ++arrivals,
      });
      return first;
    },

    async leaveRoom(roomId, socketId) {
      const sockets = liveRoom(roomId);
      const entry = sockets.get(socketId);
      sockets.delete(socketId);
      if (sockets.size === 0) roomSockets.delete(roomId);
      if (!entry || [...sockets.values()].some((s) => s.userId === entry.userId)) return undefined;
      return entry.userId;
    },

    async roomPresence(roomId) {
      const sockets = [...liveRoom(roomId).values()].sort((a, b) => a.arrived - b.arrived);
      return [...new Set(sockets.map((s) => s.userId))];
    },
  };
}
