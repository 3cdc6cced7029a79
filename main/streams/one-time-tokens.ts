import { randomBytes } from 'node:crypto';

/**
 * Short-lived, single-use tokens for stream endpoints (display, console). The token is the only
 * thing that lets a WebSocket reach a VM's display, so it is random (256 bits), expires quickly
 * (the client connects right after asking for it) and is spent by the first connection, so a
 * token that leaks afterwards (history, logs) opens nothing.
 */

export const DEFAULT_TOKEN_TTL_MS = 30_000;

export type Issued = { token: string; expiresAt: number };
export type Redeemed<T> = { ok: true; value: T } | { ok: false; why: 'unknown' | 'expired' };

export class OneTimeTokens<T> {
  private readonly live = new Map<string, { value: T; expiresAt: number }>();

  constructor(
    readonly ttlMs = DEFAULT_TOKEN_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  issue(value: T): Issued {
    this.sweep();
    const token = randomBytes(32).toString('base64url');
    const expiresAt = this.now() + this.ttlMs;
    this.live.set(token, { value, expiresAt });
    return { token, expiresAt };
  }

  /** Spends the token: it never works again, whatever the outcome. */
  redeem(token: string): Redeemed<T> {
    // A hash-map lookup: guessing 256 random bits through timing is not a practical attack.
    const entry = this.live.get(token);
    if (!entry) return { ok: false, why: 'unknown' };
    this.live.delete(token);
    if (this.now() > entry.expiresAt) return { ok: false, why: 'expired' };
    return { ok: true, value: entry.value };
  }

  /** Drops every unspent token whose value matches (e.g. the environment was stopped). */
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
