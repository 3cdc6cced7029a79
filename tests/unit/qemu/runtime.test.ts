import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bootSourceFor } from '../../../main/backends/qemu/env-disks.js';
import {
  ensureRuntimeDir,
  logHeader,
  qemuLogTail,
  readInstanceRecord,
  recognise,
  writeInstanceRecord,
  type InstanceRecord,
} from '../../../main/backends/qemu/instance-record.js';
import { assertPortsFree } from '../../../main/backends/qemu/port-check.js';
import { readProcStat } from '../../../main/backends/qemu/proc-info.js';
import { describeEnd, deadStatus } from '../../../main/backends/qemu/qemu-instance.js';
import { launchQemu } from '../../../main/backends/qemu/qemu-launch.js';
import { runtimePaths, type RuntimePaths } from '../../../main/backends/qemu/runtime-paths.js';
import { fakeSpec } from './argv-fixtures.js';

let dir: string;
let paths: RuntimePaths;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gq-rt-'));
  paths = runtimePaths(path.join(dir, 'run', 'env1'));
});
afterEach(() => fs.rm(dir, { recursive: true, force: true }));

describe('runtime dir', () => {
  it('is created 0700 and refused when it is a symlink', async () => {
    await ensureRuntimeDir(paths.dir);
    expect((await fs.stat(paths.dir)).mode & 0o777).toBe(0o700);
    const link = path.join(dir, 'run', 'env2');
    await fs.symlink(os.tmpdir(), link);
    await expect(ensureRuntimeDir(link)).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});

describe('recognising our qemu after a restart', () => {
  it('accepts the recorded process, rejects a reused pid and a dead one', async () => {
    await ensureRuntimeDir(paths.dir);
    // A stand-in "qemu": a process whose argv carries the runtime dir's QMP socket path.
    const child = spawn(
      process.execPath,
      ['-e', 'setInterval(()=>{},1e3)', `path=${paths.qmp},server=on`],
      {
        stdio: 'ignore',
      },
    );
    try {
      await new Promise((r) => child.once('spawn', r));
      const st = await readProcStat(child.pid!);
      const rec: InstanceRecord = {
        version: 1,
        envId: 'env1',
        pid: child.pid!,
        startTicks: st!.startTicks,
        binary: process.execPath,
        argv: [],
        startedAt: new Date().toISOString(),
      };
      await writeInstanceRecord(paths, rec);
      expect(await readInstanceRecord(paths)).toEqual(rec);
      expect(await recognise(rec, paths)).toEqual({ alive: true });
      expect(await recognise({ ...rec, startTicks: rec.startTicks + 1 }, paths)).toEqual({
        alive: false,
        why: 'reused',
      });
      expect(await recognise({ ...rec, pid: process.pid, startTicks: 0 }, paths)).toMatchObject({
        alive: false,
      });
      const other = runtimePaths(path.join(dir, 'run', 'other'));
      expect(await recognise(rec, other)).toEqual({ alive: false, why: 'reused' });
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    const rec = (await readInstanceRecord(paths))!;
    await new Promise((r) => setTimeout(r, 50));
    expect(await recognise(rec, paths)).toEqual({ alive: false, why: 'gone' });
    expect(await deadStatus(paths)).toMatchObject({
      state: 'stopped',
      reason: expect.stringMatching(/no longer running.*unknown/),
    });
  });

  it('reads a missing or malformed record as none', async () => {
    expect(await readInstanceRecord(paths)).toBeNull();
    expect(await deadStatus(paths)).toEqual({
      state: 'missing',
      reason: 'This VM has not been started yet.',
    });
    await ensureRuntimeDir(paths.dir);
    await fs.writeFile(paths.instance, '{"version":1,"pid":1}');
    expect(await readInstanceRecord(paths)).toBeNull();
  });
});

describe('reasons', () => {
  it("quotes qemu's log of the current run only", async () => {
    await ensureRuntimeDir(paths.dir);
    await fs.writeFile(
      paths.qemuLog,
      `${logHeader('run 1')}old problem\n${logHeader('run 2')}warning: a\nfatal: b\n`,
    );
    expect(await qemuLogTail(paths)).toBe('warning: a | fatal: b');
  });

  it('says who ended the VM and how', () => {
    const base = { at: '', code: null, signal: null, shutdownReason: null, by: null };
    expect(describeEnd({ ...base, shutdownReason: 'guest-shutdown', code: 0 }, 1, '')).toBe(
      'the guest powered itself off; qemu exited with status 0',
    );
    expect(describeEnd({ ...base, signal: 'SIGKILL' }, 1, 'x')).toBe(
      "qemu was killed by SIGKILL; qemu's last words: x",
    );
    expect(describeEnd({ ...base, by: 'kill', signal: 'SIGKILL' }, 1, '')).toMatch(
      /^ended by kill/,
    );
    expect(describeEnd(null, 42, '')).toMatch(/pid 42.*exit status is unknown/);
  });
});

describe('host port check', () => {
  it('names every taken port, and refuses a port forwarded twice', async () => {
    const a = net.createServer();
    await new Promise<void>((r) => a.listen(0, '127.0.0.1', () => r()));
    const taken = (a.address() as net.AddressInfo).port;
    try {
      await expect(
        assertPortsFree([
          { host: taken, guest: 22, protocol: 'tcp' },
          { host: taken, guest: 53, protocol: 'udp' }, // udp on the same number is free
        ]),
      ).rejects.toMatchObject({
        code: 'CONFLICT',
        message: expect.stringContaining(`${taken}/tcp`),
      });
      await expect(
        assertPortsFree([
          { host: 40000, guest: 1, protocol: 'tcp' },
          { host: 40000, guest: 2, protocol: 'tcp' },
        ]),
      ).rejects.toMatchObject({ code: 'BAD_ARGS' });
      await expect(assertPortsFree([])).resolves.toBeUndefined();
    } finally {
      a.close();
    }
  });
});

describe('launchQemu with stand-in binaries', () => {
  async function fakeQemu(body: string): Promise<string> {
    const file = path.join(dir, `qemu-${Math.random().toString(36).slice(2)}`);
    await fs.writeFile(file, `#!${process.execPath}\n${body}\n`, { mode: 0o755 });
    return file;
  }

  it("reports qemu's last stderr lines when it exits before QMP is up", async () => {
    const bin = await fakeQemu(`console.error('qemu: could not load kernel /x'); process.exit(1);`);
    await expect(launchQemu({ envId: 'env1', binary: bin, argv: [], paths })).rejects.toMatchObject(
      {
        code: 'UNAVAILABLE',
        message: 'qemu exited with status 1 before the VM was up: qemu: could not load kernel /x.',
      },
    );
  });

  it('reports a binary that cannot run', async () => {
    await expect(
      launchQemu({ envId: 'env1', binary: path.join(dir, 'nope'), argv: [], paths }),
    ).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('ENOENT') });
  });

  it('kills what it started when the start is cancelled', async () => {
    const bin = await fakeQemu(`setInterval(() => {}, 1000);`); // never opens QMP
    const ac = new AbortController();
    const p = launchQemu({ envId: 'env1', binary: bin, argv: [], paths, signal: ac.signal });
    await new Promise((r) => setTimeout(r, 200));
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'CANCELLED' });
    const rec = (await readInstanceRecord(paths))!;
    await new Promise((r) => setTimeout(r, 100));
    expect(await readProcStat(rec.pid).then((s) => s === null || s.state === 'Z')).toBe(true);
  });
});

