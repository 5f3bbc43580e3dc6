/**
 * `events` chats as the REST API and the socket both see them. A chat is a store conversation
 * of kind `chat`, owned by the visitor whose token created it; to everyone else it does not
 * exist (the document's "not found or does not belong to your tenant").
 */

/** One tenant: whoever holds a token this server issued. */
export const TENANT_ID = 'chat-widget-demo';

export const KIND = 'chat';

/**
 * @param {import('../conversations/store.js').ConversationStore} store
 * @param {string} chatId
 * @param {string} visitor the token's subject
 * @returns {Promise<import('../conversations/store.js').Conversation | undefined>}
 */
export async function findOwnChat(store, chatId, visitor) {
  const chat = await store.getConversation(KIND, chatId);
  return chat?.owner === visitor ? chat : undefined;
}

/**
 * The chat object of the published API reference.
 * @param {import('../conversations/store.js').Conversation} chat
 */
export function publicChat(chat) {
  const { title = null, config = {}, metadata } = chat.data;
  return {
    id: chat.id,
    user_id: chat.owner,
    tenant_id: TENANT_ID,
    title,
    config,
    ...(metadata ? { metadata } : {}),
    created_at: chat.created_at,
    updated_at: chat.updated_at,
    ...(chat.last_message_at ? { last_message_at: chat.last_message_at } : {}),
    // An extra field, which the document's clients ignore: older messages were dropped.
    ...(chat.truncated ? { truncated: true } : {}),
  };
}

/**
 * A stored message in the shape `GET /messages` returns (`sender_role`, not `role`).
 * @param {{ id: string, content: string, role: 'user' | 'assistant', metadata?: Record<string, unknown> }} message
 */
export function chatMessage({ id, content, role, metadata }) {
  return {
    id,
    content,
    sender_role: role,
    created_at: new Date().toISOString(),
    ...(metadata ? { metadata } : {}),
  };
}
