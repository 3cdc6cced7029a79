import type { Socket } from 'node:net';
import { ChunkedDecoder } from './chunked-decoder.js';

/**
 * One HTTP/1.1 response read straight off its socket. The head is parsed here; the body goes
 * to a BodySink, and on a socket made with `onread` (see `onread`), each socket read lands
 * directly in the sink's memory (the download's ring): no Buffer per read, no copy, no stream
 * machinery in between. node:http allocated a Buffer for every 64 KiB read and pushed it
 * through an IncomingMessage; on a fast link that receive path alone took about as much CPU as
 * curl's whole download (scripts/bench/download-bench.ts).
 *
 * Bodies: Content-Length, chunked (decoded in place) or until the connection closes. A socket
 * without `onread` (TLS through a proxy tunnel) feeds `data` events instead, copied into the
 * sink: slower, same result.
 */
export interface BodySink {
  /** Free room for the next socket read (empty when there is none right now). */
  space(): Uint8Array;
  /** `n` body bytes now lie at the start of the last space(); false: pause until unpause(). */
  commit(n: number): boolean;
  end(): void;
  fail(e: Error): void;
}

const HEAD_LIMIT = 64 * 1024;
/** Where a read goes when the sink has no room (or is not attached yet); copied in later. */
const SPARE_BYTES = 64 * 1024;

type Framing =
  | { kind: 'length'; left: number }
  | { kind: 'chunked'; decoder: ChunkedDecoder }
  | { kind: 'close' };

export class HttpResponse {
  statusCode = 0;
  statusMessage = '';
  /** Lower-case names; the first value when a header repeats. */
  headers: Record<string, string> = {};
  /** Resolves once the head is parsed (1xx interim responses are skipped). */
  readonly ready: Promise<void>;

  private socket: Socket | null = null;
  private head: Buffer | null = Buffer.allocUnsafe(HEAD_LIMIT);
  private headLen = 0;
  private spare: Buffer | null = null;
  private target: 'head' | 'spare' | 'sink' = 'head';
  private targetView: Uint8Array | null = null;
  private framing: Framing = { kind: 'close' };
  /** Body bytes that arrived before the sink had room for them. */
  private pending: Buffer[] = [];
  private sink: BodySink | null = null;
  private paused = false;
  private complete = false;
  private ended = false;
  private failure: Error | null = null;
  private settleHead!: (e?: Error) => void;

  constructor() {
    this.ready = new Promise<void>((resolve, reject) => {
      this.settleHead = (e) => (e ? reject(e) : resolve());
    });
    this.ready.catch(() => {});
  }

  /** The `onread` option for net.connect / tls.connect. */
  readonly onread = {
    buffer: (): Uint8Array => this.nextBuffer(),
    callback: (n: number): boolean => this.onRead(n),
  };

