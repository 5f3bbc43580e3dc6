/**
 * This process's part of each `stream` conversation: the sockets of it open here, and the
 * conversation's frames handed to them.
 *
 * Every frame meant for all of a visitor's sockets is published to the store with the next
 * `seq` (`emit`); each process hears the frames of the conversations its sockets are in and
 * hands them to those sockets in `seq` order, once, filling any gap from the store's log
 * (`catchUp`). `sync` gives a socket the whole conversation and where it stands in the log. A
 * socket that speaks no extension gets only the frames addressed `to` it (the replies to its own
 * questions).
 */
import { PRESENCE_TTL_MS, startPresenceRenewal } from '../platform/presence.js';

/**
 * @typedef {import('./ports.js').VisitorSocket} VisitorSocket
 * @typedef {import('./ports.js').Live} Live
 * @typedef {import('./store.js').LoggedFrame} LoggedFrame
 * @typedef {import('./store.js').StreamMessage} StreamMessage
 */

/**
 * @param {object} deps
 * @param {import('./store.js').StreamStore} deps.store
 * @param {import('../platform/runtime.js').Runtime} deps.runtime
 * @param {import('./ports.js').StreamObserver} deps.observer
 * @param {Pick<import('./ports.js').HandoffPort, 'forSync'>} deps.handoff
 */
