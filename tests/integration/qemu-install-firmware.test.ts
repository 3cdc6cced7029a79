import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnvRef } from '../../main/backends/backend.js';
import { varsPath } from '../../main/backends/qemu/firmware.js';
import { INSTALLER_DEVICE } from '../../main/backends/qemu/install.js';
import { isRunning } from '../../main/backends/qemu/proc-info.js';
import { QemuBackend } from '../../main/backends/qemu/qemu-backend.js';
import { envDirFor } from '../../main/backends/qemu/runtime-paths.js';
import { runningSwtpm, tpmPaths } from '../../main/backends/qemu/tpm.js';
import type { EnvironmentSpec, HostInfo } from '../../preload/contract.js';
import { backendAvailable } from '../helpers/backends.js';
import { ensureTestGuest, type TestGuest } from '../helpers/test-guest.js';
import { fakeSpec } from '../unit/qemu/argv-fixtures.js';
import { killAllUnder, readUntil, shortDataDir, tcgHost } from '../helpers/vm-test-env.js';

/**
 * ISO installs, UEFI and the TPM against real qemu under TCG: the test guest's hybrid ISO boots
 * from the installer cdrom to its ready marker; ejecting it leaves the drive empty (query-block)
 * and an installed environment's next argv has no installer at all. A UEFI VM runs OVMF (its
 * shell banner on the serial console, both pflash nodes in query-block) and writes its own VARS
 * copy. A VM with a TPM has a tpm-crb (query-tpm), and its swtpm ends with the VM.
 */

const noop = () => undefined;
const signal = new AbortController().signal;
// Skipped without them, except under GENOS_REQUIRE_BACKENDS=1, where that is a failure.
const hasOvmf = backendAvailable('ovmf');
const hasSwtpm = backendAvailable('swtpm');

/** The NVRAM's bytes as the guest sees them (the env's copy is a qcow2). */
async function nvram(file: string, tmpDir: string): Promise<Buffer> {
  const out = path.join(tmpDir, 'vars.raw');
  execFileSync('qemu-img', ['convert', '-U', '-f', 'qcow2', '-O', 'raw', file, out]);
  return fs.readFile(out);
}

type BlockInfo = { device: string; qdev?: string; inserted?: { 'node-name'?: string } };

