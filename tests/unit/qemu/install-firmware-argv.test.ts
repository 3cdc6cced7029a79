import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ResolvedBoot } from '../../../main/backends/qemu/env-disks.js';
import { ensureVars, uefiFor, varsPath } from '../../../main/backends/qemu/firmware.js';
import { driversIso, withInstallState } from '../../../main/backends/qemu/install.js';
import { buildQemuArgv } from '../../../main/backends/qemu/qemu-argv.js';
import { runtimePaths } from '../../../main/backends/qemu/runtime-paths.js';
import { startSwtpm, SWTPM_MISSING, swtpmArgv, tpmPaths } from '../../../main/backends/qemu/tpm.js';
import { GenosError } from '../../../main/core/errors.js';
import type { EnvironmentSpec } from '../../../preload/contract.js';
import { EnvironmentSpec as SpecSchema } from '../../../preload/contract.js';
import { fakeHost, fakeSpec, valuesOf } from './argv-fixtures.js';

const RUN = '/data/run/env1';
const ENV = '/data/qemu/env1';
const DISK = { path: `${ENV}/disk.qcow2`, format: 'qcow2' as const };
const isoBoot: ResolvedBoot = {
  boot: { kind: 'iso', iso: '/lib/win11.iso', disk: DISK },
  base: { path: '/lib/win11.iso', format: 'iso', virtualSize: 5e9 },
  catalog: null,
};
const uefi = { code: '/usr/share/OVMF/OVMF_CODE_4M.fd', vars: `${ENV}/OVMF_VARS.qcow2` };

function spec(over: Partial<EnvironmentSpec> = {}): EnvironmentSpec {
  return fakeSpec({
    os: { id: 'windows', version: '11' },
    image: { kind: 'library', imageId: 'win' },
    ...over,
  });
}

function build(s: EnvironmentSpec, boot: ResolvedBoot['boot'], extra = {}) {
  return buildQemuArgv({ spec: s, host: fakeHost(), boot, runtime: runtimePaths(RUN), ...extra });
}

const errorOf = async (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: unknown) => (e instanceof GenosError ? `${e.code}: ${e.message}` : String(e)),
  );

const tmpDirs: string[] = [];
afterEach(async () => {
  for (const d of tmpDirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
});
async function tmp(): Promise<string> {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), 'genos-fw-'));
  tmpDirs.push(d);
  return d;
}

describe('spec: firmware, tpm, installed, drivers', () => {
  it('keeps old specs valid and accepts the new optional fields', () => {
    const old = fakeSpec();
    expect(SpecSchema.parse(old).firmware).toBeUndefined();
    const s = SpecSchema.parse({
      ...old,
      firmware: 'uefi',
      secureBoot: true,
      tpm: true,
      installed: false,
      image: { kind: 'library', imageId: 'a', driversImageId: 'b' },
    });
    expect(s.firmware).toBe('uefi');
    expect(SpecSchema.safeParse({ ...old, firmware: 'coreboot' }).success).toBe(false);
    expect(SpecSchema.safeParse({ ...old, tpm: 'yes' }).success).toBe(false);
  });
});

