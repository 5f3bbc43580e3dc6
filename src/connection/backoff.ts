/**
 * Reconnect policy, as pure functions. Delays are exponential backoff with full
 * jitter (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/):
 * many widgets reconnecting after one server restart must not arrive together.
 *
 * The attempt count climbs only while attempts fail or die at once. A connection
 * that worked resets it, so a flaky network that drops a good link every few
 * seconds is back within about a second each time, as socket.io, Centrifugo and
 * Ably do, instead of waiting longer after every drop.
 */
export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_CAP_MS = 30_000;
/** Below this a retry is pointless and, repeated, would hammer the server. */
export const BACKOFF_FLOOR_MS = 250;
/**
 * A connection that carried frames for this long worked: the next drop starts again from attempt
 * 0. Short, so that a link that breaks every few seconds is mended each time in about a second;
 * a server that accepts and drops at once still climbs the backoff.
 */
export const WORKED_CONNECTION_MS = 1_000;
/** A connection open this long worked even if the server never said anything (a quiet backend). */
export const STABLE_CONNECTION_MS = 10_000;
/** Refused sign-ins in a row after which the widget stops trying until the page acts. */
export const MAX_AUTH_REFUSALS = 6;

/** Delay before reconnect attempt `attempt` (0-based), given a random number in [0, 1). */
export function backoffDelay(attempt: number, random: number = Math.random()): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt));
  return Math.max(BACKOFF_FLOOR_MS, Math.floor(ceiling * random));
}

/** How one socket ended, as the reconnect policy needs it. */
export interface SocketOutcome {
  /** The socket reached `open`. */
  opened: boolean;
  /** How long it stayed open, in ms (0 when it never opened). */
  openFor: number;
  /** Frames it carried from the server. */
  frames: number;
  /** The server refused the sign-in on it (before or after `open`). */
  refused: boolean;
}

/** Whether a socket proved the link good: open, not refused, and alive for a while. */
export function connectionWorked(outcome: SocketOutcome): boolean {
  if (!outcome.opened || outcome.refused) return false;
  if (outcome.openFor >= STABLE_CONNECTION_MS) return true;
  return outcome.frames > 0 && outcome.openFor >= WORKED_CONNECTION_MS;
}

/** The attempt number for the next reconnect after `outcome`, given the one that produced it. */
export function nextAttempt(attempt: number, outcome: SocketOutcome): number {
  return connectionWorked(outcome) ? 0 : attempt;
}
