/**
 * The four chat protocols this server speaks at once, and where each one's endpoints are. The
 * demo page reads the same table (through `/demo-config.js`) to point its widgets at them.
 */
export const PROTOCOLS = /** @type {const} */ (['stream', 'events', 'rooms', 'threads']);

/** @typedef {typeof PROTOCOLS[number]} ProtocolName */

/**
 * What a widget needs per protocol, as paths on this server: `server` (WebSocket; for `rooms`
 * the base that the room id is appended to) and, for the protocols with REST calls, `apiBase`.
 * @type {Readonly<Record<ProtocolName, Readonly<{ server: string, apiBase?: string }>>>}
 */
export const ENDPOINTS = Object.freeze({
  stream: Object.freeze({ server: '/ws' }),
  events: Object.freeze({ server: '/ws/chat', apiBase: '/' }),
  rooms: Object.freeze({ server: '/ws', apiBase: '/' }),
  threads: Object.freeze({ server: '/chat/ws' }),
});

/** @param {unknown} name @returns {name is ProtocolName} */
export function isProtocol(name) {
  return typeof name === 'string' && /** @type {readonly string[]} */ (PROTOCOLS).includes(name);
}

/**
 * One line per protocol for the startup banner.
 * @param {string} baseUrl the server's http URL, ending in `/`
 */
export function describeEndpoints(baseUrl) {
  const ws = baseUrl.replace(/^http/, 'ws').replace(/\/$/, '');
  return [
    `stream   ${ws}/ws?token=`,
    `events   ${ws}/ws/chat?api_key=&user_id=&chat_id=   REST /api/v1/chats/`,
    `rooms    ${ws}/ws/{room_id}?token=&user_id=&user_name=   REST /api/v1/rooms/{room_id}/`,
    `threads  ${ws}/chat/ws?token=`,
  ];
}
