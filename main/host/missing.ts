import type { HostInfo } from '../../preload/contract.js';
import type { EngineProbe } from './engine-probe.js';
import { QEMU_NOT_INSTALLED, type Finding } from './kvm-verdict.js';
import type { QemuBinaries } from './qemu-binaries.js';
import type { VmExtras } from './vm-extras-probe.js';

export type MissingItem = HostInfo['missing'][number];

export type MissingInput = {
  qemu: QemuBinaries;
  kvmFinding: Finding | null;
  qemuFinding: Finding | null;
  engine: EngineProbe;
  /** UEFI firmware and the software TPM (absent from older callers: not reported). */
  extras?: VmExtras;
};

function binary(
  q: QemuBinaries,
  name: string,
  present: boolean,
  pkg: string,
  why: string,
): MissingItem | null {
  if (present) return null;
  const broken = q.broken.find((b) => b.name === name);
  if (broken) {
    return {
      what: name,
      why: `${why}; found at ${broken.path} but ${broken.error}`,
      install: `sudo apt-get install --reinstall ${pkg}`,
    };
  }
  return { what: name, why, install: `sudo apt-get install ${pkg}` };
}

/** One entry per absent or unusable thing, each saying why it matters and what to run. */
export function collectMissing(input: MissingInput): MissingItem[] {
  const { qemu, kvmFinding, qemuFinding, engine } = input;
  const hasX86 = qemu.systems.some((s) => s.arch === 'x86_64');
  const items: (MissingItem | null)[] = [
    binary(qemu, 'qemu-system-x86_64', hasX86, 'qemu-system-x86', 'needed to run virtual machines'),
    binary(
      qemu,
      'qemu-img',
      qemu.img !== null,
      'qemu-utils',
      'needed to create, convert and inspect disk images',
    ),
  ];
  if (qemuFinding?.fix)
    items.push({ what: 'working QEMU', why: qemuFinding.problem, install: qemuFinding.fix });
  // With qemu absent the KVM finding only repeats that, so the qemu entry above says it all.
  if (kvmFinding?.fix && kvmFinding.problem !== QEMU_NOT_INSTALLED) {
    items.push({
      what: 'KVM',
      why: `${kvmFinding.problem}; without KVM, VMs run with TCG software emulation (much slower)`,
      install: kvmFinding.fix,
    });
  }
  items.push(engineMissing(engine));
  if (input.extras && !input.extras.ovmf) {
    items.push({
      what: 'UEFI firmware (ovmf)',
      why: 'needed for VMs with firmware "uefi" (Windows 11, Secure Boot); others use SeaBIOS',
      install: 'sudo apt-get install ovmf',
    });
  }
  if (input.extras && !input.extras.swtpm) {
    items.push({
      what: 'swtpm',
      why: 'needed for VMs with a TPM (Windows 11)',
      install: 'sudo apt-get install swtpm swtpm-tools',
    });
  }
  return items.filter((i): i is MissingItem => i !== null);
}

export const ENGINE_MISSING = 'container engine (Docker or Podman)';

/** The engine's entry: re-derived alone when the engine goes away or comes back. */
export function engineMissing(engine: EngineProbe): MissingItem | null {
  if (!engine.fix) return null;
  const tried = engine.engine.tried.map((t) => `${t.endpoint}: ${t.error}`).join('; ');
  return {
    what: ENGINE_MISSING,
    why: `needed to run containers${tried ? `; tried ${tried}` : ''}`,
    install: engine.fix,
  };
}
