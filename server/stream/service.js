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
 * Several processes can serve one conversation (store/index.js: Redis). The store holds the
 * transcript, the handoff, the queue, the reply in progress and the conversation's frames: every
 * frame meant for all of a visitor's sockets is published to the store with the next `seq`, and
 * each process hands the frames to its own sockets in `seq` order, once, filling any gap from
 * the store's log. `resume` replays that log from a client's last `seq`. Questions wait in the
 * store for a reply worker: the process that holds the conversation's lease (renewed while it
 * lives) answers them one at a time, and when a process dies another takes over after the lease
 * and ends the reply it left as interrupted (`retry` asks again). Only open sockets and the
 * visitor's typing state are this process's own.
 */
import { randomBytes } from 'node:crypto';
import { supportTurns } from '../bots/history.js';
import { isWithinHours } from '../support/agents/hours.js';
import { MAX_CONTENT_LENGTH } from '../platform/limits/messages.js';

export const MAX_QUEUED = 5;
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
  unanswered: 'This message was not answered while you were away; sending it again',
  streamFailed: 'Stream error occurred',
  invalidEmail: 'Please give an email address we can answer to',
  invalidLeftMessage: `The message must be 1-${MAX_CONTENT_LENGTH} characters`,
  tooManyLeftMessages: 'Too many messages left, please try again later',
});

/**
 * @typedef {import('../stream/store.js').StreamMessage} SupportMessage
 * @typedef {import('../stream/store.js').StreamConversation} SupportConversation
 * @typedef {import('../stream/store.js').LoggedFrame} LoggedFrame
 * @typedef {import('../support/agents/accounts.js').AgentAccount} AgentAccount
 * @typedef {{ q: string, s?: string, c?: string }} Job a question waiting for the bot: its
 *   message id, the asking socket (its reply goes to it even when it speaks no extension) and
 *   the client's id for it (an `error` echoes it)
 */

/**
 * One visitor socket, as the protocol layer hands it over.
 * @typedef {object} VisitorSocket
 * @property {(frame: Record<string, unknown>) => void} send adds the timestamp; drops frames
 *   for a socket that is closing
 * @property {boolean} extended it has sent an extension frame
 * @property {string} [id] unique on every process; set by connectVisitor
 * @property {number} [cursor] the `seq` of the last conversation frame it has been given (or
 *   passed over); frames after it are delivered in order, once
 */

/**
 * One agent console socket.
 * @typedef {object} AgentSocket
 * @property {AgentAccount} agent
 * @property {(frame: Record<string, unknown>) => void} send
 * @property {() => void} close
 * @property {string | undefined} watching the conversation it shows
 * @property {string} [id]
 */

/**
 * What this process has of one conversation: its sockets here and the order they are served in.
 * @typedef {object} Live
 * @property {string} id
 * @property {Set<VisitorSocket>} sockets
 * @property {Promise<void>} chain deliveries, syncs and resumes, one at a time
 * @property {Promise<() => Promise<void>>} subscribed
 * @property {boolean} visitorTyping
 */

/**
 * A reply worker running here: this process holds the conversation's lease.
 * @typedef {object} Worker
 * @property {AbortController} controller aborts the bot
 * @property {'abandoned' | 'lost' | 'handover' | undefined} stop why it was aborted
 */

/** How long a reply worker's lease lasts without renewal: a dead process's replies wait this. */
export const DEFAULT_LEASE_MS = 6000;
/** How long a visitor socket counts as open on another process without being renewed. */
const PRESENCE_TTL_MS = 60_000;

/**
 * @param {object} deps
 * @param {import('./store.js').StreamStore} deps.store
 * @param {import('../support/store.js').SupportStore} deps.support
 * @param {import('../bots/index.js').Bot} deps.bot
 * @param {import('../platform/store.js').RecentIds} deps.seen recently seen client message ids
 * @param {AgentAccount[]} [deps.agents]
 * @param {import('../support/agents/hours.js').Hours} [deps.hours]
 * @param {() => number} [deps.now]
 * @param {number} [deps.onlineGraceMs]
 * @param {{ take(key: string): Promise<{ allowed: boolean }> | { allowed: boolean } }} [deps.leftMessageLimiter] per visitor
 * @param {number} [deps.leaseMs] a reply worker's lease; another process takes over after it
 * @param {number} [deps.abandonGraceMs] a reply nobody has a socket open for (on any process)
 *   this long is abandoned; 0 (the default) at once, as one process can tell
 * @param {{ error(...args: unknown[]): void }} deps.logger
 */
