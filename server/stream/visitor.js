/**
 * One visitor socket of a `stream` conversation, from the protocol layer's validated frames to
 * the conversation: its messages (acknowledged once stored, de-duplicated by `clientMessageId`,
 * queued for the bot), `sync`, `resume`, `retry`, typing, and the handoff frames, which it hands
 * to the handoff port.
 *
 * The conversation belongs to the visitor (the token's `sub`), not to the socket: every socket
 * of theirs shares it. A socket that has sent no extension frame is a strict stream.md client
 * and hears only the replies to its own messages, and its `human-escalation` gets stream.md's
 * canned answer.
 */
import { PRESENCE_TTL_MS } from '../platform/presence.js';
import { newMessageId, newSocketId } from './ids.js';
import { MAX_QUEUED, parseJob } from './replies.js';
import { TEXTS } from './texts.js';

/**
 * @typedef {import('./ports.js').VisitorSocket} VisitorSocket
 * @typedef {import('./ports.js').Live} Live
 * @typedef {import('./store.js').StreamMessage} StreamMessage
 */

/**
 * @param {object} deps
 * @param {import('./store.js').StreamStore} deps.store
 * @param {import('./delivery.js').Delivery} deps.delivery
 * @param {import('./replies.js').Replies} deps.replies
 * @param {import('./ports.js').StreamObserver} deps.observer
 * @param {Pick<import('./ports.js').HandoffPort, 'escalate' | 'leaveMessage'>} deps.handoff
 * @param {import('../platform/runtime.js').Runtime} deps.runtime
 * @param {number} deps.abandonGraceMs
 */
