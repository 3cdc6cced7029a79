import { DEFAULT_TOKEN_TTL_MS } from './one-time-tokens.js';
import { TicketBridge, type Opened } from './ticket-bridge.js';
import { displayRefusals, openDisplaySocket, type DisplayTarget } from './vnc-bridge.js';
import { WindowedTokens } from './windowed-tokens.js';

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

export class SpiceBridge extends TicketBridge<DisplayTarget> {
  constructor(private readonly opts: SpiceBridgeOptions = {}) {
    super({
      path: opts.path ?? '/spice',
      tickets: new WindowedTokens({
        ttlMs: opts.tokenTtlMs ?? DEFAULT_TOKEN_TTL_MS,
        windowMs: opts.windowMs ?? SPICE_WINDOW_MS,
        maxUses: opts.maxConnections ?? SPICE_MAX_CONNECTIONS,
        now: opts.now,
      }),
      originAllowed: (origin) => !opts.allowOrigin || opts.allowOrigin(origin),
      refusals: displayRefusals('SPICE display', 'used up'),
      ws: {
        // SPICE compresses images itself (QUIC, LZ, GLZ, JPEG); deflate would add latency only.
        perMessageDeflate: false,
        // Client -> VM traffic is input, acks and agent messages (clipboard, file chunks of 2 KiB).
        maxPayload: 1024 * 1024,
        // spice-html5 offers "binary"; a browser fails the handshake if none is chosen.
        handleProtocols: (protocols) => (protocols.has('binary') ? 'binary' : false),
      },
    });
  }

  /** A token for the channels of one SPICE session to one VM; `path` is what the client opens. */
  issueSpiceToken(envId: string, socketPath: string): SpiceToken {
    return this.issueWithPath({ envId, socketPath });
  }

  /** Ends the SPICE channels and unspent tokens of one environment (it stopped). */
  closeEnv(envId: string): void {
    this.endEnv(envId, 'VM stopped');
  }

  protected open({ socketPath }: DisplayTarget): Promise<Opened> {
    return openDisplaySocket(socketPath, this.opts.connectTimeoutMs);
  }
}
