/**
 * Who can take chats now: the configured agents, which of them are online on any process (a
 * console open, or closed less than the grace period ago), and the team's opening hours.
 */
import { isWithinHours } from './agents/hours.js';

/**
 * @typedef {import('./agents/accounts.js').AgentAccount} AgentAccount
 */

/**
 * @param {object} deps
 * @param {import('./store.js').SupportStore} deps.support
 * @param {AgentAccount[]} deps.agents
 * @param {import('./agents/hours.js').Hours} [deps.hours] unset: any hour
 * @param {() => number} deps.now
 */
export function createAvailability({ support, agents, hours, now }) {
  const accounts = new Map(agents.map((a) => [a.id, a]));

  async function anyoneOnline() {
    const online = await support.onlineAgents();
    return agents.some((a) => online.has(a.id));
  }

  return {
    agents,
    hours,
    anyoneOnline,

    /** @param {string} id */
    account: (id) => accounts.get(id),

    /** @param {string} agentId */
    async isOnline(agentId) {
      return (await support.onlineAgents()).has(agentId);
    },

    /** @returns {Promise<'nobody-online' | 'outside-hours' | undefined>} */
    async unavailability() {
      if (!isWithinHours(hours, now())) return 'outside-hours';
      if (!(await anyoneOnline())) return 'nobody-online';
      return undefined;
    },

    /**
     * How visitors see an agent: a name and maybe a face, nothing else.
     * @param {string | undefined} agentId
     * @returns {{ name: string, avatar?: string }}
     */
    publicAgent(agentId) {
      const account = agentId === undefined ? undefined : accounts.get(agentId);
      if (!account) return { name: 'Support' };
      return { name: account.name, ...(account.avatar ? { avatar: account.avatar } : {}) };
    },
  };
}

/** @typedef {ReturnType<typeof createAvailability>} Availability */

/**
 * How agents see each other, and what a stored message says of its author.
 * @param {AgentAccount} agent
 * @returns {import('../stream/store.js').AgentRef}
 */
export function agentRef(agent) {
  return { id: agent.id, name: agent.name, ...(agent.avatar ? { avatar: agent.avatar } : {}) };
}
