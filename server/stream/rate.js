/**
 * The `stream` socket's per-connection message rate limit. stream.md says nothing about one;
 * this follows the `events` socket's rule (10 in any rolling second per connection) and its
 * manner: the message past the limit is refused with an `error` frame and the socket stays open,
 * so a client that sends in a burst loses only what it sent too fast and can send it again.
 */
import { isClientMessageId } from '../platform/limits/messages.js';
import { createSlidingWindow } from '../platform/limits/rate-limit.js';

export const STREAM_RATE_LIMIT = 10;
export const STREAM_RATE_WINDOW_MS = 1000;
export const STREAM_RATE_MESSAGE = `Too many messages, slow down (at most ${STREAM_RATE_LIMIT} per second)`;

// A `ping` is not counted with the messages: it is how a client checks the socket is alive, and
// a burst of chats must not make a healthy socket look dead. Pings have their own, separate
// limit: the widget sends one every 30 s, so a socket sending more than 20 in a second is not a
// widget, and is closed (1008) rather than answered, since each ping may be a 64 KiB frame.
const EXEMPT_TYPES = new Set(['ping']);
export const STREAM_PING_LIMIT = 20;

/**
 * @param {object} [options]
 * @param {number} [options.limit]
 * @param {number} [options.windowMs]
 * @param {number} [options.pingLimit] pings in any `windowMs`
 * @param {() => number} [options.now]
 * @returns {{ refuse(frame: Record<string, unknown> | undefined): Record<string, unknown> | undefined, tooManyPings(frame: Record<string, unknown> | undefined): boolean }}
 *   refuse() counts one incoming frame (undefined when it did not parse) and returns the `error`
 *   frame to send instead of handling it, or undefined when it is within the limit;
 *   tooManyPings() counts a ping and says whether it is past the ping limit (other frames: false)
 */
export function createStreamRateLimit({
  limit = STREAM_RATE_LIMIT,
  windowMs = STREAM_RATE_WINDOW_MS,
  pingLimit = STREAM_PING_LIMIT,
  now = Date.now,
} = {}) {
  const window = createSlidingWindow(limit, windowMs, now);
  const pings = createSlidingWindow(pingLimit, windowMs, now);
  return {
    tooManyPings(frame) {
      return frame?.type === 'ping' && !pings.take();
    },
    refuse(frame) {
      if (typeof frame?.type === 'string' && EXEMPT_TYPES.has(frame.type)) return undefined;
      if (window.take()) return undefined;
      // Echoed so a client that queues unacknowledged messages knows which one to send again.
      const id = frame?.clientMessageId;
      return {
        type: 'error',
        message: STREAM_RATE_MESSAGE,
        ...(isClientMessageId(id) ? { clientMessageId: id } : {}),
      };
    },
  };
}
