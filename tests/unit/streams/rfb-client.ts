/**
 * A minimal RFB (VNC) client for tests and benchmarks: version 3.8, security "None", ClientInit,
 * raw encoding, one full FramebufferUpdateRequest. Transport-agnostic: feed it bytes with push()
 * and give it a write function (a WebSocket through the bridge, or the unix socket directly).
 */

export class ByteReader {
  private chunks: Buffer[] = [];
  private length = 0;
  private waiter: { n: number; resolve: (b: Buffer) => void } | null = null;
  private failed: Error | null = null;

  push(b: Buffer): void {
    this.chunks.push(b);
    this.length += b.length;
    this.wake();
  }

  fail(e: Error): void {
    this.failed = e;
    this.wake();
  }

  read(n: number, timeoutMs = 10_000): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`RFB: timed out waiting for ${n} bytes`)),
        timeoutMs,
      );
      this.waiter = {
        n,
        resolve: (b) => {
          clearTimeout(t);
          resolve(b);
        },
      };
      this.rejecter = (e) => {
        clearTimeout(t);
        reject(e);
      };
      this.wake();
    });
  }

  private rejecter: ((e: Error) => void) | null = null;

  private wake(): void {
    if (!this.waiter) return;
    if (this.length >= this.waiter.n) {
      const n = this.waiter.n;
      // Take whole chunks where possible: a benchmark must not measure its own copying.
      const first = this.chunks[0]!;
      let out: Buffer;
      if (first.length >= n) {
        out = first.subarray(0, n);
        if (first.length === n) this.chunks.shift();
        else this.chunks[0] = first.subarray(n);
      } else {
        const all = Buffer.concat(this.chunks);
        out = all.subarray(0, n);
        this.chunks = all.length > n ? [all.subarray(n)] : [];
      }
      this.length -= n;
      const w = this.waiter;
      this.waiter = null;
      w.resolve(out);
    } else if (this.failed) {
      this.waiter = null;
      this.rejecter?.(this.failed);
    }
  }
}

export type ServerInit = { width: number; height: number; bpp: number; name: string };
export type Frame = { rects: number; pixels: Buffer; distinctPixels: number };

export class RfbClient {
  constructor(
    private readonly reader: ByteReader,
    private readonly write: (b: Buffer) => void,
  ) {}

  init: ServerInit | null = null;

  async handshake(): Promise<ServerInit> {
    const version = (await this.reader.read(12)).toString('latin1');
    if (!/^RFB 003\.00[378]\n$/.test(version))
      throw new Error(`not RFB: ${JSON.stringify(version)}`);
    this.write(Buffer.from('RFB 003.008\n', 'latin1'));
    const n = (await this.reader.read(1))[0]!;
    if (n === 0) throw new Error('RFB: server refused the connection');
    const types = [...(await this.reader.read(n))];
    if (!types.includes(1)) throw new Error(`RFB: no "None" security (offered ${types.join(',')})`);
    this.write(Buffer.from([1]));
    const result = (await this.reader.read(4)).readUInt32BE(0);
    if (result !== 0) throw new Error(`RFB: security failed (${result})`);
    this.write(Buffer.from([1])); // ClientInit, shared
    const si = await this.reader.read(24);
    const nameLen = si.readUInt32BE(20);
    const name = (await this.reader.read(nameLen)).toString('utf8');
    this.init = { width: si.readUInt16BE(0), height: si.readUInt16BE(2), bpp: si[4]!, name };
    // SetEncodings: Raw only, so every rectangle is plain pixels.
    const enc = Buffer.alloc(8);
    enc.writeUInt8(2, 0);
    enc.writeUInt16BE(1, 2);
    enc.writeInt32BE(0, 4);
    this.write(enc);
    return this.init;
  }

  requestUpdate(incremental: boolean): void {
    const { width, height } = this.init!;
    const req = Buffer.alloc(10);
    req.writeUInt8(3, 0);
    req.writeUInt8(incremental ? 1 : 0, 1);
    req.writeUInt16BE(0, 2);
    req.writeUInt16BE(0, 4);
    req.writeUInt16BE(width, 6);
    req.writeUInt16BE(height, 8);
    this.write(req);
  }

  /** Reads server messages until a FramebufferUpdate; returns its pixels. */
  async readFrame(timeoutMs = 10_000): Promise<Frame> {
    const bytesPerPixel = this.init!.bpp / 8;
    for (;;) {
      const type = (await this.reader.read(1, timeoutMs))[0];
      if (type === 0) break;
      if (type === 2) continue; // Bell
      if (type === 3) {
        const h = await this.reader.read(7, timeoutMs);
        await this.reader.read(h.readUInt32BE(3), timeoutMs); // ServerCutText
        continue;
      }
      throw new Error(`RFB: unexpected server message type ${type}`);
    }
    const hdr = await this.reader.read(3, timeoutMs);
    const rects = hdr.readUInt16BE(1);
    const parts: Buffer[] = [];
    for (let i = 0; i < rects; i++) {
      const r = await this.reader.read(12, timeoutMs);
      const w = r.readUInt16BE(4);
      const h = r.readUInt16BE(6);
      const encoding = r.readInt32BE(8);
      if (encoding !== 0) throw new Error(`RFB: unexpected encoding ${encoding}`);
      parts.push(await this.reader.read(w * h * bytesPerPixel, timeoutMs));
    }
    const pixels = Buffer.concat(parts);
    const distinct = new Set<number>();
    for (let i = 0; i + bytesPerPixel <= pixels.length && distinct.size < 16; i += bytesPerPixel) {
      distinct.add(pixels.readUIntLE(i, Math.min(bytesPerPixel, 4)));
    }
    return { rects, pixels, distinctPixels: distinct.size };
  }
}
