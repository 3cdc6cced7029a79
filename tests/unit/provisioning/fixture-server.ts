import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP server on 127.0.0.1 for download tests: each route is a small handler, and every
 * request is recorded (path, Range, If-Range) so a test can assert what the client asked for.
 */
export type Seen = { path: string; range: string | null; ifRange: string | null };
export type Route = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export class FixtureServer {
  readonly seen: Seen[] = [];
  readonly routes = new Map<string, Route>();
  private server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    this.seen.push({
      path,
      range: req.headers.range ?? null,
      ifRange: (req.headers['if-range'] as string | undefined) ?? null,
    });
    const route = this.routes.get(path);
    if (!route) {
      res.writeHead(404).end('not found');
      return;
    }
    route(req, res);
  });
  port = 0;

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  requests(path: string): Seen[] {
    return this.seen.filter((s) => s.path === path);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

export type FileRouteOptions = {
  etag?: () => string;
  lastModified?: string;
  /** false: answer 200 with the whole body even when a Range is asked (a server without ranges) */
  ranges?: boolean;
  /** Destroy the socket after this many body bytes, for the first `cutTimes` responses. */
  cutAfter?: number;
  cutTimes?: number;
  /** Write the body in chunks of this size with this pause between them (a slow server). */
  chunk?: number;
  pauseMs?: number;
};

/** Serves `body()` like a static file server would (Content-Length, ETag, Range -> 206). */
export function fileRoute(body: () => Buffer, o: FileRouteOptions = {}): Route {
  let cuts = 0;
  return (req, res) => {
    const data = body();
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
    if (o.etag) headers.etag = o.etag();
    if (o.lastModified) headers['last-modified'] = o.lastModified;
    let start = 0;
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (m && o.ranges !== false) {
      start = Number(m[1]);
      if (start >= data.length) {
        res.writeHead(416, { 'content-range': `bytes */${data.length}` }).end();
        return;
      }
      headers['content-range'] = `bytes ${start}-${data.length - 1}/${data.length}`;
    }
    const slice = data.subarray(start);
    headers['content-length'] = String(slice.length);
    res.writeHead(start > 0 ? 206 : 200, headers);
    const cut = o.cutAfter !== undefined && cuts < (o.cutTimes ?? 1);
    if (cut) cuts++;
    const limit = cut ? Math.min(o.cutAfter!, slice.length) : slice.length;
    const chunk = o.chunk ?? 64 * 1024;
    let pos = 0;
    const pump = () => {
      while (pos < limit) {
        const piece = slice.subarray(pos, Math.min(pos + chunk, limit));
        pos += piece.length;
        const ok = res.write(piece);
        if (o.pauseMs) {
          setTimeout(pump, o.pauseMs);
          return;
        }
        if (!ok) {
          res.once('drain', pump);
          return;
        }
      }
      if (cut) {
        // Flush what was written, then break the connection mid-body.
        setTimeout(() => res.socket?.destroy(), 20);
      } else {
        res.end();
      }
    };
    pump();
  };
}

/** Deterministic pseudo-random bytes: compressible test data would hide resume bugs less well. */
export function fixtureBytes(size: number, seed = 1): Buffer {
  const b = Buffer.allocUnsafe(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}
