import http from 'node:http';
import type { Socket } from 'node:net';
import { DownloadError } from './download-errors.js';
import { openConnection } from './http-connection.js';
import { HttpResponse } from './http-response.js';

/**
 * One GET with redirects (at most 5, and only to http/https: a server must not be able to point
 * GenOS at file:// or anything else) and an optional HTTP proxy (absolute-URI requests for
 * http://, a CONNECT tunnel for https://). Returns the response of the last hop, unread.
 * The request is written and the response read by GenOS itself (http-response.ts), so that a
 * fast body lands in the download's memory without node:http's per-read Buffers; node:http is
 * used only for the CONNECT handshake with a proxy.
 */
export type GetOptions = {
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** http://[user:pass@]host:port */
  proxy?: string;
  maxRedirects?: number;
  /** No byte for this long (connecting or streaming) aborts the request with ETIMEDOUT. */
  idleTimeoutMs?: number;
};

export type GetResponse = { res: HttpResponse; url: string };

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

export function checkScheme(url: URL, what = 'URL'): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DownloadError(
      'redirect',
      `Refused to follow the ${what} ${url.href}: GenOS downloads only over http and https.`,
    );
  }
}

export async function httpGet(url: string, opts: GetOptions = {}): Promise<GetResponse> {
  let current: URL;
  try {
    current = new URL(url);
  } catch {
    throw new DownloadError(
      'http',
      `${url} is not a valid URL; check the catalog or the mirror setting.`,
    );
  }
  checkScheme(current);
  const max = opts.maxRedirects ?? 5;
  for (let hop = 0; ; hop++) {
    const res = await requestOnce(current, opts);
    const location = res.headers.location;
    if (!REDIRECTS.has(res.statusCode ?? 0) || !location) return { res, url: current.href };
    res.resume();
    if (hop >= max) {
      throw new DownloadError(
        'redirect',
        `${url} redirected more than ${max} times; the server is misconfigured — try a mirror.`,
      );
    }
    const next = new URL(location, current);
    checkScheme(next, 'redirect to');
    current = next;
  }
}

/** Sends one GET and resolves with the response once its head is in. */
async function requestOnce(target: URL, opts: GetOptions): Promise<HttpResponse> {
  const proxy = opts.proxy ? new URL(opts.proxy) : null;
  const tls = target.protocol === 'https:';
  // Through a plain proxy, the request line carries the absolute URI (RFC 9112 3.2.2).
  const head = requestHead(proxy && !tls ? target.href : `${target.pathname}${target.search}`, {
    host: target.host,
    'user-agent': 'GenOS',
    'accept-encoding': 'identity',
    connection: 'close',
    ...(proxy && !tls ? proxyAuthorization(proxy) : {}),
    ...opts.headers,
  });
  const res = new HttpResponse();
  const idleMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const tunnel = proxy && tls ? await openTunnel(proxy, target, opts.signal, idleMs) : null;
  const socket = openConnection({
    host: proxy && !tls ? proxy.hostname : target.hostname,
    port: proxy && !tls ? Number(proxy.port) || 80 : portOf(target),
    tls,
    servername: target.hostname,
    tunnel,
    res,
  });
  const onAbort = () => res.destroy(abortError(opts.signal));
  if (opts.signal?.aborted) onAbort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  socket.once('close', () => opts.signal?.removeEventListener('abort', onAbort));
  // No byte for this long, connecting or streaming: a stalled server must not hang forever.
  socket.setTimeout(idleMs, () =>
    res.destroy(networkError('ETIMEDOUT', `no answer from ${target.host} for ${idleMs} ms`)),
  );
  socket.write(head);
  await res.ready;
  return res;
}

/** A CONNECT tunnel through an http:// proxy to the https target (node:http speaks CONNECT). */
function openTunnel(
  proxy: URL,
  target: URL,
  signal: AbortSignal | undefined,
  idleMs: number,
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const authority = `${target.hostname}:${portOf(target)}`;
    const connect = http.request({
      host: proxy.hostname,
      port: Number(proxy.port) || 80,
      method: 'CONNECT',
      path: authority,
      headers: { host: authority, ...proxyAuthorization(proxy) },
      signal,
    });
    connect.setTimeout(idleMs, () =>
      connect.destroy(networkError('ETIMEDOUT', `no answer from the proxy ${proxy.host}`)),
    );
    connect.on('connect', (res, socket: Socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        reject(
          networkError(
            'ECONNREFUSED',
            `the proxy ${proxy.host} refused the tunnel (${res.statusCode})`,
          ),
        );
        return;
      }
      socket.setTimeout(0); // the TLS socket on top gets its own idle limit
      resolve(socket);
    });
    connect.on('error', reject);
    connect.end();
  });
}

function proxyAuthorization(proxy: URL): Record<string, string> {
  if (!proxy.username) return {};
  const user = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { 'proxy-authorization': `Basic ${Buffer.from(user).toString('base64')}` };
}

function requestHead(target: string, headers: Record<string, string>): string {
  let head = `GET ${target} HTTP/1.1\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    // A value from a server (an ETag kept in the .part sidecar) must not smuggle in a header.
    if (/[\r\n]/.test(value) || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
      throw new DownloadError('http', `Refused to send the header ${name}: it is malformed.`);
    head += `${name}: ${value}\r\n`;
  }
  return `${head}\r\n`;
}

function portOf(url: URL): number {
  return Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
}

function networkError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

function abortError(signal?: AbortSignal): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) return reason;
  return Object.assign(new Error('The download was aborted'), { name: 'AbortError' });
}

/** Reads a small body (a checksum file) with a size cap. */
export function readSmallBody(res: HttpResponse, limit = 1 << 20): Promise<string> {
  const buf = Buffer.allocUnsafe(limit + 1);
  let size = 0;
  return new Promise((resolve, reject) => {
    res.pipe({
      space: () => buf.subarray(size),
      commit: (n) => {
        size += n;
        if (size <= limit) return true;
        res.destroy(
          new DownloadError(
            'http',
            `The checksum file is larger than ${limit} bytes; it is not one.`,
          ),
        );
        return false;
      },
      end: () => resolve(buf.toString('utf8', 0, size)),
      fail: reject,
    });
  });
}
