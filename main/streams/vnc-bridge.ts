import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { DEFAULT_TOKEN_TTL_MS, OneTimeTokens } from './one-time-tokens.js';
import { pipeWebSocket } from './ws-pipe.js';

/**
 * The display bridge: a WebSocket endpoint (noServer: attached to whichever HTTP server serves the
 * UI) that pipes binary frames to a VM's VNC unix socket, websockify-style, so noVNC connects to
 * it as to any websockify. The VM's VNC server never listens on TCP; the only way in is a one-time
 * token from issueDisplayToken() (what openDisplay hands the renderer), spent on first use.
 */

export type DisplayTarget = { envId: string; socketPath: string };

export type VncBridgeOptions = {
  /** URL path the endpoint answers on (default /display). */
  path?: string;
  tokenTtlMs?: number;
  /** Checked before the token; e.g. the serve page's own origin only. Default: any origin. */
  allowOrigin?: (origin: string | undefined) => boolean;
  /** How long to wait for the VM's socket before answering 502. */
  connectTimeoutMs?: number;
  now?: () => number;
};

export type DisplayToken = { token: string; expiresAt: number; path: string };

/** Subprotocol that carries the token when the client prefers not to put it in the URL. */
export const TOKEN_PROTOCOL_PREFIX = 'genos.display.';

const STATUS_TEXT: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  502: 'Bad Gateway',
};

function refuse(socket: Duplex, status: number, message: string): void {
  const body = `${message}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nConnection: close\r\n` +
      `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  socket.destroy();
}

function offeredProtocols(req: IncomingMessage): string[] {
  const h = req.headers['sec-websocket-protocol'];
  return (h ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function connectUnix(socketPath: string, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.createConnection(socketPath);
    const t = setTimeout(() => {
      s.destroy();
      reject(new Error(`timed out connecting to ${socketPath}`));
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(t);
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', (e) => {
      clearTimeout(t);
      reject(e);
    });
  });
}

export class VncBridge {
  readonly path: string;
  private readonly tokens: OneTimeTokens<DisplayTarget>;
  private readonly wss: WebSocketServer;
  private readonly sessions = new Map<WebSocket, DisplayTarget>();

  constructor(private readonly opts: VncBridgeOptions = {}) {
    this.path = opts.path ?? '/display';
    this.tokens = new OneTimeTokens(opts.tokenTtlMs ?? DEFAULT_TOKEN_TTL_MS, opts.now);
    this.wss = new WebSocketServer({
      noServer: true,
      // VNC encodings are already compact; deflate would only add latency and CPU.
      perMessageDeflate: false,
      // Client -> VM traffic is key and pointer events: small.
      maxPayload: 1024 * 1024,
      // noVNC asks for "binary" (older versions) or nothing; a token subprotocol is echoed back
      // because a browser fails the handshake when it offered protocols and none was chosen.
      handleProtocols: (protocols) => {
        if (protocols.has('binary')) return 'binary';
        for (const p of protocols) if (p.startsWith(TOKEN_PROTOCOL_PREFIX)) return p;
        return false;
      },
    });
  }

  /** A token for one connection to the VM's display; `path` is what the client opens. */
  issueDisplayToken(envId: string, socketPath: string): DisplayToken {
    const { token, expiresAt } = this.tokens.issue({ envId, socketPath });
    return { token, expiresAt, path: `${this.path}?token=${encodeURIComponent(token)}` };
  }

  /**
   * For the HTTP server's 'upgrade' event: returns false when the request is not for this
   * endpoint (the server routes it elsewhere), else handles it, accepting or refusing.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== this.path) return false;
    void this.accept(req, socket, head, url).catch(() => socket.destroy());
    return true;
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Ends the display sessions and unspent tokens of one environment (it stopped). */
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
    url: URL,
  ): Promise<void> {
    if (this.opts.allowOrigin && !this.opts.allowOrigin(req.headers.origin)) {
      return refuse(socket, 403, 'This origin may not open a display.');
    }
    const fromProtocol = offeredProtocols(req)
      .find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX))
      ?.slice(TOKEN_PROTOCOL_PREFIX.length);
    const token = url.searchParams.get('token') ?? fromProtocol;
    if (!token) return refuse(socket, 401, 'A display token is required: ask openDisplay for one.');
    const r = this.tokens.redeem(token);
    if (!r.ok) {
      return refuse(
        socket,
        403,
        r.why === 'expired'
          ? 'The display token expired: ask openDisplay for a new one.'
          : 'The display token is unknown or already used: ask openDisplay for a new one.',
      );
    }
    let vnc: net.Socket;
    try {
      vnc = await connectUnix(r.value.socketPath, this.opts.connectTimeoutMs ?? 3_000);
    } catch {
      // No socket path or errno in the reply: the client needs only to know it is not there.
      return refuse(socket, 502, "The VM's display is not available: is the VM running?");
    }
    if (socket.destroyed) {
      vnc.destroy();
      return;
    }
    vnc.setNoDelay?.(true);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.sessions.set(ws, r.value);
      ws.once('close', () => this.sessions.delete(ws));
      pipeWebSocket(ws, vnc);
    });
  }
}
