import { execFileSync } from 'node:child_process';
import type { EnvRef } from '../../main/backends/backend.js';
import { QemuBackend } from '../../main/backends/qemu/qemu-backend.js';
import {
  startStreamServer,
  type StreamServer,
  type UpgradeHandler,
} from '../../main/streams/stream-server.js';
import { ensureTestGuest } from './test-guest.js';
import { guestSpec, killAllUnder, readUntil, shortDataDir, tcgHost } from './vm-test-env.js';

/**
 * For the display bridge tests: the test guest with a display ('gui', env id "gui") under TCG,
 * booted until its serial console shows the ready marker, and then a stream server carrying the
 * bridge under test. `stop` closes the bridge and the server, kills qemu and removes the data dir.
 */
export type DisplayVm<B> = {
  dataDir: string;
  backend: QemuBackend;
  env: EnvRef;
  pid: number;
  bridge: B;
  server: StreamServer;
  stop(): Promise<void>;
};

export async function startDisplayVm<B extends UpgradeHandler & { close(): void }>(
  tag: string,
  readyTimeoutMs: number,
  makeBridge: () => B,
): Promise<DisplayVm<B>> {
  const guest = await ensureTestGuest();
  const dataDir = await shortDataDir(tag);
  const backend = new QemuBackend({ dataDir });
  const env: EnvRef = { id: 'gui', spec: guestSpec(guest, { display: 'gui' }), handles: {} };
  let bridge: B | undefined;
  let server: StreamServer | undefined;
  const stop = async () => {
    bridge?.close();
    await server?.close();
    await backend.detachAll();
    await killAllUnder(dataDir);
  };
  try {
    const host = await tcgHost();
    const started = await backend.start(env, host, () => undefined, new AbortController().signal);
    const con = await backend.openConsole(env);
    await readUntil(con.stream, guest.readyMarker, readyTimeoutMs);
    con.close();
    bridge = makeBridge();
    server = await startStreamServer([bridge]);
    return { dataDir, backend, env, pid: started.pid as number, bridge, server, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The lines of `ss` that name `pid`: its listening TCP sockets and its listening unix sockets. */
export function listeningSocketsOf(pid: number): { tcp: string[]; unix: string[] } {
  const mine = (args: string[]) =>
    execFileSync('ss', ['-H', ...args], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.includes(`pid=${pid},`));
  return { tcp: mine(['-ltnp']), unix: mine(['-lxp']) };
}
