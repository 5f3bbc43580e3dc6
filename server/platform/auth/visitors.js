/**
 * Visitor identity. The `cw_visitor` cookie is a credential, so it is a value only this server
 * can make: `v1.<random>.<HMAC of the random>`, never shown to anyone (HttpOnly, and no API
 * answers with it). What others see (the token's `sub`, `user_id`, rooms' `online_users` and
 * `sender_id`) is a second HMAC of the same random part, shaped as a UUID: it cannot be turned
 * back into the cookie, so reading someone's id in a room gives nothing to sign in with. A cookie
 * whose MAC does not check out (made up, copied from an id, signed with another key) starts a
 * new visitor. No state is kept: any process with the same key recognises the cookie.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const COOKIE = /^v1\.([\w-]{32})\.([\w-]{22})$/;
const COOKIE_LABEL = 'chat-widget visitor cookie v1\0';
const ID_LABEL = 'chat-widget visitor id v1\0';

/**
 * @typedef {object} VisitorIdentity
 * @property {() => { cookie: string, id: string }} issue a new visitor
 * @property {(cookie: string | undefined) => string | undefined} open the public id of a
 *   cookie this server issued; undefined for anything else
 */

/**
 * The key for visitor cookies, derived from the token secret so one secret configures both,
 * but a different key: a token's signature and a cookie's MAC never share one.
 *
 * @param {string | Uint8Array | undefined} visitorSecret `CHAT_VISITOR_SECRET`, wins
 * @param {string | Uint8Array | undefined} tokenSecret `CHAT_TOKEN_SECRET`
 * @returns {Buffer} random (this process only) when neither is given
 */
export function visitorKey(visitorSecret, tokenSecret) {
  if (visitorSecret !== undefined && visitorSecret.length > 0) return Buffer.from(visitorSecret);
  if (tokenSecret !== undefined && tokenSecret.length > 0) {
    return createHmac('sha256', Buffer.from(tokenSecret)).update('cw_visitor key').digest();
  }
  return randomBytes(32);
}

/**
 * @param {{ key: Uint8Array }} options
 * @returns {VisitorIdentity}
 */
export function createVisitorIdentity({ key }) {
  /** @param {string} label @param {string} nonce */
  const mac = (label, nonce) => createHmac('sha256', key).update(label).update(nonce).digest();

  /** @param {string} nonce */
  const idOfNonce = (nonce) => {
    const bytes = mac(ID_LABEL, nonce).subarray(0, 16);
    // Version 4 and RFC 4122 variant bits, so every place that expects a UUID accepts it.
    bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
    bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };

  return {
    issue() {
      const nonce = randomBytes(24).toString('base64url');
      const tag = mac(COOKIE_LABEL, nonce).subarray(0, 16).toString('base64url');
      return { cookie: `v1.${nonce}.${tag}`, id: idOfNonce(nonce) };
    },

    open(cookie) {
      const match = cookie === undefined ? null : COOKIE.exec(cookie);
      if (!match) return undefined;
      const [, nonce = '', tag = ''] = match;
      const expected = mac(COOKIE_LABEL, nonce).subarray(0, 16);
      const given = Buffer.from(tag, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      return idOfNonce(nonce);
    },
  };
}
