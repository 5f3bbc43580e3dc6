/**
 * What a bot is given when answering one stored question in a conversation whose messages
 * are accepted faster than they are answered. By then the store may hold questions that arrived
 * later (still waiting their turn), and replies stored after this question that answer earlier
 * ones. The bot sees the conversation as it stood: later questions left out, those replies
 * kept, and the question last.
 */
import { HISTORY_LIMIT } from '../platform/limits/messages.js';

/**
 * @template {{ id: string }} R a stored message of any protocol
 * @param {R[]} messages oldest first
 * @param {string} questionId
 * @param {(message: R) => import('./index.js').Turn} toTurn
 * @returns {import('./index.js').Turn[] | undefined} undefined when the question is
 *   no longer stored (deleted, or dropped past the conversation's cap)
 */
export function turnsFor(messages, questionId, toTurn) {
  const at = messages.findIndex((m) => m.id === questionId);
  const question = messages[at];
  if (!question) return undefined;
  const turns = messages
    .filter((m, i) => i < at || (i > at && toTurn(m).role === 'assistant'))
    .map(toTurn);
  return [...turns.slice(-(HISTORY_LIMIT - 1)), toTurn(question)];
}