describe('ISO install: boot order, then the disk alone', () => {
  it('boots the installer cdrom first (bootindex 0) and the blank disk second', () => {
    const r = withInstallState(spec(), isoBoot, null);
    const { argv } = build(spec(), r.boot);
    const devices = valuesOf(argv, '-device');
    expect(devices).toContain('ide-cd,bus=ide.1,drive=cd0,id=cd0-dev,bootindex=0');
    expect(devices).toContain('ide-hd,bus=ide.0,drive=disk0,id=disk0-dev,bootindex=1');
  });

  it('after finishInstall: no installer cdrom, the disk boots first', () => {
    const s = spec({ installed: true });
    const r = withInstallState(s, isoBoot, null);
    expect(r.boot).toEqual({ kind: 'disk', disk: DISK, drivers: null });
    const { argv } = build(s, r.boot);
    expect(argv.join(' ')).not.toContain('win11.iso');
    expect(valuesOf(argv, '-device').filter((d) => d.includes('ide-cd'))).toEqual([]);
    expect(valuesOf(argv, '-device')).toContain(
      'ide-hd,bus=ide.0,drive=disk0,id=disk0-dev,bootindex=1',
    );
  });

  it('attaches the drivers ISO as a second, never-booted cdrom (installing and installed)', () => {
    for (const s of [spec(), spec({ installed: true })]) {
      const r = withInstallState(s, isoBoot, '/lib/virtio-win.iso');
      const { argv, notes } = build(s, r.boot);
      expect(notes).toContain('Drivers: /lib/virtio-win.iso as a second cdrom (never booted).');
      expect(valuesOf(argv, '-blockdev')).toContain(
        'driver=raw,node-name=cd1,read-only=on,file.driver=file,file.filename=/lib/virtio-win.iso,file.read-only=on',
      );
      expect(valuesOf(argv, '-device')).toContain('ide-cd,bus=ide.3,drive=cd1,id=cd1-dev');
    }
  });

  it('resolves the drivers image from the library and refuses a non-ISO or unknown one', async () => {
    const lib = {
      d: { path: '/lib/virtio-win.iso', format: 'iso' as const, virtualSize: 1 },
      q: { path: '/lib/x.qcow2', format: 'qcow2' as const, virtualSize: 1 },
    };
    const lookup = (id: string) => lib[id as keyof typeof lib];
    const with_ = (id: string) =>
      spec({ image: { kind: 'library', imageId: 'win', driversImageId: id } });
    expect(await driversIso(with_('d'), lookup)).toBe('/lib/virtio-win.iso');
    expect(await driversIso(spec(), lookup)).toBeNull();
    expect(await errorOf(driversIso(with_('q'), lookup))).toMatch(/^BAD_ARGS: .*not an ISO/);
    expect(await errorOf(driversIso(with_('zz'), lookup))).toMatch(
      /^NOT_FOUND: .*not in the image library/,
    );
  });
});

describe('UEFI firmware', () => {
  it('puts OVMF on two pflash blockdev nodes: CODE read-only, the env VARS copy writable', () => {
    const s = spec({ firmware: 'uefi' });
    const { argv, notes } = build(s, isoBoot.boot, { uefi: { ...uefi, secureBoot: false } });
    expect(valuesOf(argv, '-machine')).toEqual(['q35,pflash0=ovmf-code,pflash1=ovmf-vars']);
    const nodes = valuesOf(argv, '-blockdev');
    expect(nodes).toContain(
      'driver=raw,node-name=ovmf-code,read-only=on,file.driver=file,file.filename=/usr/share/OVMF/OVMF_CODE_4M.fd,file.read-only=on',
    );
    expect(nodes).toContain(
      `driver=qcow2,node-name=ovmf-vars,file.driver=file,file.filename=${ENV}/OVMF_VARS.qcow2`,
    );
    expect(argv).not.toContain('-global');
    expect(notes.join(' ')).toMatch(/Firmware: UEFI/);
  });

  it('Secure Boot: SMM on and the flash marked secure', () => {
    const { argv } = build(spec({ firmware: 'uefi', secureBoot: true }), isoBoot.boot, {
      uefi: { ...uefi, secureBoot: true },
    });
    expect(valuesOf(argv, '-machine')).toEqual(['q35,pflash0=ovmf-code,pflash1=ovmf-vars,smm=on']);
    expect(valuesOf(argv, '-global')).toEqual(['driver=cfi.pflash01,property=secure,value=on']);
  });

  it('finds ovmf, makes the env qcow2 VARS once and keeps the guest-written copy', async () => {
    const fw = await tmp();
    await fs.writeFile(path.join(fw, 'OVMF_CODE_4M.fd'), 'code');
    await fs.writeFile(path.join(fw, 'OVMF_VARS_4M.fd'), 'template');
    const envDir = path.join(await tmp(), 'env');
    const s = spec({ firmware: 'uefi' });
    expect(await uefiFor(s, envDir, [fw])).toEqual({
      code: path.join(fw, 'OVMF_CODE_4M.fd'),
      vars: varsPath(envDir),
      secureBoot: false,
    });
    const calls: string[][] = [];
    // A fake qemu-img: the real conversion runs in tests/integration/qemu-install-firmware.test.ts.
    const runner = async (args: string[]) => {
      calls.push(args);
      await fs.writeFile(args.at(-1)!, `qcow2 of ${await fs.readFile(args.at(-2)!, 'utf8')}`);
      return { code: 0, stdout: '', stderr: '', signal: null, timedOut: false };
    };
    await ensureVars(s, envDir, { dirs: [fw], runner });
    expect(calls).toEqual([
      [
        'convert',
        '-q',
        '-f',
        'raw',
        '-O',
        'qcow2',
        path.join(fw, 'OVMF_VARS_4M.fd'),
        `${varsPath(envDir)}.partial`,
      ],
    ]);
    expect(await fs.readFile(varsPath(envDir), 'utf8')).toBe('qcow2 of template');
    expect((await fs.stat(varsPath(envDir))).mode & 0o777).toBe(0o600);
    await fs.writeFile(varsPath(envDir), 'guest nvram');
    await ensureVars(s, envDir, { dirs: [fw], runner });
    expect(calls).toHaveLength(1);
    expect(await fs.readFile(varsPath(envDir), 'utf8')).toBe('guest nvram');
    expect(await uefiFor(spec(), envDir, [fw])).toBeNull();
  });

  it('says to install ovmf when it is absent, and refuses Secure Boot without UEFI', async () => {
    const empty = await tmp();
    expect(await errorOf(uefiFor(spec({ firmware: 'uefi' }), '/x', [empty]))).toMatch(
      /^NOT_FOUND: .*sudo apt-get install ovmf/,
    );
    expect(await errorOf(uefiFor(spec({ secureBoot: true }), '/x', [empty]))).toMatch(
      /^BAD_ARGS: Secure Boot needs UEFI/,
    );
  });
});

