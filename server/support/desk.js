/**
 * The support desk: the `stream` endpoint's conversations, the people who answer them, and the
 * console they use. app.js builds one and routes `/agent…` requests and the `/agent/ws` upgrade
 * to it; the `stream` socket gets its `conversations`.
 */
import { createConversationService } from '../stream/service.js';
import { createStaticHandler } from '../platform/http/static.js';
import { SIGN_IN_LIMIT, createAgentHandler } from './agents/api.js';
import { createAgentAuth } from './agents/auth.js';
import { createAgentUpgrade } from './agents/socket.js';

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
 *   logger: { error(...args: unknown[]): void },
 * }} options
 */
export function createSupportDesk(options) {
  const {
    agents = [],
    agentHours,
    agentOnlineGraceMs,
    now = Date.now,
    streamStore,
    supportStore,
    sessionStore,
    agentDistDir,
    bot,
    seen,
    limiter,
    wss,
    logger,
  } = options;
  const signIns = limiter('sign-in', SIGN_IN_LIMIT);

  const conversations = createConversationService({
    store: streamStore,
    support: supportStore,
    bot,
    seen,
    agents,
    hours: agentHours,
    now,
    onlineGraceMs: agentOnlineGraceMs,
    leftMessageLimiter: limiter('left-message', LEFT_MESSAGE_LIMIT),
    leaseMs: options.replyLeaseMs,
    abandonGraceMs: options.abandonGraceMs,
    logger,
  });
  const auth = createAgentAuth({ store: sessionStore, agents, now });
  const handleHttp = createAgentHandler({
    auth,
    conversations,
    serveScript: createStaticHandler({ root: agentDistDir }),
    // Only failures are counted, each with `take`.
    signInLimiter: { exceeded: signIns.exceeded, fail: signIns.take },
  });
  const handleUpgrade = createAgentUpgrade({ wss, auth, conversations, now, logger });

  return {
    conversations,
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
    drain: (graceMs) => conversations.drain(graceMs),
    sayReconnect: () => conversations.sayReconnect(),
    shutdown: () => conversations.shutdown(),
  };
}
