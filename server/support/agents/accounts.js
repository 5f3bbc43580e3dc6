/**
 * Who may sign in to the agent console, and when the team takes chats, from the environment:
 *
 * - `AGENT_ACCOUNTS=maya:<hash>,sam:<hash>`: sign-in names with scrypt hashes from
 *   `node server/support/agents/hash-password.js`; the name shown to visitors is the sign-in name with a
 *   capital first letter;
 * - `AGENT_ACCOUNTS_FILE=agents.json`: `[{"name","displayName"?,"avatar"?,"passwordHash"}]`;
 * - `AGENT_HOURS=09:00-17:00` and `AGENT_TIMEZONE=Europe/Berlin` (default UTC): outside these
 *   hours a visitor asking for a person is told so; unset means always.
 *
 * Entries that cannot be used are left out with a warning rather than stopping the server, as
 * config.js does for the other settings.
 */
import { readFileSync } from 'node:fs';
import { parseHours } from './hours.js';
import { isPasswordHash } from './passwords.js';

const NAME = /^[a-z0-9][a-z0-9._-]{0,31}$/i;
const MAX_DISPLAY_NAME = 40;

/**
 * @typedef {object} AgentAccount
 * @property {string} id the sign-in name
 * @property {string} name shown to visitors ("Maya is typing…")
 * @property {string} [avatar] an https URL or a path on this server
 * @property {string} [passwordHash] none: only a one-time sign-in link lets this agent in
 */

/**
 * @param {NodeJS.ProcessEnv} env
 * @param {{ readFile?: (path: string) => string }} [io]
 * @returns {{ accounts: AgentAccount[], hours: import('./hours.js').Hours | undefined, warnings: string[] }}
 */
export function readAgentConfig(env, { readFile = (path) => readFileSync(path, 'utf8') } = {}) {
  /** @type {string[]} */
  const warnings = [];
  /** @type {AgentAccount[]} */
  const accounts = [];

  /** @param {AgentAccount} account @param {string} source */
  const add = (account, source) => {
    if (accounts.some((a) => a.id.toLowerCase() === account.id.toLowerCase())) {
      warnings.push(`${source}: the agent ${account.id} is listed twice; keeping the first.`);
      return;
    }
    accounts.push(account);
  };

  for (const entry of (env.AGENT_ACCOUNTS ?? '').split(',')) {
    if (entry.trim() === '') continue;
    const colon = entry.indexOf(':');
    const id = entry.slice(0, colon).trim();
    const passwordHash = entry.slice(colon + 1).trim();
    if (colon === -1 || !NAME.test(id)) {
      warnings.push(`AGENT_ACCOUNTS: "${entry.slice(0, 40)}" is not name:hash; skipped.`);
    } else if (!isPasswordHash(passwordHash)) {
      warnings.push(
        `AGENT_ACCOUNTS: the hash of ${id} is not from server/support/agents/hash-password.js; skipped.`,
      );
    } else {
      add({ id, name: id.charAt(0).toUpperCase() + id.slice(1), passwordHash }, 'AGENT_ACCOUNTS');
    }
  }

  if (env.AGENT_ACCOUNTS_FILE) {
    const file = env.AGENT_ACCOUNTS_FILE;
    let list;
    try {
      list = JSON.parse(readFile(file));
    } catch (err) {
      warnings.push(
        `AGENT_ACCOUNTS_FILE=${file} could not be read as JSON (${err instanceof Error ? err.message : err}).`,
      );
    }
    if (list !== undefined && !Array.isArray(list)) {
      warnings.push(`AGENT_ACCOUNTS_FILE=${file} must hold a JSON array of agents.`);
    }
    for (const [index, item] of (Array.isArray(list) ? list : []).entries()) {
      const account = fileAccount(item);
      if (typeof account === 'string')
        warnings.push(`AGENT_ACCOUNTS_FILE entry ${index}: ${account}`);
      else add(account, 'AGENT_ACCOUNTS_FILE');
    }
  }

  const { hours, problem } = parseHours(env.AGENT_HOURS, env.AGENT_TIMEZONE);
  if (problem) warnings.push(`${problem}; agents are taken to be available at any hour.`);
  return { accounts, hours, warnings };
}

/**
 * @param {unknown} item
 * @returns {AgentAccount | string} the account, or why it was skipped
 */
function fileAccount(item) {
  if (item === null || typeof item !== 'object') return 'not an object; skipped.';
  const { name, displayName, avatar, passwordHash } = /** @type {Record<string, unknown>} */ (item);
  if (typeof name !== 'string' || !NAME.test(name)) {
    return '"name" must be 1-32 letters, digits, dots, dashes or underscores; skipped.';
  }
  if (!isPasswordHash(passwordHash)) {
    return `"passwordHash" of ${name} is not from server/support/agents/hash-password.js; skipped.`;
  }
  /** @type {AgentAccount} */
  const account = {
    id: name,
    name: name.charAt(0).toUpperCase() + name.slice(1),
    passwordHash: /** @type {string} */ (passwordHash),
  };
  if (typeof displayName === 'string' && displayName.trim() !== '') {
    account.name = displayName.trim().slice(0, MAX_DISPLAY_NAME);
  }
  if (typeof avatar === 'string' && isAvatarUrl(avatar)) account.avatar = avatar;
  return account;
}

/** @param {string} url an https URL, or a path on this server (not `//host`) */
export function isAvatarUrl(url) {
  if (url.startsWith('/') && !url.startsWith('//')) return true;
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}
