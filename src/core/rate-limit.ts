// Token buckets per key (API keys, client addresses, DynDNS configurations): a burst, then a steady
// rate; the X-RateLimit-* headers a caller may send with the decision.

export interface RateLimitSettings {
  enabled: boolean;
  perSecond: number;
  burst: number;
}

interface Bucket {
  tokens: number;
  updated: number;
}

export interface RateDecision {
  allowed: boolean;
  headers: Record<string, string>;
}

const MAX_BUCKETS = 100_000;

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly s: RateLimitSettings, private readonly now: () => number = Date.now) {}

  /** Takes one token from `key`'s bucket. */
  take(key: string): RateDecision {
    if (!this.s.enabled) return { allowed: true, headers: {} };
    const t = this.now();
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= MAX_BUCKETS) this.evictFull(t);
      b = { tokens: this.s.burst, updated: t };
      this.buckets.set(key, b);
    } else {
      b.tokens = Math.min(this.s.burst, b.tokens + ((t - b.updated) / 1000) * this.s.perSecond);
      b.updated = t;
    }
    const allowed = b.tokens >= 1;
    if (allowed) b.tokens -= 1;
    const msToFull = ((this.s.burst - b.tokens) / this.s.perSecond) * 1000;
    const headers: Record<string, string> = {
      'X-RateLimit-Limit': String(this.s.burst),
      'X-RateLimit-Remaining': String(Math.floor(b.tokens)),
      'X-RateLimit-Reset': new Date(t + Math.ceil(msToFull)).toISOString(),
    };
    if (!allowed) headers['Retry-After'] = String(Math.max(1, Math.ceil(((1 - b.tokens) / this.s.perSecond))));
    return { allowed, headers };
  }

  /** Returns a token taken by `take` (a login that succeeded after all), up to the burst. */
  giveBack(key: string): void {
    const b = this.buckets.get(key);
    if (b) b.tokens = Math.min(this.s.burst, b.tokens + 1);
  }

  /** Drops buckets that have refilled completely (they carry no state worth keeping). */
  private evictFull(t: number): void {
    for (const [k, b] of this.buckets) {
      if (b.tokens + ((t - b.updated) / 1000) * this.s.perSecond >= this.s.burst) this.buckets.delete(k);
    }
    if (this.buckets.size >= MAX_BUCKETS) this.buckets.clear();
  }
}