describe.skipIf(!backendAvailable('qemu') || !backendAvailable('qemu-img'))(
  'ISO install, UEFI and TPM (real qemu, TCG)',
  () => {
    let guest: TestGuest;
    let host: HostInfo;
    let dataDir: string;
    let backend: QemuBackend;

    const ref = (id: string, over: Partial<EnvironmentSpec>): EnvRef => ({
      id,
      spec: fakeSpec({
        name: id,
        resources: { cpus: 1, memoryMiB: 256, diskGiB: 1 },
        image: { kind: 'library', imageId: 'guest-iso' },
        ...over,
      }),
      handles: {},
    });

    async function argvOf(env: EnvRef): Promise<string[]> {
      const plan = await backend.plan(env, host);
      if (plan.backend !== 'qemu') throw new Error('not a qemu plan');
      return plan.argv;
    }

    async function qmpOf(env: EnvRef) {
      const inst = await backend.instances.require(env.id);
      return inst.control();
    }

    beforeAll(async () => {
      guest = await ensureTestGuest();
      host = await tcgHost();
      dataDir = await shortDataDir('inst');
      const iso = guest.iso;
      backend = new QemuBackend({
        dataDir,
        lookupImage: (id) =>
          id === 'guest-iso' && iso ? { path: iso, format: 'iso', virtualSize: 1 } : undefined,
      });
    }, 300_000);

    afterAll(async () => {
      await backend?.detachAll();
      if (dataDir) await killAllUnder(dataDir);
    });

    it('boots the installer ISO, ejects it, then plans the disk alone', async (ctx) => {
      if (!guest.iso) ctx.skip(); // built without genisoimage
      const env = ref('isoenv', {});
      await backend.create(env, host, noop, signal);
      await backend.start(env, host, noop, signal);
      const con = await backend.openConsole(env);
      try {
        await readUntil(con.stream, guest.readyMarker, 60_000);
      } finally {
        con.close();
      }
      expect((await argvOf(env)).join(' ')).toContain(guest.iso);
      const q = await qmpOf(env);
      const cd = () =>
        q
          .execute<BlockInfo[]>('query-block')
          .then((b) => b.find((x) => x.qdev?.includes(INSTALLER_DEVICE)));
      expect((await cd())?.inserted?.['node-name']).toBe('cd0');

      expect(await backend.ejectInstaller(env)).toBe(true);
      expect((await cd())?.inserted).toBeUndefined();
      await backend.kill(env);
      expect(await backend.ejectInstaller(env)).toBe(false);

      const installed = { ...env, spec: { ...env.spec, installed: true } };
      const next = await argvOf(installed);
      expect(next.join(' ')).not.toContain(guest.iso);
      expect(next.filter((a) => a.startsWith('ide-cd'))).toEqual([]);
      expect(next.join(' ')).toMatch(/drive=disk0,id=disk0-dev,bootindex=1/);
      // The blank disk boots nothing, but qemu starts on it and it is the only block device.
      await backend.start(installed, host, noop, signal);
      const blocks = await (await qmpOf(installed)).execute<BlockInfo[]>('query-block');
      expect(blocks.map((b) => b.inserted?.['node-name']).filter(Boolean)).toEqual(['disk0']);
      await backend.kill(installed);
    }, 120_000);

    it.skipIf(!hasOvmf)(
      'runs OVMF from pflash with a per-env qcow2 VARS that the firmware writes and savevm keeps',
      async () => {
        const env = ref('uefienv', { firmware: 'uefi' });
        await backend.create(env, host, noop, signal);
        const vars = varsPath(envDirFor(dataDir, env.id));
        const template = await fs.readFile('/usr/share/OVMF/OVMF_VARS_4M.fd');
        expect(Buffer.compare(await nvram(vars, dataDir), template)).toBe(0);
        await backend.start(env, host, noop, signal);
        const con = await backend.openConsole(env);
        try {
          // The BIOS-only ISO is not UEFI-bootable, so OVMF's boot manager ends in its shell.
          await readUntil(con.stream, 'UEFI Interactive Shell', 60_000);
        } finally {
          con.close();
        }
        const blocks = await (await qmpOf(env)).execute<BlockInfo[]>('query-block');
        const nodes = blocks.map((b) => b.inserted?.['node-name']);
        expect(nodes).toEqual(expect.arrayContaining(['ovmf-code', 'ovmf-vars']));
        const hmp = await (
          await qmpOf(env)
        ).execute<string>('human-monitor-command', { 'command-line': 'info block' });
        expect(hmp).toMatch(/ovmf-code.*read-only/s);
        // A qcow2 NVRAM can hold its part of an internal snapshot (a raw one makes savevm fail).
        const snap = await backend.snapshot(env, 'fw1', 'live');
        expect(snap).toMatchObject({ name: 'fw1', kind: 'live' });
        await backend.kill(env);
        // The boot manager recorded its boot options in this VM's own NVRAM.
        expect(Buffer.compare(await nvram(vars, dataDir), template)).not.toBe(0);
      },
      120_000,
    );

    it.skipIf(!hasOvmf || !hasSwtpm)(
      'a Windows 11 shaped VM: Secure Boot enforced by OVMF, a TPM, AHCI and e1000',
      async () => {
        const env = ref('win11', {
          os: { id: 'windows', version: '11' },
          firmware: 'uefi',
          secureBoot: true,
          tpm: true,
          network: { mode: 'isolated', ports: [] },
        });
        const argv = await argvOf(env);
        expect(argv).toContain('q35,pflash0=ovmf-code,pflash1=ovmf-vars,smm=on');
        expect(argv.join(' ')).toMatch(/OVMF_CODE_4M\.ms\.fd/);
        expect(argv.join(' ')).toMatch(/model=e1000/);
        expect(argv).toContain('ide-hd,bus=ide.0,drive=disk0,id=disk0-dev,bootindex=1');
        await backend.create(env, host, noop, signal);
        await backend.start(env, host, noop, signal);
        const con = await backend.openConsole(env);
        try {
          // Microsoft's keys are enrolled: the unsigned built-in shell is refused.
          await readUntil(con.stream, 'Security Violation', 60_000);
        } finally {
          con.close();
        }
        const tpms = await (await qmpOf(env)).execute<Array<{ model: string }>>('query-tpm');
        expect(tpms.map((t) => t.model)).toEqual(['tpm-crb']);
        await backend.kill(env);
      },
      120_000,
    );

    it.skipIf(!hasSwtpm)(
      'gives the VM a TPM 2.0 through swtpm, which ends with the VM',
      async () => {
        const env = ref('tpmenv', { tpm: true, image: { kind: 'library', imageId: 'guest-iso' } });
        await backend.create(env, host, noop, signal);
        await backend.start(env, host, noop, signal);
        const p = tpmPaths(path.join(dataDir, 'run', env.id), envDirFor(dataDir, env.id));
        const pid = await runningSwtpm(p);
        expect(pid).not.toBeNull();
        const tpms = await (
          await qmpOf(env)
        ).execute<Array<{ id: string; model: string; options: { type: string } }>>('query-tpm');
        expect(tpms).toEqual([
          expect.objectContaining({ id: 'tpm0', model: 'tpm-crb', options: expect.anything() }),
        ]);
        expect(tpms[0]?.options.type).toBe('emulator');
        // Killed, not stopped: swtpm must notice qemu's end by itself (--terminate).
        const inst = await backend.instances.require(env.id);
        process.kill(inst.pid, 'SIGKILL');
        const deadline = Date.now() + 10_000;
        while ((await isRunning(pid!)) && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 50));
        }
        expect(await isRunning(pid!)).toBe(false);
        expect((await fs.readdir(p.stateDir)).length).toBeGreaterThan(0);

        // Started again on the kept TPM state, then stopped the normal way: swtpm goes too.
        await backend.start(env, host, noop, signal);
        const again = await runningSwtpm(p);
        expect(again).not.toBeNull();
        expect(again).not.toBe(pid);
        await backend.stop(env, 10_000);
        expect(await isRunning(again!)).toBe(false);
        expect(await runningSwtpm(p)).toBeNull();
      },
      120_000,
    );
  },
);
