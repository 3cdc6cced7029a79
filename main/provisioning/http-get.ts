import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { DownloadError } from './download-errors.js';

/**
 * One GET with redirects (at most 5, and only to http/https: a server must not be able to point
 * GenOS at file:// or anything else) and an optional HTTP proxy (absolute-URI requests for
 * http://, a CONNECT tunnel for https://). Returns the response of the last hop, unread.
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

export type GetResponse = { res: http.IncomingMessage; url: string };

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

function requestOnce(target: URL, opts: GetOptions): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const headers = { 'user-agent': 'GenOS', ...opts.headers };
    const onReq = (req: http.ClientRequest) => {
      req.setTimeout(opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS, () => {
        req.destroy(
          Object.assign(new Error(`no answer from ${target.host}`), { code: 'ETIMEDOUT' }),
        );
      });
      req.on('response', (res) => {
        // The same idle limit while the body streams: a stalled server must not hang forever.
        res.socket.setTimeout(opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS);
        resolve(res);
      });
      req.on('error', reject);
      req.end();
    };
    const proxy = opts.proxy ? new URL(opts.proxy) : null;
    if (!proxy) {
      const mod = target.protocol === 'https:' ? https : http;
      onReq(mod.request(target, { headers, signal: opts.signal }));
      return;
    }
    const proxyAuth = proxy.username
      ? {
          'proxy-authorization': `Basic ${Buffer.from(
            `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`,
          ).toString('base64')}`,
        }
      : {};
    const proxyPort = Number(proxy.port) || 80;
    if (target.protocol === 'http:') {
      onReq(
        http.request({
          host: proxy.hostname,
          port: proxyPort,
          path: target.href,
          headers: { ...headers, host: target.host, ...proxyAuth },
          signal: opts.signal,
        }),
      );
      return;
    }
    const port = Number(target.port) || 443;
    const connect = http.request({
      host: proxy.hostname,
      port: proxyPort,
      method: 'CONNECT',
      path: `${target.hostname}:${port}`,
      headers: { host: `${target.hostname}:${port}`, ...proxyAuth },
      signal: opts.signal,
    });
    connect.on('connect', (res, socket: Duplex) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        reject(
          Object.assign(
            new Error(`the proxy ${proxy.host} refused the tunnel (${res.statusCode})`),
            {
              code: 'ECONNREFUSED',
            },
          ),
        );
        return;
      }
      onReq(
        https.request(target, {
          headers,
          signal: opts.signal,
          agent: false,
          createConnection: () => tls.connect({ socket, servername: target.hostname }),
        }),
      );
    });
    connect.on('error', reject);
    connect.end();
  });
}

/** Reads a small body (a checksum file) with a size cap. */
export async function readSmallBody(res: http.IncomingMessage, limit = 1 << 20): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of res as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > limit) {
      res.destroy();
      throw new DownloadError(
        'http',
        `The checksum file is larger than ${limit} bytes; it is not one.`,
      );
    }
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}
