/**
 * @param {string | undefined} header the request's Cookie header
 * @returns {Map<string, string>}
 */
export function parseCookies(header) {
  const cookies = new Map();
  if (!header) return cookies;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq === -1) continue;
    const name = pair.slice(0, eq).trim();
    let value = pair.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    // The first occurrence wins, as in browsers' document.cookie order (most specific path first).
    if (name && !cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

/**
 * @param {string} name
 * @param {string} value must already be cookie-safe (we only ever store base64url and dots)
 * @param {{ maxAgeSeconds?: number, secure?: boolean }} [options]
 */
export function serializeCookie(name, value, { maxAgeSeconds, secure = false } = {}) {
  const parts = [`${name}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (maxAgeSeconds !== undefined) parts.push(`Max-Age=${maxAgeSeconds}`);
  if (secure) parts.push('Secure');
  return parts.join('; ');
}
