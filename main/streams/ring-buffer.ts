/**
 * A fixed-capacity byte ring: keeps the last `capacity` bytes written, so a viewer that opens the
 * console late (or after an app restart) still sees the recent boot output.
 */
export class RingBuffer {
  private readonly buf: Buffer;
  private start = 0;
  private length = 0;
  /** Bytes ever written, so readers can tell how much they missed. */
  total = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be >= 1');
    this.buf = Buffer.alloc(capacity);
  }

  get size(): number {
    return this.length;
  }

  write(chunk: Uint8Array): void {
    this.total += chunk.length;
    // Only the tail of an oversized chunk can survive.
    const data =
      chunk.length > this.capacity ? chunk.subarray(chunk.length - this.capacity) : chunk;
    const end = (this.start + this.length) % this.capacity;
    const first = Math.min(data.length, this.capacity - end);
    this.buf.set(data.subarray(0, first), end);
    this.buf.set(data.subarray(first), 0);
    const overflow = Math.max(0, this.length + data.length - this.capacity);
    this.start = (this.start + overflow) % this.capacity;
    this.length = Math.min(this.capacity, this.length + data.length);
  }

  /** The last `max` bytes (all by default), oldest first, as a copy. */
  read(max = this.length): Buffer {
    const n = Math.max(0, Math.min(max, this.length));
    const from = (this.start + this.length - n) % this.capacity;
    const out = Buffer.alloc(n);
    const first = Math.min(n, this.capacity - from);
    this.buf.copy(out, 0, from, from + first);
    this.buf.copy(out, first, 0, n - first);
    return out;
  }

  clear(): void {
    this.start = 0;
    this.length = 0;
  }
}
