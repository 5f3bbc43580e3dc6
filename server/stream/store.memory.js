/**
 * The StreamStore (store.js) in this process's memory: one process, nothing to set up. Bounds
 * as STREAM_LIMITS says.
 *
 * Over 400 lines because it is one data set: a conversation's transcript, handoff, frame log,
 * reply and jobs live in one entry, and the steps that must be atomic (a message stored with its
 * frame, a reply step checked against the reply in progress) change several of them at once.
 */
import { randomBytes } from 'node:crypto';
import { liveCount } from '../platform/presence.memory.js';
import { STREAM_LIMITS } from './store.js';

/**
 * @typedef {import('./store.js').StreamConversation} StreamConversation
 * @typedef {import('./store.js').StreamMessage} StreamMessage
 * @typedef {import('./store.js').Handoff} Handoff
 * @typedef {import('./store.js').HandoffResult} HandoffResult
 * @typedef {import('./store.js').LoggedFrame} LoggedFrame
 * @typedef {import('./store.js').ReplyState} ReplyState
 * @typedef {import('./store.js').ReplyStep} ReplyStep
 */

/**
 * @typedef {object} Entry
 * @property {StreamConversation} meta
 * @property {StreamMessage[]} messages
 * @property {number} lastUsed
 * @property {number} queueSeq orders the queue: many visitors can ask within one millisecond
 * @property {number} seq the last frame's
 * @property {LoggedFrame[]} frames the latest, oldest first
 * @property {ReplyState | null} reply
 * @property {string[]} jobs
 * @property {{ owner: string, until: number } | null} worker
 */

/**
 * @param {Partial<typeof STREAM_LIMITS> & { now?: () => number }} [options]
 * @returns {import('./store.js').StreamStore}
 */
export function createMemoryStreamStore(options = {}) {
  const { now = Date.now, ...overrides } = options;
  const limits = { ...STREAM_LIMITS, ...overrides };

  // Least recently used first: a use moves the entry to the back.
  /** @type {Map<string, Entry>} */
  const entries = new Map();
  /** @type {Map<string, string>} visitor id → conversation id */
  const byVisitor = new Map();
  let enqueued = 0;
  /** @type {Map<string, Set<(entry: LoggedFrame) => void>>} */
  const subscribers = new Map();
  /** @type {Map<string, Map<string, number>>} conversation id → socket id → expiry */
  const visitorSockets = new Map();

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
    // Over the cap: the stalest conversations nobody is waiting in or talking to go first. One
    // used within `activeProtectMs` never goes to make room for a newcomer: the cap is soft
    // while everyone is active, bounded by how fast new visitors come (the token endpoint's
    // per-address limit), not by how many conversations a flood can push out.
    const active = now() - limits.activeProtectMs;
    for (const [id, entry] of entries) {
      if (entries.size <= limits.maxConversations || entry.lastUsed > active) break;
      if (!entry.meta.handoff) drop(id);
    }
    for (const [id, entry] of entries) {
      if (entries.size <= limits.maxConversations || entry.lastUsed > active) return;
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

  /** @param {Entry} entry @returns {StreamConversation} */
  const copy = (entry) => structuredClone({ ...entry.meta, messageCount: entry.messages.length });

  /** @param {Entry} entry @param {StreamMessage} message */
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
  };
}
