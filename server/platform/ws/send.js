import WebSocket from 'ws';

/**
 * Sends one JSON frame if the socket is still open; a frame for a socket that is closing is
 * dropped, since nobody is left to read it.
 *
 * @param {WebSocket} ws
 * @param {Record<string, unknown>} frame
 * @returns {boolean} whether it was sent
 */
export function sendFrame(ws, frame) {
  if (ws.readyState !== WebSocket.OPEN) return false;
  ws.send(JSON.stringify(frame));
  return true;
}

/**
 * A text frame parsed as a JSON object, or undefined for binary, invalid JSON and non-objects.
 *
 * @param {import('ws').RawData} data
 * @param {boolean} isBinary
 * @returns {Record<string, unknown> | undefined}
 */
export function parseObjectFrame(data, isBinary) {
  if (isBinary) return undefined;
  let value;
  try {
    value = JSON.parse(data.toString());
  } catch {
    return undefined;
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}
