import { randomBytes } from 'node:crypto';
import type { Issued, Redeemed } from './one-time-tokens.js';

/**
 * Short-lived tokens good for a few connections. A SPICE client opens one WebSocket per channel
 * (main, display, inputs, cursor, ...) on the same URL, so a single-use token cannot work; this
 * one stays unspent until its first use (like a one-time token), then opens at most `maxUses`
 * connections within `windowMs` of that first use, after which it is gone. So a token that
 * leaks afterwards (history, logs) opens nothing, as with the one-time tokens.
 */

export type WindowedTokenOptions = {
  /** How long an unused token lives (the client connects right after asking for it). */
  ttlMs: number;
  /** How long after its first use the token still opens connections. */
  windowMs: number;
  /** How many connections one token opens in all. */
  maxUses: number;
  now?: () => number;
};

type Entry<T> = { value: T; expiresAt: number; uses: number };

export class WindowedTokens<T> {
  private readonly live = new Map<string, Entry<T>>();
  private readonly now: () => number;

  constructor(private readonly opts: WindowedTokenOptions) {
    this.now = opts.now ?? Date.now;
  }

  issue(value: T): Issued {
    this.sweep();
    const token = randomBytes(32).toString('base64url');
    const expiresAt = this.now() + this.opts.ttlMs;
    this.live.set(token, { value, expiresAt, uses: 0 });
    return { token, expiresAt };
  }

  /** Uses the token once; the first use starts its window, the last use (or expiry) ends it. */
  redeem(token: string): Redeemed<T> {
    const entry = this.live.get(token);
    if (!entry) return { ok: false, why: 'unknown' };
    const t = this.now();
    if (t > entry.expiresAt) {
      this.live.delete(token);
      return { ok: false, why: 'expired' };
    }
    if (entry.uses === 0) entry.expiresAt = t + this.opts.windowMs;
    entry.uses += 1;
    if (entry.uses >= this.opts.maxUses) this.live.delete(token);
    return { ok: true, value: entry.value };
  }

  /** Drops every token whose value matches (e.g. the environment was stopped). */
  revoke(pred: (value: T) => boolean): void {
    for (const [k, v] of this.live) if (pred(v.value)) this.live.delete(k);
  }

  get size(): number {
    return this.live.size;
  }

  private sweep(): void {
    const t = this.now();
    for (const [k, v] of this.live) if (t > v.expiresAt) this.live.delete(k);
  }
}
