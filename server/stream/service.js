/**
 * The `stream` endpoint's conversations, live, on every process.
 *
 * A conversation belongs to a visitor (the token's `sub`), not to a socket: every socket of
 * theirs (tabs, reconnects) shares it, and what happens in it goes to all of them. Sockets come
 * in two kinds. One that has sent an extension frame (the widget sends `sync` right after
 * `connection`) gets everything the README's extension table lists. One that has not is a
 * strict stream.md client and gets exactly what stream.md and the deployed server send: the
 * replies to its own messages and the canned `human-escalation-response`, never a frame of
 * another tab or of a person, which it could not show.
 *
 * Several processes can serve one conversation (store/: Redis). The store holds the
 * transcript, the handoff, the reply in progress and the conversation's frames
 * (delivery.js); questions wait in it for a reply worker (replies.js). Only open sockets and the
 * visitor's typing state are this process's own (visitor.js).
 *
 * The people who can take a conversation over are not this folder's business: they join through
 * the observer and the handoff port (ports.js), which the support desk provides.
 */
import { createDelivery } from './delivery.js';
import { DEFAULT_LEASE_MS, createReplies } from './replies.js';
import { createVisitors } from './visitor.js';

export { DEFAULT_LEASE_MS };

/**
 * @param {object} deps
 * @param {import('./store.js').StreamStore} deps.store
 * @param {import('../bots/index.js').Bot} deps.bot
 * @param {import('../platform/runtime.js').Runtime} deps.runtime
 * @param {import('./ports.js').StreamObserver} deps.observer
 * @param {import('./ports.js').HandoffPort} deps.handoff
 * @param {number} [deps.leaseMs] a reply worker's lease; another process takes over after it
 * @param {number} [deps.abandonGraceMs] a reply nobody has a socket open for (on any process)
 *   this long is abandoned; 0 (the default) at once, as one process can tell
 */
export function createStreamService({
  store,
  bot,
  runtime,
  observer,
  handoff,
  leaseMs,
  abandonGraceMs = 0,
}) {
  const delivery = createDelivery({ store, runtime, observer, handoff });
  const replies = createReplies({
    store,
    bot,
    delivery,
    observer,
    runtime,
    leaseMs,
    abandonGraceMs,
  });
  const connectVisitor = createVisitors({
    store,
    delivery,
    replies,
    observer,
    handoff,
    runtime,
    abandonGraceMs,
  });

  return {
    connectVisitor,
    /** Publishes a frame of the conversation to every extended socket of it (delivery.js). */
    emit: delivery.emit,
    /** @param {string} conversationId whether a socket of its visitor is open here */
    isLive: (conversationId) => delivery.lives.has(conversationId),
    /** @param {string} conversationId whether its visitor is typing, on a socket here */
    visitorTyping: (conversationId) => delivery.lives.get(conversationId)?.visitorTyping ?? false,
    /** @param {number} graceMs replies in progress get this long to finish (replies.js) */
    drain: (graceMs) => replies.drain(graceMs),
    sayReconnect: () => delivery.sayReconnect(),
    /** Stops its timers and hands replies over; sockets are closed by the server. */
    shutdown() {
      replies.shutdown();
      delivery.stop();
    },
  };
}

/** @typedef {ReturnType<typeof createStreamService>} StreamService */
