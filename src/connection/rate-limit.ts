/**
 * A sliding-window limit: at most `limit` sends in any `windowMs`. Pure: the
 * caller passes the clock, so it is tested without timers.
 */
export class RateLimiter {
  readonly #sent: number[] = [];

  constructor(
    readonly limit: number,
    readonly windowMs = 1000,
  ) {}

  /** How long to wait before the next send may go; 0 when it may go now. */
  wait(now: number): number {
    while (this.#sent.length > 0 && now - (this.#sent[0] as number) >= this.windowMs)
      this.#sent.shift();
    if (this.#sent.length < this.limit) return 0;
    return (this.#sent[0] as number) + this.windowMs - now;
  }

  record(now: number): void {
    this.#sent.push(now);
  }
}
