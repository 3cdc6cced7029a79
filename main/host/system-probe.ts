import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { HostInfo } from '../../preload/contract.js';

export type SystemInfo = Pick<HostInfo, 'os' | 'cpu' | 'memory' | 'disk'>;

const MiB = 1024 * 1024;

function toMiB(bytes: number | bigint): number {
  return Math.floor(Number(bytes) / MiB);
}

/**
 * The data dir may not exist before first use; its nearest existing ancestor is on the file
 * system it will be created on, so that is where free space is measured.
 */
export async function nearestExistingDir(target: string): Promise<string> {
  let dir = path.resolve(target);
  for (;;) {
    const isDir = await fs.stat(dir).then(
      (st) => st.isDirectory(),
      () => false,
    );
    if (isDir) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return dir;
    dir = parent;
  }
}

export async function probeDisk(dataDir: string): Promise<HostInfo['disk']> {
  try {
    const st = await fs.statfs(await nearestExistingDir(dataDir));
    // bavail, not bfree: blocks reserved for root are not ours to use.
    return {
      path: path.resolve(dataDir),
      totalMiB: toMiB(st.blocks * st.bsize),
      freeMiB: toMiB(st.bavail * st.bsize),
    };
  } catch {
    return null;
  }
}

export async function probeSystem(dataDir: string): Promise<SystemInfo> {
  const cpus = os.cpus();
  return {
    os: { platform: os.platform(), release: os.release(), arch: os.arch() },
    // os.cpus() is empty in some containers and on some ARM kernels; availableParallelism is not.
    cpu: {
      count: cpus.length || os.availableParallelism(),
      model: cpus[0]?.model.trim() || 'unknown',
    },
    memory: { totalMiB: toMiB(os.totalmem()), freeMiB: toMiB(os.freemem()) },
    disk: await probeDisk(dataDir),
  };
}
