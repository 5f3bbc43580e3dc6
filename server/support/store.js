/**
 * What the support desk keeps beside the `stream` conversations (whose handoff state is the
 * conversation's own: stream/store.js): messages left for the team, which agents are online on
 * any process, and the agent consoles' events. store.memory.js and store.redis.js implement it;
 * test/server/stores/support.suite.js is its contract.
 */
import { randomBytes } from 'node:crypto';

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
 * @typedef {object} SupportStore
 * @property {(entry: Omit<LeftMessage, 'id' | 'createdAt'> & { createdAt?: string }) => Promise<LeftMessage>} addLeftMessage
 * @property {(options?: { includeResolved?: boolean }) => Promise<LeftMessage[]>} listLeftMessages
 *   newest first
 * @property {(id: string, agentId: string, time: string) => Promise<boolean>} resolveLeftMessage
 * @property {(agentId: string, socketId: string, ttlMs: number) => Promise<void>} attachAgent
 *   a console socket (on any process) is open; renewed before `ttlMs` runs out
 * @property {(agentId: string, socketId: string, graceMs: number) => Promise<void>} detachAgent
 *   the agent still counts as online for `graceMs` unless another console of theirs is open
 * @property {() => Promise<Set<string>>} onlineAgents
 * @property {(event: Record<string, unknown>) => Promise<void>} publishConsole
 *   an event for every agent console on every process
 * @property {(listener: (event: Record<string, unknown>) => void) => Promise<() => Promise<void>>} subscribeConsole
 */

/**
 * A left message as both stores keep it: a copy of `entry` with its id and time.
 * @param {Omit<LeftMessage, 'id' | 'createdAt'> & { createdAt?: string }} entry
 * @param {() => string} iso the store's clock
 * @returns {LeftMessage}
 */
export function newLeftMessage(entry, iso) {
  return {
    ...structuredClone(entry),
    id: `left_${randomBytes(9).toString('base64url')}`,
    createdAt: entry.createdAt ?? iso(),
  };
}

/** At most this many left messages are kept, the oldest dropped first. */
export const SUPPORT_LIMITS = Object.freeze({ maxLeftMessages: 1000 });