export function createConversationService({
  store,
  support,
  bot,
  seen,
  agents = [],
  hours,
  now = Date.now,
  onlineGraceMs = DEFAULT_ONLINE_GRACE_MS,
  leftMessageLimiter,
  leaseMs = DEFAULT_LEASE_MS,
  abandonGraceMs = 0,
  logger,
}) {
  const processId = `p_${randomBytes(6).toString('base64url')}`;
  const accounts = new Map(agents.map((a) => [a.id, a]));
  /** @type {Map<string, Live>} conversation id → what this process has of it */
  const lives = new Map();
  /** @type {Map<string, Worker>} */
  const workers = new Map();
  /** @type {Set<AgentSocket>} */
  const consoles = new Set();
  /** @type {Map<string, number>} the position each waiting visitor was last told */
  const toldPositions = new Map();
  /** @type {Set<ReturnType<typeof setTimeout>>} */
  const timers = new Set();
  let positionsChain = Promise.resolve();
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let inboxTimer;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let inboxPublishTimer;
  let closed = false;
  let draining = false;

  const iso = () => new Date(now()).toISOString();
  const newSocketId = () => `s_${randomBytes(9).toString('base64url')}`;

  /** @param {() => void | Promise<void>} fn catches its own failures @param {number} ms */
  function later(fn, ms) {
    const timer = setTimeout(() => {
      timers.delete(timer);
      void fn();
    }, ms);
    timer.unref?.();
    timers.add(timer);
  }

  /** @param {string} what @returns {(err: unknown) => void} */
  const logFailure = (what) => (err) => {
    if (!closed) logger.error(`${what}:`, err);
  };

  // Renews this process's visitor and console presence, a slice every second rather than all at
  // once: thousands of renewals in one burst would queue every chat behind them.
  const RENEW_EVERY_MS = Math.min(PRESENCE_TTL_MS / 3, 20_000);
  /** @type {WeakMap<object, number>} socket → when its presence was last renewed */
  const renewed = new WeakMap();
  const housekeeping = setInterval(() => {
    if (closed) return;
    const due = Date.now() - RENEW_EVERY_MS;
    let budget = Math.max(50, Math.ceil(socketsById.size / (RENEW_EVERY_MS / 1000 / 2)));
    for (const live of lives.values()) {
      for (const socket of live.sockets) {
        if ((renewed.get(socket) ?? 0) > due) continue;
        if (budget-- <= 0) break;
        renewed.set(socket, Date.now());
        store
          .attachVisitor(live.id, /** @type {string} */ (socket.id), PRESENCE_TTL_MS)
          .catch(() => {});
      }
    }
    for (const socket of consoles) {
      if ((renewed.get(socket) ?? 0) > due) continue;
      renewed.set(socket, Date.now());
      support
        .attachAgent(socket.agent.id, /** @type {string} */ (socket.id), PRESENCE_TTL_MS)
        .catch(() => {});
    }
  }, 1000);
  housekeeping.unref?.();
  const sweeper = setInterval(
    () => {
      if (closed || draining) return;
      store.expiredWorkers(Date.now()).then((ids) => {
        for (const id of ids) if (!workers.has(id)) startWorker(id);
      }, logFailure('[bot] could not look for replies to take over'));
    },
    Math.max(250, Math.min(1000, leaseMs / 4)),
  );
  sweeper.unref?.();

  // --- who can take chats ---------------------------------------------------------------------

  /** @param {string} agentId */
  async function isOnline(agentId) {
    return (await support.onlineAgents()).has(agentId);
  }

  async function anyoneOnline() {
    const online = await support.onlineAgents();
    return agents.some((a) => online.has(a.id));
  }

  /** @returns {Promise<'nobody-online' | 'outside-hours' | undefined>} */
  async function unavailability() {
    if (!isWithinHours(hours, now())) return 'outside-hours';
    if (!(await anyoneOnline())) return 'nobody-online';
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

  // --- the conversation's frames, on every process ---------------------------------------------

  /**
   * Publishes a frame of the conversation: it gets the next `seq`, is kept for `resume`, and
   * reaches every extended socket of the conversation on every process (and `to`, when given).
   * @param {string} conversationId
   * @param {Record<string, unknown>} frame
   * @param {import('../stream/store.js').PublishOptions} [options]
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
    live.chain = run.catch(logFailure(`[stream] delivery failed in conversation ${live.id}`));
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
    const handoff = snapshot ? await visitorHandoff(snapshot.conversation) : null;
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
    socket.send({ type: 'sync', messages: items, handoff, seq });
    if (handoff?.state === 'queued' && typeof handoff.position === 'number') {
      toldPositions.set(live.id, handoff.position);
    }
  }

  // --- the console, on every process ----------------------------------------------------------

  /** @param {Record<string, unknown>} event */
  function toConsoles(event) {
    support.publishConsole(event).catch(logFailure('[agents] could not reach the consoles'));
  }

  /** @param {string} conversationId @param {Record<string, unknown>} frame @param {string} [exceptAgent] */
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
  const consoleSubscription = support.subscribeConsole(onConsoleEvent);
  consoleSubscription.catch(logFailure('[agents] could not subscribe to console events'));

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
    positionsChain = positionsChain
      .then(async () => {
        const ids = await store.queue();
        for (const id of toldPositions.keys()) {
          if (!ids.includes(id)) toldPositions.delete(id);
        }
        for (const [index, id] of ids.entries()) {
          const position = index + 1;
          if (toldPositions.get(id) === position) continue;
          toldPositions.set(id, position);
          await emit(id, { type: 'handoff', state: 'queued', position });
        }
      })
      .catch(logFailure('[handoff] could not update queue positions'));
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
      try {
        if (closed || (await anyoneOnline())) return;
        for (const id of await store.queue()) {
          const { ok, conversation } = await store.dequeue(id);
          if (!ok) continue;
          await note(id, 'Nobody was online any more; the visitor left the queue.');
          await emit(id, { type: 'handoff', state: 'unavailable', reason: 'nobody-online' });
          await conversationChanged(conversation);
        }
        await queueMoved();
      } catch (err) {
        logFailure('[handoff] could not empty the queue')(err);
      }
    }, onlineGraceMs + 10);
  }

  // --- replies --------------------------------------------------------------------------------

  /** @param {string} raw @returns {Job | undefined} */
  function parseJob(raw) {
    try {
      const job = JSON.parse(raw);
      return typeof job?.q === 'string' ? job : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * A question waits for the bot; a worker (here, or wherever one runs) answers it.
   * @param {string} conversationId
   * @param {Job} job
   * @param {number} [max] a chat checks MAX_QUEUED before storing its message, and is then let
   *   in past it rather than acknowledged and refused when two arrive at once
   * @returns {Promise<boolean>} false when too many are waiting
   */
  async function addJob(conversationId, job, max = MAX_QUEUED) {
    if (!(await store.addJob(conversationId, JSON.stringify(job), max))) return false;
    startWorker(conversationId);
    return true;
  }

  /**
   * Answers the conversation's waiting questions one at a time while this process holds its
   * lease. Started when a question arrives, and by the sweeper for a lease that ran out: then it
   * first ends the reply the dead process left, as interrupted.
   * @param {string} conversationId
   */
  function startWorker(conversationId) {
    if (workers.has(conversationId) || closed || draining) return;
    /** @type {Worker} */
    const worker = { controller: new AbortController(), stop: undefined };
    workers.set(conversationId, worker);
    /** @type {ReturnType<typeof setInterval> | undefined} */
    let renewing;
    let unattendedSince = 0;
    const run = async () => {
      if (!(await store.claimWorker(conversationId, processId, leaseMs))) return;
      const renew = async () => {
        try {
          if (!(await store.claimWorker(conversationId, processId, leaseMs))) {
            stopWorker(worker, 'lost');
            return;
          }
          // Nobody anywhere is left to read it: on one process the last socket's close says
          // so at once; here every socket may be on another process.
          if (draining || lives.has(conversationId)) {
            unattendedSince = 0;
          } else if ((await store.attachedVisitors(conversationId)) > 0) {
            unattendedSince = 0;
          } else {
            unattendedSince ||= Date.now();
            if (Date.now() - unattendedSince >= abandonGraceMs) {
              await abandon(conversationId);
            }
          }
        } catch {
          // The store is unreachable: the lease runs out and whoever is alive takes over.
        }
      };
      renewing = setInterval(() => void renew(), Math.max(100, leaseMs / 3));
      renewing.unref?.();
      for (;;) {
        if (worker.controller.signal.aborted) break;
        const snapshot = await store.snapshot(conversationId);
        if (!snapshot) break;
        if (snapshot.reply) await interrupt(conversationId, snapshot.reply);
        const raw = (await store.jobs(conversationId))[0];
        if (raw === undefined) {
          await store.releaseWorker(conversationId, processId);
          // A question added while this worker was finding none would otherwise wait for good.
          if ((await store.jobs(conversationId)).length === 0) break;
          if (!(await store.claimWorker(conversationId, processId, leaseMs))) break;
          continue;
        }
        if (draining) break;
        const job = parseJob(raw);
        if (job) await answer(conversationId, job, worker);
        if (worker.controller.signal.aborted) break;
        await store.removeJob(conversationId, raw);
      }
    };
    run()
      .catch((err) => {
        if (!closed)
          logger.error(`[bot] reply worker failed in conversation ${conversationId}:`, err);
      })
      .finally(async () => {
        clearInterval(renewing);
        if (workers.get(conversationId) === worker) workers.delete(conversationId);
        // Whatever is left is for another process: at once when this one is shutting down.
        if (worker.stop === 'handover' || draining) {
          await store.expireWorker(conversationId, processId).catch(() => {});
        } else if (worker.stop === 'abandoned') {
          await store.releaseWorker(conversationId, processId).catch(() => {});
        }
      });
  }

  /** @param {Worker} worker @param {NonNullable<Worker['stop']>} why */
  function stopWorker(worker, why) {
    worker.stop ??= why;
    worker.controller.abort();
  }

  /**
   * Ends a reply whose process died (or stopped without finishing it) as interrupted: its text
   * is kept as the visitor saw it, its question can be asked again with `retry`.
   * @param {string} conversationId
   * @param {import('../stream/store.js').ReplyState} reply
   */
  async function interrupt(conversationId, reply) {
    const seq = await emit(
      conversationId,
      { type: 'stream-end', messageId: reply.messageId, interrupted: true },
      { reply: { op: 'end', messageId: reply.messageId, interrupted: true } },
    );
    if (seq === undefined) return;
    await store.updateMessage(conversationId, reply.questionId, { unanswered: true });
    for (const raw of await store.jobs(conversationId)) {
      if (parseJob(raw)?.q === reply.questionId) await store.removeJob(conversationId, raw);
    }
    toWatchers(conversationId, { type: 'reply-failed', messageId: reply.messageId });
    inboxChanged();
  }

  /**
   * Nobody is left to read the replies: the bot stops, and the questions waiting are marked
   * unanswered, so a resend from the visitor's next socket is answered.
   * @param {string} conversationId
   */
  async function abandon(conversationId) {
    const worker = workers.get(conversationId);
    if (worker) stopWorker(worker, 'abandoned');
    const raws = await store.clearJobs(conversationId);
    for (const [index, raw] of raws.entries()) {
      const job = parseJob(raw);
      if (!job) continue;
      await store.updateMessage(conversationId, job.q, { unanswered: true });
      // Questions still waiting are named in the conversation's log, so the tab that asked finds
      // them when it resumes and sends them again (a resend of an unanswered question is
      // answered). The one being answered (the queue's head, removed only when done) ends as an
      // interrupted reply with Retry instead, so it is not answered twice.
      if (job.c && !(worker && index === 0)) {
        await emit(conversationId, {
          type: 'error',
          message: TEXTS.unanswered,
          clientMessageId: job.c,
        });
      }
    }
  }

  /**
   * @param {string} conversationId
   * @param {Job} job
   * @param {Worker} worker
   */
  async function answer(conversationId, job, worker) {
    const { signal } = worker.controller;
    // Frames that arrived together with the question are handled first, so a burst of chats
    // gets all its acks (or refusals) before the first reply begins.
    await new Promise((resolve) => setImmediate(resolve));
    if (signal.aborted) return;
    const questionId = job.q;
    const asker = job.s;
    /** @param {boolean} unanswered */
    const settle = (unanswered) =>
      store
        .updateMessage(conversationId, questionId, { unanswered })
        .catch(logFailure('[bot] could not mark a question'));

    const snapshot = await store.snapshot(conversationId);
    if (signal.aborted) return;
    // A person took the chat while this question waited for its turn: theirs to answer.
    if (snapshot?.conversation.handoff?.state === 'assigned') {
      await settle(false);
      return;
    }
    const history = snapshot && supportTurns(snapshot.messages, questionId);
    if (!history) {
      await settle(true);
      return;
    }

    const to = asker ? { to: asker } : {};
    let lastSeq = (await emit(conversationId, { type: 'typing', message: TEXTS.typing }, to)) ?? 0;
    const messageId = newMessageId();
    const timestamp = iso();
    let started = false;
    let text = '';
    let lastShown = 0;
    /** @param {Record<string, unknown>} frame @param {import('../stream/store.js').ReplyStep} step */
    const step = async (frame, step) => {
      const seq = await emit(conversationId, frame, { ...to, reply: step });
      // Someone else ended this reply: this process was taken for dead.
      if (seq === undefined) stopWorker(worker, 'lost');
      else lastSeq = seq;
    };
    const start = () =>
      step({ type: 'stream-start', messageId }, { op: 'start', messageId, questionId, timestamp });
    try {
      for await (const delta of bot.reply({ history, signal })) {
        if (signal.aborted) break;
        if (typeof delta !== 'string' || delta === '') continue;
        // Sent lazily, so a model that fails before its first token produces only an `error`,
        // as the deployed server does.
        if (!started) {
          started = true;
          await start();
          if (signal.aborted) break;
        }
        text += delta;
        await step(
          { type: 'stream-token', messageId, token: delta },
          { op: 'token', messageId, token: delta },
        );
        if (now() - lastShown >= CONSOLE_STREAM_INTERVAL_MS) {
          lastShown = now();
          showReply(conversationId, { messageId, text, timestamp }, 'streaming');
        }
      }
      if (signal.aborted) {
        await stopped(conversationId, worker, started ? messageId : undefined, job.c);
        return;
      }
      if (!started) await start();
      // Stored with `stream-end`, in one step: a tab syncing in between finds either the reply
      // streaming (and then hears its end) or finished.
      await step({ type: 'stream-end', messageId }, { op: 'end', messageId });
      if (signal.aborted) return;
      showReply(conversationId, { messageId, text, timestamp }, 'complete');
      await settle(false);
      inboxChanged();
    } catch (err) {
      if (signal.aborted) {
        await stopped(conversationId, worker, started ? messageId : undefined, job.c);
        return;
      }
      await settle(true);
      if (started) {
        lastSeq =
          (await emit(
            conversationId,
            { type: 'error', message: TEXTS.streamFailed },
            { reply: { op: 'abort', messageId }, ...(asker ? { except: asker } : {}) },
          )) ?? lastSeq;
        toWatchers(conversationId, { type: 'reply-failed', messageId });
      }
      logger.error(`[bot] reply failed in conversation ${conversationId}:`, err);
      // The asker's own error names its message, so its widget can offer to send it again.
      const message = started ? TEXTS.streamFailed : TEXTS.replyFailed;
      sendAfter(conversationId, asker, lastSeq, {
        type: 'error',
        message,
        ...(job.c ? { clientMessageId: job.c } : {}),
      });
    }
  }

  /**
   * The bot was stopped mid-reply. Abandoned (nobody is left to read it): the reply ends as
   * interrupted here, its question already marked unanswered. Handed over (shutdown) or lost
   * (another process took over): the reply stays as it is in the store, for whoever takes over
   * to end it as interrupted.
   * @param {string} conversationId
   * @param {Worker} worker
   * @param {string | undefined} messageId
   * @param {string} [clientMessageId] the question's, when the visitor's widget gave one
   */
  async function stopped(conversationId, worker, messageId, clientMessageId) {
    if (worker.stop !== 'abandoned') return;
    if (!messageId) {
      // Stopped before its first word: there is no reply to end, so the question is named in
      // the log instead, and the tab that asked sends it again when it resumes.
      if (clientMessageId) {
        await emit(conversationId, {
          type: 'error',
          message: TEXTS.unanswered,
          clientMessageId,
        }).catch(() => undefined);
      }
      return;
    }
    // Ended for the log, so a visitor who comes back and resumes sees it stop, and can retry.
    await emit(
      conversationId,
      { type: 'stream-end', messageId, interrupted: true },
      { reply: { op: 'end', messageId, interrupted: true } },
    ).catch(() => undefined);
    toWatchers(conversationId, { type: 'reply-failed', messageId });
  }

  /**
   * @param {string} conversationId
   * @param {{ messageId: string, text: string, timestamp: string }} reply
   * @param {'streaming' | 'complete'} state
   */
  function showReply(conversationId, reply, state) {
    toWatchers(conversationId, {
      type: 'message',
      message: {
        messageId: reply.messageId,
        role: 'assistant',
        content: reply.text,
        timestamp: reply.timestamp,
        ...(state === 'streaming' ? { state } : {}),
      },
    });
  }

  // --- visitors -------------------------------------------------------------------------------

  /** @type {Map<string, VisitorSocket>} */
  const socketsById = new Map();

  /**
   * The agent's messages have reached a visitor's window. After the `sync` went out, so a
   * failure here is the console's loss (it shows them undelivered), not the visitor's.
   * @param {string} conversationId
   */
  async function markDelivered(conversationId) {
    try {
      const delivered = await store.markDelivered(conversationId, iso());
      if (delivered.length > 0) {
        toWatchers(conversationId, { type: 'delivered', messageIds: delivered });
      }
    } catch (err) {
      logFailure('[agents] could not mark messages delivered')(err);
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
    inboxChanged();
    return created;
  }

  /** @param {Live} live */
  function forget(live) {
    if (live.sockets.size > 0 || lives.get(live.id) !== live) return;
    lives.delete(live.id);
    live.subscribed.then((unsubscribe) => unsubscribe()).catch(() => {});
  }

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
        renewed.set(socket, Date.now());
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

    return {
      /**
       * A validated chat message.
       * @param {string} content
       * @param {string | undefined} clientMessageId
       */
      async chat(content, clientMessageId) {
        const current = await attached();
        const key = clientMessageId === undefined ? undefined : `${visitorId}\n${clientMessageId}`;
        /** @type {{ messageId: string } | undefined} */
        const earlier = key === undefined ? undefined : await seen.get(key);
        if (earlier) {
          const stored = (await store.listMessages(current.id))?.find(
            (m) => m.messageId === earlier.messageId,
          );
          // A resend after a failed or abandoned reply is already stored; only the reply is
          // tried again. Otherwise it is a duplicate: acknowledged again, not answered again.
          if (!stored?.unanswered) {
            socket.send({ type: 'ack', clientMessageId, messageId: earlier.messageId });
            return;
          }
          await store.updateMessage(current.id, earlier.messageId, { unanswered: false });
          const job = { q: earlier.messageId, s: socketId, ...(key ? { c: clientMessageId } : {}) };
          if (!(await addJob(current.id, /** @type {Job} */ (job)))) {
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

        /** @type {SupportMessage} */
        const message = {
          messageId: newMessageId(),
          role: 'user',
          content,
          timestamp: iso(),
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
        if (seq === undefined) throw new Error('the conversation is gone');
        if (key !== undefined) {
          await seen.set(key, { messageId: message.messageId });
        }
        toWatchers(current.id, { type: 'message', message: consoleMessage(message) });
        if (current.visitorTyping) {
          current.visitorTyping = false;
          toWatchers(current.id, { type: 'typing', who: 'visitor', active: false });
        }
        inboxChanged();
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
        if (!(await addJob(current.id, job, MAX_QUEUED * 2))) {
          await store.updateMessage(current.id, message.messageId, { unanswered: true });
          socket.send({
            type: 'error',
            message: TEXTS.busy,
            ...(clientMessageId ? { clientMessageId } : {}),
          });
        }
      },

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
        if (await addJob(current.id, job)) return true;
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

        const reason = await unavailability();
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
          await emit(current.id, { type: 'handoff', state: 'unavailable', reason });
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
        if (leftMessageLimiter && !(await leftMessageLimiter.take(visitorId)).allowed) {
          socket.send({ type: 'error', message: TEXTS.tooManyLeftMessages });
          return;
        }
        await support.addLeftMessage({ conversationId: current.id, email: address, message: text });
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
        socketsById.delete(socketId);
        if (!live) return;
        const current = live;
        current.sockets.delete(socket);
        const detached = store.detachVisitor(current.id, socketId).catch(() => {});
        if (current.sockets.size > 0) return;
        if (current.visitorTyping) {
          current.visitorTyping = false;
          toWatchers(current.id, { type: 'typing', who: 'visitor', active: false });
        }
        forget(current);
        inboxChanged();
        if (draining || closed) return;
        // Nobody is left to read a reply: the bot stops. With one process that is known at
        // once; with several, the visitor may be reconnecting to another one, so the worker
        // waits `abandonGraceMs` for a socket of theirs to show up anywhere.
        if (abandonGraceMs > 0) return;
        detached
          .then(() => store.attachedVisitors(current.id))
          .then((count) =>
            count === 0 && !lives.has(current.id) ? abandon(current.id) : undefined,
          )
          .catch(logFailure('[bot] could not abandon a reply'));
      },
    };
  }

  // --- agents ---------------------------------------------------------------------------------

  /**
   * @param {AgentSocket} socket
   */
  function connectAgent(socket) {
    socket.id ??= newSocketId();
    const socketId = socket.id;
    consoles.add(socket);
    socket.send({
      type: 'ready',
      agent: agentRef(socket.agent),
      serverTime: iso(),
    });
    support
      .attachAgent(socket.agent.id, socketId, PRESENCE_TTL_MS)
      .then(() => inbox())
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
        const view = await conversationView(conversationId);
        if (socket.watching !== conversationId) return;
        socket.send(
          view ? { type: 'conversation', ...view } : { type: 'conversation-gone', conversationId },
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
            // A console that vanished mid-word must not leave "Maya is typing…" up for good.
            stopAgentTyping(agentId);
            inboxChanged();
            later(inboxChanged, onlineGraceMs + 10);
            checkPresenceLater();
          });
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
    emit(conversationId, { type: 'agent-typing', active, agent: { name: agent.name } }).catch(
      logFailure('[agents] could not send typing'),
    );
    toWatchers(conversationId, { type: 'typing', who: agent.name, active }, agent.id);
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
    await emit(conversationId, {
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
    const key =
      typeof clientMessageId === 'string' &&
      clientMessageId.length > 0 &&
      clientMessageId.length <= 64
        ? `agent:${agent.id}\n${clientMessageId}`
        : undefined;
    // Independent reads at once: one wait for the store instead of three in a row, which under
    // load was most of the time between the POST and the visitor seeing the message.
    const [conversation, earlier, attached] = await Promise.all([
      store.getConversation(conversationId),
      key === undefined ? undefined : seen.get(key),
      store.attachedVisitors(conversationId),
    ]);
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
    const delivered = attached > 0;
    if (delivered) message.deliveredAt = timestamp;
    if (typingIn.get(agent.id)?.has(conversationId)) sendAgentTyping(agent, conversationId, false);
    await emit(
      conversationId,
      {
        type: 'agent-message',
        messageId: message.messageId,
        content,
        agent: publicAgent(agent.id),
      },
      { message },
    );
    // Remembered once stored, as visitors' messages are: a POST that failed before the message
    // was stored is stored when it is tried again, and the visitor does not wait for this.
    if (key !== undefined) await seen.set(key, message);
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
    await emit(conversationId, { type: 'handoff', state: 'ended' });
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
    if (!(await isOnline(target.id))) {
      return { status: 'conflict', detail: `${target.name} is not online` };
    }

    const result = await store.transfer(conversationId, agent.id, target.id, iso());
    if (!result.ok) return /** @type {ActionResult} */ (refusal(agent, result.conversation));
    if (typingIn.get(agent.id)?.has(conversationId)) sendAgentTyping(agent, conversationId, false);
    await note(conversationId, `${agent.name} transferred the chat to ${target.name}.`, agent);
    await emit(conversationId, {
      type: 'handoff',
      state: 'assigned',
      agent: publicAgent(target.id),
    });
    await conversationChanged(result.conversation);
    toConsoles({
      kind: 'agent',
      agentId: target.id,
      frame: { type: 'transferred', conversationId, from: agent.name },
    });
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
    toConsoles({ kind: 'sign-out', agentId: agent.id });
  }

  /** @param {AgentAccount} agent @param {string} id */
  async function resolveLeftMessage(agent, id) {
    const done = await support.resolveLeftMessage(id, agent.id, iso());
    if (done) inboxChanged();
    return done;
  }

  // --- what the console shows -----------------------------------------------------------------

  /**
   * @param {SupportConversation} conversation
   * @param {string[]} [queue] the queue, when the caller has it (the inbox): reading it again
   *   for each waiting visitor made the inbox quadratic in the queue's length
   */
  async function summary(conversation, queue) {
    const handoff = conversation.handoff;
    const position =
      handoff?.state === 'queued'
        ? (queue ?? (await store.queue())).indexOf(conversation.id) + 1
        : undefined;
    const online =
      lives.has(conversation.id) || (await store.attachedVisitors(conversation.id)) > 0;
    return {
      id: conversation.id,
      visitor: visitorLabel(conversation.id),
      online,
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
    const snapshot = await store.snapshot(conversationId);
    if (!snapshot) return undefined;
    const { messages, reply } = snapshot;
    const items = messages.map(consoleMessage);
    if (reply && !messages.some((m) => m.messageId === reply.messageId)) {
      items.push({
        messageId: reply.messageId,
        role: 'assistant',
        content: reply.text,
        timestamp: reply.timestamp,
        state: 'streaming',
      });
    }
    return { conversation: await summary(snapshot.conversation), messages: items };
  }

  async function inbox() {
    // Listings, each read in a call or two whatever its length, not a read per conversation.
    const [queue, queued, assignedList, botList] = await Promise.all([
      store.queue(),
      store.listConversations({ handoff: 'queued' }),
      store.listConversations({ handoff: 'assigned' }),
      store.listConversations({ handoff: 'none', includeClosed: false, limit: INBOX_BOT_LIMIT }),
    ]);
    const place = new Map(queue.map((id, index) => [id, index]));
    const waiting = await Promise.all(
      queued
        .filter((c) => place.has(c.id))
        .sort((a, b) => (place.get(a.id) ?? 0) - (place.get(b.id) ?? 0))
        .map((c) => summary(c, queue)),
    );
    const assigned = await Promise.all(assignedList.map((c) => summary(c)));
    const bot = await Promise.all(botList.map((c) => summary(c)));
    const leftMessages = await support.listLeftMessages();
    const reason = await unavailability();
    const online = await support.onlineAgents();
    return {
      serverTime: iso(),
      waiting,
      assigned,
      bot,
      leftMessages: leftMessages.map((m) => ({
        ...m,
        visitor: visitorLabel(m.conversationId),
      })),
      agents: agents.map((a) => ({ ...agentRef(a), online: online.has(a.id) })),
      availability: {
        takingChats: reason === undefined,
        ...(reason ? { reason } : {}),
        ...(hours ? { hours: hours.label } : {}),
      },
    };
  }

  /** Tells every process's consoles the inbox changed, at most every INBOX_DEBOUNCE_MS. */
  function inboxChanged() {
    if (inboxPublishTimer || closed) return;
    inboxPublishTimer = setTimeout(() => {
      inboxPublishTimer = undefined;
      toConsoles({ kind: 'inbox' });
    }, INBOX_DEBOUNCE_MS);
    inboxPublishTimer.unref?.();
  }

  let inboxCostMs = 0;
  /**
   * This process's consoles get the new inbox, at most every INBOX_DEBOUNCE_MS, and never
   * spending more than a fifth of the time building it: with a busy store an inbox takes a
   * while, and the chats themselves come first.
   */
  function refreshInbox() {
    if (inboxTimer || closed || consoles.size === 0) return;
    const refresh = async () => {
      const started = Date.now();
      try {
        const value = await inbox();
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
    /**
     * Shutting down while others carry on: no new reply starts here; replies in progress get
     * `graceMs` to finish (their frames reach visitors who reconnected elsewhere), then the rest
     * is left for another process to take over at once.
     * @param {number} graceMs
     */
    async drain(graceMs) {
      draining = true;
      const deadline = Date.now() + graceMs;
      while (workers.size > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      for (const worker of workers.values()) stopWorker(worker, 'handover');
      const waiting = [...workers.keys()];
      for (let i = 0; i < 40 && workers.size > 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      // Leases this process still holds (a worker that had not claimed yet) go too.
      await Promise.all(waiting.map((id) => store.expireWorker(id, processId).catch(() => false)));
    },
    /** `{"type":"reconnect"}` to every extended visitor socket: this process is going away. */
    sayReconnect() {
      for (const socket of socketsById.values()) {
        if (socket.extended) socket.send({ type: 'reconnect' });
      }
    },
    /** Stops timers; sockets are closed by the server. */
    shutdown() {
      closed = true;
      clearTimeout(inboxTimer);
      clearTimeout(inboxPublishTimer);
      clearInterval(housekeeping);
      clearInterval(sweeper);
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const worker of workers.values()) stopWorker(worker, 'handover');
      consoleSubscription.then((stop) => stop()).catch(() => {});
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
