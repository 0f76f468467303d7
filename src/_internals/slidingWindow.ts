/**
 * Events in the last second, counted exactly: a ring of the timestamps of the last second, so each
 * event costs one push and amortised O(1) pops. The sandbox keeps the most requests one client
 * made in any second with it; the client's pacer, what got through in the last second.
 */

const WINDOW_MS = 1000;

export class SlidingWindow {
  private ring = new Float64Array(64);
  private head = 0;
  private size = 0;
  /** The highest count seen in any window (t - 1 s, t]. */
  max = 0;

  /**
   * Records a request at `now` (a monotonic clock in ms) and returns the count in the window
   * that ends at it.
   *
   * @example
   * const w = new SlidingWindow();
   * w.record(0); w.record(500); w.record(1200); // w.max === 2
   */
  record(now: number): number {
    this.expire(now);
    if (this.size === this.ring.length) this.grow();
    this.ring[(this.head + this.size) % this.ring.length] = now;
    this.size++;
    if (this.size > this.max) this.max = this.size;
    return this.size;
  }

  /**
   * The count in the window that ends at `now`, recording nothing.
   *
   * @example
   * const w = new SlidingWindow();
   * w.record(0); w.count(999); // 1
   */
  count(now: number): number {
    this.expire(now);
    return this.size;
  }

  private expire(now: number): void {
    while (this.size > 0 && (this.ring[this.head] ?? 0) <= now - WINDOW_MS) {
      this.head = (this.head + 1) % this.ring.length;
      this.size--;
    }
  }

  private grow(): void {
    const next = new Float64Array(this.ring.length * 2);
    for (let i = 0; i < this.size; i++) next[i] = this.ring[(this.head + i) % this.ring.length] ?? 0;
    this.ring = next;
    this.head = 0;
  }
}
