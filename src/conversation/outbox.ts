/**
 * The outbox: which of the visitor's messages goes next, and when. Pure rules over the
 * transcript's pending messages and a clock the caller passes; the controller does the writing.
 *
 * A message stays in the outbox (state `sending`) until the backend has it: acknowledged where
 * the backend acknowledges, written where it cannot. It is written once per socket; a new
 * socket writes every unconfirmed message again (backends that dedupe by client id drop the
 * copy). Refusals for now (busy, too fast) send it again after a growing pause; refusals for
 * good fail it with the reason, its text kept for Retry.
 */
import { RateLimiter } from '../connection/rate-limit.js';
import type { ChatMessage } from '../types.js';

/**
 * A backend counts its per-second limit on arrival, where network jitter can bring two
 * sends closer than they left; a slightly longer window keeps us under it.
 */
export const RATE_WINDOW_SLACK_MS = 100;
/** Transient refusals of one message before it fails with the reason. */
export const MAX_REFUSALS = 5;
/** The longest pause before a refused message is sent again. */
export const MAX_REFUSAL_PAUSE_MS = 8000;

export interface OutboxOptions {
  /** Messages per second the backend takes, when it documents a limit. */
  ratePerSecond?: number | undefined;
  /** The backend takes one message, then nothing until its reply is finished. */
  oneReplyAtATime?: boolean | undefined;
}

/** What the link can take right now. */
export interface Gate {
  /** The socket is open and the server may be spoken to (greeted, or no greeting expected). */
  ready: boolean;
  /** A reply is owed or streaming. */
  replyInFlight: boolean;
  /** The server is replaying the conversation; what it has must be known before resending. */
  replaying: boolean;
}

export type OutboxStep =
  /** Write this message now. */
  | { kind: 'send'; message: ChatMessage }
  /** Nothing may go for `ms` (rate limit, a refusal's pause): come back then. */
  | { kind: 'wait'; ms: number; why: 'rate' | 'refused' }
  /** Something must happen first (the socket, the current reply, the replay). */
  | { kind: 'hold'; why: 'not-ready' | 'reply' | 'replay' }
  /** Nothing to send. */
  | { kind: 'idle' };

export type RefusalVerdict = { kind: 'again'; afterMs: number } | { kind: 'fail' };

export class Outbox {
  /** Written on the current socket (so not written again on it). */
  readonly #written = new Set<string>();
  /** Written on an earlier socket and never confirmed: the server may already have it. */
  readonly #unconfirmed = new Set<string>();
  readonly #refusals = new Map<string, number>();
  /** A refused message is not sent again before this time. */
  #pausedUntil = 0;
  readonly #limiter: RateLimiter | undefined;
  readonly #oneAtATime: boolean;

  constructor(options: OutboxOptions = {}) {
    this.#limiter = options.ratePerSecond
      ? new RateLimiter(options.ratePerSecond, 1000 + RATE_WINDOW_SLACK_MS)
      : undefined;
    this.#oneAtATime = options.oneReplyAtATime === true;
  }

  /** The next step for `pending` (the transcript's unconfirmed user messages, oldest first). */
  next(pending: readonly ChatMessage[], gate: Gate, now: number): OutboxStep {
    const waiting = pending.filter((m) => !this.#written.has(m.id));
    if (waiting.length === 0) return { kind: 'idle' };
    if (!gate.ready) return { kind: 'hold', why: 'not-ready' };
    if (gate.replaying && waiting.some((m) => this.#unconfirmed.has(m.id))) {
      return { kind: 'hold', why: 'replay' };
    }
    if (this.#oneAtATime) {
      // One message, then its reply, then the next: a second message would split the reply.
      if (gate.replyInFlight || pending.some((m) => this.#written.has(m.id))) {
        return { kind: 'hold', why: 'reply' };
      }
    }
    if (now < this.#pausedUntil)
      return { kind: 'wait', ms: this.#pausedUntil - now, why: 'refused' };
    const wait = this.#limiter?.wait(now) ?? 0;
    if (wait > 0) return { kind: 'wait', ms: wait, why: 'rate' };
    return { kind: 'send', message: waiting[0]! };
  }

  /** `message` was written to the socket at `now`. */
  written(id: string, now: number): void {
    this.#written.add(id);
    this.#limiter?.record(now);
  }

  isWritten(id: string): boolean {
    return this.#written.has(id);
  }

  /** A write did not happen after all (the socket closed under it): it goes again. */
  unwritten(id: string): void {
    this.#written.delete(id);
  }

  /** The backend has `id` (or it left the outbox for another reason). */
  settled(id: string): void {
    this.#written.delete(id);
    this.#unconfirmed.delete(id);
    this.#refusals.delete(id);
  }

  /** The socket is gone: what it was written on goes again on the next one. */
  socketClosed(): void {
    for (const id of this.#written) this.#unconfirmed.add(id);
    this.#written.clear();
  }

  /** The backend refused `id` for now: send it again after a pause, or fail it past the limit. */
  refused(id: string, now: number): RefusalVerdict {
    const count = (this.#refusals.get(id) ?? 0) + 1;
    this.#written.delete(id);
    if (count > MAX_REFUSALS) {
      this.settled(id);
      return { kind: 'fail' };
    }
    this.#refusals.set(id, count);
    const afterMs = Math.min(MAX_REFUSAL_PAUSE_MS, 500 * 2 ** count);
    this.#pausedUntil = Math.max(this.#pausedUntil, now + afterMs);
    return { kind: 'again', afterMs };
  }

  /** Forget everything (the conversation was cleared). */
  clear(): void {
    this.#written.clear();
    this.#unconfirmed.clear();
    this.#refusals.clear();
    this.#pausedUntil = 0;
  }
}
