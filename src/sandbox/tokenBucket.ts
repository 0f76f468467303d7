/**
 * The per-client rate limit: a token bucket that refills `rate` tokens a second up to `burst`.
 * Refills are computed from the time elapsed on each take, so an idle client costs nothing.
 */

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(private readonly rate: number, private readonly burst: number, now: number) {
    this.tokens = burst;
    this.last = now;
  }

  /**
   * Takes one token; returns 0 when it was there, or else the whole seconds (at least 1) until
   * one will be, which is what `Retry-After` says.
   *
   * @example
   * const bucket = new TokenBucket(10, 10, performance.now());
   * bucket.take(performance.now()); // 0 until ten requests were made in the same instant
   */
  take(now: number): number {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - this.tokens) / this.rate));
  }
}