describe('boot source from the spec', () => {
  const envDir = '/data/qemu/e1';

  it('maps kernel, library disk, library ISO and catalog images; refuses container images', async () => {
    const k = await bootSourceFor(
      fakeSpec({ image: { kind: 'kernel', kernel: '/k', initrd: null, cmdline: 'x' } }),
      envDir,
      undefined,
    );
    expect(k.boot).toEqual({
      kind: 'kernel',
      kernel: '/k',
      initrd: null,
      cmdline: 'x',
      disk: null,
      stateDisk: '/data/qemu/e1/vmstate.qcow2',
    });
    const lookup = (id: string) =>
      id === 'iso'
        ? { path: '/lib/i.iso', format: 'iso' as const, virtualSize: 1 }
        : id === 'img'
          ? { path: '/lib/d.vmdk', format: 'vmdk' as const, virtualSize: 1 }
          : undefined;
    const d = await bootSourceFor(
      fakeSpec({ image: { kind: 'library', imageId: 'img' } }),
      envDir,
      lookup,
    );
    expect(d.boot).toEqual({
      kind: 'disk',
      disk: { path: '/data/qemu/e1/disk.qcow2', format: 'qcow2' },
    });
    const i = await bootSourceFor(
      fakeSpec({ image: { kind: 'library', imageId: 'iso' } }),
      envDir,
      lookup,
    );
    expect(i.boot).toMatchObject({ kind: 'iso', iso: '/lib/i.iso' });
    await expect(
      bootSourceFor(fakeSpec({ image: { kind: 'library', imageId: 'x' } }), envDir, lookup),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // The catalog's cloud image: an overlay and a seed on the cache's base, resolved without
    // downloading anything (the plan stays a pure function).
    const c = await bootSourceFor(
      fakeSpec({ os: { id: 'debian', version: '12' } }),
      envDir,
      lookup,
      {
        dataDir: envDir,
      },
    );
    expect(c.boot).toMatchObject({
      kind: 'disk',
      disk: { path: path.join(envDir, 'disk.qcow2'), format: 'qcow2' },
      seed: path.join(envDir, 'seed.iso'),
    });
    expect(c.catalog).not.toBeNull();
    await expect(
      bootSourceFor(fakeSpec({ os: { id: 'no-such-os', version: null } }), envDir, lookup, {
        dataDir: envDir,
      }),
    ).rejects.toMatchObject({ code: expect.stringMatching(/NOT_FOUND|UNSUPPORTED/) });
    await expect(
      bootSourceFor(
        fakeSpec({ image: { kind: 'container-image', ref: 'alpine' } }),
        envDir,
        lookup,
      ),
    ).rejects.toMatchObject({ code: 'BAD_ARGS' });
  });
});
