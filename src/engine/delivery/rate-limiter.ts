/**
 * A token bucket per Customer.io workspace that lowers its rate when Customer.io answers 429 without
 * saying when to come back, and recovers gradually: the rate halves (never below `minRate`) and then
 * grows by 10% plus one request a second, back up to the configured rate. A `Retry-After` holds all
 * sending until then.
 */
export interface RateLimiterOptions {
  /** Requests per second (default 100, Customer.io's documented Track API limit). */
  rate: number;
  /** Most requests sent at once after a quiet spell (default: the rate, at most 10). */
  burst?: number;
  minRate?: number;
  now?: () => number;
}

export class AdaptiveRateLimiter {
  private tokens: number;
  private last: number;
  private current: number;
  private heldUntil = 0;
  private lastLowered = Number.NEGATIVE_INFINITY;
  private readonly max: number;
  private readonly burst: number;
  private readonly minRate: number;
  private readonly now: () => number;
  /** 429 answers seen (for metrics). */
  throttled = 0;

  constructor(options: RateLimiterOptions) {
    this.max = options.rate;
    this.current = options.rate;
    this.burst = options.burst ?? Math.max(1, Math.min(10, options.rate));
    this.minRate = options.minRate ?? Math.min(1, options.rate);
    this.now = options.now ?? Date.now;
    this.last = this.now();
    this.tokens = this.burst;
  }

  /** The rate in force now, in requests per second. */
  get rate(): number {
    this.refill();
    return this.current;
  }

  private refill(): void {
    const now = this.now();
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.last = now;
    if (this.current < this.max && now - this.lastLowered > 1000) {
      this.current = Math.min(this.max, this.current * 1.1 ** elapsed + elapsed);
    }
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.current);
  }

  /** Milliseconds until a request may go (0: now). Takes the token when it returns 0. */
  tryTake(): number {
    this.refill();
    const now = this.now();
    if (now < this.heldUntil) return this.heldUntil - now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.current) * 1000);
  }

  /**
   * Customer.io answered 429. With `Retry-After`, everything is held until then (Customer.io said
   * when to come back). Without it, the rate halves, at most once a second: the requests in flight
   * together all see the same 429s.
   */
  onThrottled(retryAfterMs: number | null): void {
    this.throttled++;
    this.refill();
    const now = this.now();
    if (retryAfterMs === null && now - this.lastLowered >= 1000) {
      this.current = Math.max(this.minRate, this.current / 2);
      this.lastLowered = now;
    }
    this.tokens = Math.min(this.tokens, 0);
    if (retryAfterMs !== null) this.heldUntil = Math.max(this.heldUntil, now + retryAfterMs);
  }
}
