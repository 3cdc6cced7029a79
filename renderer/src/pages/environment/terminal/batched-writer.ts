/**
 * Feeds xterm from a socket. While xterm is still parsing the last write, what arrives is
 * gathered and handed over as one piece when it is done: xterm's cost is per write call as much
 * as per byte (16 KiB writes parse at about half the rate of 64 KiB ones in Chromium), and a busy
 * TTY arrives in many small frames. The first bytes after a pause go at once, so typing stays
 * immediate.
 */
export class BatchedWriter {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private busy = false;
  private dropped = false;

  constructor(private readonly write: (data: Uint8Array, parsed: () => void) => void) {}

  push(data: Uint8Array): void {
    if (this.dropped || data.length === 0) return;
    if (!this.busy) return this.hand(data);
    this.pending.push(data);
    this.pendingBytes += data.length;
  }

  /** The session ended: nothing more is written (a new session starts from a reset screen). */
  drop(): void {
    this.dropped = true;
    this.pending = [];
    this.pendingBytes = 0;
  }

  private hand(data: Uint8Array): void {
    this.busy = true;
    this.write(data, () => {
      if (this.dropped || this.pending.length === 0) {
        this.busy = false;
        return;
      }
      const joined = join(this.pending, this.pendingBytes);
      this.pending = [];
      this.pendingBytes = 0;
      this.hand(joined);
    });
  }
}

function join(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
