/**
 * Live frames of the protocols without a frame log (`rooms`, `events`, `threads`) for every
 * socket of a room, chat or thread, on every process: a frame goes at once to this process's
 * sockets of the channel (but `except`), and through the store's channel bus to the other
 * processes, which hand it to theirs. A process hears a channel while one of its sockets is in
 * it; frames carry the process's id, so it skips its own when they come back.
 *
 * With the memory store there is one process, and this is a local broadcast.
 */
import { randomUUID } from 'node:crypto';
import { sendFrame } from './send.js';

/**
 * @param {object} deps
 * @param {import('../store.js').ChannelBus} deps.bus
 * @param {{ error(...args: unknown[]): void }} deps.logger
 */
export function createChannels({ bus, logger }) {
  const origin = randomUUID();
  /** @type {Map<string, { sockets: Set<import('ws').WebSocket>, subscribed: Promise<() => Promise<void>> }>} */
  const channels = new Map();

  /**
   * @param {string} name
   * @param {Record<string, unknown>} frame
   * @param {import('ws').WebSocket} [except]
   */
  function deliver(name, frame, except) {
    for (const ws of channels.get(name)?.sockets ?? []) {
      if (ws !== except) sendFrame(ws, frame);
    }
  }

  return {
    /**
     * Adds a socket to the channel; resolves once this process hears it from the others.
     * @param {string} name
     * @param {import('ws').WebSocket} ws
     */
    async join(name, ws) {
      let channel = channels.get(name);
      if (!channel) {
        const subscribed = bus.subscribeChannel(name, (payload) => {
          if (payload.origin === origin || !payload.frame || typeof payload.frame !== 'object') {
            return;
          }
          deliver(name, /** @type {Record<string, unknown>} */ (payload.frame));
        });
        const own = { sockets: new Set(), subscribed };
        channel = own;
        channels.set(name, own);
        subscribed.catch(() => {
          if (channels.get(name) === own) channels.delete(name);
        });
      }
      channel.sockets.add(ws);
      await channel.subscribed;
    },

    /** @param {string} name @param {import('ws').WebSocket} ws */
    leave(name, ws) {
      const channel = channels.get(name);
      if (!channel?.sockets.delete(ws) || channel.sockets.size > 0) return;
      channels.delete(name);
      channel.subscribed.then((unsubscribe) => unsubscribe()).catch(() => {});
    },

    /** @param {string} name @param {import('ws').WebSocket} ws */
    has(name, ws) {
      return channels.get(name)?.sockets.has(ws) ?? false;
    },

    /**
     * @param {string} name
     * @param {Record<string, unknown>} frame
     * @param {import('ws').WebSocket} [except] a socket of this process that must not get it
     */
    send(name, frame, except) {
      deliver(name, frame, except);
      bus.publishChannel(name, { origin, frame }).catch((err) => {
        logger.error(`[channels] could not publish to ${name}:`, err);
      });
    },
  };
}

/** @typedef {ReturnType<typeof createChannels>} Channels */
