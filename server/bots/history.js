/**
 * What the bot is given when answering one stored question in a conversation whose messages
 * are accepted faster than they are answered. By then the store may hold questions that arrived
 * later (still waiting their turn), and replies stored after this question that answer earlier
 * ones. The bot sees the conversation as it stood: later questions left out, those replies
 * kept, and the question last.
 */
import { HISTORY_LIMIT } from '../platform/limits/messages.js';

/**
 * @param {import('../conversations/store.js').MessageRecord[]} messages oldest first
 * @param {string} questionId
 * @param {(message: import('../conversations/store.js').MessageRecord) => import('./index.js').Turn} toTurn
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

/**
 * How a person's messages reach the bot after a hand-back: as assistant turns (they spoke for the
 * team, in the team's voice) that start with `[Name, support team]`, so a model can tell them from
 * its own words and does not contradict or repeat them. The OpenAI bot's system prompt explains
 * the label. Console notes (`system`) are left out, and so are earlier questions whose reply
 * failed: the bot never answered them, so a model would think it had ignored them. Replies cut
 * off by a dying process are left out too: the question is asked again (`retry`), or was left.
 */
export const AGENT_TURN_LABEL = (/** @type {string} */ name) => `[${name}, support team]`;

/**
 * @param {import('../stream/store.js').StreamMessage[]} messages oldest first
 * @param {string} questionId
 * @returns {import('./index.js').Turn[] | undefined}
 */
export function supportTurns(messages, questionId) {
  const records = messages
    .filter(
      (m) => m.role !== 'system' && !m.interrupted && (!m.unanswered || m.messageId === questionId),
    )
    .map((m) => ({
      id: m.messageId,
      /** @type {import('./index.js').Turn} */
      turn:
        m.role === 'agent'
          ? {
              role: 'assistant',
              content: `${AGENT_TURN_LABEL(m.agent?.name ?? 'Support')} ${m.content}`,
            }
          : { role: m.role === 'assistant' ? 'assistant' : 'user', content: m.content },
    }));
  const turns = new Map(records.map((r) => [r.id, r.turn]));
  return turnsFor(records, questionId, (record) => {
    const turn = turns.get(record.id);
    if (!turn) throw new Error('a record without its turn');
    return turn;
  });
}
