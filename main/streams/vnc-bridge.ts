import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import { DEFAULT_TOKEN_TTL_MS, OneTimeTokens } from './one-time-tokens.js';
import { TicketBridge, type Opened, type Refusals } from './ticket-bridge.js';
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

function offeredProtocols(req: IncomingMessage): string[] {
  const h = req.headers['sec-websocket-protocol'];
  return (h ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function connectUnix(socketPath: string, timeoutMs: number): Promise<net.Socket> {
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

/** A VM's display socket (VNC or SPICE), piped to the WebSocket as it is. */
export async function openDisplaySocket(socketPath: string, timeoutMs = 3_000): Promise<Opened> {
  const display = await connectUnix(socketPath, timeoutMs);
  display.setNoDelay?.(true);
  return { stream: display, join: (ws) => pipeWebSocket(ws, display) };
}

/**
 * The display bridges' refusals. None names the socket path or errno: the client needs only to
 * know the display is not there.
 */
export function displayRefusals(
  display: 'display' | 'SPICE display',
  spent: 'already used' | 'used up',
): Refusals {
  return {
    origin: 'This origin may not open a display.',
    noToken: 'A display token is required: ask openDisplay for one.',
    badToken: (why) =>
      why === 'expired'
        ? 'The display token expired: ask openDisplay for a new one.'
        : `The display token is unknown or ${spent}: ask openDisplay for a new one.`,
    unavailable: () => `The VM's ${display} is not available: is the VM running?`,
  };
}

export class VncBridge extends TicketBridge<DisplayTarget> {
  constructor(private readonly opts: VncBridgeOptions = {}) {
    super({
      path: opts.path ?? '/display',
      // One connection per token: a VNC client opens one.
      tickets: new OneTimeTokens(opts.tokenTtlMs ?? DEFAULT_TOKEN_TTL_MS, opts.now),
      originAllowed: (origin) => !opts.allowOrigin || opts.allowOrigin(origin),
      refusals: displayRefusals('display', 'already used'),
      ws: {
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
      },
    });
  }

  /** A token for one connection to the VM's display; `path` is what the client opens. */
  issueDisplayToken(envId: string, socketPath: string): DisplayToken {
    return this.issueWithPath({ envId, socketPath });
  }

  /** Ends the display sessions and unspent tokens of one environment (it stopped). */
  closeEnv(envId: string): void {
    this.endEnv(envId, 'VM stopped');
  }

  protected override tokenOf(req: IncomingMessage, url: URL): string | null | undefined {
    const fromProtocol = offeredProtocols(req)
      .find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX))
      ?.slice(TOKEN_PROTOCOL_PREFIX.length);
    return url.searchParams.get('token') ?? fromProtocol;
  }

  protected open({ socketPath }: DisplayTarget): Promise<Opened> {
    return openDisplaySocket(socketPath, this.opts.connectTimeoutMs);
  }
}
