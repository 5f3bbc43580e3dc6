/** Thrown for a request the API must refuse; `status` and `detail` become the JSON answer. */
export class HttpError extends Error {
  /** @param {number} status @param {string} detail @param {Record<string, string>} [headers] */
  constructor(status, detail, headers = {}) {
    super(detail);
    this.status = status;
    this.detail = detail;
    this.headers = headers;
  }
}

/**
 * Reads a JSON request body. An empty body reads as `undefined`; one that is too large or not
 * JSON is refused (413, 422), so handlers only ever see parsed values of a sane size.
 *
 * @param {import('node:http').IncomingMessage} req
 * @param {number} [maxBytes]
 * @returns {Promise<unknown>}
 */
export async function readJsonBody(req, maxBytes = 16 * 1024) {
  const declared = Number(req.headers['content-length']);
  if (declared > maxBytes) {
    req.resume();
    throw new HttpError(413, `Request body larger than ${maxBytes} bytes`);
  }
  /** @type {Buffer[]} */
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > maxBytes) {
      // Stop reading; the answer closes the connection rather than drain a huge upload.
      throw new HttpError(413, `Request body larger than ${maxBytes} bytes`, {
        Connection: 'close',
      });
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(422, 'Request body is not valid JSON');
  }
}
