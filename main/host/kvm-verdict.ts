import type { HostInfo } from '../../preload/contract.js';
import type { GuestRun } from './probe-guest.js';

/**
 * Turns what the KVM probe saw into a decision and a reason a user can act on. Pure, so every
 * branch is unit-tested without a machine that has (or lacks) KVM.
 */

export type KvmHostFacts = {
  platform: string;
  arch: string;
  devicePresent: boolean;
  deviceAccessible: boolean;
  /** From /proc/cpuinfo: which hardware virtualization flag is listed; null when unreadable. */
  virtFlag: 'vmx' | 'svm' | 'none' | null;
};

/** problem: what is wrong; fix: what the user can do about it (null when nothing can be done). */
export type Finding = { problem: string; fix: string | null };

export type AccelVerdict = {
  kvm: HostInfo['accel']['kvm'];
  selected: HostInfo['accel']['selected'];
  /** Why KVM is not usable, or null when it is. */
  kvmFinding: Finding | null;
  /** Set when qemu-system-x86_64 is present but cannot run even the TCG control guest. */
  qemuFinding: Finding | null;
};

export type AccelInput = {
  facts: KvmHostFacts;
  qemuPath: string | null;
  kvmRun: GuestRun | null;
  tcgRun: GuestRun | null;
  deadlineMs: number;
};

const MODULE_FIX =
  'Load the KVM module: sudo modprobe kvm_intel (Intel) or sudo modprobe kvm_amd (AMD)';
const NESTED_FIX = 'If this is a virtual machine, enable nested virtualization on its host';
const BROKEN_FIX = `${NESTED_FIX}; otherwise look for kvm errors in \`sudo dmesg\``;
const GROUP_FIX =
  'Add your user to the kvm group (sudo usermod -aG kvm $USER), then log out and back in';
export const QEMU_NOT_INSTALLED = 'qemu-system-x86_64 is not installed, so KVM could not be tested';
const REINSTALL_FIX = 'Reinstall QEMU: sudo apt-get install --reinstall qemu-system-x86';
/** KVM slower than this (or than 5x TCG) is treated as not working: it would make VMs crawl. */
const SLOW_FLOOR_MS = 250;

/** Reasons that rule KVM out before any guest is booted; null means "boot and see". */
export function bootBlocker(f: KvmHostFacts): Finding | null {
  if (f.platform !== 'linux') {
    return { problem: `KVM exists only on Linux, and this host runs ${f.platform}`, fix: null };
  }
  if (f.arch !== 'x64') {
    return {
      problem: `the KVM test boots an x86-64 guest, which KVM cannot run on this ${f.arch} host`,
      fix: null,
    };
  }
  if (!f.devicePresent) {
    if (f.virtFlag === 'vmx' || f.virtFlag === 'svm') {
      return {
        problem: `/dev/kvm does not exist although the CPU supports virtualization (${f.virtFlag})`,
        fix: MODULE_FIX,
      };
    }
    return {
      problem:
        '/dev/kvm does not exist and the CPU does not offer hardware virtualization (no vmx/svm flag)',
      fix: 'Enable virtualization (Intel VT-x or AMD-V/SVM) in the firmware (BIOS/UEFI) settings, or, if this is a virtual machine, nested virtualization on its host; then load the KVM module (sudo modprobe kvm_intel or kvm_amd)',
    };
  }
  if (!f.deviceAccessible) return { problem: 'no permission to open /dev/kvm', fix: GROUP_FIX };
  if (f.virtFlag === 'none') {
    return {
      problem: '/dev/kvm exists but the CPU flags lack vmx/svm: nested virtualization is off',
      fix: NESTED_FIX,
    };
  }
  return null;
}

export function workMs(run: GuestRun | null): number | null {
  if (!run || run.outcome !== 'done' || run.doneMs === null) return null;
  return run.doneMs - (run.startMs ?? run.doneMs);
}

