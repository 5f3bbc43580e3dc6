import { createDemoBot } from './demo-bot.js';
import { createOpenAIBot } from './openai-bot.js';

/** @typedef {{ role: 'user' | 'assistant', content: string }} Turn one message as a bot sees it */

/**
 * What the socket needs from a bot. `history` ends with the message being answered and holds
 * the earlier user/assistant turns of the same socket. The iterable yields text deltas; it
 * should stop (throwing or returning) once `signal` aborts, which happens when the client leaves.
 *
 * @typedef {object} Bot
 * @property {string} description one line for the startup banner
 * @property {(input: { history: import('./index.js').Turn[], signal: AbortSignal }) => AsyncIterable<string>} reply
 */

/**
 * @typedef {object} BotOptions
 * @property {import('./openai-bot.js').OpenAIBotOptions} [openai] when given (with a baseURL),
 *   replies come from an OpenAI-compatible endpoint
 * @property {number} [demoBotDelayMs] pace of the built-in bot, per token
 */

/** @param {BotOptions} options @returns {Bot} */
export function createBot({ openai, demoBotDelayMs } = {}) {
  if (openai?.baseURL) return createOpenAIBot(openai);
  return createDemoBot({ delayMs: demoBotDelayMs });
}

/**
 * The bot's reply as non-empty text pieces, stopping with an AbortError once `signal` aborts
 * even if the bot itself does not check it between pieces.
 *
 * @param {Bot} bot
 * @param {import('./index.js').Turn[]} history
 * @param {AbortSignal} signal
 * @returns {AsyncGenerator<string>}
 */
export async function* replyText(bot, history, signal) {
  for await (const delta of bot.reply({ history, signal })) {
    signal.throwIfAborted();
    if (typeof delta === 'string' && delta !== '') yield delta;
  }
}
