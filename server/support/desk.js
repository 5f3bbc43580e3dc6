/**
 * The support desk: the people who answer `stream` visitors, and the console they use. It joins
 * the `stream` conversations (stream/service.js, which it creates) through their ports: the
 * consoles observe them, the handoff answers a visitor who asks for a person. app.js routes
 * `/agent…` requests and the `/agent/ws` upgrade here, and gives the `stream` socket the
 * service.
 */
import { createRuntime } from '../platform/runtime.js';
import { createStaticHandler } from '../platform/http/static.js';
import { createStreamService } from '../stream/service.js';
import { createAgentActions } from './actions.js';
import { SIGN_IN_ACCOUNT_LIMIT, SIGN_IN_LIMIT, createAgentHandler } from './agents/api.js';
import { createAgentAuth } from './agents/auth.js';
import { createAgentUpgrade } from './agents/socket.js';
import { createAvailability } from './availability.js';
import { createConsoles } from './consoles.js';
import { createHandoff } from './handoff.js';
import { createInbox } from './inbox.js';

/** How long an agent counts as online after their last console socket closed (a reload). */
export const DEFAULT_ONLINE_GRACE_MS = 30_000;
// A visitor may leave a few messages for the team, not fill the console with them.
const LEFT_MESSAGE_LIMIT = { limit: 5, windowMs: 10 * 60_000 };

/**
 * @typedef {object} DeskOptions
 * @property {import('./agents/accounts.js').AgentAccount[]} [agents] who may sign in to `/agent`
 * @property {import('./agents/hours.js').Hours} [agentHours] unset: any hour
 * @property {number} [agentOnlineGraceMs] an agent counts as online this long after their
 *   console closed (a reload)
 * @property {string} agentDistDir the built console script (dist/agent/)
 * @property {() => number} [now] the clock for opening hours and timestamps; tests fix it
 * @property {number} [replyLeaseMs] how long another process waits before taking over a reply
 *   whose process stopped renewing it
 * @property {number} [abandonGraceMs] how long a reply goes on with no socket of its visitor
 *   open on any process
 * @property {number} [signInLimit] sign-in attempts per client address per minute
 * @property {number} [signInAccountLimit] sign-in attempts per account name per minute
 * @property {number} [signInConcurrency] password checks at once in this process
 */

/**
 * @param {DeskOptions & {
 *   bot: import('../bots/index.js').Bot,
 *   streamStore: import('../stream/store.js').StreamStore,
 *   supportStore: import('./store.js').SupportStore,
 *   sessionStore: import('./agents/store.js').SessionStore,
 *   seen: import('../platform/store.js').RecentIds,
 *   limiter: (name: string, rule: { limit: number, windowMs: number }) => import('../platform/store.js').SharedLimiter,
 *   wss: import('ws').WebSocketServer,
 *   clientAddress: (req: import('node:http').IncomingMessage) => string,
 *   logger: { error(...args: unknown[]): void },
 * }} options
 */
export function createSupportDesk(options) {
  const {
    agents = [],
    agentHours,
    agentOnlineGraceMs: onlineGraceMs = DEFAULT_ONLINE_GRACE_MS,
    now = Date.now,
    streamStore: store,
    supportStore: support,
    sessionStore,
    agentDistDir,
    bot,
    seen,
    limiter,
    wss,
    clientAddress,
    logger,
  } = options;
  const runtime = createRuntime({ now, logger });
  const availability = createAvailability({ support, agents, hours: agentHours, now });

  // The parts below need each other; each is given the others' functions, not the objects, so
  // the order they are made in does not matter.
  const consoles = createConsoles({
    support,
    runtime,
    onlineGraceMs,
    buildInbox: () => inbox.build(),
    view: (id) => inbox.view(id),
    onAgentGone: (agentId) => {
      // A console that vanished mid-word must not leave "Maya is typing…" up for good.
      actions.stopAgentTyping(agentId);
      handoff.checkPresenceLater();
    },
  });
  const stream = createStreamService({
    store,
    bot,
    runtime,
    observer: consoles.observer,
    handoff: {
      escalate: (visitor) => handoff.port.escalate(visitor),
      leaveMessage: (visitor, email, message) => handoff.port.leaveMessage(visitor, email, message),
      forSync: (conversation) => handoff.port.forSync(conversation),
    },
    leaseMs: options.replyLeaseMs,
    abandonGraceMs: options.abandonGraceMs,
  });
  const inbox = createInbox({ store, support, stream, availability, runtime });
  const handoff = createHandoff({
    store,
    support,
    stream,
    consoles,
    inbox,
    availability,
    runtime,
    onlineGraceMs,
    leftMessageLimiter: limiter('left-message', LEFT_MESSAGE_LIMIT),
  });
  const actions = createAgentActions({
    store,
    support,
    seen,
    stream,
    consoles,
    inbox,
    handoff,
    availability,
    runtime,
  });

  /** What the console's HTTP API and socket act on. */
  const desk = {
    ...actions,
    connectAgent: consoles.connectAgent,
    inbox: inbox.build,
    conversationView: inbox.view,
  };
  const auth = createAgentAuth({
    store: sessionStore,
    agents,
    now,
    signInConcurrency: options.signInConcurrency,
  });
  const handleHttp = createAgentHandler({
    auth,
    desk,
    serveScript: createStaticHandler({ root: agentDistDir }),
    signInLimits: {
      byAddress: limiter('sign-in', {
        ...SIGN_IN_LIMIT,
        limit: options.signInLimit ?? SIGN_IN_LIMIT.limit,
      }),
      byAccount: limiter('sign-in-account', {
        ...SIGN_IN_ACCOUNT_LIMIT,
        limit: options.signInAccountLimit ?? SIGN_IN_ACCOUNT_LIMIT.limit,
      }),
    },
    clientAddress,
  });
  const handleUpgrade = createAgentUpgrade({ wss, auth, desk, now, logger });

  return {
    stream,
    handleHttp,
    handleUpgrade,
    /**
     * A one-time sign-in link for an agent, e.g. the demo agent who has no password.
     * @param {string} agentId
     * @param {string} baseUrl the server's URL, ending in `/`
     */
    async createLoginLink(agentId, baseUrl) {
      const token = await auth.createLoginToken(agentId);
      return new URL(`agent/login?token=${token}`, baseUrl).toString();
    },
    /** @param {number} graceMs */
    drain: (graceMs) => stream.drain(graceMs),
    sayReconnect: () => stream.sayReconnect(),
    /** Stops timers; sockets are closed by the server. */
    shutdown() {
      runtime.close();
      consoles.shutdown();
      stream.shutdown();
    },
  };
}

/** @typedef {Omit<ReturnType<typeof createAgentActions>, 'stopAgentTyping'> & { connectAgent: import('./consoles.js').Consoles['connectAgent'], inbox: import('./inbox.js').Inbox['build'], conversationView: import('./inbox.js').Inbox['view'] }} Desk */