export function createDelivery({ store, runtime, observer, handoff }) {
  /** @type {Map<string, Live>} conversation id → what this process has of it */
  const lives = new Map();
  /** @type {Map<string, VisitorSocket>} */
  const socketsById = new Map();

  const presence = startPresenceRenewal({
    sockets: function* () {
      if (runtime.closed) return;
      for (const live of lives.values()) yield* live.sockets;
    },
    renew: (socket) =>
      store.attachVisitor(
        /** @type {string} */ (socket.conversationId),
        /** @type {string} */ (socket.id),
        PRESENCE_TTL_MS,
      ),
    budget: () => Math.max(50, Math.ceil(socketsById.size / 10)),
  });

  /**
   * Publishes a frame of the conversation: it gets the next `seq`, is kept for `resume`, and
   * reaches every extended socket of the conversation on every process (and `to`, when given).
   * @param {string} conversationId
   * @param {Record<string, unknown>} frame
   * @param {import('./store.js').PublishOptions} [options]
   */
  function emit(conversationId, frame, options) {
    return store.publish(conversationId, frame, options);
  }

  /**
   * @param {VisitorSocket} socket
   * @param {LoggedFrame} entry
   */
  function give(socket, entry) {
    socket.cursor = entry.seq;
    if (entry.except === socket.id) return;
    if (socket.extended || entry.to === socket.id) socket.send({ ...entry.frame, seq: entry.seq });
  }

  /**
   * Brings one socket up to `upTo` (or to the end of the log) from the store's log, or with a
   * `sync` when the log no longer has what it missed.
   * @param {Live} live
   * @param {VisitorSocket} socket
   * @param {number} [upTo]
   */
  async function catchUp(live, socket, upTo = Infinity) {
    const from = socket.cursor;
    if (from === undefined) return;
    const { frames, complete } = await store.framesAfter(live.id, from);
    if (!complete) {
      if (socket.extended) await sendSync(live, socket);
      else socket.cursor = await store.lastSeq(live.id);
      return;
    }
    for (const entry of frames) {
      if (entry.seq > upTo) break;
      if (socket.cursor !== undefined && entry.seq > socket.cursor) give(socket, entry);
    }
  }

  /** @param {Live} live @param {() => Promise<void>} task */
  function serially(live, task) {
    const run = live.chain.then(task);
    live.chain = run.catch(
      runtime.logFailure(`[stream] delivery failed in conversation ${live.id}`),
    );
    return run;
  }

  /**
   * A frame for one socket only, after the conversation frames up to `seq` have reached it, so
   * it cannot overtake them.
   * @param {string} conversationId
   * @param {string | undefined} socketId
   * @param {number} seq
   * @param {Record<string, unknown>} frame
   */
  function sendAfter(conversationId, socketId, seq, frame) {
    const socket = socketId === undefined ? undefined : socketsById.get(socketId);
    const live = lives.get(conversationId);
    if (!socket || !live?.sockets.has(socket)) return;
    // Not awaited: serially() logs a failure, and the caller's frame is already out.
    void serially(live, async () => {
      if (socket.cursor !== undefined && socket.cursor < seq) await catchUp(live, socket, seq);
      socket.send(frame);
    });
  }

  /** @param {Live} live @param {LoggedFrame} entry */
  function deliver(live, entry) {
    void serially(live, async () => {
      for (const socket of live.sockets) {
        const cursor = socket.cursor;
        if (cursor === undefined || entry.seq <= cursor) continue;
        if (entry.seq === cursor + 1) give(socket, entry);
        else await catchUp(live, socket, entry.seq);
      }
    });
  }

  // After the subscriber reconnects, frames published meanwhile were never heard.
  store.onResubscribed(() => {
    for (const live of lives.values()) {
      void serially(live, async () => {
        for (const socket of live.sockets) await catchUp(live, socket);
      });
    }
  });

  /**
   * The whole conversation to one socket, and where it stands in the log.
   * @param {Live} live
   * @param {VisitorSocket} socket
   */
  async function sendSync(live, socket) {
    const snapshot = await store.snapshot(live.id);
    const state = snapshot ? await handoff.forSync(snapshot.conversation) : null;
    const items = (snapshot?.messages ?? []).filter((m) => m.role !== 'system').map(visitorMessage);
    const reply = snapshot?.reply;
    if (reply && !items.some((m) => m.messageId === reply.messageId)) {
      items.push({
        messageId: reply.messageId,
        role: 'assistant',
        content: reply.text,
        state: 'streaming',
        timestamp: reply.timestamp,
      });
    }
    const seq = snapshot?.seq ?? 0;
    socket.extended = true;
    socket.cursor = seq;
    socket.send({ type: 'sync', messages: items, handoff: state, seq });
  }

  /**
   * The agent's messages have reached a visitor's window. After the `sync` went out, so a
   * failure here is the console's loss (it shows them undelivered), not the visitor's.
   * @param {string} conversationId
   */
  async function markDelivered(conversationId) {
    try {
      const delivered = await store.markDelivered(conversationId, runtime.iso());
      if (delivered.length > 0) observer.delivered(conversationId, delivered);
    } catch (err) {
      runtime.logFailure('[agents] could not mark messages delivered')(err);
    }
  }

  /**
   * This process's part of a conversation, subscribed to its frames before anything is read.
   * @param {string} conversationId
   */
  function liveFor(conversationId) {
    let live = lives.get(conversationId);
    if (live) return live;
    /** @type {Live} */
    const created = {
      id: conversationId,
      sockets: new Set(),
      chain: Promise.resolve(),
      subscribed: Promise.resolve(async () => {}),
      visitorTyping: false,
    };
    created.subscribed = store.subscribe(conversationId, (entry) => deliver(created, entry));
    created.chain = created.subscribed.then(
      () => {},
      () => {},
    );
    lives.set(conversationId, created);
    observer.changed();
    return created;
  }

  /** @param {Live} live */
  function forget(live) {
    if (live.sockets.size > 0 || lives.get(live.id) !== live) return;
    lives.delete(live.id);
    live.subscribed.then((unsubscribe) => unsubscribe()).catch(() => {});
  }

  return {
    lives,
    socketsById,
    emit,
    give,
    catchUp,
    serially,
    sendAfter,
    sendSync,
    markDelivered,
    liveFor,
    forget,
    /** @param {VisitorSocket} socket its presence was just written */
    presenceWritten: (socket) => presence.written(socket),
    /** `{"type":"reconnect"}` to every extended visitor socket: this process is going away. */
    sayReconnect() {
      for (const socket of socketsById.values()) {
        if (socket.extended) socket.send({ type: 'reconnect' });
      }
    },
    stop: () => presence.stop(),
  };
}

/** @typedef {ReturnType<typeof createDelivery>} Delivery */

/** @param {StreamMessage} message @returns {Record<string, unknown>} what `sync` carries */
function visitorMessage(message) {
  return {
    messageId: message.messageId,
    role: message.role,
    content: message.content,
    // The console's ids for its own messages are not the visitor's business.
    ...(message.role === 'user' && message.clientMessageId
      ? { clientMessageId: message.clientMessageId }
      : {}),
    ...(message.interrupted ? { interrupted: true } : {}),
    ...(message.agent
      ? {
          agent: {
            name: message.agent.name,
            ...(message.agent.avatar ? { avatar: message.agent.avatar } : {}),
          },
        }
      : {}),
    timestamp: message.timestamp,
  };
}
