/** The SupportStore (store.js) in this process's memory. */
import { liveCount } from '../platform/presence.memory.js';
import { SUPPORT_LIMITS, newLeftMessage } from './store.js';

/**
 * @typedef {import('./store.js').LeftMessage} LeftMessage
 */

/**
 * @param {Partial<typeof SUPPORT_LIMITS> & { now?: () => number }} [options]
 * @returns {import('./store.js').SupportStore}
 */
export function createMemorySupportStore(options = {}) {
  const { now = Date.now, ...overrides } = options;
  const limits = { ...SUPPORT_LIMITS, ...overrides };
  /** @type {Map<string, LeftMessage>} oldest first */
  const leftMessages = new Map();
  /** @type {Set<(event: Record<string, unknown>) => void>} */
  const consoleListeners = new Set();
  /** @type {Map<string, Map<string, number>>} agent id → console socket id → expiry */
  const agentSockets = new Map();
  /** @type {Map<string, number>} agent id → counts as online until */
  const agentGrace = new Map();
  const iso = () => new Date(now()).toISOString();

  return {
    async addLeftMessage(entry) {
      const record = newLeftMessage(entry, iso);
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
      // Asynchronously, as a shared store's subscribers hear it.
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
  };
}
