/**
 * The `events` REST API (chat management). Requests are authenticated and rate limited by
 * `platform/http/api.js`; these routes only see a verified visitor, and every chat is scoped to it.
 */
import { randomUUID } from 'node:crypto';
import { HttpError } from '../platform/http/body.js';
import { smallObject } from '../platform/limits/messages.js';
import { KIND, findOwnChat, publicChat } from './chats.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;
const MAX_USER_ID_LENGTH = 128;
const MAX_TITLE_LENGTH = 200;

/**
 * @param {{ store: import('../conversations/store.js').ConversationStore }} deps
 * @returns {import('../platform/http/api.js').ApiRoute[]}
 */
export function eventsRoutes({ store }) {
  /** @param {string} chatId @param {string} visitor */
  const ownChat = async (chatId, visitor) => {
    const chat = await findOwnChat(store, chatId, visitor);
    if (!chat) throw new HttpError(404, 'Chat not found');
    return chat;
  };

  return [
    {
      method: 'POST',
      path: /^\/api\/v1\/chats\/?$/,
      async handle({ body, visitor }) {
        const input = await body();
        if (input === null || typeof input !== 'object' || Array.isArray(input)) {
          throw new HttpError(422, 'Expected a JSON object with user_id');
        }
        const { user_id: userId, title, metadata } = /** @type {Record<string, unknown>} */ (input);
        if (typeof userId !== 'string' || userId === '' || userId.length > MAX_USER_ID_LENGTH) {
          throw new HttpError(422, 'user_id is required');
        }
        if (userId !== visitor.sub) throw new HttpError(403, 'user_id does not match the API key');
        if (title !== undefined && title !== null) {
          if (typeof title !== 'string' || title.length > MAX_TITLE_LENGTH) {
            throw new HttpError(422, `title must be a string of at most ${MAX_TITLE_LENGTH}`);
          }
        }
        if (metadata !== undefined && metadata !== null && !smallObject(metadata)) {
          throw new HttpError(422, 'metadata must be a small JSON object');
        }
        const { conversation } = await store.ensureConversation(KIND, randomUUID(), visitor.sub, {
          title: title ?? null,
          config: {},
          ...(metadata ? { metadata } : {}),
        });
        return { status: 201, body: publicChat(conversation) };
      },
    },
    {
      method: 'GET',
      path: /^\/api\/v1\/chats\/user\/([^/]+)\/?$/,
      async handle({ params: [userId = ''], url, visitor }) {
        if (userId !== visitor.sub) throw new HttpError(403, 'user_id does not match the API key');
        const { offset, limit } = readPage(url.searchParams);
        const chats = await store.listConversations(KIND, visitor.sub);
        const page = chats.slice(offset, offset + limit).map(publicChat);
        return {
          status: 200,
          body: {
            chats: page,
            total: chats.length,
            offset,
            limit,
            has_more: offset + page.length < chats.length,
          },
        };
      },
    },
    {
      method: 'GET',
      path: /^\/api\/v1\/chats\/([^/]+)\/messages\/?$/,
      async handle({ params: [chatId = ''], url, visitor }) {
        const { offset, limit, order } = readPage(url.searchParams);
        await ownChat(chatId, visitor.sub);
        const page = await store.listMessages(KIND, chatId, { offset, limit, order });
        if (!page) throw new HttpError(404, 'Chat not found');
        return {
          status: 200,
          body: {
            messages: page.messages,
            total: page.total,
            offset,
            limit,
            has_more: offset + page.messages.length < page.total,
          },
        };
      },
    },
    {
      method: 'GET',
      path: /^\/api\/v1\/chats\/([^/]+)\/?$/,
      async handle({ params: [chatId = ''], visitor }) {
        return { status: 200, body: publicChat(await ownChat(chatId, visitor.sub)) };
      },
    },
    {
      method: 'DELETE',
      path: /^\/api\/v1\/chats\/([^/]+)\/?$/,
      async handle({ params: [chatId = ''], visitor }) {
        await ownChat(chatId, visitor.sub);
        await store.deleteConversation(KIND, chatId);
        return { status: 204 };
      },
    },
  ];
}

/**
 * `offset` (default 0), `limit` (default 50, at most 100) and `order` (`asc` or `desc`, default
 * `asc`), refused with 422 when malformed rather than silently clamped, as the API reference does.
 *
 * @param {URLSearchParams} query
 * @returns {{ offset: number, limit: number, order: 'asc' | 'desc' }}
 */
function readPage(query) {
  const offset = integerParam(query, 'offset', 0);
  const limit = integerParam(query, 'limit', DEFAULT_PAGE_SIZE);
  if (offset < 0) throw new HttpError(422, 'offset must be 0 or more');
  if (limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new HttpError(422, `limit must be from 1 to ${MAX_PAGE_SIZE}`);
  }
  const order = query.get('order') ?? 'asc';
  if (order !== 'asc' && order !== 'desc') throw new HttpError(422, 'order must be asc or desc');
  return { offset, limit, order };
}

/** @param {URLSearchParams} query @param {string} name @param {number} fallback */
function integerParam(query, name, fallback) {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^-?\d{1,9}$/.test(raw)) throw new HttpError(422, `${name} must be an integer`);
  return Number(raw);
}
