/**
 * Decodes an HTTP/1.1 chunked body in place: the framing (sizes, extensions, CRLFs, trailers) is
 * cut out and the payload moved to the front of the same buffer, so the bytes a socket read put
 * into the download's ring stay there. The state carries over between reads, so a size line or
 * a CRLF may be split across them.
 */
const MAX_LINE = 4096;

type State = 'size' | 'data' | 'data-cr' | 'data-lf' | 'trailer' | 'done';

export class ChunkedDecoder {
  private state: State = 'size';
  private line = '';
  private left = 0;

  get done(): boolean {
    return this.state === 'done';
  }

  /** Decodes `buf[0, n)`; returns how many payload bytes now lie at `buf[0, returned)`. */
  decode(buf: Uint8Array, n: number): number {
    let out = 0;
    let i = 0;
    while (i < n && this.state !== 'done') {
      if (this.state === 'data') {
        const take = Math.min(this.left, n - i);
        if (out !== i) buf.copyWithin(out, i, i + take);
        out += take;
        i += take;
        this.left -= take;
        if (this.left === 0) this.state = 'data-cr';
        continue;
      }
      const c = buf[i++]!;
      if (this.state === 'data-cr' || this.state === 'data-lf') {
        const want = this.state === 'data-cr' ? 0x0d : 0x0a;
        if (c !== want) throw bad('a chunk does not end with CRLF');
        this.state = this.state === 'data-cr' ? 'data-lf' : 'size';
        continue;
      }
      if (c !== 0x0a) {
        if (this.line.length >= MAX_LINE) throw bad('a chunk-size or trailer line is too long');
        this.line += String.fromCharCode(c);
        continue;
      }
      const line = this.line.endsWith('\r') ? this.line.slice(0, -1) : this.line;
      this.line = '';
      if (this.state === 'trailer') {
        if (line === '') this.state = 'done';
        continue;
      }
      const m = /^([0-9a-fA-F]{1,13})[ \t]*(;.*)?$/.exec(line);
      if (!m) throw bad(`"${line.slice(0, 40)}" is not a chunk size`);
      this.left = parseInt(m[1]!, 16);
      this.state = this.left === 0 ? 'trailer' : 'data';
    }
    return out;
  }
}

function bad(why: string): Error {
  return Object.assign(new Error(`the server sent a malformed chunked body: ${why}`), {
    code: 'ERR_CHUNKED_BODY',
  });
}
