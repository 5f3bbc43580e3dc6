/**
 * What the platform keeps in the store (memory, or Redis for several processes), below every
 * feature: client message ids seen lately (de-duplication), fixed-window counters for rate
 * limits, and live channels between processes. store.memory.js and store.redis.js implement it;
 * test/server/stores/platform.suite.js is its contract.
 */

/**
 * @typedef {object} RecentIds
 * @property {(key: string) => Promise<any>} get
 * @property {(key: string, value: any) => Promise<void>} set kept for the store's `ttlMs`
 *
 * @typedef {object} SharedLimiter
 * @property {(key: string) => Promise<import('./limits/rate-limit.js').RateDecision>} take
 *   counts one event and says whether it was within the limit
 * @property {(key: string) => Promise<boolean>} exceeded whether the limit is reached, counting nothing
 *
 * @typedef {object} ChannelBus live payloads between processes, kept for nobody
 * @property {(name: string, payload: Record<string, unknown>) => Promise<void>} publishChannel
 *   hands `payload` to every subscriber of channel `name` on every process (this one too);
 *   nothing is kept for a subscriber that comes later
 * @property {(name: string, listener: (payload: Record<string, unknown>) => void) => Promise<() => Promise<void>>} subscribeChannel
 *   resolves once subscribed
 *
 * @typedef {object} PlatformStore
 * @property {RecentIds} recent
 * @property {(name: string, rule: { limit: number, windowMs: number }) => SharedLimiter} limiter
 *   counters per key (a visitor, an address), so a limit holds however requests are spread
 *   over processes
 * @property {ChannelBus} channels
 */

export const DEFAULT_DEDUPE_TTL_MS = 10 * 60_000;
