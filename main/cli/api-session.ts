import type { CallArgs, CallName, CallResult, EventName } from '../../preload/contract.js';
import { startCore } from '../core/app-core.js';
import { readOwner } from '../core/data-dir-lock.js';
import { GenosError } from '../core/errors.js';
import { OwnerClient } from './owner-client.js';

export type ApiSession = {
  call<K extends CallName>(call: K, args: CallArgs<K>): Promise<CallResult<K>>;
  onAny(listener: (event: EventName, payload: unknown) => void): () => void;
  close(): Promise<void>;
};

/**
 * The CLI's way to the core: through the owner's socket when the app or `genos serve` owns the
 * data dir (so two orchestrators never act on the same environments), else an in-process core
 * for the length of the command.
 */
export async function openApiSession(dataDir: string): Promise<ApiSession> {
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
      close: async () => client.close(),
    };
  }
  const core = await startCore({ dataDir, mode: 'cli', ownerSocket: false });
  return {
    async call(call, args) {
      const reply = await core.dispatch(call, args, { transport: 'in-process', trusted: true });
      if (reply.error) throw new GenosError(reply.error.code, reply.error.message);
      return reply.result as never;
    },
    onAny: (listener) => core.bus.onAny(listener),
    close: () => core.dispose(),
  };
}
