/**
 * Firmware for a VM spec: what the OS needs (Windows 11: UEFI with Secure Boot and a TPM 2.0;
 * other Windows: UEFI), or what the prompt asks for ("uefi", "secure boot", "tpm"). The
 * explanation names the words behind each choice, so Compose's chips can show them.
 */
import type { EnvironmentSpec } from '../../preload/spec.js';
import type { Explainer } from './explain.js';
import type { System } from './finalize-system.js';

type Firmware = Pick<EnvironmentSpec, 'firmware' | 'secureBoot' | 'tpm'>;

const SECURE_BOOT = /\bsecure[\s-]*boot\b/i;
const UEFI = /\b(uefi|efi|ovmf)\b/i;
const TPM = /\btpm\s*2?(\.0)?\b/i;

/** Why a choice was made: the prompt's own words, else the OS's. */
type Reason = { words: string[]; note?: string } | null;

function said(prompt: string, pattern: RegExp): Reason {
  const match = pattern.exec(prompt);
  return match ? { words: [match[0].trim()] } : null;
}

function osWords(ex: Explainer): string[] {
  return (['os.id', 'os.version'] as const).flatMap((path) => {
    const words = ex.entries[path]?.words;
    return Array.isArray(words) ? words : [];
  });
}

export function chooseFirmware(prompt: string, system: System, ex: Explainer): Firmware {
  if (system.backend !== 'qemu') {
    for (const path of ['firmware', 'secureBoot', 'tpm'] as const)
      ex.byDefault(path, 'applies to VMs only');
    return {};
  }
  const windows = system.osId === 'windows';
  const win11 = windows && system.version === '11';
  const byOs = (what: string): Reason => ({
    words: osWords(ex),
    note: `${win11 ? 'Windows 11' : 'Windows'} needs ${what}`,
  });
  const secureBoot = said(prompt, SECURE_BOOT) ?? (win11 ? byOs('Secure Boot') : null);
  const uefi =
    said(prompt, UEFI) ??
    (windows
      ? byOs('UEFI')
      : secureBoot
        ? { ...secureBoot, note: 'Secure Boot needs UEFI' }
        : null);
  const tpm = said(prompt, TPM) ?? (win11 ? byOs('a TPM 2.0') : null);
  explain(ex, 'firmware', uefi, 'SeaBIOS, as most VMs use');
  explain(ex, 'secureBoot', secureBoot, 'off');
  explain(ex, 'tpm', tpm, 'no TPM');
  return {
    ...(uefi ? { firmware: 'uefi' as const } : {}),
    ...(secureBoot ? { secureBoot: true } : {}),
    ...(tpm ? { tpm: true } : {}),
  };
}

function explain(
  ex: Explainer,
  path: 'firmware' | 'secureBoot' | 'tpm',
  reason: Reason,
  byDefault: string,
): void {
  if (!reason) ex.byDefault(path, byDefault);
  else if (reason.words.length === 0) ex.byDefault(path, reason.note);
  else ex.fromWords(path, reason.words, reason.note);
}
