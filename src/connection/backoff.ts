/**
 * Reconnect delays: exponential backoff with full jitter, as in
 * https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/ —
 * many widgets reconnecting after one server restart must not arrive together.
 */
export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_CAP_MS = 30_000;
/** Below this a retry is pointless and, repeated, would hammer the server. */
export const BACKOFF_FLOOR_MS = 250;
/** A connection open this long counts as stable: the next drop starts from attempt 0 again. */
export const STABLE_CONNECTION_MS = 10_000;

/** Delay before reconnect attempt `attempt` (0-based), given a random number in [0, 1). */
export function backoffDelay(attempt: number, random: number = Math.random()): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt));
  return Math.max(BACKOFF_FLOOR_MS, Math.floor(ceiling * random));
}
