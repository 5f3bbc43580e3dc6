import { turnsFor } from '../bots/history.js';

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
 * @param {import('./store.js').StreamMessage[]} messages oldest first
 * @param {string} questionId
 * @returns {import('../bots/index.js').Turn[] | undefined}
 */
export function supportTurns(messages, questionId) {
  const records = messages
    .filter(
      (m) => m.role !== 'system' && !m.interrupted && (!m.unanswered || m.messageId === questionId),
    )
    .map((m) => ({
      id: m.messageId,
      /** @type {import('../bots/index.js').Turn} */
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
