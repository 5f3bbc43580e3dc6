/**
 * What the agent console shows: the inbox (who waits, oldest first with their place; who is
 * with whom; what the bot is handling; left messages; agents; availability) and one
 * conversation's transcript with its state.
 */
import { agentRef } from './availability.js';

/** How many chats the bot is handling the inbox lists. */
export const INBOX_BOT_LIMIT = 30;
const PREVIEW_LENGTH = 140;

/**
 * @typedef {import('../stream/store.js').StreamConversation} StreamConversation
 */

/**
 * @param {object} deps
 * @param {import('../stream/store.js').StreamStore} deps.store
 * @param {import('./store.js').SupportStore} deps.support
 * @param {Pick<import('../stream/service.js').StreamService, 'isLive' | 'visitorTyping'>} deps.stream
 * @param {import('./availability.js').Availability} deps.availability
 * @param {import('../platform/runtime.js').Runtime} deps.runtime
 */
export function createInbox({ store, support, stream, availability, runtime }) {
  /**
   * @param {StreamConversation} conversation
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
      stream.isLive(conversation.id) || (await store.attachedVisitors(conversation.id)) > 0;
    return {
      id: conversation.id,
      visitor: visitorLabel(conversation.id),
      online,
      state: handoff?.state ?? (conversation.closedAt ? 'closed' : 'bot'),
      ...(handoff?.queuedAt ? { queuedAt: handoff.queuedAt } : {}),
      ...(position ? { position } : {}),
      ...(handoff?.agentId
        ? { agent: { id: handoff.agentId, ...availability.publicAgent(handoff.agentId) } }
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
      visitorTyping: stream.visitorTyping(conversation.id),
    };
  }

  /** @param {string} conversationId */
  async function conversationView(conversationId) {
    const snapshot = await store.snapshot(conversationId);
    if (!snapshot) return undefined;
    const { messages, reply } = snapshot;
    /** @type {Record<string, unknown>[]} */
    const items = messages.map((m) => ({ ...m }));
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

  async function build() {
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
    const reason = await availability.unavailability();
    const online = await support.onlineAgents();
    return {
      serverTime: runtime.iso(),
      waiting,
      assigned,
      bot,
      leftMessages: leftMessages.map((m) => ({
        ...m,
        visitor: visitorLabel(m.conversationId),
      })),
      agents: availability.agents.map((a) => ({ ...agentRef(a), online: online.has(a.id) })),
      availability: {
        takingChats: reason === undefined,
        ...(reason ? { reason } : {}),
        ...(availability.hours ? { hours: availability.hours.label } : {}),
      },
    };
  }

  return { summary, view: conversationView, build };
}

/** @typedef {ReturnType<typeof createInbox>} Inbox */

/**
 * Visitors are anonymous; the console tells them apart by a few letters of the chat's id.
 * @param {string} conversationId
 */
export function visitorLabel(conversationId) {
  return `Visitor ${conversationId.slice(-4).toUpperCase()}`;
}

/** @param {string} text */
function preview(text) {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > PREVIEW_LENGTH ? `${flat.slice(0, PREVIEW_LENGTH - 1)}…` : flat;
}
