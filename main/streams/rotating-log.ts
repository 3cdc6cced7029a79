import fs from 'node:fs';

/**
 * An append-only log file with a size cap: when `path` would pass `maxBytes` it becomes
 * `path.1` (the previous `.1` is dropped), so a guest that floods its console can use at most
 * about 2 x maxBytes of disk.
 *
 * Writes are synchronous on an open descriptor, one write(2) per chunk: console data arrives in
 * chunks of up to 64 KiB at serial speeds, so this costs microseconds, and what the app had seen
 * is on disk even if the app is killed the next instant (an async queue lost exactly that tail).
 */
export type RotatingLogOptions = { path: string; maxBytes?: number; mode?: number };

export const DEFAULT_LOG_MAX_BYTES = 4 * 1024 * 1024;

export class RotatingLog {
  readonly path: string;
  readonly maxBytes: number;
  private readonly mode: number;
  private fd: number | null = null;
  private size = 0;
  private closed = false;
  /** The first write error, kept so a full disk is reported once rather than thrown at callers. */
  error: Error | null = null;

  constructor(opts: RotatingLogOptions) {
    this.path = opts.path;
    this.maxBytes = opts.maxBytes ?? DEFAULT_LOG_MAX_BYTES;
    this.mode = opts.mode ?? 0o600;
  }

  append(chunk: Uint8Array): void {
    if (this.closed || chunk.length === 0 || this.error) return;
    try {
      let offset = 0;
      while (offset < chunk.length) {
        const fd = this.open();
        if (this.size >= this.maxBytes) {
          this.rotate();
          continue;
        }
        const part = chunk.subarray(offset, offset + (this.maxBytes - this.size));
        fs.writeSync(fd, part);
        this.size += part.length;
        offset += part.length;
      }
    } catch (e) {
      this.error = e as Error;
      this.closeFd();
    }
  }

  /** Kept for callers that want to be sure: writes are already on disk when append returns. */
  async flush(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
    this.closeFd();
  }

  private open(): number {
    if (this.fd === null) {
      this.fd = fs.openSync(this.path, 'a', this.mode);
      this.size = fs.fstatSync(this.fd).size;
    }
    return this.fd;
  }

  private rotate(): void {
    this.closeFd();
    fs.renameSync(this.path, `${this.path}.1`);
    this.size = 0;
  }

  private closeFd(): void {
    if (this.fd === null) return;
    try {
      fs.closeSync(this.fd);
    } catch {
      // already closed
    }
    this.fd = null;
  }
}

/** The last `maxBytes` of a rotated log (the `.1` file first, then the current one). */
export async function readLogTail(path: string, maxBytes: number): Promise<Buffer> {
  const read = (p: string) => fs.promises.readFile(p).catch(() => Buffer.alloc(0));
  const current = await read(path);
  if (current.length >= maxBytes) return current.subarray(current.length - maxBytes);
  const older = await read(`${path}.1`);
  const both = Buffer.concat([older, current]);
  return both.subarray(Math.max(0, both.length - maxBytes));
}
