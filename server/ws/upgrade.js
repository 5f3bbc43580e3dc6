/**
 * Handles HTTP upgrades for the chat socket. The token is checked here, before the socket
 * exists, because that is what the deployed `stream` servers do: a refused browser sees
 * only a close with code 1006 and never an `open`, and widgets must be tested against that.
 *
 * @param {object} deps
 * @param {import('ws').WebSocketServer} deps.wss
 * @param {import('../auth/jwt.js').TokenService} deps.tokens
 * @param {string} [deps.path]
 * @returns {(req: import('node:http').IncomingMessage, socket: import('node:stream').Duplex, head: Buffer) => void}
 */
export function createUpgradeHandler({ wss, tokens, path = '/ws' }) {
  return function handleUpgrade(req, socket, head) {
    // Until ws takes over, a reset from the client would otherwise be an unhandled error.
    const onEarlyError = () => socket.destroy();
    socket.on('error', onEarlyError);

    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== path) {
      refuse(socket, 404, 'Not Found');
      return;
    }
    const token = url.searchParams.get('token');
    if (!token) {
      refuse(socket, 401, 'Unauthorized');
      return;
    }

    tokens.verify(token).then(
      (claims) => {
        if (socket.destroyed) return;
        socket.off('error', onEarlyError);
        wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req, claims));
      },
      () => refuse(socket, 401, 'Unauthorized'),
    );
  };
}

/**
 * @param {import('node:stream').Duplex} socket
 * @param {number} status
 * @param {string} reason
 */
function refuse(socket, status, reason) {
  if (socket.destroyed) return;
  const body = `${status} ${reason}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      '\r\n' +
      body,
  );
}