  /** Follows `socket` (made with `this.onread`, or not: then its `data` events are used). */
  attach(socket: Socket, usesOnread: boolean): void {
    this.socket = socket;
    if (!usesOnread) socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => {
      if (!this.complete)
        this.fail(networkError('ECONNRESET', 'the connection closed before the response ended'));
    });
  }

  /** Sends the body to `sink`, from the bytes that came with the head on. */
  pipe(sink: BodySink): void {
    this.sink = sink;
    if (this.failure) sink.fail(this.failure);
    else this.unpause();
  }

  /** The sink has room again. */
  unpause(): void {
    if (!this.sink || this.failure) return;
    this.paused = false;
    this.drain();
    if (!this.paused && !this.complete) this.socket?.resume();
  }

  /** Like IncomingMessage.resume(): the body is not wanted (every request says Connection: close). */
  resume(): void {
    this.complete = true;
    this.socket?.destroy();
  }

  destroy(e?: Error): void {
    if (e) this.fail(e);
    this.socket?.destroy();
  }

  private nextBuffer(): Uint8Array {
    if (this.head) {
      this.target = 'head';
      return this.head.subarray(this.headLen);
    }
    if (this.sink && !this.paused && !this.pending.length) {
      const room = this.sink.space();
      if (room.length > 0) {
        this.target = 'sink';
        this.targetView = room;
        return room;
      }
    }
    this.target = 'spare';
    this.spare ??= Buffer.allocUnsafe(SPARE_BYTES);
    return this.spare;
  }

  private onRead(n: number): boolean {
    if (this.target === 'head') return this.takeHead(n);
    if (this.target === 'spare') return this.accept(Buffer.from(this.spare!.subarray(0, n)));
    const body = this.unframe(this.targetView!, n);
    if (this.failure) return false;
    const more = this.sink!.commit(body);
    if (this.complete) {
      this.socket?.destroy();
      this.endSink();
      return false;
    }
    if (!more) this.paused = true;
    return more;
  }

  private onData(chunk: Buffer): void {
    let off = 0;
    while (this.head && off < chunk.length) {
      const n = Math.min(chunk.length - off, this.head.length - this.headLen);
      chunk.copy(this.head, this.headLen, off, off + n);
      off += n;
      this.takeHead(n);
    }
    if (this.failure) return;
    if (off < chunk.length && !this.accept(chunk.subarray(off))) this.socket?.pause();
    else if (this.paused) this.socket?.pause();
  }

  /** Body bytes that are not in the sink's memory (after the head, from the spare, `data`). */
  private accept(bytes: Buffer): boolean {
    const body = this.unframe(bytes, bytes.length);
    if (this.failure) return false;
    if (body > 0) this.pending.push(bytes.subarray(0, body));
    if (this.complete) this.socket?.destroy();
    if (!this.sink) {
      this.paused = true;
      return false;
    }
    if (!this.paused) this.drain();
    return !this.paused && !this.complete;
  }

  /** Copies what is pending into the sink as far as it has room; ends it when all is in. */
  private drain(): void {
    while (this.pending.length) {
      const chunk = this.pending[0]!;
      let took = 0;
      while (took < chunk.length) {
        const room = this.sink!.space();
        const n = Math.min(room.length, chunk.length - took);
        if (n === 0) break;
        room.set(chunk.subarray(took, took + n));
        took += n;
        if (!this.sink!.commit(n)) this.paused = true;
      }
      if (took < chunk.length) {
        this.pending[0] = chunk.subarray(took);
        this.paused = true;
        return;
      }
      this.pending.shift();
    }
    if (this.complete) this.endSink();
  }

  private endSink(): void {
    if (this.ended) return;
    this.ended = true;
    this.sink?.end();
  }

  /** Strips the framing from `buf[0, n)` in place; returns the body bytes left at its start. */
  private unframe(buf: Uint8Array, n: number): number {
    const f = this.framing;
    if (f.kind === 'close') return n;
    if (f.kind === 'length') {
      const body = Math.min(n, f.left);
      f.left -= body;
      if (f.left === 0) this.complete = true;
      return body;
    }
    try {
      const body = f.decoder.decode(buf, n);
      if (f.decoder.done) this.complete = true;
      return body;
    } catch (e) {
      this.fail(e as Error);
      return 0;
    }
  }

  private takeHead(n: number): boolean {
    this.headLen += n;
    return this.parseHead();
  }

  private parseHead(): boolean {
    const head = this.head!;
    const end = head.subarray(0, this.headLen).indexOf('\r\n\r\n');
    if (end < 0) {
      if (this.headLen === head.length) {
        this.destroy(protocolError(`the response head is larger than ${HEAD_LIMIT} bytes`));
        return false;
      }
      return true;
    }
    const lines = head.toString('latin1', 0, end).split('\r\n');
    const status = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0]!);
    if (!status) {
      this.destroy(protocolError(`"${lines[0]!.slice(0, 60)}" is not an HTTP/1.x status line`));
      return false;
    }
    const code = Number(status[1]);
    const rest = head.subarray(end + 4, this.headLen);
    if (code >= 100 && code < 200) {
      // An interim response (100 Continue, 103 Early Hints): the real one follows.
      head.copy(head, 0, end + 4, this.headLen);
      this.headLen = rest.length;
      return this.parseHead();
    }
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      headers[name] ??= line.slice(colon + 1).trim();
    }
    this.statusCode = code;
    this.statusMessage = status[2] ?? '';
    this.headers = headers;
    try {
      this.framing = framingOf(code, headers);
    } catch (e) {
      this.destroy(e as Error);
      return false;
    }
    this.head = null;
    if (this.framing.kind === 'length' && this.framing.left === 0) this.complete = true;
    this.settleHead();
    // Held (paused) until a sink is attached: the caller looks at the head first.
    return this.accept(Buffer.from(rest));
  }

  private onEnd(): void {
    if (this.complete) return;
    if (this.head) {
      this.fail(networkError('ECONNRESET', 'the server closed the connection without answering'));
      return;
    }
    if (this.framing.kind !== 'close') {
      this.fail(networkError('ECONNRESET', 'the connection closed before the body ended'));
      return;
    }
    this.complete = true;
    if (this.sink) this.drain();
  }

  private fail(e: Error): void {
    if (this.failure || (this.complete && !this.pending.length && !this.head)) return;
    this.failure = e;
    this.settleHead(e);
    this.sink?.fail(e);
    this.socket?.destroy();
  }
}

function framingOf(code: number, headers: Record<string, string>): Framing {
  if (code === 204 || code === 304) return { kind: 'length', left: 0 };
  const te = headers['transfer-encoding'];
  if (te !== undefined) {
    // The last coding decides (RFC 9112 6.3); anything but chunked runs to the close.
    return /(^|,)\s*chunked\s*$/i.test(te)
      ? { kind: 'chunked', decoder: new ChunkedDecoder() }
      : { kind: 'close' };
  }
  const cl = headers['content-length'];
  if (cl === undefined) return { kind: 'close' };
  if (!/^\d{1,15}$/.test(cl)) throw protocolError(`Content-Length "${cl}" is not a byte count`);
  return { kind: 'length', left: Number(cl) };
}

function networkError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

function protocolError(message: string): Error {
  return Object.assign(new Error(`the server sent a malformed response: ${message}`), {
    code: 'ERR_HTTP_RESPONSE',
  });
}
