/**
 * Routes HTTP upgrades to the protocol whose path matches, and checks the credential first.
 *
 * Where a bad credential is refused depends on the protocol, because that is what clients of
 * each one meet in the wild:
 * - `handshake` (`stream`, `threads`): an HTTP 401 before the socket exists, so a browser sees
 *   only a close with code 1006 and never an `open`;
 * - `socket` (`events`, `rooms`): the socket is accepted and the protocol reports the problem in
 *   its own way (an `error` event, a 4001 close).
 *
 * Either way the token is verified before the upgrade completes, so a protocol handler knows the
 * verdict before the first client frame can arrive. An unknown path gets a 404.
 *
 * Before any of that, a handshake from a page whose `Origin` is not allowed gets a 403, on every
 * path: the same-origin policy does not apply to WebSockets, so without this any site's page
 * could use these sockets (and the bot behind them) through its visitors' browsers.
 */
import { addressKey } from '../http/client-address.js';
import { refuseUpgrade as refuse } from '../http/respond.js';

/**
 * @typedef {object} SocketContext
 * @property {{ sub: string } | undefined} visitor the verified token; undefined when refused
 * @property {'ok' | 'missing' | 'invalid'} credential
 * @property {URL} url
 * @property {string[]} params the path's captures, percent-decoded
 * @property {import('node:http').IncomingMessage} req
 */

/**
 * @typedef {object} UpgradeRoute
 * @property {RegExp} path matched against the still-encoded pathname
 * @property {'handshake' | 'socket'} refuse where a missing or bad credential is refused
 * @property {(url: URL, req: import('node:http').IncomingMessage) => string | null | undefined} credential
 * @property {(ws: import('ws').WebSocket, context: SocketContext) => void} open
 */

/**
 * @param {object} deps
 * @param {import('ws').WebSocketServer} deps.wss emits `connection` for every socket, so the
 *   heartbeat and shutdown see all of them
 * @param {import('../auth/jwt.js').TokenService} deps.tokens
 * @param {UpgradeRoute[]} deps.routes the first match wins
 * @param {(req: import('node:http').IncomingMessage) => boolean} [deps.allowOrigin] false refuses
 *   the handshake with 403; unset allows every origin
 * @param {ReturnType<typeof import('../limits/sockets.js').createSocketQuota>} [deps.quota]
 *   sockets per visitor and per address; a full one refuses the handshake with 429
 * @param {(req: import('node:http').IncomingMessage) => string} [deps.clientAddress]
 * @param {{ error(...args: unknown[]): void }} [deps.logger]
 * @returns {(req: import('node:http').IncomingMessage, socket: import('node:stream').Duplex, head: Buffer) => void}
 */
export function createUpgradeRouter({
  wss,
  tokens,
  routes,
  allowOrigin = () => true,
  quota,
  clientAddress = (req) => req.socket.remoteAddress ?? 'unknown',
  logger = console,
}) {
  return function handleUpgrade(req, socket, head) {
    // Until ws takes over, a reset from the client would otherwise be an unhandled error.
    const onEarlyError = () => socket.destroy();
    socket.on('error', onEarlyError);

    if (!allowOrigin(req)) {
      refuse(socket, 403, 'Forbidden');
      return;
    }

    const url = new URL(req.url ?? '/', 'http://localhost');
    const found = routes
      .map((route) => ({ route, match: route.path.exec(url.pathname) }))
      .find((m) => m.match !== null);
    if (!found?.match) {
      refuse(socket, 404, 'Not Found');
      return;
    }
    const { route, match } = found;
    let params;
    try {
      params = match.slice(1).map((p) => decodeURIComponent(p ?? ''));
    } catch {
      refuse(socket, 404, 'Not Found');
      return;
    }

    const token = route.credential(url, req);
    /** @type {Promise<{ sub: string } | undefined>} */
    const verdict = token
      ? tokens.verify(token).catch(() => undefined)
      : Promise.resolve(undefined);
    // A failure past the verdict (a protocol handler throwing as the socket opens) drops this
    // socket, not the process.
    const opened = verdict.then((visitor) => {
      if (socket.destroyed) return;
      if (!visitor && route.refuse === 'handshake') {
        refuse(socket, 401, 'Unauthorized');
        return;
      }
      const place = quota?.admit(visitor?.sub, addressKey(clientAddress(req)));
      if (place && !place.admitted) {
        // Before the upgrade, so the socket never costs more than this answer; the widget
        // backs off as after any refused handshake.
        refuse(socket, 429, 'Too Many Requests', { retryAfter: 10, detail: place.detail });
        return;
      }
      // On the raw socket: it closes with the WebSocket, and also when ws aborts the handshake.
      if (place) socket.once('close', place.release);
      socket.off('error', onEarlyError);
      wss.handleUpgrade(req, socket, head, (ws) => {
        wss.emit('connection', ws, req);
        const credential = visitor ? 'ok' : token ? 'invalid' : 'missing';
        route.open(ws, { visitor, credential, url, params, req });
      });
    });
    opened.catch((err) => {
      logger.error('[ws] could not open a socket:', err);
      socket.destroy();
    });
  };
}