export function createVisitors({
  store,
  delivery,
  replies,
  observer,
  handoff,
  runtime,
  abandonGraceMs,
}) {
  const { socketsById, liveFor, forget, emit, serially, sendSync, give, markDelivered } = delivery;

  /**
   * Attaches one visitor socket to the visitor's conversation. Every method waits for the
   * conversation to be found (again, after a failure: the store may have been unreachable); the
   * protocol layer calls them one frame at a time.
   *
   * @param {string} visitorId
   * @param {VisitorSocket} socket
   */
  function connectVisitor(visitorId, socket) {
    socket.id ??= newSocketId();
    const socketId = socket.id;
    socketsById.set(socketId, socket);
    let gone = false;
    /** @type {Live | undefined} */
    let live;
    /** @type {Promise<Live | undefined> | undefined} */
    let ready;

    function attach() {
      ready ??= (async () => {
        const conversation = await store.conversationOf(visitorId);
        if (gone) return undefined;
        const found = liveFor(conversation.id);
        await found.subscribed;
        // Until it syncs or resumes, a socket hears only replies to its own questions.
        const seq = await store.lastSeq(conversation.id);
        if (gone) return undefined;
        socket.cursor ??= seq;
        found.sockets.add(socket);
        live = found;
        socket.conversationId = found.id;
        delivery.presenceWritten(socket);
        store.attachVisitor(found.id, socketId, PRESENCE_TTL_MS).catch(() => {});
        return found;
      })();
      ready.catch(() => {
        ready = undefined;
      });
      return ready;
    }
    attach().catch(() => {});

    async function attached() {
      const found = await attach();
      if (!found) throw new Error('the socket has closed');
      return found;
    }

    /**
     * The conversation went from under the open socket (evicted, expired, a store that lost its
     * data): the socket moves to a fresh conversation, and the widget is told, so that it keeps
     * what it shows and its cursor starts again.
     */
    async function startAfresh() {
      const old = live;
      live = undefined;
      ready = undefined;
      socket.cursor = undefined;
      if (old) {
        old.sockets.delete(socket);
        if (old.sockets.size === 0) forget(old);
      }
      const found = await attached();
      socket.send({ type: 'conversation-reset', timestamp: runtime.iso() });
      return found;
    }

    /**
     * @param {string} content
     * @param {string | undefined} clientMessageId
     * @param {boolean} afresh the conversation was started again for this very message
     */
    async function chat(content, clientMessageId, afresh) {
      const current = await attached();
      // The conversation's own messages say whether this id was stored, not a server-wide
      // list of recent ids, which other visitors' messages could push this one out of.
      const earlier =
        clientMessageId === undefined
          ? undefined
          : (await store.listMessages(current.id))?.find(
              (m) => m.role === 'user' && m.clientMessageId === clientMessageId,
            );
      if (earlier) {
        // A resend after a failed or abandoned reply is already stored; only the reply is
        // tried again. Otherwise it is a duplicate: acknowledged again, not answered again.
        if (!earlier.unanswered) {
          socket.send({ type: 'ack', clientMessageId, messageId: earlier.messageId });
          return;
        }
        await store.updateMessage(current.id, earlier.messageId, { unanswered: false });
        const job = { q: earlier.messageId, s: socketId, c: clientMessageId };
        if (!(await replies.addJob(current.id, /** @type {import('./replies.js').Job} */ (job)))) {
          await store.updateMessage(current.id, earlier.messageId, { unanswered: true });
          socket.send({ type: 'error', message: TEXTS.busy, clientMessageId });
          return;
        }
        socket.send({ type: 'ack', clientMessageId, messageId: earlier.messageId });
        return;
      }
      if ((await store.jobs(current.id)).length >= MAX_QUEUED) {
        socket.send({
          type: 'error',
          message: TEXTS.busy,
          ...(clientMessageId ? { clientMessageId } : {}),
        });
        return;
      }

      /** @type {StreamMessage} */
      const message = {
        messageId: newMessageId(),
        role: 'user',
        content,
        timestamp: runtime.iso(),
        ...(clientMessageId ? { clientMessageId } : {}),
      };
      // Stored and published in one step; only then acknowledged, so an ack always means the
      // message is in the store (and a failure here reaches the client as an `error`).
      const seq = await emit(
        current.id,
        {
          type: 'user-message',
          messageId: message.messageId,
          ...(clientMessageId ? { clientMessageId } : {}),
          content,
        },
        { message, except: socketId },
      );
      if (seq === undefined) {
        // Once: a conversation that is gone again at once is a store that cannot keep one.
        if (afresh) throw new Error('the conversation is gone');
        await startAfresh();
        return chat(content, clientMessageId, true);
      }
      observer.message(current.id, { ...message });
      if (current.visitorTyping) {
        current.visitorTyping = false;
        observer.visitorTyping(current.id, false);
      }
      observer.changed();
      if (clientMessageId !== undefined) {
        socket.send({ type: 'ack', clientMessageId, messageId: message.messageId });
      }

      const conversation = await store.getConversation(current.id);
      // The person holding the chat answers; the message is delivered, which is all the
      // acknowledgement promised.
      if (conversation?.handoff?.state === 'assigned') return;
      const job = {
        q: message.messageId,
        s: socketId,
        ...(clientMessageId ? { c: clientMessageId } : {}),
      };
      if (!(await replies.addJob(current.id, job, MAX_QUEUED * 2))) {
        await store.updateMessage(current.id, message.messageId, { unanswered: true });
        socket.send({
          type: 'error',
          message: TEXTS.busy,
          ...(clientMessageId ? { clientMessageId } : {}),
        });
      }
    }

    return {
      /**
       * A validated chat message.
       * @param {string} content
       * @param {string | undefined} clientMessageId
       */
      chat: (content, clientMessageId) => chat(content, clientMessageId, false),

      /** The whole conversation and its handoff state, to this socket. */
      async sync() {
        const current = await attached();
        await serially(current, () => sendSync(current, socket));
        await markDelivered(current.id);
      },

      /**
       * `resume`: the frames after `lastSeq`, once and in order, then everything live; a `sync`
       * when the log no longer has them all.
       * @param {number} lastSeq
       */
      async resume(lastSeq) {
        const current = await attached();
        await serially(current, async () => {
          socket.extended = true;
          const { frames, complete } = await store.framesAfter(current.id, lastSeq);
          if (!complete) {
            await sendSync(current, socket);
            return;
          }
          socket.cursor = lastSeq;
          for (const entry of frames) give(socket, entry);
          // Nothing after lastSeq yet: the socket is up to date where the client said it was.
          if (frames.length === 0) socket.cursor = lastSeq;
        });
        await markDelivered(current.id);
      },

      /**
       * `retry`: the question behind an interrupted (or failed) reply is answered again.
       * @param {string} messageId the reply's, or the question's
       * @returns {Promise<boolean>} false when there is nothing to retry
       */
      async retry(messageId) {
        const current = await attached();
        socket.extended = true;
        const messages = (await store.listMessages(current.id)) ?? [];
        const target = messages.find((m) => m.messageId === messageId);
        const questionId =
          target?.role === 'assistant' && target.interrupted
            ? target.replyTo
            : target?.role === 'user' && target.unanswered
              ? target.messageId
              : undefined;
        const question = messages.find((m) => m.messageId === questionId);
        if (!question || questionId === undefined) return false;
        const waiting = (await store.jobs(current.id)).some(
          (raw) => parseJob(raw)?.q === questionId,
        );
        if (waiting) return true;
        await store.updateMessage(current.id, questionId, { unanswered: false });
        const job = {
          q: questionId,
          s: socketId,
          ...(question.clientMessageId ? { c: question.clientMessageId } : {}),
        };
        if (await replies.addJob(current.id, job)) return true;
        await store.updateMessage(current.id, questionId, { unanswered: true });
        socket.send({ type: 'error', message: TEXTS.busy });
        return true;
      },

      /** `human-escalation`. */
      async escalate() {
        const current = await attached();
        if (!socket.extended) {
          socket.send({ type: 'human-escalation-response', message: TEXTS.strictEscalation });
          return;
        }
        await handoff.escalate({ visitorId, conversationId: current.id, send: socket.send });
      },

      /**
       * `leave-message`.
       * @param {unknown} email
       * @param {unknown} message
       */
      async leaveMessage(email, message) {
        const current = await attached();
        socket.extended = true;
        await handoff.leaveMessage(
          { visitorId, conversationId: current.id, send: socket.send },
          email,
          message,
        );
      },

      /** @param {boolean} active */
      async typing(active) {
        const current = await attached();
        socket.extended = true;
        if (current.visitorTyping === active) return;
        current.visitorTyping = active;
        observer.visitorTyping(current.id, active);
        // The inbox says "typing…" in place of the last message, for agents looking elsewhere.
        observer.changed();
      },

      /** The socket has closed. */
      close() {
        gone = true;
        socketsById.delete(socketId);
        if (!live) return;
        const current = live;
        current.sockets.delete(socket);
        const detached = store.detachVisitor(current.id, socketId).catch(() => {});
        if (current.sockets.size > 0) return;
        if (current.visitorTyping) {
          current.visitorTyping = false;
          observer.visitorTyping(current.id, false);
        }
        forget(current);
        observer.changed();
        if (replies.draining || runtime.closed) return;
        // Nobody is left to read a reply: the bot stops. With one process that is known at
        // once; with several, the visitor may be reconnecting to another one, so the worker
        // waits `abandonGraceMs` for a socket of theirs to show up anywhere.
        if (abandonGraceMs > 0) return;
        detached
          .then(() => store.attachedVisitors(current.id))
          .then((count) =>
            count === 0 && !delivery.lives.has(current.id)
              ? replies.abandon(current.id)
              : undefined,
          )
          .catch(runtime.logFailure('[bot] could not abandon a reply'));
      },
    };
  }

  return connectVisitor;
}

/** @typedef {ReturnType<ReturnType<typeof createVisitors>>} VisitorConnection */
