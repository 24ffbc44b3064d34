/**
 * Token buckets for the handshake admission control (`admission.ts`), and a bounded table of
 * them keyed by source address (WireGuard's ratelimiter: a per-address bucket consulted only for
 * addresses proven by a cookie; paper §5.3).
 */

/** A token bucket: `ratePerSecond` tokens a second, at most `burst` saved. Time is explicit. */
export class TokenBucket {
  private tokens: number;
  private lastMs: number;
  private readonly ratePerMs: number;
  private readonly burst: number;

  constructor(ratePerSecond: number, burst: number, nowMs: number) {
    if (!(ratePerSecond >= 0) || !(burst >= 1)) throw new RangeError("bad token bucket parameters");
    this.ratePerMs = ratePerSecond / 1000;
    this.burst = burst;
    this.tokens = burst;
    this.lastMs = nowMs;
  }

  /** Takes one token if there is one at `nowMs`. */
  take(nowMs: number): boolean {
    if (nowMs > this.lastMs) {
      this.tokens = Math.min(this.burst, this.tokens + (nowMs - this.lastMs) * this.ratePerMs);
      this.lastMs = nowMs;
    }
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/**
 * A bounded map of address → bucket; when full, the least recently used entry is forgotten (its
 * address starts again with a full bucket, which bounds the harm to one burst per eviction).
 */
export class BucketTable {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly ratePerSecond: number;
  private readonly burst: number;
  private readonly maxEntries: number;

  constructor(options: { ratePerSecond: number; burst: number; maxEntries: number }) {
    this.ratePerSecond = options.ratePerSecond;
    this.burst = options.burst;
    this.maxEntries = options.maxEntries;
  }

  /** Takes a token from `key`'s bucket (and marks `key` as recently used). */
  take(key: string, nowMs: number): boolean {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.buckets.size >= this.maxEntries) {
        const leastRecent = this.buckets.keys().next().value;
        if (leastRecent !== undefined) this.buckets.delete(leastRecent);
      }
      bucket = new TokenBucket(this.ratePerSecond, this.burst, nowMs);
    } else {
      this.buckets.delete(key);
    }
    this.buckets.set(key, bucket);
    return bucket.take(nowMs);
  }

  /** Entries held (never more than `maxEntries`). */
  get size(): number {
    return this.buckets.size;
  }
}
