import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * A loopback-only HTTP server that exists for WebSocket upgrades to the stream bridges (display,
 * console). The Electron app has no HTTP server of its own, so it starts this one; `genos serve`
 * attaches the same bridges to its server instead. Everything that is not an upgrade for a
 * bridge gets 404, and a Host header other than the loopback address is refused (DNS rebinding).
 */

export type UpgradeHandler = {
  handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): boolean;
};

export type StreamServer = { host: string; port: number; origin: string; close(): Promise<void> };

export async function startStreamServer(
  bridges: UpgradeHandler[],
  opts: { host?: string; port?: number } = {},
): Promise<StreamServer> {
  const host = opts.host ?? '127.0.0.1';
  const server = http.createServer((_req, res) => {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  let port = 0;
  const hostOk = (h: string | undefined) => h === `${host}:${port}` || h === `localhost:${port}`;
  server.on('upgrade', (req, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (!hostOk(req.headers.host)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    for (const b of bridges) if (b.handleUpgrade(req, socket, head)) return;
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: opts.port ?? 0 }, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    host,
    port,
    origin: `ws://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
