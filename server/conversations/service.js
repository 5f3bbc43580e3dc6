/**
 * The `stream` endpoint's conversations and the people who can take them over.
 *
 * A conversation belongs to a visitor (the token's `sub`), not to a socket: every socket of
 * theirs (tabs, reconnects) shares it, and what happens in it goes to all of them. Sockets come
 * in two kinds. One that has sent an extension frame (the widget sends `sync` right after
 * `connection`) gets everything the README's extension table lists. One that has not is a
 * strict stream.md client and gets exactly what stream.md and the deployed server send: the
 * replies to its own messages and the canned `human-escalation-response`, never a frame of
 * another tab or of a person, which it could not show.
 *
 * A visitor with an extended socket who asks for a person joins the queue when someone can
 * take chats (an agent's console is open, within `AGENT_HOURS`) and is told their position
 * as it changes; otherwise they are told why not, and the bot keeps answering. An agent takes a
 * waiting chat (atomically, in the store), answers it, and hands it back to the bot, transfers
 * it or closes it. While a person holds the chat the bot stays silent: visitor messages are
 * stored, acknowledged and shown to the agent. After the hand-back the bot answers again and
 * sees the person's messages as its own turns, labelled with their name (bots/history.js).
 *
 * Live state (open sockets, the reply in progress, who is online) lives in this process; the
 * transcript, handoff state, queue, left messages and sessions live in the SupportStore. Several
 * instances would need the store shared and these broadcasts sent over a pub/sub channel.
 */
import { randomBytes } from 'node:crypto';
import { supportTurns } from '../bots/history.js';
import { isWithinHours } from '../agents/hours.js';

export const MAX_QUEUED = 5;
export const MAX_CONTENT_LENGTH = 2000;
export const MAX_EMAIL_LENGTH = 254;
/** How long an agent counts as online after their last console socket closed (a reload). */
export const DEFAULT_ONLINE_GRACE_MS = 30_000;
/** How many chats the bot is handling the inbox lists. */
export const INBOX_BOT_LIMIT = 30;
/** How often a reply in progress is re-sent to consoles watching it. */
const CONSOLE_STREAM_INTERVAL_MS = 200;
const INBOX_DEBOUNCE_MS = 50;
const PREVIEW_LENGTH = 140;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const TEXTS = Object.freeze({
  // stream.md's own text, for clients that know nothing else.
  strictEscalation: 'A human agent will contact you soon.',
  typing: 'AI is thinking...',
  queued:
    'You are in the queue for a person from our team. They will see this conversation when ' +
    'they join; until then the assistant keeps answering.',
  alreadyQueued: 'You are already in the queue; a person will join as soon as one is free.',
  /** @param {string} name */
  alreadyAssigned: (name) => `${name} from our team is already with you in this chat.`,
  nobodyOnline:
    'Nobody from our team is online right now. You can leave a message for them, and the ' +
    'assistant keeps answering here.',
  /** @param {string} label */
  outsideHours: (label) =>
    `Our team answers chats ${label}. You can leave a message for them, and the assistant ` +
    'keeps answering here.',
  busy: 'Too many messages at once, please wait for the current reply',
  replyFailed: 'Could not get a reply, please try again',
  streamFailed: 'Stream error occurred',
  invalidEmail: 'Please give an email address we can answer to',
  invalidLeftMessage: `The message must be 1-${MAX_CONTENT_LENGTH} characters`,
  tooManyLeftMessages: 'Too many messages left, please try again later',
});

/**
 * @typedef {import('../store/support-store.js').SupportMessage} SupportMessage
 * @typedef {import('../store/support-store.js').SupportConversation} SupportConversation
 * @typedef {import('../agents/accounts.js').AgentAccount} AgentAccount
 * @typedef {{ role: 'user' | 'assistant', content: string }} Turn
 * @typedef {{ messageId: string, state: 'pending' | 'answered' | 'failed' }} Acceptance
 */

/**
 * One visitor socket, as the protocol layer hands it over.
 * @typedef {object} VisitorSocket
 * @property {(frame: Record<string, unknown>) => void} send adds the timestamp; drops frames
 *   for a socket that is closing
 * @property {boolean} extended it has sent an extension frame
 */

/**
 * One agent console socket.
 * @typedef {object} AgentSocket
 * @property {AgentAccount} agent
 * @property {(frame: Record<string, unknown>) => void} send
 * @property {() => void} close
 * @property {string | undefined} watching the conversation it shows
 */

/**
 * @typedef {object} Live
 * @property {string} id
 * @property {Set<VisitorSocket>} sockets
 * @property {Set<Acceptance>} pending replies accepted and not finished
 * @property {Promise<void>} replies one at a time, in the order the questions came
 * @property {AbortController} controller aborted when the last socket leaves
 * @property {{ messageId: string, text: string, timestamp: string } | null} streaming
 * @property {number} version bumped on every change a `sync` must not miss
 * @property {boolean} visitorTyping
 */

