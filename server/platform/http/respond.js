import { STATUS_CODES } from 'node:http';

/**
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {unknown} body
 * @param {Record<string, string | string[]>} [headers]
 */
export function sendJson(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/**
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {Record<string, string>} [headers]
 */
export function sendStatus(res, status, headers = {}) {
  const text = `${status} ${STATUS_CODES[status] ?? ''}\n`;
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/**
 * Refuses a WebSocket upgrade with a plain HTTP answer: the socket is still raw HTTP, so there
 * is no `ServerResponse` to write to.
 * @param {import('node:stream').Duplex} socket
 * @param {number} status
 * @param {string} reason
 * @param {{ retryAfter?: number, detail?: string }} [extra] `Retry-After` seconds; a body
 *   saying which limit refused it
 */
export function refuseUpgrade(socket, status, reason, extra = {}) {
  if (socket.destroyed) return;
  const body = `${status} ${reason}\n${extra.detail ? `${extra.detail}\n` : ''}`;
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\n` +
      'Connection: close\r\n' +
      (extra.retryAfter ? `Retry-After: ${extra.retryAfter}\r\n` : '') +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      '\r\n' +
      body,
  );
}
