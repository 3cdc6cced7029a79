import type { Readable } from 'node:stream';
import { WebSocket, createWebSocketStream } from 'ws';
import type { CallArgs, CallName, CallResult, EventName } from '../../preload/contract.js';
import { startCore } from '../core/app-core.js';
import { readOwner } from '../core/data-dir-lock.js';
import { GenosError } from '../core/errors.js';
import { OwnerClient } from './owner-client.js';

/** The log ticket's path on the owner's unix socket; the socket is 0600, the token one-time. */
function openOwnerLog(socketPath: string, ticket: { url: string; token: string }) {
  const path = new URL(ticket.url, 'http://owner').pathname;
  const ws = new WebSocket(
    `ws+unix://${socketPath}:${path}?token=${encodeURIComponent(ticket.token)}`,
  );
  return new Promise<Readable>((resolve, reject) => {
    ws.once('open', () => resolve(createWebSocketStream(ws)));
    ws.once('unexpected-response', (req, res) => {
      // With this listener ws leaves the refused request to us: end it, or it holds the process.
      req.destroy();
      reject(new GenosError('UNAVAILABLE', `The log stream was refused (HTTP ${res.statusCode}).`));
    });
    ws.once('error', reject);
  });
}

export type ApiSession = {
  call<K extends CallName>(call: K, args: CallArgs<K>): Promise<CallResult<K>>;
  onAny(listener: (event: EventName, payload: unknown) => void): () => void;
  /** The byte stream behind a log ticket (openLogStream): through the owner, or in-process. */
  openLog(ticket: { url: string; token: string }): Promise<Readable>;
  close(): Promise<void>;
};

/**
 * The CLI's way to the core: through the owner's socket when the app or `genos serve` owns the
 * data dir (so two orchestrators never act on the same environments), else an in-process core
 * for the length of the command.
 */
export async function openApiSession(
  dataDir: string,
  opts: { follow?: boolean } = {},
): Promise<ApiSession> {
  const owner = readOwner(dataDir);
  if (owner) {
    if (!owner.socketPath) {
      throw new GenosError(
        'UNAVAILABLE',
        `genos ${owner.mode} (pid ${owner.pid}) owns ${dataDir} but offers no socket; run this command from that app.`,
      );
    }
    const client = await OwnerClient.connect(owner.socketPath);
    return {
      call: (c, a) => client.call(c, a),
      onAny: (l) => client.onAny(l),
      openLog: (ticket) => openOwnerLog(owner.socketPath as string, ticket),
      close: async () => client.close(),
    };
  }
  const core = await startCore({ dataDir, mode: 'cli', ownerSocket: false, follow: opts.follow });
  return {
    async call(call, args) {
      const reply = await core.dispatch(call, args, { transport: 'in-process', trusted: true });
      if (reply.error) throw new GenosError(reply.error.code, reply.error.message);
      return reply.result as never;
    },
    onAny: (listener) => core.bus.onAny(listener),
    openLog: (ticket) => core.streams.logs.redeem(ticket.token),
    close: () => core.dispose(),
  };
}
