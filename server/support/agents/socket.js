/**
 * `/agent/ws`: the console's live updates. The handshake needs the session cookie and an
 * `Origin` of this server (a WebSocket is not bound by the same-origin policy, and the cookie
 * alone would be sent by any page on this site); otherwise it is refused with 401 or 403 before
 * a socket exists. The socket closes with 4001 when the session ends (sign-out, expiry).
 *
 * Server → console: `ready` {agent, serverTime}, `inbox` {inbox} whenever it changes,
 * `conversation` {conversation, messages} for the chat being watched, then `message`,
 * `conversation-state`, `typing` {who, active}, `delivered` {messageIds}, `reply-failed`,
 * `transferred` {conversationId, from}. Console → server: `watch` {conversationId | null},
 * `ping` (→ `pong`). Actions go over HTTP (agents/api.js), where they get a status code.
 */
import { parseObjectFrame, sendFrame } from '../../platform/ws/send.js';
import { isOwnOrigin } from './auth.js';
import { refuseUpgrade as refuse } from '../../platform/http/respond.js';

export const AGENT_SOCKET_PATH = '/agent/ws';
const CONVERSATION_ID = /^[\w-]{1,64}$/;

/**
 * @param {object} deps
 * @param {import('ws').WebSocketServer} deps.wss
 * @param {import('./auth.js').AgentAuth} deps.auth
 * @param {import('../desk.js').Desk} deps.desk
 * @param {() => number} [deps.now]
 * @param {{ error(...args: unknown[]): void }} deps.logger
 * @returns {(req: import('node:http').IncomingMessage, socket: import('node:stream').Duplex, head: Buffer) => boolean}
 *   false when the request is not for the agent socket, to be routed elsewhere
 */
export function createAgentUpgrade({ wss, auth, desk, now = Date.now, logger }) {
  return function handleAgentUpgrade(req, socket, head) {
    const pathname = (req.url ?? '/').split('?')[0];
    if (pathname !== AGENT_SOCKET_PATH) return false;
    const onEarlyError = () => socket.destroy();
    socket.on('error', onEarlyError);

    if (!isOwnOrigin(req, { required: true })) {
      refuse(socket, 403, 'Forbidden');
      return true;
    }
    auth.sessionOf(req).then(
      (session) => {
        if (socket.destroyed) return;
        if (!session) {
          refuse(socket, 401, 'Unauthorized');
          return;
        }
        socket.off('error', onEarlyError);
        wss.handleUpgrade(req, socket, head, (ws) => {
          wss.emit('connection', ws, req);
          open(ws, session);
        });
      },
      (err) => {
        logger.error('[agents] session lookup failed:', err);
        refuse(socket, 500, 'Internal Server Error');
      },
    );
    return true;
  };

  /**
   * @param {import('ws').WebSocket} ws
   * @param {import('./auth.js').AgentSession} session
   */
  function open(ws, session) {
    /** @type {import('../consoles.js').AgentSocket} */
    const agentSocket = {
      agent: session.agent,
      watching: undefined,
      send: (frame) => {
        sendFrame(ws, frame);
      },
      close: () => ws.close(4001, 'Signed out'),
    };
    const link = desk.connectAgent(agentSocket);
    const expiry = setTimeout(
      () => ws.close(4001, 'Session expired'),
      Math.max(0, session.expiresAt - now()),
    );
    expiry.unref();

    ws.on('error', (err) => logger.error('[agents] socket error:', err));
    ws.on('close', () => {
      clearTimeout(expiry);
      link.close();
    });
    ws.on('message', (data, isBinary) => {
      const frame = parseObjectFrame(data, isBinary);
      if (frame?.type === 'ping') {
        sendFrame(ws, { type: 'pong' });
      } else if (frame?.type === 'watch') {
        const id = frame.conversationId;
        if (id === null || (typeof id === 'string' && CONVERSATION_ID.test(id))) {
          link.watch(id ?? undefined).catch((err) => logger.error('[agents] watch failed:', err));
        } else {
          sendFrame(ws, { type: 'error', message: 'Invalid conversationId' });
        }
      } else {
        sendFrame(ws, { type: 'error', message: 'Unknown message type' });
      }
    });
  }
}
