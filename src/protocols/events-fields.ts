/**
 * Field readers the events, rooms and threads adapters share beyond those in
 * `frames.ts` (which another change owns; these would sit well there).
 */

/** Ids are strings in the documents; a server that sends numbers means the same. */
export function idOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** Join a REST path to `api-base`, whether or not the base ends in a slash. */
export function restUrl(apiBase: string, path: string): string {
  return apiBase.replace(/\/+$/, '') + path;
}
