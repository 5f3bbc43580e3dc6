/**
 * What every protocol accepts as a user message, so a chat cannot be used to store or relay
 * large payloads. 2000 characters is the limit the deployed `stream` servers enforce.
 */
export const MAX_CONTENT_LENGTH = 2000;

/** The longest id a client may give (its own message ids) or name (the server's message ids). */
export const MAX_ID_LENGTH = 64;

/**
 * A client's id for its message: a string of 1 to MAX_ID_LENGTH characters.
 * @param {unknown} id
 * @returns {id is string}
 */
export function isClientMessageId(id) {
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_ID_LENGTH;
}

/** How many earlier messages of a conversation the bot is given with a new one. */
export const HISTORY_LIMIT = 20;

/**
 * @param {unknown} content
 * @returns {string | undefined} why the content is refused, or undefined when it is fine
 */
export function contentProblem(content) {
  if (typeof content !== 'string' || content.trim() === '') return 'Message content is required';
  if (content.length > MAX_CONTENT_LENGTH) {
    return `Message too long (maximum ${MAX_CONTENT_LENGTH} characters)`;
  }
  return undefined;
}

/**
 * A small JSON object given with a message or chat (`metadata`, `meta`), or undefined when it is
 * not an object or larger than `maxChars` once serialized.
 *
 * @param {unknown} value
 * @param {number} [maxChars]
 * @returns {Record<string, unknown> | undefined}
 */
export function smallObject(value, maxChars = 2000) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return JSON.stringify(value).length <= maxChars
    ? /** @type {Record<string, unknown>} */ (value)
    : undefined;
}