/**
 * @param {object} deps
 * @param {import('../store/support-store.js').SupportStore} deps.store
 * @param {import('../bots/index.js').Bot} deps.bot
 * @param {{ get(key: string): any, set(key: string, value: any): void }} deps.seen
 *   recently seen client message ids, shared with nothing else
 * @param {AgentAccount[]} [deps.agents]
 * @param {import('../agents/hours.js').Hours} [deps.hours]
 * @param {() => number} [deps.now]
 * @param {number} [deps.onlineGraceMs]
 * @param {{ take(key: string): { allowed: boolean } }} [deps.leftMessageLimiter] per visitor
 * @param {{ error(...args: unknown[]): void }} deps.logger
 */
export function createConversationService({
  store,
  bot,
  seen,
  agents = [],
  hours,
  now = Date.now,
  onlineGraceMs = DEFAULT_ONLINE_GRACE_MS,
  leftMessageLimiter,
  logger,
}) {
  const accounts = new Map(agents.map((a) => [a.id, a]));
  /** @type {Map<string, Live>} conversation id → what is live in it */
  const lives = new Map();
  /** @type {Set<AgentSocket>} */
  const consoles = new Set();
  /** @type {Map<string, number>} agent id → when their last console socket closed */
  const leftAt = new Map();
  /** @type {Map<string, number>} the position each waiting visitor was last told */
  const toldPositions = new Map();
  /** @type {Set<ReturnType<typeof setTimeout>>} */
  const timers = new Set();
  let queueVersion = 0;
  let positionsChain = Promise.resolve();
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let inboxTimer;
  let closed = false;

  const iso = () => new Date(now()).toISOString();

  /** @param {() => void} fn @param {number} ms */
  function later(fn, ms) {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timer.unref?.();
    timers.add(timer);
  }

  // --- who can take chats ---------------------------------------------------------------------

  /** @param {string} agentId */
  function isOnline(agentId) {
    for (const socket of consoles) if (socket.agent.id === agentId) return true;
    const left = leftAt.get(agentId);
    return left !== undefined && now() - left < onlineGraceMs;
  }

  const anyoneOnline = () => agents.some((a) => isOnline(a.id));

  /** @returns {'nobody-online' | 'outside-hours' | undefined} */
  function unavailability() {
    if (!isWithinHours(hours, now())) return 'outside-hours';
    if (!anyoneOnline()) return 'nobody-online';
    return undefined;
  }

  /** @param {string | undefined} agentId @returns {{ name: string, avatar?: string }} */
  function publicAgent(agentId) {
    const account = agentId === undefined ? undefined : accounts.get(agentId);
    if (!account) return { name: 'Support' };
    return { name: account.name, ...(account.avatar ? { avatar: account.avatar } : {}) };
  }

  /** @param {AgentAccount} agent */
  const agentRef = (agent) => ({
    id: agent.id,
    name: agent.name,
    ...(agent.avatar ? { avatar: agent.avatar } : {}),
  });

  // --- sending --------------------------------------------------------------------------------

  /**
   * @param {string} conversationId
   * @param {Record<string, unknown>} frame
   * @param {VisitorSocket} [except]
   * @returns {number} how many sockets it went to
   */
  function toExtended(conversationId, frame, except) {
    let count = 0;
    for (const socket of lives.get(conversationId)?.sockets ?? []) {
      if (socket.extended && socket !== except) {
        socket.send(frame);
        count += 1;
      }
    }
    return count;
  }

  /** @param {string} conversationId @param {Record<string, unknown>} frame */
  function toWatchers(conversationId, frame) {
    for (const socket of consoles) {
      if (socket.watching === conversationId) socket.send({ conversationId, ...frame });
    }
  }

  /** @param {string} conversationId */
  function bump(conversationId) {
    const live = lives.get(conversationId);
    if (live) live.version += 1;
  }

  /** @param {SupportMessage} message @returns {Record<string, unknown>} */
  function consoleMessage(message) {
    return { ...message };
  }

  /**
   * Stores a note for the console ("Maya took the chat"); visitors never see these.
   * @param {string} conversationId
   * @param {string} content
   * @param {AgentAccount} [agent]
   */
  async function note(conversationId, content, agent) {
    /** @type {SupportMessage} */
    const message = {
      messageId: newMessageId(),
      role: 'system',
      content,
      timestamp: iso(),
      ...(agent ? { agent: agentRef(agent) } : {}),
    };
    await store.appendMessage(conversationId, message);
    toWatchers(conversationId, { type: 'message', message: consoleMessage(message) });
  }

  /** @param {SupportConversation | undefined} conversation */
  async function conversationChanged(conversation) {
    if (!conversation) return;
    bump(conversation.id);
    toWatchers(conversation.id, {
      type: 'conversation-state',
      conversation: await summary(conversation),
    });
    inboxChanged();
  }

  // --- the queue ------------------------------------------------------------------------------

  /**
   * Tells every waiting visitor whose place changed where they are now. Serialized, so two
   * moves of the queue cannot tell someone an older position last.
   */
  function queueMoved() {
    queueVersion += 1;
    positionsChain = positionsChain
      .then(async () => {
        const ids = await store.queue();
        for (const id of toldPositions.keys()) {
          if (!ids.includes(id)) toldPositions.delete(id);
        }
        ids.forEach((id, index) => {
          const position = index + 1;
          if (toldPositions.get(id) === position) return;
          toldPositions.set(id, position);
          toExtended(id, { type: 'handoff', state: 'queued', position });
        });
      })
      .catch((err) => logger.error('[handoff] could not update queue positions:', err));
    return positionsChain;
  }

  /**
   * The handoff state as the visitor sees it, for `sync`.
   * @param {SupportConversation} conversation
   * @returns {Promise<Record<string, unknown> | null>}
   */
  async function visitorHandoff(conversation) {
    const handoff = conversation.handoff;
    if (!handoff) return null;
    if (handoff.state === 'assigned') {
      return { state: 'assigned', agent: publicAgent(handoff.agentId) };
    }
    const position = (await store.queue()).indexOf(conversation.id) + 1;
    return { state: 'queued', ...(position > 0 ? { position } : {}) };
  }

  /** Once nobody has been online for the grace period, waiting visitors are told so. */
  function checkPresenceLater() {
    later(async () => {
      if (closed || anyoneOnline()) return;
      try {
        for (const id of await store.queue()) {
          const { ok, conversation } = await store.dequeue(id);
          if (!ok) continue;
          await note(id, 'Nobody was online any more; the visitor left the queue.');
          toExtended(id, { type: 'handoff', state: 'unavailable', reason: 'nobody-online' });
          await conversationChanged(conversation);
        }
        await queueMoved();
      } catch (err) {
        logger.error('[handoff] could not empty the queue:', err);
      }
    }, onlineGraceMs + 10);
  }

  // --- replies --------------------------------------------------------------------------------

  /**
   * @param {Live} live
   * @param {Acceptance} acceptance
   * @param {VisitorSocket} asker
   * @param {string | undefined} clientMessageId
   */
  async function answer(live, acceptance, asker, clientMessageId) {
    const { signal } = live.controller;
    // Frames that arrived together with the question are handled first, so a burst of chats
    // gets all its acks (or refusals) before the first reply begins, as when nothing waited for
    // the store.
    await new Promise((resolve) => setImmediate(resolve));
    if (signal.aborted) return;
    const settle = (/** @type {'answered' | 'failed'} */ state) => {
      if (live.pending.delete(acceptance)) acceptance.state = state;
      const unanswered = state === 'failed';
      store
        .updateMessage(live.id, acceptance.messageId, { unanswered })
        .catch((err) => logger.error('[bot] could not mark a question:', err));
    };

    const conversation = await store.getConversation(live.id);
    if (signal.aborted) return;
    // A person took the chat while this question waited for its turn: theirs to answer.
    if (conversation?.handoff?.state === 'assigned') {
      settle('answered');
      return;
    }
    const messages = await store.listMessages(live.id);
    const history = messages && supportTurns(messages, acceptance.messageId);
    if (signal.aborted) return;
    if (!history) {
      settle('failed');
      return;
    }

    // The asker always hears its reply (a strict client among them); other tabs when extended.
    /** @param {Record<string, unknown>} frame */
    const audience = (frame) => {
      for (const socket of live.sockets) {
        if (socket === asker || socket.extended) socket.send(frame);
      }
    };

    audience({ type: 'typing', message: TEXTS.typing });
    const messageId = newMessageId();
    const timestamp = iso();
    let started = false;
    let lastShown = 0;
    try {
      for await (const delta of bot.reply({ history, signal })) {
        if (signal.aborted) break;
        if (typeof delta !== 'string' || delta === '') continue;
        // Sent lazily, so a model that fails before its first token produces only an `error`,
        // as the deployed server does.
        if (!started) {
          live.streaming = { messageId, text: '', timestamp };
          audience({ type: 'stream-start', messageId });
          started = true;
        }
        /** @type {NonNullable<Live['streaming']>} */ (live.streaming).text += delta;
        audience({ type: 'stream-token', messageId, token: delta });
        if (now() - lastShown >= CONSOLE_STREAM_INTERVAL_MS) {
          lastShown = now();
          showReply(live, 'streaming');
        }
      }
      if (signal.aborted) {
        if (started) toWatchers(live.id, { type: 'reply-failed', messageId });
        return;
      }
      if (!started) {
        live.streaming = { messageId, text: '', timestamp };
        audience({ type: 'stream-start', messageId });
      }
      const text = live.streaming?.text ?? '';
      // Stored before `stream-end` goes out: a tab syncing in between then finds the finished
      // reply rather than one still streaming whose end it would never hear.
      live.version += 1;
      await store.appendMessage(live.id, {
        messageId,
        role: 'assistant',
        content: text,
        timestamp,
      });
      audience({ type: 'stream-end', messageId });
      showReply(live, 'complete');
      live.streaming = null;
      settle('answered');
      inboxChanged();
    } catch (err) {
      settle('failed');
      live.streaming = null;
      if (started) toWatchers(live.id, { type: 'reply-failed', messageId });
      if (signal.aborted) return;
      logger.error(`[bot] reply failed in conversation ${live.id}:`, err);
      const message = started ? TEXTS.streamFailed : TEXTS.replyFailed;
      for (const socket of live.sockets) {
        if (socket === asker) {
          socket.send({ type: 'error', message, ...(clientMessageId ? { clientMessageId } : {}) });
        } else if (socket.extended && started) {
          // Other tabs only need to know the stream they were shown has ended.
          socket.send({ type: 'error', message });
        }
      }
    }
  }

  /** @param {Live} live @param {'streaming' | 'complete'} state */
  function showReply(live, state) {
    const streaming = live.streaming;
    if (!streaming) return;
    toWatchers(live.id, {
      type: 'message',
      message: {
        messageId: streaming.messageId,
        role: 'assistant',
        content: streaming.text,
        timestamp: streaming.timestamp,
        ...(state === 'streaming' ? { state } : {}),
      },
    });
  }

  // --- visitors -------------------------------------------------------------------------------

  /**
   * Attaches one visitor socket to the visitor's conversation. Every method waits for the
   * conversation to be found; the protocol layer calls them one frame at a time.
   *
   * @param {string} visitorId
   * @param {VisitorSocket} socket
   */
  function connectVisitor(visitorId, socket) {
    let gone = false;
    /** @type {Live | undefined} */
    let live;
    const ready = store.conversationOf(visitorId).then((conversation) => {
      if (gone) return undefined;
      live = lives.get(conversation.id);
      if (!live) {
        live = {
          id: conversation.id,
          sockets: new Set(),
          pending: new Set(),
          replies: Promise.resolve(),
          controller: new AbortController(),
          streaming: null,
          version: 0,
          visitorTyping: false,
        };
        lives.set(conversation.id, live);
        inboxChanged();
      }
      live.sockets.add(socket);
      return live;
    });

    async function attached() {
      const found = await ready;
      if (!found) throw new Error('the socket has closed');
      return found;
    }

    return {
      /**
       * A validated chat message.
       * @param {string} content
       * @param {string | undefined} clientMessageId
       */
      async chat(content, clientMessageId) {
        const current = await attached();
        const key = clientMessageId === undefined ? undefined : `${visitorId}\n${clientMessageId}`;
        /** @type {Acceptance | undefined} */
        const earlier = key === undefined ? undefined : seen.get(key);
        if (earlier && earlier.state !== 'failed') {
          socket.send({ type: 'ack', clientMessageId, messageId: earlier.messageId });
          return;
        }
        if (current.pending.size >= MAX_QUEUED) {
          socket.send({
            type: 'error',
            message: TEXTS.busy,
            ...(clientMessageId ? { clientMessageId } : {}),
          });
          return;
        }

        /** @type {Acceptance} */
        const acceptance = { messageId: earlier?.messageId ?? newMessageId(), state: 'pending' };
        current.pending.add(acceptance);
        if (key !== undefined) seen.set(key, acceptance);

        // A resend after a failed reply is already stored; only the reply is tried again.
        if (!earlier) {
          /** @type {SupportMessage} */
          const message = {
            messageId: acceptance.messageId,
            role: 'user',
            content,
            timestamp: iso(),
            ...(clientMessageId ? { clientMessageId } : {}),
          };
          current.version += 1;
          await store.appendMessage(current.id, message);
          toExtended(
            current.id,
            {
              type: 'user-message',
              messageId: message.messageId,
              ...(clientMessageId ? { clientMessageId } : {}),
              content,
            },
            socket,
          );
          toWatchers(current.id, { type: 'message', message: consoleMessage(message) });
          if (current.visitorTyping) {
            current.visitorTyping = false;
            toWatchers(current.id, { type: 'typing', who: 'visitor', active: false });
          }
          inboxChanged();
        }
        if (clientMessageId !== undefined) {
          socket.send({ type: 'ack', clientMessageId, messageId: acceptance.messageId });
        }

        const conversation = await store.getConversation(current.id);
        if (conversation?.handoff?.state === 'assigned') {
          // The person holding the chat answers; the message is delivered, which is all the
          // acknowledgement promised.
          if (current.pending.delete(acceptance)) acceptance.state = 'answered';
          return;
        }
        current.replies = current.replies.then(() =>
          answer(current, acceptance, socket, clientMessageId),
        );
      },

      /** The whole conversation and its handoff state, to this socket. */
      async sync() {
        const current = await attached();
        // A version that moved during the reads means a change this socket would miss: it is
        // not yet extended, so it was not sent what changed.
        for (let attempt = 0; ; attempt++) {
          const version = current.version;
          const queued = queueVersion;
          const conversation = await store.getConversation(current.id);
          const messages = (await store.listMessages(current.id)) ?? [];
          const handoff = conversation ? await visitorHandoff(conversation) : null;
          if (attempt < 3 && (version !== current.version || queued !== queueVersion)) continue;

          const items = messages.filter((m) => m.role !== 'system').map(visitorMessage);
          const streaming = current.streaming;
          if (streaming && !items.some((m) => m.messageId === streaming.messageId)) {
            items.push({
              messageId: streaming.messageId,
              role: 'assistant',
              content: streaming.text,
              state: 'streaming',
              timestamp: streaming.timestamp,
            });
          }
          socket.send({ type: 'sync', messages: items, handoff });
          socket.extended = true;
          if (handoff?.state === 'queued' && typeof handoff.position === 'number') {
            toldPositions.set(current.id, handoff.position);
          }
          break;
        }
        const delivered = await store.markDelivered(current.id, iso());
        if (delivered.length > 0) {
          toWatchers(current.id, { type: 'delivered', messageIds: delivered });
        }
      },

      /** `human-escalation`. */
      async escalate() {
        const current = await attached();
        if (!socket.extended) {
          socket.send({ type: 'human-escalation-response', message: TEXTS.strictEscalation });
          return;
        }
        const conversation = await store.getConversation(current.id);
        if (!conversation) return;
        if (conversation.handoff) {
          // Asking again changes nothing; the visitor is reminded where they stand.
          const handoff = await visitorHandoff(conversation);
          const text =
            conversation.handoff.state === 'assigned'
              ? TEXTS.alreadyAssigned(publicAgent(conversation.handoff.agentId).name)
              : TEXTS.alreadyQueued;
          socket.send({ type: 'human-escalation-response', message: text });
          socket.send({ type: 'handoff', ...handoff });
          return;
        }

        const reason = unavailability();
        if (reason) {
          const text =
            reason === 'outside-hours' && hours
              ? TEXTS.outsideHours(hours.label)
              : TEXTS.nobodyOnline;
          await note(
            current.id,
            `The visitor asked for a person; ${reason === 'outside-hours' ? 'it was outside opening hours' : 'nobody was online'}.`,
          );
          socket.send({ type: 'human-escalation-response', message: text });
          toExtended(current.id, { type: 'handoff', state: 'unavailable', reason });
          return;
        }

        const { ok, conversation: queued } = await store.enqueue(current.id, iso());
        if (!ok) {
          // Another tab of theirs asked at the same moment and got there first.
          socket.send({ type: 'human-escalation-response', message: TEXTS.alreadyQueued });
          if (queued) socket.send({ type: 'handoff', ...(await visitorHandoff(queued)) });
          return;
        }
        socket.send({ type: 'human-escalation-response', message: TEXTS.queued });
        await note(current.id, 'The visitor asked for a person and is waiting.');
        await queueMoved();
        await conversationChanged(queued);
      },

      /**
       * `leave-message`.
       * @param {unknown} email
       * @param {unknown} message
       */
      async leaveMessage(email, message) {
        const current = await attached();
        socket.extended = true;
        const address = typeof email === 'string' ? email.trim() : '';
        const text = typeof message === 'string' ? message.trim() : '';
        if (address.length > MAX_EMAIL_LENGTH || !EMAIL.test(address)) {
          socket.send({ type: 'error', message: TEXTS.invalidEmail });
          return;
        }
        if (text === '' || text.length > MAX_CONTENT_LENGTH) {
          socket.send({ type: 'error', message: TEXTS.invalidLeftMessage });
          return;
        }
        if (leftMessageLimiter && !leftMessageLimiter.take(visitorId).allowed) {
          socket.send({ type: 'error', message: TEXTS.tooManyLeftMessages });
          return;
        }
        await store.addLeftMessage({ conversationId: current.id, email: address, message: text });
        await note(current.id, `The visitor left a message for the team (reply to ${address}).`);
        socket.send({ type: 'left-message', ok: true });
        inboxChanged();
      },

      /** @param {boolean} active */
      async typing(active) {
        const current = await attached();
        socket.extended = true;
        if (current.visitorTyping === active) return;
        current.visitorTyping = active;
        toWatchers(current.id, { type: 'typing', who: 'visitor', active });
        // The inbox says "typing…" in place of the last message, for agents looking elsewhere.
        inboxChanged();
      },

      /** The socket has closed. */
      close() {
        gone = true;
        if (!live) return;
        const current = live;
        current.sockets.delete(socket);
        if (current.sockets.size > 0) return;
        // Nobody is left to read a reply: stop the bot. Marked failed at once, so a resend on
        // the visitor's next socket is answered even if the abandoned reply is still unwinding.
        current.controller.abort();
        for (const acceptance of current.pending) {
          acceptance.state = 'failed';
          store
            .updateMessage(current.id, acceptance.messageId, { unanswered: true })
            .catch((err) => logger.error('[bot] could not mark a question:', err));
        }
        current.pending.clear();
        if (current.visitorTyping) {
          toWatchers(current.id, { type: 'typing', who: 'visitor', active: false });
        }
        if (lives.get(current.id) === current) lives.delete(current.id);
        inboxChanged();
      },
    };
  }

  // --- agents ---------------------------------------------------------------------------------

  /**
   * @param {AgentSocket} socket
   */
  function connectAgent(socket) {
    consoles.add(socket);
    leftAt.delete(socket.agent.id);
    socket.send({
      type: 'ready',
      agent: agentRef(socket.agent),
      serverTime: iso(),
    });
    inbox().then(
      (value) => socket.send({ type: 'inbox', inbox: value }),
      (err) => logger.error('[agents] inbox failed:', err),
    );
    inboxChanged();
    return {
      /** @param {string | undefined} conversationId */
      async watch(conversationId) {
        socket.watching = conversationId;
        if (conversationId === undefined) return;
        const view = await conversationView(conversationId);
        if (socket.watching !== conversationId) return;
        socket.send(
          view ? { type: 'conversation', ...view } : { type: 'conversation-gone', conversationId },
        );
      },
      close() {
        if (!consoles.delete(socket)) return;
        const agentId = socket.agent.id;
        if ([...consoles].some((s) => s.agent.id === agentId)) return;
        leftAt.set(agentId, now());
        // A console that vanished mid-word must not leave "Maya is typing…" up for good.
        stopAgentTyping(agentId);
        inboxChanged();
        later(inboxChanged, onlineGraceMs + 10);
        checkPresenceLater();
      },
    };
  }

  /** @type {Map<string, Set<string>>} agent id → conversations they are typing in */
  const typingIn = new Map();

  /** @param {string} agentId */
  function stopAgentTyping(agentId) {
    const account = accounts.get(agentId);
    for (const conversationId of typingIn.get(agentId) ?? []) {
      if (account) sendAgentTyping(account, conversationId, false);
    }
    typingIn.delete(agentId);
  }

  /** @param {AgentAccount} agent @param {string} conversationId @param {boolean} active */
  function sendAgentTyping(agent, conversationId, active) {
    const set = typingIn.get(agent.id) ?? new Set();
    if (active) set.add(conversationId);
    else set.delete(conversationId);
    if (set.size > 0) typingIn.set(agent.id, set);
    else typingIn.delete(agent.id);
    toExtended(conversationId, { type: 'agent-typing', active, agent: { name: agent.name } });
    for (const socket of consoles) {
      if (socket.watching === conversationId && socket.agent.id !== agent.id) {
        socket.send({ type: 'typing', conversationId, who: agent.name, active });
      }
    }
  }

  /**
   * @typedef {{ status: 'ok', conversation: Record<string, unknown> }
   *   | { status: 'gone' | 'forbidden' | 'conflict' | 'invalid', detail: string }} ActionResult
   */

  /**
   * Why `agent` may not act on a conversation, or undefined when they hold it.
   * @param {AgentAccount} agent
   * @param {SupportConversation | undefined} conversation
   * @returns {ActionResult | undefined}
   */
  function refusal(agent, conversation) {
    if (!conversation) return { status: 'gone', detail: 'No such conversation' };
    const handoff = conversation.handoff;
    if (handoff?.state !== 'assigned' || handoff.agentId !== agent.id) {
      return { status: 'forbidden', detail: 'You do not hold this chat' };
    }
    return undefined;
  }

  /** @param {AgentAccount} agent @param {string} conversationId @returns {Promise<ActionResult>} */
  async function take(agent, conversationId) {
    const { ok, conversation } = await store.take(conversationId, agent.id, iso());
    if (!conversation) return { status: 'gone', detail: 'No such conversation' };
    if (!ok) {
      const handoff = conversation.handoff;
      if (handoff?.state === 'assigned' && handoff.agentId === agent.id) {
        return { status: 'ok', conversation: await summary(conversation) };
      }
      if (handoff?.state === 'assigned') {
        return {
          status: 'conflict',
          detail: `${publicAgent(handoff.agentId).name} has already taken this chat`,
        };
      }
      return { status: 'conflict', detail: 'This chat is not waiting for a person' };
    }
    await note(conversationId, `${agent.name} took the chat.`, agent);
    toExtended(conversationId, {
      type: 'handoff',
      state: 'assigned',
      agent: publicAgent(agent.id),
    });
    await queueMoved();
    await conversationChanged(conversation);
    return { status: 'ok', conversation: await summary(conversation) };
  }

  /**
   * @param {AgentAccount} agent
   * @param {string} conversationId
   * @param {unknown} content
   * @param {unknown} clientMessageId the console's id, so a retried POST is stored once
   * @returns {Promise<ActionResult | { status: 'ok', message: SupportMessage, delivered: boolean }>}
   */
  async function agentMessage(agent, conversationId, content, clientMessageId) {
    const conversation = await store.getConversation(conversationId);
    const refused = refusal(agent, conversation);
    if (refused) return refused;
    if (typeof content !== 'string' || content.trim() === '') {
      return { status: 'invalid', detail: 'Message content is required' };
    }
    if (content.length > MAX_CONTENT_LENGTH) {
      return {
        status: 'invalid',
        detail: `Message too long (maximum ${MAX_CONTENT_LENGTH} characters)`,
      };
    }
    const key =
      typeof clientMessageId === 'string' &&
      clientMessageId.length > 0 &&
      clientMessageId.length <= 64
        ? `agent:${agent.id}\n${clientMessageId}`
        : undefined;
    const earlier = key === undefined ? undefined : seen.get(key);
    if (earlier) return { status: 'ok', message: earlier, delivered: Boolean(earlier.deliveredAt) };

    const timestamp = iso();
    /** @type {SupportMessage} */
    const message = {
      messageId: newMessageId(),
      role: 'agent',
      content,
      timestamp,
      agent: agentRef(agent),
      ...(key !== undefined ? { clientMessageId: /** @type {string} */ (clientMessageId) } : {}),
    };
    const live = lives.get(conversationId);
    const delivered = [...(live?.sockets ?? [])].some((s) => s.extended);
    if (delivered) message.deliveredAt = timestamp;
    if (key !== undefined) seen.set(key, message);
    bump(conversationId);
    await store.appendMessage(conversationId, message);
    if (typingIn.get(agent.id)?.has(conversationId)) sendAgentTyping(agent, conversationId, false);
    toExtended(conversationId, {
      type: 'agent-message',
      messageId: message.messageId,
      content,
      agent: publicAgent(agent.id),
    });
    toWatchers(conversationId, { type: 'message', message: consoleMessage(message) });
    inboxChanged();
    return { status: 'ok', message, delivered };
  }

  /**
   * @param {AgentAccount} agent
   * @param {string} conversationId
   * @param {boolean} active
   * @returns {Promise<ActionResult | { status: 'ok' }>}
   */
  async function agentTyping(agent, conversationId, active) {
    const refused = refusal(agent, await store.getConversation(conversationId));
    if (refused) return refused;
    sendAgentTyping(agent, conversationId, active);
    return { status: 'ok' };
  }

  /**
   * Hand-back (the bot answers again) or close (the same, and the chat leaves the inbox until
   * the visitor writes again). The visitor hears `handoff ended` either way.
   * @param {AgentAccount} agent
   * @param {string} conversationId
   * @param {boolean} close
   * @returns {Promise<ActionResult>}
   */
  async function release(agent, conversationId, close) {
    const { ok, conversation } = await store.release(conversationId, agent.id, {
      close,
      time: iso(),
    });
    if (!ok) return /** @type {ActionResult} */ (refusal(agent, conversation));
    if (typingIn.get(agent.id)?.has(conversationId)) sendAgentTyping(agent, conversationId, false);
    await note(
      conversationId,
      close
        ? `${agent.name} closed the chat.`
        : `${agent.name} handed the chat back to the assistant.`,
      agent,
    );
    toExtended(conversationId, { type: 'handoff', state: 'ended' });
    await conversationChanged(conversation);
    return {
      status: 'ok',
      conversation: await summary(/** @type {SupportConversation} */ (conversation)),
    };
  }

  /**
   * @param {AgentAccount} agent
   * @param {string} conversationId
   * @param {unknown} toAgentId
   * @returns {Promise<ActionResult>}
   */
  async function transfer(agent, conversationId, toAgentId) {
    const conversation = await store.getConversation(conversationId);
    const refused = refusal(agent, conversation);
    if (refused) return refused;
    const target = typeof toAgentId === 'string' ? accounts.get(toAgentId) : undefined;
    if (!target) return { status: 'invalid', detail: 'No such agent' };
    if (target.id === agent.id) return { status: 'invalid', detail: 'You already hold this chat' };
    if (!isOnline(target.id)) return { status: 'conflict', detail: `${target.name} is not online` };

    const result = await store.transfer(conversationId, agent.id, target.id, iso());
    if (!result.ok) return /** @type {ActionResult} */ (refusal(agent, result.conversation));
    if (typingIn.get(agent.id)?.has(conversationId)) sendAgentTyping(agent, conversationId, false);
    await note(conversationId, `${agent.name} transferred the chat to ${target.name}.`, agent);
    toExtended(conversationId, {
      type: 'handoff',
      state: 'assigned',
      agent: publicAgent(target.id),
    });
    await conversationChanged(result.conversation);
    for (const socket of consoles) {
      if (socket.agent.id === target.id) {
        socket.send({ type: 'transferred', conversationId, from: agent.name });
      }
    }
    return {
      status: 'ok',
      conversation: await summary(/** @type {SupportConversation} */ (result.conversation)),
    };
  }

  /**
   * Signing out puts the agent's chats back in the queue, in the place their visitors had.
   * @param {AgentAccount} agent
   */
  async function signOut(agent) {
    stopAgentTyping(agent.id);
    for (const conversation of await store.listConversations({ handoff: 'assigned' })) {
      if (conversation.handoff?.agentId !== agent.id) continue;
      const { ok, conversation: requeued } = await store.requeue(conversation.id, agent.id);
      if (!ok) continue;
      await note(conversation.id, `${agent.name} signed out; the chat is waiting again.`, agent);
      await conversationChanged(requeued);
    }
    // Someone still holding an old position would otherwise not be told again.
    for (const id of await store.queue()) toldPositions.delete(id);
    await queueMoved();
    for (const socket of [...consoles]) {
      if (socket.agent.id === agent.id) socket.close();
    }
  }

  /** @param {AgentAccount} agent @param {string} id */
  async function resolveLeftMessage(agent, id) {
    const done = await store.resolveLeftMessage(id, agent.id, iso());
    if (done) inboxChanged();
    return done;
  }

  // --- what the console shows -----------------------------------------------------------------

  /** @param {SupportConversation} conversation */
  async function summary(conversation) {
    const handoff = conversation.handoff;
    const position =
      handoff?.state === 'queued' ? (await store.queue()).indexOf(conversation.id) + 1 : undefined;
    return {
      id: conversation.id,
      visitor: visitorLabel(conversation.id),
      online: lives.has(conversation.id),
      state: handoff?.state ?? (conversation.closedAt ? 'closed' : 'bot'),
      ...(handoff?.queuedAt ? { queuedAt: handoff.queuedAt } : {}),
      ...(position ? { position } : {}),
      ...(handoff?.agentId
        ? { agent: { id: handoff.agentId, ...publicAgent(handoff.agentId) } }
        : {}),
      ...(handoff?.assignedAt ? { assignedAt: handoff.assignedAt } : {}),
      ...(conversation.closedAt ? { closedAt: conversation.closedAt } : {}),
      updatedAt: conversation.updatedAt,
      ...(conversation.lastVisitorMessage !== undefined
        ? {
            lastVisitorMessage: preview(conversation.lastVisitorMessage),
            lastVisitorMessageAt: conversation.lastVisitorMessageAt,
          }
        : {}),
      visitorTyping: lives.get(conversation.id)?.visitorTyping ?? false,
    };
  }

  /** @param {string} conversationId */
  async function conversationView(conversationId) {
    const conversation = await store.getConversation(conversationId);
    if (!conversation) return undefined;
    const messages = (await store.listMessages(conversationId)) ?? [];
    const streaming = lives.get(conversationId)?.streaming;
    const items = messages.map(consoleMessage);
    if (streaming && !messages.some((m) => m.messageId === streaming.messageId)) {
      items.push({
        messageId: streaming.messageId,
        role: 'assistant',
        content: streaming.text,
        timestamp: streaming.timestamp,
        state: 'streaming',
      });
    }
    return { conversation: await summary(conversation), messages: items };
  }

  async function inbox() {
    const queue = await store.queue();
    const waiting = [];
    for (const id of queue) {
      const conversation = await store.getConversation(id);
      if (conversation) waiting.push(await summary(conversation));
    }
    const assigned = await Promise.all(
      (await store.listConversations({ handoff: 'assigned' })).map(summary),
    );
    const bot = await Promise.all(
      (
        await store.listConversations({
          handoff: 'none',
          includeClosed: false,
          limit: INBOX_BOT_LIMIT,
        })
      ).map(summary),
    );
    const leftMessages = await store.listLeftMessages();
    const reason = unavailability();
    return {
      serverTime: iso(),
      waiting,
      assigned,
      bot,
      leftMessages: leftMessages.map((m) => ({
        ...m,
        visitor: visitorLabel(m.conversationId),
      })),
      agents: agents.map((a) => ({ ...agentRef(a), online: isOnline(a.id) })),
      availability: {
        takingChats: reason === undefined,
        ...(reason ? { reason } : {}),
        ...(hours ? { hours: hours.label } : {}),
      },
    };
  }

  /** Every console gets the new inbox, at most every INBOX_DEBOUNCE_MS. */
  function inboxChanged() {
    if (inboxTimer || closed || consoles.size === 0) return;
    inboxTimer = setTimeout(async () => {
      inboxTimer = undefined;
      try {
        const value = await inbox();
        for (const socket of consoles) socket.send({ type: 'inbox', inbox: value });
      } catch (err) {
        logger.error('[agents] inbox failed:', err);
      }
    }, INBOX_DEBOUNCE_MS);
    inboxTimer.unref?.();
  }

  return {
    connectVisitor,
    connectAgent,
    take,
    agentMessage,
    agentTyping,
    handBack: (/** @type {AgentAccount} */ agent, /** @type {string} */ id) =>
      release(agent, id, false),
    close: (/** @type {AgentAccount} */ agent, /** @type {string} */ id) =>
      release(agent, id, true),
    transfer,
    signOut,
    resolveLeftMessage,
    inbox,
    conversationView,
    isOnline,
    /** @param {string} id */
    agent: (id) => accounts.get(id),
    /** Stops timers; sockets are closed by the server. */
    shutdown() {
      closed = true;
      clearTimeout(inboxTimer);
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const live of lives.values()) live.controller.abort();
    },
  };
}

/** @typedef {ReturnType<typeof createConversationService>} ConversationService */

/** @param {SupportMessage} message @returns {Record<string, unknown>} what `sync` carries */
function visitorMessage(message) {
  return {
    messageId: message.messageId,
    role: message.role,
    content: message.content,
    // The console's ids for its own messages are not the visitor's business.
    ...(message.role === 'user' && message.clientMessageId
      ? { clientMessageId: message.clientMessageId }
      : {}),
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

/** Visitors are anonymous; the console tells them apart by a few letters of the chat's id. */
/** @param {string} conversationId */
export function visitorLabel(conversationId) {
  return `Visitor ${conversationId.slice(-4).toUpperCase()}`;
}

/** @param {string} text */
function preview(text) {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > PREVIEW_LENGTH ? `${flat.slice(0, PREVIEW_LENGTH - 1)}…` : flat;
}

export function newMessageId() {
  return `msg_${randomBytes(9).toString('base64url')}`;
}