function judgeKvmRun(kvm: GuestRun, tcg: GuestRun | null, deadlineMs: number): Finding | null {
  const tcgMs = workMs(tcg);
  const tcgNote = tcgMs === null ? '' : ` (TCG software emulation ran it in ${tcgMs} ms)`;
  switch (kvm.outcome) {
    case 'done': {
      const ms = workMs(kvm) ?? 0;
      const limit = Math.max(SLOW_FLOOR_MS, tcgMs === null ? 0 : 5 * tcgMs);
      if (ms <= limit) return null;
      return {
        problem: `KVM is present but not working: the probe guest's test loop took ${ms} ms${tcgNote}`,
        fix: BROKEN_FIX,
      };
    }
    case 'stalled':
      return {
        problem: `KVM is present but not working: the probe guest started but did not finish its test loop within ${deadlineMs} ms${tcgNote}`,
        fix: BROKEN_FIX,
      };
    case 'silent':
      return {
        problem: `KVM is present but not working: the probe guest produced no output within ${deadlineMs} ms`,
        fix: BROKEN_FIX,
      };
    case 'exited': {
      const detail = kvm.detail || 'qemu exited without a message';
      return {
        problem: `QEMU could not start a guest with KVM: ${detail}`,
        fix: /permission denied/i.test(detail) ? GROUP_FIX : BROKEN_FIX,
      };
    }
    case 'spawn-failed':
      return {
        problem: `qemu-system-x86_64 could not be started: ${kvm.detail}`,
        fix: REINSTALL_FIX,
      };
  }
}

/** Capitalises a leading plain word only: "qemu-system-x86_64" and "/dev/kvm" keep their case. */
function sentence(text: string): string {
  const t = text.trim();
  const head = /^[a-z]+(?=\s)/.test(t) ? `${t[0]?.toUpperCase()}${t.slice(1)}` : t;
  return /[.!?]$/.test(head) ? head : `${head}.`;
}

export function judgeAccel(input: AccelInput): AccelVerdict {
  const { facts, qemuPath, kvmRun, tcgRun, deadlineMs } = input;
  const blocker = bootBlocker(facts);
  let finding: Finding | null;
  if (blocker) finding = { ...blocker, problem: `${blocker.problem} (KVM boot test skipped)` };
  else if (!qemuPath)
    finding = {
      problem: QEMU_NOT_INSTALLED,
      fix: 'Install it: sudo apt-get install qemu-system-x86',
    };
  else if (!kvmRun) finding = { problem: 'the KVM boot test did not run', fix: BROKEN_FIX };
  else finding = judgeKvmRun(kvmRun, tcgRun, deadlineMs);

  const usable = finding === null;
  // TCG counts as working once the guest runs at all: slow emulation is still emulation.
  const tcgWorks = tcgRun !== null && tcgRun.startMs !== null;
  const qemuFinding: Finding | null =
    !usable && qemuPath && !tcgWorks
      ? {
          problem: `qemu-system-x86_64 could not run a tiny test guest even with software emulation (TCG): ${tcgRun?.detail || tcgRun?.outcome || 'not run'}`,
          fix: REINSTALL_FIX,
        }
      : null;
  const selected = usable ? 'kvm' : tcgWorks ? 'tcg' : 'none';

  let reason: string;
  if (finding === null) {
    const tcgMs = workMs(tcgRun);
    reason = `KVM works: the probe guest ran its test loop in ${workMs(kvmRun) ?? 0} ms${tcgMs === null ? '' : ` (${tcgMs} ms under TCG)`}.`;
  } else {
    reason = [finding.problem, finding.fix]
      .filter((s): s is string => !!s)
      .map(sentence)
      .join(' ');
    reason +=
      selected === 'tcg'
        ? ' Using TCG software emulation instead (slower).'
        : ' No VM can run until QEMU is installed and working.';
  }
  return {
    kvm: { devicePresent: facts.devicePresent, usable, reason },
    selected,
    kvmFinding: finding,
    qemuFinding,
  };
}
