import { WindowedTokens } from './windowed-tokens.js';

/**
 * Short-lived, single-use tokens for stream endpoints (display, console). The token is the only
 * thing that lets a WebSocket reach a VM's display, so it is random (256 bits), expires quickly
 * (the client connects right after asking for it) and is spent by the first connection, so a
 * token that leaks afterwards (history, logs) opens nothing.
 */

export const DEFAULT_TOKEN_TTL_MS = 30_000;

export type Issued = { token: string; expiresAt: number };
export type Redeemed<T> = { ok: true; value: T } | { ok: false; why: 'unknown' | 'expired' };

/** A windowed token with one use: its first redeem spends it, whatever the outcome. */
export class OneTimeTokens<T> extends WindowedTokens<T> {
  constructor(ttlMs = DEFAULT_TOKEN_TTL_MS, now?: () => number) {
    super({ ttlMs, windowMs: 0, maxUses: 1, now });
  }
}
