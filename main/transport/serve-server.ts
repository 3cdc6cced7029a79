import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { Core } from '../core/app-core.js';
import { attachWsApi, sameSecret } from './ws-api.js';
import { createStaticHandler } from './static-files.js';
import { listen } from './listen.js';
import { UPLOAD_PATH, createUploadHandler } from './upload.js';

export type ServeOptions = {
  host: string;
  port: number;
  /** The built renderer (out/renderer); null serves the API only. */
  rendererDir: string | null;
  token?: string;
};

export type ServeHandle = { url: string; port: number; token: string; close(): Promise<void> };

export const API_PATH = '/api';
export const METRICS_PATH = '/metrics';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || host.startsWith('127.');
}

function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/**
 * `genos serve`: the built UI and the contract on one port. The token guards the API; the Host
 * check keeps a DNS-rebinding page from reaching a loopback server under a foreign name.
 */
export async function startServeServer(core: Core, opts: ServeOptions): Promise<ServeHandle> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const allowedHosts = new Set<string>();
  const hostAllowed = (host: string | undefined) =>
    !isLoopback(opts.host) || allowedHosts.has(host ?? '');
  const staticFiles = opts.rendererDir ? createStaticHandler(opts.rendererDir) : null;
  const upload = createUploadHandler({
    dataDir: core.dataDir,
    // The page sends the token as a Bearer header; a browser Origin must be the page's own.
    authorized: (req) => {
      const origin = req.headers.origin;
      if (origin !== undefined && origin !== `http://${req.headers.host}`) return false;
      const auth = req.headers.authorization ?? '';
      return auth.startsWith('Bearer ') && sameSecret(auth.slice(7), token);
    },
  });

  const server = http.createServer((req, res) => {
    if (!hostAllowed(req.headers.host)) {
      res.writeHead(421, { 'Content-Type': 'text/plain' }).end('Unknown Host header.');
      return;
    }
    const pathname = new URL(req.url ?? '/', 'http://placeholder').pathname;
    if (pathname === METRICS_PATH) {
      // Prometheus scrapes with the same token, as a Bearer header.
      const auth = req.headers.authorization ?? '';
      if (!auth.startsWith('Bearer ') || !sameSecret(auth.slice(7), token)) {
        res.writeHead(401, { 'Content-Type': 'text/plain' }).end('A valid token is required.\n');
        return;
      }
      res
        .writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' })
        .end(core.metrics.prometheus());
      return;
    }
    if (pathname === UPLOAD_PATH) {
      void upload(req, res);
      return;
    }
    if (!staticFiles) {
      res
        .writeHead(404, { 'Content-Type': 'text/plain' })
        .end('The UI is not built: run npm run build.');
      return;
    }
    staticFiles(req, res);
  });
  // Every socket, upgraded ones included: server.close() waits for all of them, and an open
  // terminal or display WebSocket would otherwise keep a stopping server alive.
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.headersTimeout = 10_000;
  // No cap on a whole request: an ISO upload takes minutes. A stalled one is caught per socket
  // by the idle timeout instead.
  server.requestTimeout = 0;
  server.timeout = 60_000;

  const api = attachWsApi(server, {
    otherEndpoints: core.streams.endpoints,
    dispatch: core.dispatch,
    bus: core.bus,
    path: API_PATH,
    transport: 'websocket',
    token,
    // Same origin as the page, under a Host name we answer to (a rebinding page's Origin matches
    // its own Host, so the Host check is what stops it).
    originAllowed: (origin, req) =>
      hostAllowed(req.headers.host) && origin === `http://${req.headers.host}`,
  });

  await listen(server, { host: opts.host, port: opts.port });
  const port = (server.address() as AddressInfo).port;
  const names = isLoopback(opts.host)
    ? ['127.0.0.1', 'localhost', '[::1]', urlHost(opts.host)]
    : [urlHost(opts.host)];
  for (const name of names) allowedHosts.add(`${name}:${port}`);
  // Display and terminal bridges: the page's own origin, or a non-browser client (token still needed).
  const pageOrigins = new Set([...allowedHosts].map((h) => `http://${h}`));
  core.streams.mount('', (origin) => origin === undefined || pageOrigins.has(origin));

  return {
    url: `http://${urlHost(opts.host)}:${port}/#token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        api.close();
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
