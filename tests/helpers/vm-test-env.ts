import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { readInstanceRecord } from '../../main/backends/qemu/instance-record.js';
import { isRunning, readCmdline } from '../../main/backends/qemu/proc-info.js';
import { runtimePaths } from '../../main/backends/qemu/runtime-paths.js';
import { findOnPath } from '../../main/host/path-lookup.js';
import type { EnvironmentSpec, HostInfo } from '../../preload/contract.js';
import type { TestGuest } from './test-guest.js';
import { fakeHost, fakeSpec } from '../unit/qemu/argv-fixtures.js';

/**
 * Shared by the qemu integration tests (and the benchmarks): a short data dir (unix socket paths
 * are limited to 107 bytes), a spec that boots the test guest's kernel, a TCG host, and a cleanup
 * that SIGKILLs every qemu the test started, found by the runtime dirs under its data dir.
 */

export async function shortDataDir(tag: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), `gq-${tag}-`));
}

export async function tcgHost(): Promise<HostInfo> {
  const host = fakeHost('tcg');
  const qemu = await findOnPath('qemu-system-x86_64', process.env);
  if (qemu) host.qemu.systems = [{ arch: 'x86_64', path: qemu, version: 'test' }];
  return host;
}

export function guestSpec(
  guest: TestGuest,
  over: Partial<EnvironmentSpec> = {},
  extraCmdline = '',
): EnvironmentSpec {
  return fakeSpec({
    resources: { cpus: 1, memoryMiB: 128, diskGiB: 1 },
    image: {
      kind: 'kernel',
      kernel: guest.kernel,
      initrd: guest.initrd,
      cmdline: `${guest.cmdline} ${extraCmdline}`.trim(),
    },
    ...over,
  });
}

/**
 * Kills (SIGKILL) every qemu still running from `<dataDir>/run/*`, then removes the data dir. The
 * pids come from instance.json and qemu's pidfile, and each is killed only if its command line
 * names that runtime dir, so a test that corrupted instance.json still cleans up.
 */
export async function killAllUnder(dataDir: string, remove = true): Promise<number[]> {
  const runRoot = path.join(dataDir, 'run');
  const killed: number[] = [];
  for (const envId of await fs.readdir(runRoot).catch(() => [] as string[])) {
    const p = runtimePaths(path.join(runRoot, envId));
    const rec = await readInstanceRecord(p);
    const fromPidfile = Number((await fs.readFile(p.pidfile, 'utf8').catch(() => '')).trim());
    for (const pid of new Set([rec?.pid ?? 0, fromPidfile])) {
      if (!Number.isInteger(pid) || pid <= 1 || !(await isRunning(pid))) continue;
      const cmd = await readCmdline(pid);
      if (!cmd?.some((a) => a.includes(p.dir))) continue;
      try {
        process.kill(pid, 'SIGKILL');
        killed.push(pid);
      } catch {
        // gone meanwhile
      }
    }
  }
  if (remove) await fs.rm(dataDir, { recursive: true, force: true });
  return killed;
}

/** Reads a stream until `pattern` shows up in what it sent since the call; returns that text. */
export function readUntil(
  stream: Readable,
  pattern: RegExp | string,
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const done = (fn: () => void) => {
      clearTimeout(t);
      stream.off('data', onData);
      fn();
    };
    const onData = (d: Buffer) => {
      seen += d.toString('latin1');
      const hit = typeof pattern === 'string' ? seen.includes(pattern) : pattern.test(seen);
      if (hit) done(() => resolve(seen));
    };
    const t = setTimeout(
      () =>
        done(() =>
          reject(new Error(`timed out waiting for ${String(pattern)}; got: ${seen.slice(-400)}`)),
        ),
      timeoutMs,
    );
    stream.on('data', onData);
  });
}

/** Sends a shell command on the console and resolves with the output up to `expect`. */
export async function shell(
  stream: NodeJS.ReadWriteStream & Readable,
  command: string,
  expect: RegExp | string,
  timeoutMs = 10_000,
): Promise<string> {
  const p = readUntil(stream, expect, timeoutMs);
  stream.write(`${command}\n`);
  return p;
}
