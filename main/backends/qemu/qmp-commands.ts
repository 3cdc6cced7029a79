import fs from 'node:fs/promises';
import { GenosError } from '../../core/errors.js';
import { QmpError, type QmpClient } from './qmp-client.js';

/**
 * The VM controls GenOS needs, as typed helpers over a QmpClient. Each says in its error what the
 * user can do, because these messages reach the UI unchanged.
 */

/** qemu's RunState names, the ones GenOS acts on plus a catch-all. */
export type VmRunState =
  | 'running'
  | 'paused'
  | 'prelaunch'
  | 'shutdown'
  | 'suspended'
  | 'internal-error'
  | 'io-error'
  | 'guest-panicked'
  | 'save-vm'
  | 'restore-vm'
  | 'finish-migrate'
  | 'inmigrate'
  | (string & {});

export async function queryStatus(q: QmpClient): Promise<{ status: VmRunState; running: boolean }> {
  return q.execute<{ status: VmRunState; running: boolean }>('query-status');
}

export const pause = (q: QmpClient) => q.execute('stop').then(() => undefined);
export const resume = (q: QmpClient) => q.execute('cont').then(() => undefined);
export const reset = (q: QmpClient) => q.execute('system_reset').then(() => undefined);
/** Presses the ACPI power button; the guest decides whether to shut down. */
export const powerdown = (q: QmpClient) => q.execute('system_powerdown').then(() => undefined);

/** Asks qemu to exit now; resolves when qemu acknowledged (it closes the socket right after). */
export async function quit(q: QmpClient): Promise<void> {
  try {
    await q.execute('quit', undefined, { timeoutMs: 5_000 });
  } catch (e) {
    // qemu can close the socket before its reply gets through; that still means it is going.
    if (!(e instanceof GenosError && /closed/.test(e.message))) throw e;
  }
}

/**
 * A PNG of the screen. qemu writes the file itself (it needs a path it can open), so the caller
 * passes a scratch path in the VM's 0700 runtime dir; it is removed after reading.
 */
export async function screendump(q: QmpClient, scratchPath: string): Promise<Buffer> {
  try {
    await q.execute('screendump', { filename: scratchPath, format: 'png' });
    return await fs.readFile(scratchPath);
  } catch (e) {
    if (e instanceof QmpError) {
      throw new GenosError(
        'UNSUPPORTED',
        `qemu could not take a screenshot (${e.desc}): a headless VM has no screen.`,
      );
    }
    throw e;
  } finally {
    await fs.rm(scratchPath, { force: true });
  }
}

export type BalloonInfo = { actualBytes: number };

function noBalloon(e: unknown): never {
  if (e instanceof QmpError && /balloon/i.test(e.desc)) {
    throw new GenosError(
      'UNSUPPORTED',
      'This VM has no memory balloon (it is added for guests with virtio drivers only).',
    );
  }
  throw e;
}

export async function queryBalloon(q: QmpClient): Promise<BalloonInfo> {
  const r = await q.execute<{ actual: number }>('query-balloon').catch(noBalloon);
  return { actualBytes: r.actual };
}

/** Asks the guest's balloon driver to give memory back until the VM has `bytes`. */
export async function setBalloon(q: QmpClient, bytes: number): Promise<void> {
  await q.execute('balloon', { value: bytes }).catch(noBalloon);
}

export type VncInfo = {
  enabled: boolean;
  family?: string;
  host?: string;
  service?: string;
  clients?: unknown[];
};

export const queryVnc = (q: QmpClient) => q.execute<VncInfo>('query-vnc');

/**
 * Runs an HMP command through QMP and returns its text. HMP reports failure as text inside a
 * successful reply, so callers judge the text (see snapshots.ts for savevm/loadvm/delvm).
 */
export async function hmp(q: QmpClient, commandLine: string, timeoutMs?: number): Promise<string> {
  const out = await q.execute<string>(
    'human-monitor-command',
    { 'command-line': commandLine },
    timeoutMs === undefined ? {} : { timeoutMs },
  );
  return out;
}

export type BlockStats = { rdBytes: number; wrBytes: number };

/** Bytes read and written by the guest's disks since the VM started. */
export async function blockStats(q: QmpClient): Promise<BlockStats> {
  const list =
    await q.execute<Array<{ stats?: { rd_bytes?: number; wr_bytes?: number } }>>(
      'query-blockstats',
    );
  let rdBytes = 0;
  let wrBytes = 0;
  for (const b of list) {
    rdBytes += b.stats?.rd_bytes ?? 0;
    wrBytes += b.stats?.wr_bytes ?? 0;
  }
  return { rdBytes, wrBytes };
}
