/**
 * Which socket path speaks which protocol (see protocols.js for the same table as the page
 * sees it), where each takes its credential, and where a bad one is refused.
 */
import { handleEventsConnection } from './events/socket.js';
import { handleRoomsConnection } from './rooms/socket.js';
import { handleThreadsConnection } from './threads/socket.js';
import { handleStreamConnection } from './stream/socket.js';

/**
 * @param {object} deps
 * @param {import('./conversations/store.js').ConversationStore} deps.store
 * @param {import('./bots/index.js').Bot} deps.bot
 * @param {import('./stream/service.js').StreamService} deps.stream the `stream` endpoint's
 *   conversations, shared with the agent console
 * @param {import('./rooms/hub.js').RoomHub} deps.hub
 * @param {import('./platform/ws/channels.js').Channels} deps.channels
 * @param {{ error(...args: unknown[]): void }} deps.logger
 * @returns {import('./platform/ws/upgrade.js').UpgradeRoute[]}
 */
export function socketRoutes({ store, bot, stream, hub, channels, logger }) {
  return [
    {
      path: /^\/ws$/,
      refuse: 'handshake',
      credential: (url) => url.searchParams.get('token'),
      open: (ws, { visitor }) =>
        handleStreamConnection(ws, { visitorId: verified(visitor).sub, stream, logger }),
    },
    {
      // Before the rooms route: `chat` is not a room id, and rooms only take UUIDs.
      path: /^\/ws\/chat\/?$/,
      refuse: 'socket',
      credential: (url, req) => url.searchParams.get('api_key') || header(req, 'x-api-key'),
      open: (ws, context) =>
        handleEventsConnection(ws, { ...context, store, bot, channels, logger }),
    },
    {
      path: /^\/ws\/([^/]*)\/?$/,
      refuse: 'socket',
      credential: (url) => url.searchParams.get('token'),
      open: (ws, context) => handleRoomsConnection(ws, { ...context, store, hub, logger }),
    },
    {
      path: /^\/chat\/ws\/?$/,
      refuse: 'handshake',
      credential: (url) => url.searchParams.get('token') || url.searchParams.get('key'),
      open: (ws, { visitor }) =>
        handleThreadsConnection(ws, { visitor: verified(visitor), store, bot, channels, logger }),
    },
  ];
}

/**
 * Routes that refuse at the handshake only ever open with a verified visitor.
 * @param {{ sub: string } | undefined} visitor
 */
function verified(visitor) {
  if (!visitor) throw new Error('a socket opened without a verified token');
  return visitor;
}

/** @param {import('node:http').IncomingMessage} req @param {string} name */
function header(req, name) {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}
