import fs from 'node:fs/promises';
import path from 'node:path';
import { findOnPath } from './path-lookup.js';

/**
 * Optional VM extras: UEFI firmware (Debian's ovmf) and a software TPM (swtpm). A VM without
 * them still runs with SeaBIOS and no TPM; Windows 11 needs both.
 */

/** Where Debian/Ubuntu (OVMF) and Fedora-style layouts (ovmf) put the x86_64 UEFI firmware. */
export const OVMF_DIRS = ['/usr/share/OVMF', '/usr/share/ovmf'];
export const OVMF_CODE = 'OVMF_CODE_4M.fd';

export type VmExtras = { ovmf: boolean; swtpm: boolean };

export async function probeVmExtras(env: NodeJS.ProcessEnv): Promise<VmExtras> {
  const present = await Promise.all(
    OVMF_DIRS.map((d) =>
      fs.stat(path.join(d, OVMF_CODE)).then(
        (s) => s.isFile(),
        () => false,
      ),
    ),
  );
  return { ovmf: present.includes(true), swtpm: (await findOnPath('swtpm', env)) !== null };
}
