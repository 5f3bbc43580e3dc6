/** Shared helpers for reading untrusted frames: parse once, read fields defensively. */

/** Parse a text frame into an object, or null for binary, bad JSON or non-objects. */
export function parseFrame(data: unknown): Record<string, unknown> | null {
  if (typeof data !== 'string') return null;
  try {
    const value: unknown = JSON.parse(data);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function obj(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** An ISO timestamp in ms, or undefined when absent or unreadable. */
export function time(value: unknown): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? ms : undefined;
}

/** Build a URL with extra query parameters, keeping any the configured URL already has. */
export function withQuery(base: string, params: Record<string, string | undefined>): string {
  const url = new URL(base);
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) url.searchParams.set(key, value);
  }
  return url.toString();
}

/**
 * Words by which a backend's error names a refused sign-in. Servers that check the token after
 * `open` say so only in prose ("Authentication failed: invalid token").
 */
const AUTH_WORDS =
  /\b(auth\w*|unauthori[sz]ed|forbidden|(invalid|expired|missing) (token|api key|credentials?))\b/i;

export function namesAuthentication(message: string | undefined): boolean {
  return message !== undefined && AUTH_WORDS.test(message);
}

/**
 * Refusals of one message that sending it again cannot cure (too long, empty, malformed), as
 * opposed to "busy" or "too fast", which pass.
 */
const PERMANENT_WORDS =
  /\b(invalid|too long|too large|maximum|cannot be empty|empty|not allowed)\b/i;

export function isPermanentRefusal(message: string | undefined): boolean {
  return message !== undefined && PERMANENT_WORDS.test(message);
}

/**
 * A stable id for something a backend sends without one, from what it says: the same item
 * replayed later gets the same id, so the transcript shows it once. cyrb53, a fast 53-bit
 * string hash, ample against accidental collisions in one conversation.
 */
export function contentId(prefix: string, ...parts: string[]): string {
  const key = parts.join('\u0000');
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  const hash = 4294967296 * (2097151 & h2) + (h1 >>> 0);
  return `${prefix}-${hash.toString(36)}`;
}
