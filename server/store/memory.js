/** Every slice of the Store (index.js) in this process's memory. */
import { createMemoryConversationStore } from '../conversations/store.memory.js';
import { createMemoryPlatformStore } from '../platform/store.memory.js';
import { createMemoryRoomStore } from '../rooms/store.memory.js';
import { createMemoryStreamStore } from '../stream/store.memory.js';
import { createMemorySessionStore } from '../support/agents/store.memory.js';
import { createMemorySupportStore } from '../support/store.memory.js';

/**
 * @param {import('./index.js').StoreOptions} [options]
 * @returns {import('./index.js').Store}
 */
export function createMemoryStoreSet(options = {}) {
  const { now = Date.now, limits = {} } = options;
  return {
    kind: 'memory',
    ...createMemoryPlatformStore({
      now,
      dedupeTtlMs: options.dedupeTtlMs,
      dedupeMaxEntries: options.dedupeMaxEntries,
    }),
    conversations: createMemoryConversationStore({ ...limits.conversations, now }),
    stream: createMemoryStreamStore({ ...limits.stream, now }),
    support: createMemorySupportStore({ ...limits.support, now }),
    sessions: createMemorySessionStore({ ...limits.sessions, now }),
    rooms: createMemoryRoomStore(),
    ready: async () => true,
    close: async () => {},
  };
}
