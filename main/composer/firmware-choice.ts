/**
 * Firmware for a VM spec: what the OS needs (Windows 11: UEFI with Secure Boot and a TPM 2.0;
 * other Windows: UEFI), or what the prompt asks for ("uefi", "secure boot", "tpm").
 */
import type { EnvironmentSpec } from '../../preload/spec.js';
import type { System } from './finalize-system.js';

type Firmware = Pick<EnvironmentSpec, 'firmware' | 'secureBoot' | 'tpm'>;

const SECURE_BOOT = /\bsecure[\s-]*boot\b/i;
const UEFI = /\b(uefi|efi|ovmf)\b/i;
const TPM = /\btpm\s*2?(\.0)?\b/i;

export function chooseFirmware(prompt: string, system: System): Firmware {
  if (system.backend !== 'qemu') return {};
  const win11 = system.osId === 'windows' && system.version === '11';
  const secureBoot = win11 || SECURE_BOOT.test(prompt);
  const uefi = secureBoot || system.osId === 'windows' || UEFI.test(prompt);
  const tpm = win11 || TPM.test(prompt);
  return {
    ...(uefi ? { firmware: 'uefi' as const } : {}),
    ...(secureBoot ? { secureBoot: true } : {}),
    ...(tpm ? { tpm: true } : {}),
  };
}