describe('TPM 2.0 (swtpm)', () => {
  it('adds the emulator chardev, tpmdev and a tpm-crb device', () => {
    const p = tpmPaths(RUN, ENV);
    const { argv, notes } = build(spec({ tpm: true }), isoBoot.boot, { tpmSocket: p.socket });
    expect(valuesOf(argv, '-chardev')).toContain(`socket,id=chrtpm,path=${RUN}/swtpm.sock`);
    expect(valuesOf(argv, '-tpmdev')).toEqual(['emulator,id=tpm0,chardev=chrtpm']);
    expect(valuesOf(argv, '-device')).toContain('tpm-crb,tpmdev=tpm0');
    expect(notes.join(' ')).toMatch(/TPM 2.0: swtpm/);
    expect(build(spec(), isoBoot.boot).argv).not.toContain('-tpmdev');
  });

  it('runs swtpm with its socket in the runtime dir and its state in the env dir', () => {
    const argv = swtpmArgv(tpmPaths(RUN, ENV));
    expect(argv.slice(0, 2)).toEqual(['socket', '--tpm2']);
    expect(valuesOf(argv, '--tpmstate')).toEqual([`dir=${ENV}/tpm,mode=0600`]);
    expect(valuesOf(argv, '--ctrl')).toEqual([`type=unixio,path=${RUN}/swtpm.sock,mode=0600`]);
    expect(argv).toContain('--terminate');
  });

  it('says to install swtpm when it is not on PATH', async () => {
    const dir = await tmp();
    const p = tpmPaths(path.join(dir, 'run'), path.join(dir, 'env'));
    expect(await errorOf(startSwtpm(p, { env: { PATH: '/nonexistent' } }))).toBe(
      `UNAVAILABLE: ${SWTPM_MISSING}`,
    );
    expect(SWTPM_MISSING).toMatch(/sudo apt-get install swtpm swtpm-tools/);
  });

  it('refuses a path swtpm would split at a comma', () => {
    expect(() => swtpmArgv(tpmPaths('/data/run,x/e', ENV))).toThrow(/free of commas/);
  });
});
