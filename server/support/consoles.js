/**
 * The agent consoles, on every process: each process keeps its own console sockets, and an event
 * for consoles (the chat a console watches changed, an agent was handed a chat, the inbox
 * changed) goes through the store to every process, which hands it to its own. This is also the
 * `stream` conversations' observer (stream/ports.js): what happens in them reaches the consoles
 * watching them.
 */
import { PRESENCE_TTL_MS, startPresenceRenewal } from '../platform/presence.js';
import { newSocketId } from '../stream/ids.js';
import { agentRef } from './availability.js';

/** Inbox changes are told to the consoles at most this often. */
const INBOX_DEBOUNCE_MS = 50;

/**
 * One agent console socket.
 * @typedef {object} AgentSocket
 * @property {import('./agents/accounts.js').AgentAccount} agent
 * @property {(frame: Record<string, unknown>) => void} send
 * @property {() => void} close
 * @property {string | undefined} watching the conversation it shows
 * @property {string} [id]
 */

/**
 * @param {object} deps
 * @param {import('./store.js').SupportStore} deps.support
 * @param {import('../platform/runtime.js').Runtime} deps.runtime
 * @param {number} deps.onlineGraceMs an agent counts as online this long after their last
 *   console closed
 * @param {() => Promise<unknown>} deps.buildInbox what `inbox` frames carry
 * @param {(conversationId: string) => Promise<Record<string, unknown> | undefined>} deps.view
 *   what a `conversation` frame carries
 * @param {(agentId: string) => void} deps.onAgentGone the agent's last console here closed
 */
export function createConsoles({ support, runtime, onlineGraceMs, buildInbox, view, onAgentGone }) {
  const { logFailure } = runtime;
  /** @type {Set<AgentSocket>} */
  const consoles = new Set();
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let inboxTimer;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let inboxPublishTimer;
  let inboxCostMs = 0;

  const presence = startPresenceRenewal({
    sockets: () => (runtime.closed ? [] : consoles),
    renew: (socket) =>
      support.attachAgent(socket.agent.id, /** @type {string} */ (socket.id), PRESENCE_TTL_MS),
  });

  /** @param {Record<string, unknown>} event */
  function toConsoles(event) {
    support.publishConsole(event).catch(logFailure('[agents] could not reach the consoles'));
  }

  /**
   * A frame for every console watching the conversation, on every process.
   * @param {string} conversationId
   * @param {Record<string, unknown>} frame
   * @param {string} [exceptAgent] whose consoles must not get it (the agent it is about)
   */
  function toWatchers(conversationId, frame, exceptAgent) {
    toConsoles({
      kind: 'watchers',
      conversationId,
      frame,
      ...(exceptAgent ? { exceptAgent } : {}),
    });
  }

  /** @param {Record<string, any>} event */
  function onConsoleEvent(event) {
    if (event.kind === 'watchers') {
      for (const socket of consoles) {
        if (socket.watching !== event.conversationId) continue;
        if (event.exceptAgent && socket.agent.id === event.exceptAgent) continue;
        socket.send({ conversationId: event.conversationId, ...event.frame });
      }
    } else if (event.kind === 'agent') {
      for (const socket of consoles) {
        if (socket.agent.id === event.agentId) socket.send(event.frame);
      }
    } else if (event.kind === 'sign-out') {
      for (const socket of [...consoles]) {
        if (socket.agent.id === event.agentId) socket.close();
      }
    } else if (event.kind === 'inbox') {
      refreshInbox();
    }
  }
  const subscription = support.subscribeConsole(onConsoleEvent);
  subscription.catch(logFailure('[agents] could not subscribe to console events'));

  /** Tells every process's consoles the inbox changed, at most every INBOX_DEBOUNCE_MS. */
  function inboxChanged() {
    if (inboxPublishTimer || runtime.closed) return;
    inboxPublishTimer = setTimeout(() => {
      inboxPublishTimer = undefined;
      toConsoles({ kind: 'inbox' });
    }, INBOX_DEBOUNCE_MS);
    inboxPublishTimer.unref?.();
  }

  /**
   * This process's consoles get the new inbox, at most every INBOX_DEBOUNCE_MS, and never
   * spending more than a fifth of the time building it: with a busy store an inbox takes a
   * while, and the chats themselves come first.
   */
  function refreshInbox() {
    if (inboxTimer || runtime.closed || consoles.size === 0) return;
    const refresh = async () => {
      const started = Date.now();
      try {
        const value = await buildInbox();
        for (const socket of consoles) socket.send({ type: 'inbox', inbox: value });
      } catch (err) {
        logFailure('[agents] inbox failed')(err);
      } finally {
        inboxCostMs = Date.now() - started;
        inboxTimer = undefined;
      }
    };
    inboxTimer = setTimeout(() => void refresh(), Math.max(INBOX_DEBOUNCE_MS, inboxCostMs * 4));
    inboxTimer.unref?.();
  }

  /**
   * A console socket opened: it is told who it is and the inbox, then what it watches.
   * @param {AgentSocket} socket
   */
  function connectAgent(socket) {
    socket.id ??= newSocketId();
    const socketId = socket.id;
    consoles.add(socket);
    socket.send({ type: 'ready', agent: agentRef(socket.agent), serverTime: runtime.iso() });
    presence.written(socket);
    support
      .attachAgent(socket.agent.id, socketId, PRESENCE_TTL_MS)
      .then(() => buildInbox())
      .then(
        (value) => socket.send({ type: 'inbox', inbox: value }),
        logFailure('[agents] inbox failed'),
      )
      .finally(() => inboxChanged());
    return {
      /** @param {string | undefined} conversationId */
      async watch(conversationId) {
        socket.watching = conversationId;
        if (conversationId === undefined) return;
        const found = await view(conversationId);
        if (socket.watching !== conversationId) return;
        socket.send(
          found
            ? { type: 'conversation', ...found }
            : { type: 'conversation-gone', conversationId },
        );
      },
      close() {
        if (!consoles.delete(socket)) return;
        const agentId = socket.agent.id;
        support
          .detachAgent(agentId, socketId, onlineGraceMs)
          .catch(logFailure('[agents] could not record a console closing'))
          .finally(() => {
            if ([...consoles].some((s) => s.agent.id === agentId)) return;
            onAgentGone(agentId);
            inboxChanged();
            // When the grace period is over, the inbox shows them offline.
            runtime.later(inboxChanged, onlineGraceMs + 10);
          });
      },
    };
  }

  return {
    connectAgent,
    toConsoles,
    toWatchers,
    inboxChanged,
    /** @param {string} agentId closes this process's consoles of the agent */
    closeAgent(agentId) {
      for (const socket of [...consoles]) {
        if (socket.agent.id === agentId) socket.close();
      }
    },
    /** @type {import('../stream/ports.js').StreamObserver} */
    observer: {
      message: (conversationId, message) =>
        toWatchers(conversationId, { type: 'message', message }),
      replyFailed: (conversationId, messageId) =>
        toWatchers(conversationId, { type: 'reply-failed', messageId }),
      visitorTyping: (conversationId, active) =>
        toWatchers(conversationId, { type: 'typing', who: 'visitor', active }),
      delivered: (conversationId, messageIds) =>
        toWatchers(conversationId, { type: 'delivered', messageIds }),
      changed: () => inboxChanged(),
    },
    shutdown() {
      clearTimeout(inboxTimer);
      clearTimeout(inboxPublishTimer);
      presence.stop();
      subscription.then((stop) => stop()).catch(() => {});
    },
  };
}

/** @typedef {ReturnType<typeof createConsoles>} Consoles */
