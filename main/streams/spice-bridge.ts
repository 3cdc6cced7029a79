import type { IncomingMessage } from 'node:http';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { DEFAULT_TOKEN_TTL_MS } from './one-time-tokens.js';
import { connectUnix, type DisplayTarget } from './vnc-bridge.js';
import { WindowedTokens } from './windowed-tokens.js';
import { pipeWebSocket } from './ws-pipe.js';

/**
 * The SPICE display bridge: like the VNC bridge, a noServer WebSocket endpoint that pipes binary
 * frames to a VM's SPICE unix socket (qemu never listens on TCP). A SPICE client opens one
 * connection per channel (main, display, inputs, cursor, ...) on the same URL, each linking to
 * the session the main channel started, so the token from issueSpiceToken() opens a few
 * connections to one environment for a short window after its first use (windowed-tokens.ts).
 */

export type SpiceBridgeOptions = {
  /** URL path the endpoint answers on (default /spice). */
  path?: string;
  /** How long an unused token lives. */
  tokenTtlMs?: number;
  /** How long after its first connection a token opens more channels. */
  windowMs?: number;
  /** Connections per token: spice-html5 opens main, display, inputs, cursor (+ playback, ports). */
  maxConnections?: number;
  allowOrigin?: (origin: string | undefined) => boolean;
  connectTimeoutMs?: number;
  now?: () => number;
};

export type SpiceToken = { token: string; expiresAt: number; path: string };

export const SPICE_WINDOW_MS = 30_000;
export const SPICE_MAX_CONNECTIONS = 8;

const STATUS_TEXT = { 401: 'Unauthorized', 403: 'Forbidden', 502: 'Bad Gateway' } as const;

function refuse(socket: Duplex, status: keyof typeof STATUS_TEXT, message: string): void {
  const body = `${message}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nConnection: close\r\n` +
      `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  socket.destroy();
}

export class SpiceBridge {
  readonly path: string;
  private readonly tokens: WindowedTokens<DisplayTarget>;
  private readonly wss: WebSocketServer;
  private readonly sessions = new Map<WebSocket, DisplayTarget>();

  constructor(private readonly opts: SpiceBridgeOptions = {}) {
    this.path = opts.path ?? '/spice';
    this.tokens = new WindowedTokens({
      ttlMs: opts.tokenTtlMs ?? DEFAULT_TOKEN_TTL_MS,
      windowMs: opts.windowMs ?? SPICE_WINDOW_MS,
      maxUses: opts.maxConnections ?? SPICE_MAX_CONNECTIONS,
      now: opts.now,
    });
    this.wss = new WebSocketServer({
      noServer: true,
      // SPICE compresses images itself (QUIC, LZ, GLZ, JPEG); deflate would add latency only.
      perMessageDeflate: false,
      // Client -> VM traffic is input, acks and agent messages (clipboard, file chunks of 2 KiB).
      maxPayload: 1024 * 1024,
      // spice-html5 offers "binary"; a browser fails the handshake if none is chosen.
      handleProtocols: (protocols) => (protocols.has('binary') ? 'binary' : false),
    });
  }

  /** A token for the channels of one SPICE session to one VM; `path` is what the client opens. */
  issueSpiceToken(envId: string, socketPath: string): SpiceToken {
    const { token, expiresAt } = this.tokens.issue({ envId, socketPath });
    return { token, expiresAt, path: `${this.path}?token=${encodeURIComponent(token)}` };
  }

  /** For the HTTP server's 'upgrade' event: false when the request is for another endpoint. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== this.path) return false;
    void this.accept(req, socket, head, url.searchParams.get('token')).catch(() =>
      socket.destroy(),
    );
    return true;
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Ends the SPICE channels and unspent tokens of one environment (it stopped). */
  closeEnv(envId: string): void {
    this.tokens.revoke((t) => t.envId === envId);
    for (const [ws, t] of this.sessions) if (t.envId === envId) ws.close(1001, 'VM stopped');
  }

  close(): void {
    this.tokens.revoke(() => true);
    for (const ws of this.sessions.keys()) ws.terminate();
    this.wss.close();
  }

  private async accept(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    token: string | null,
  ): Promise<void> {
    if (this.opts.allowOrigin && !this.opts.allowOrigin(req.headers.origin)) {
      return refuse(socket, 403, 'This origin may not open a display.');
    }
    if (!token) {
      return refuse(socket, 401, 'A display token is required: ask openDisplay for one.');
    }
    const r = this.tokens.redeem(token);
    if (!r.ok) {
      return refuse(
        socket,
        403,
        r.why === 'expired'
          ? 'The display token expired: ask openDisplay for a new one.'
          : 'The display token is unknown or used up: ask openDisplay for a new one.',
      );
    }
    let spice: net.Socket;
    try {
      spice = await connectUnix(r.value.socketPath, this.opts.connectTimeoutMs ?? 3_000);
    } catch {
      // No socket path or errno in the reply: the client needs only to know it is not there.
      return refuse(socket, 502, "The VM's SPICE display is not available: is the VM running?");
    }
    if (socket.destroyed) {
      spice.destroy();
      return;
    }
    spice.setNoDelay?.(true);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.sessions.set(ws, r.value);
      ws.once('close', () => this.sessions.delete(ws));
      pipeWebSocket(ws, spice);
    });
  }
}
