/**
 * The support desk: the `stream` endpoint's conversations, the people who answer them, and the
 * console they use. app.js builds one and routes `/agent…` requests and the `/agent/ws` upgrade
 * to it; the `stream` socket gets its `conversations`.
 */
import { createConversationService } from '../conversations/service.js';
import { createStaticHandler } from '../http/static.js';
import { createKeyedLimiter } from '../limits/rate-limit.js';
import { createMemorySupportStore } from '../store/support-store.js';
import { SIGN_IN_LIMIT, createAgentHandler, createFailureCounter } from './api.js';
import { createAgentAuth } from './auth.js';
import { createAgentUpgrade } from './socket.js';

// A visitor may leave a few messages for the team, not fill the console with them.
const LEFT_MESSAGE_LIMIT = { limit: 5, windowMs: 10 * 60_000 };

/**
 * @typedef {object} DeskOptions
 * @property {import('./accounts.js').AgentAccount[]} [agents] who may sign in to `/agent`
 * @property {import('./hours.js').Hours} [agentHours] unset: any hour
 * @property {number} [agentOnlineGraceMs] an agent counts as online this long after their
 *   console closed (a reload)
 * @property {import('../store/support-store.js').SupportStore} [supportStore]
 * @property {string} agentDistDir the built console script (dist/agent/)
 * @property {() => number} [now] the clock for opening hours and timestamps; tests fix it
 */

/**
 * @param {DeskOptions & {
 *   bot: import('../bots/index.js').Bot,
 *   seen: { get(key: string): any, set(key: string, value: any): void },
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
    supportStore: store = createMemorySupportStore({ now }),
    agentDistDir,
    bot,
    seen,
    wss,
    logger,
  } = options;

  const conversations = createConversationService({
    store,
    bot,
    seen,
    agents,
    hours: agentHours,
    now,
    onlineGraceMs: agentOnlineGraceMs,
    leftMessageLimiter: createKeyedLimiter(LEFT_MESSAGE_LIMIT),
    logger,
  });
  const auth = createAgentAuth({ store, agents, now });
  const handleHttp = createAgentHandler({
    auth,
    conversations,
    serveScript: createStaticHandler({ root: agentDistDir }),
    signInLimiter: createFailureCounter({ ...SIGN_IN_LIMIT, now }),
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
    shutdown: () => conversations.shutdown(),
  };
}
