import fs from 'node:fs/promises';
import path from 'node:path';
import type { EnvironmentSpec } from '../../../preload/contract.js';
import { GenosError } from '../../core/errors.js';
import {
  DATA_LIMITS,
  defaultRunner,
  runFailure,
  type QemuImgRunner,
} from '../../images/qemu-img.js';
import { OVMF_CODE, OVMF_DIRS } from '../../host/vm-extras-probe.js';

/**
 * UEFI for x86_64 VMs from Debian's ovmf package: the read-only CODE image shared by every VM,
 * and a per-environment copy of the VARS template (the NVRAM: boot entries, Secure Boot keys),
 * which the guest writes and which must survive restarts, so it lives in the env dir. The copy is
 * a qcow2 (as libvirt's qcow2 NVRAM): savevm needs every writable node to hold a snapshot, and a
 * raw VARS would make live snapshots of UEFI VMs impossible.
 */

export type UefiFiles = { code: string; vars: string; secureBoot: boolean };

// 4M builds first (what current Debian/Ubuntu ship); .ms = Secure Boot with Microsoft's keys,
// which Windows 11 and signed shim loaders expect.
const PLAIN = { code: OVMF_CODE, vars: 'OVMF_VARS_4M.fd' };
const SECURE = { code: 'OVMF_CODE_4M.ms.fd', vars: 'OVMF_VARS_4M.ms.fd' };

export const OVMF_MISSING =
  'UEFI firmware (ovmf) is not installed: install it (sudo apt-get install ovmf) or set the ' +
  'firmware to "bios".';

export const varsPath = (envDir: string) => path.join(envDir, 'OVMF_VARS.qcow2');

const isFile = (p: string) =>
  fs.stat(p).then(
    (s) => s.isFile(),
    () => false,
  );

/** Where ovmf's CODE/VARS pair is on this host, or null (the host probe reports it missing). */
export async function findOvmf(
  secureBoot: boolean,
  dirs: readonly string[] = OVMF_DIRS,
): Promise<{ code: string; varsTemplate: string } | null> {
  const names = secureBoot ? SECURE : PLAIN;
  for (const dir of dirs) {
    const code = path.join(dir, names.code);
    const vars = path.join(dir, names.vars);
    if ((await isFile(code)) && (await isFile(vars))) return { code, varsTemplate: vars };
  }
  return null;
}

export function wantsUefi(spec: EnvironmentSpec): boolean {
  if (spec.secureBoot && spec.firmware !== 'uefi') {
    throw new GenosError(
      'BAD_ARGS',
      'Secure Boot needs UEFI firmware: set firmware to "uefi", or turn Secure Boot off.',
    );
  }
  return spec.firmware === 'uefi';
}

/**
 * The UEFI files for a plan (paths only; nothing is written, so a dry run shows them). Throws
 * NOT_FOUND with what to install when ovmf is absent.
 */
export async function uefiFor(
  spec: EnvironmentSpec,
  envDir: string,
  dirs?: readonly string[],
): Promise<UefiFiles | null> {
  if (!wantsUefi(spec)) return null;
  const secureBoot = spec.secureBoot === true;
  const found = await findOvmf(secureBoot, dirs);
  if (!found) throw new GenosError('NOT_FOUND', OVMF_MISSING);
  return { code: found.code, vars: varsPath(envDir), secureBoot };
}

/** Copies the VARS template once; an existing copy holds the guest's NVRAM and is kept. */
export async function ensureVars(
  spec: EnvironmentSpec,
  envDir: string,
  opts: { dirs?: readonly string[]; runner?: QemuImgRunner } = {},
): Promise<void> {
  const uefi = await uefiFor(spec, envDir, opts.dirs);
  if (!uefi || (await isFile(uefi.vars))) return;
  const found = await findOvmf(uefi.secureBoot, opts.dirs);
  if (!found) throw new GenosError('NOT_FOUND', OVMF_MISSING);
  await fs.mkdir(envDir, { recursive: true, mode: 0o700 });
  // Made beside and renamed: a crash never leaves a half-written NVRAM that looks complete.
  const tmp = `${uefi.vars}.partial`;
  const args = ['convert', '-q', '-f', 'raw', '-O', 'qcow2', found.varsTemplate, tmp];
  const res = await (opts.runner ?? defaultRunner)(args, {
    limits: DATA_LIMITS,
    timeoutMs: 60_000,
  });
  if (res.code !== 0) {
    await fs.rm(tmp, { force: true });
    throw runFailure(res, 'convert', found.varsTemplate, DATA_LIMITS);
  }
  await fs.chmod(tmp, 0o600);
  await fs.rename(tmp, uefi.vars);
}
