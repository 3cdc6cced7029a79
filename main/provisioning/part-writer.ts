import { constants } from 'node:fs';
import fs from 'node:fs/promises';

/** Direct I/O moves whole blocks of this size, at offsets that are multiples of it. */
const BLOCK = 4096;

/**
 * Writes a download's bytes into its .part, at their place after what the .part held (so two
 * writes may be in flight: the disk queue then stays busy while the receiver hands out the
 * next one), with direct I/O (O_DIRECT) where the file system takes
 * it: the disk reads them from the receive ring itself, so there is no copy into the page cache
 * and no write-back later. On this project's 2-core machine that copy and write-back were as much
 * CPU as receiving the bytes (scripts/bench/download-bench.ts). Direct I/O wants whole blocks at
 * block offsets, so the last partial block goes through an ordinary (buffered) write; where
 * O_DIRECT is refused (tmpfs, another OS, a .part of odd length being resumed, memory the kernel
 * will not take) every write is buffered, as before.
 */
export class PartWriter {
  private buffered: fs.FileHandle | null = null;
  private stopping: Promise<void> | null = null;

  private constructor(
    private direct: fs.FileHandle | null,
    buffered: fs.FileHandle | null,
    private readonly file: string,
    /** Where body byte 0 goes: the length of the .part being resumed, else 0. */
    private readonly base: number,
  ) {
    this.buffered = buffered;
  }

  /**
   * Opens the .part and allocates the ring (a SharedArrayBuffer, for the hash worker) that the
   * writes come from, placed at a block boundary of memory when direct I/O is possible. Where
   * that boundary lies is not visible from JavaScript (glibc puts 16 bytes before a large
   * allocation), so it is found by trying: one block written to a scratch file beside the .part
   * from each candidate offset until the kernel takes it (never to the .part itself, whose bytes
   * a crash mid-probe must not change).
   */
  static async open(
    file: string,
    append: boolean,
    ringBytes: number,
  ): Promise<{ writer: PartWriter; ring: Buffer }> {
    const sab = new SharedArrayBuffer(ringBytes + BLOCK);
    const size = append
      ? await fs.stat(file).then(
          (s) => s.size,
          () => 0,
        )
      : 0;
    const O_DIRECT = (constants as { O_DIRECT?: number }).O_DIRECT;
    if (O_DIRECT !== undefined && size % BLOCK === 0) {
      const at = await alignedOffset(`${file}.probe`, Buffer.from(sab), O_DIRECT);
      const flags = constants.O_WRONLY | O_DIRECT | (append ? 0 : constants.O_TRUNC);
      const fh = at === null ? null : await openPart(file, flags);
      if (fh && at !== null) {
        const writer = new PartWriter(fh, null, file, size);
        return { writer, ring: Buffer.from(sab, at, ringBytes) };
      }
    }
    const fh = await openPart(file, constants.O_WRONLY | (append ? 0 : constants.O_TRUNC));
    if (!fh) throw new Error(`cannot open ${file} for writing`);
    return { writer: new PartWriter(null, fh, file, size), ring: Buffer.from(sab, 0, ringBytes) };
  }

  /** True while writes go straight to the disk (no background flushes needed). */
  get isDirect(): boolean {
    return this.direct !== null;
  }

  /** How much of `n` ready bytes to write now: whole blocks, unless these are the last ones. */
  writable(n: number, last: boolean): number {
    return this.direct && !last ? n - (n % BLOCK) : n;
  }

  /**
   * Writes `buf[at, at + n)` as body bytes from `offset` on; `n` comes from writable(). A write
   * that is not whole blocks (the last) must be the only one in flight: it ends direct I/O.
   */
  async write(buf: Buffer, at: number, n: number, offset: number): Promise<void> {
    const whole = this.direct ? n - (n % BLOCK) : 0;
    if (whole > 0) {
      try {
        await writeAll(this.direct!, buf, at, whole, this.base + offset);
      } catch (e) {
        // EINVAL: the kernel will not take this memory or length directly; buffered from now on.
        if ((e as { code?: unknown }).code !== 'EINVAL') throw e;
        await this.stopDirect();
        return this.write(buf, at, n, offset);
      }
    }
    if (whole < n) {
      await this.stopDirect();
      await writeAll(this.buffered!, buf, at + whole, n - whole, this.base + offset + whole);
    }
  }

  /** Cuts the file after `offset` body bytes: writes after a failed one may have landed beyond
   * it, and a resume must not take the hole between for received bytes. */
  async truncate(offset: number): Promise<void> {
    await fs.truncate(this.file, this.base + offset);
  }

  async datasync(): Promise<void> {
    await (this.direct ?? this.buffered)!.datasync();
  }

  async close(): Promise<void> {
    await Promise.all([this.direct?.close(), this.buffered?.close()]);
  }

  /** Once, however many writes find direct I/O refused at the same time. */
  private stopDirect(): Promise<void> {
    this.stopping ??= (async () => {
      this.buffered ??= await fs.open(this.file, 'r+');
      const direct = this.direct;
      this.direct = null;
      await direct?.close();
    })();
    return this.stopping;
  }
}

/** The offset in `mem` that direct writes take, or null when the file system takes none. */
async function alignedOffset(
  scratch: string,
  mem: Buffer,
  O_DIRECT: number,
): Promise<number | null> {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | O_DIRECT;
  const fh = await fs.open(scratch, flags).catch(() => null);
  if (!fh) return null;
  try {
    for (const at of candidateOffsets()) {
      const took = await fh.write(mem, at, BLOCK, 0).then(
        () => true,
        (e: { code?: unknown }) => {
          if (e.code === 'EINVAL') return false;
          throw e;
        },
      );
      if (took) return at;
    }
    return null;
  } finally {
    await fh.close();
    await fs.rm(scratch, { force: true });
  }
}

/** glibc's offset first, then every 16 bytes (the alignment any allocator gives). */
function* candidateOffsets(): Generator<number> {
  yield BLOCK - 16;
  for (let at = 0; at < BLOCK - 16; at += 16) yield at;
}

/** Opened with `flags` (O_CREAT added), or null when they are refused (O_DIRECT on a tmpfs). */
function openPart(file: string, flags: number): Promise<fs.FileHandle | null> {
  return fs.open(file, flags | constants.O_CREAT).catch((e: { code?: unknown }) => {
    if (e.code === 'EINVAL') return null;
    throw e;
  });
}

/** A write may take less than asked (a signal, a full disk): the rest goes in further calls. */
async function writeAll(
  fh: fs.FileHandle,
  buf: Buffer,
  at: number,
  n: number,
  position: number,
): Promise<void> {
  for (let off = 0; off < n;) {
    const { bytesWritten } = await fh.write(buf, at + off, n - off, position + off);
    off += bytesWritten;
  }
}
