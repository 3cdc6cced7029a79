import { describe, expect, it } from 'vitest';
import {
  bootBlocker,
  judgeAccel,
  type AccelInput,
  type KvmHostFacts,
} from '../../../main/host/kvm-verdict.js';
import { readKvmFacts, virtFlagFrom, type KvmFactSources } from '../../../main/host/kvm-probe.js';
import type { GuestRun } from '../../../main/host/probe-guest.js';

const healthy: KvmHostFacts = {
  platform: 'linux',
  arch: 'x64',
  devicePresent: true,
  deviceAccessible: true,
  virtFlag: 'vmx',
};

function run(
  accel: 'kvm' | 'tcg',
  outcome: GuestRun['outcome'],
  startMs: number | null,
  doneMs: number | null,
  detail = '',
): GuestRun {
  return { accel, outcome, startMs, doneMs, detail };
}

const tcgOk = run('tcg', 'done', 60, 120); // 60 ms of work
const input = (over: Partial<AccelInput>): AccelInput => ({
  facts: healthy,
  qemuPath: '/usr/bin/qemu-system-x86_64',
  kvmRun: run('kvm', 'done', 40, 45),
  tcgRun: tcgOk,
  deadlineMs: 3000,
  ...over,
});

describe('bootBlocker', () => {
  it('lets a healthy-looking host through to the boot test', () => {
    expect(bootBlocker(healthy)).toBeNull();
    expect(bootBlocker({ ...healthy, virtFlag: null })).toBeNull(); // unknown flags: the boot decides
  });

  it.each<[string, Partial<KvmHostFacts>, RegExp, RegExp | null]>([
    ['not Linux', { platform: 'darwin' }, /only on Linux.*darwin/, null],
    ['not x86-64', { arch: 'arm64' }, /x86-64 guest.*arm64/, null],
    [
      'no device, CPU capable',
      { devicePresent: false, deviceAccessible: false },
      /does not exist although .*vmx/,
      /modprobe kvm_intel/,
    ],
    [
      'no device, no flag',
      { devicePresent: false, deviceAccessible: false, virtFlag: 'none' },
      /no vmx\/svm/,
      /firmware/,
    ],
    [
      'no permission',
      { deviceAccessible: false },
      /no permission to open \/dev\/kvm/,
      /usermod -aG kvm/,
    ],
    [
      'device but no flag',
      { virtFlag: 'none' },
      /lack vmx\/svm: nested virtualization is off/,
      /nested virtualization/,
    ],
  ])('%s', (_name, facts, problem, fix) => {
    const b = bootBlocker({ ...healthy, ...facts });
    expect(b?.problem).toMatch(problem);
    if (fix) expect(b?.fix).toMatch(fix);
    else expect(b?.fix).toBeNull();
  });
});

describe('judgeAccel', () => {
  it('selects KVM when the guest finishes about as fast as it should', () => {
    const v = judgeAccel(input({}));
    expect(v.kvm).toEqual({
      devicePresent: true,
      usable: true,
      reason: expect.stringMatching(/^KVM works: .* 5 ms \(60 ms under TCG\)/),
    });
    expect(v.selected).toBe('kvm');
    expect(v.kvmFinding).toBeNull();
  });

  it('calls KVM broken when it finishes but far slower than TCG', () => {
    const v = judgeAccel(input({ kvmRun: run('kvm', 'done', 40, 1040) }));
    expect(v.kvm.usable).toBe(false);
    expect(v.kvm.reason).toMatch(
      /not working: the probe guest's test loop took 1000 ms \(TCG .* 60 ms\).*Using TCG/,
    );
    expect(v.selected).toBe('tcg');
  });

  it('says the guest produced no output within the deadline', () => {
    const v = judgeAccel(input({ kvmRun: run('kvm', 'silent', null, null) }));
    expect(v.kvm.reason).toMatch(
      /present but not working: the probe guest produced no output within 3000 ms/,
    );
    expect(v.kvm.reason).toMatch(/Using TCG software emulation instead/);
    expect(v.selected).toBe('tcg');
  });

  it('says the guest started but stalled (the trapping-KVM case)', () => {
    const v = judgeAccel(input({ kvmRun: run('kvm', 'stalled', 55, null) }));
    expect(v.kvm.reason).toMatch(/started but did not finish its test loop within 3000 ms/);
    expect(v.kvmFinding?.fix).toMatch(/nested virtualization/);
  });

  it("passes qemu's own error on, and suggests the kvm group for permission errors", () => {
    const detail = 'Could not access KVM kernel module: Permission denied';
    const v = judgeAccel(input({ kvmRun: run('kvm', 'exited', null, null, detail) }));
    expect(v.kvm.reason).toContain(detail);
    expect(v.kvmFinding?.fix).toMatch(/usermod -aG kvm/);
  });

  it('names the blocker and that the boot was skipped', () => {
    const v = judgeAccel(input({ facts: { ...healthy, virtFlag: 'none' }, kvmRun: null }));
    expect(v.kvm).toMatchObject({ devicePresent: true, usable: false });
    expect(v.kvm.reason).toMatch(/lack vmx\/svm.*\(KVM boot test skipped\)/);
    expect(v.selected).toBe('tcg');
  });

  it('selects none and says qemu is broken when the TCG control fails too', () => {
    const tcgRun = run('tcg', 'exited', null, null, 'qemu-system-x86_64: -bios x: could not load');
    const v = judgeAccel(input({ kvmRun: run('kvm', 'silent', null, null), tcgRun }));
    expect(v.selected).toBe('none');
    expect(v.qemuFinding?.problem).toMatch(
      /even with software emulation \(TCG\): .*could not load/,
    );
    expect(v.kvm.reason).toMatch(/No VM can run/);
  });

  it('counts a TCG guest that started but is slow as working emulation', () => {
    const v = judgeAccel(
      input({
        facts: { ...healthy, virtFlag: 'none' },
        kvmRun: null,
        tcgRun: run('tcg', 'stalled', 90, null),
      }),
    );
    expect(v.selected).toBe('tcg');
    expect(v.qemuFinding).toBeNull();
  });

  it('cannot test KVM without qemu and selects none', () => {
    const v = judgeAccel(input({ qemuPath: null, kvmRun: null, tcgRun: null }));
    expect(v.kvm.reason).toMatch(/qemu-system-x86_64 is not installed/);
    expect(v.selected).toBe('none');
    expect(v.qemuFinding).toBeNull(); // the missing binary is reported once, by the binary probe
  });
});

describe('KVM host facts', () => {
  it('reads vmx/svm from the flags lines of /proc/cpuinfo', () => {
    expect(virtFlagFrom('processor\t: 0\nflags\t\t: fpu vme vmx sse\n')).toBe('vmx');
    expect(virtFlagFrom('flags\t: fpu svm\n')).toBe('svm');
    expect(virtFlagFrom('flags\t\t: fpu vme hypervisor\nflags\t\t: fpu\n')).toBe('none');
    expect(virtFlagFrom('Features\t: fp asimd\n')).toBeNull(); // arm64 lists no "flags"
    expect(virtFlagFrom(null)).toBeNull();
    expect(virtFlagFrom('flags\t: fpu vmxon_like\n')).toBe('none'); // whole words only
  });

  it('combines device, permission and flags from its sources', async () => {
    const src: KvmFactSources = {
      platform: 'linux',
      arch: 'x64',
      isCharDevice: async (f) => f === '/dev/kvm',
      canReadWrite: async () => false,
      readCpuinfo: async () => 'flags\t: fpu svm\n',
    };
    expect(await readKvmFacts(src)).toEqual({
      platform: 'linux',
      arch: 'x64',
      devicePresent: true,
      deviceAccessible: false,
      virtFlag: 'svm',
    });
  });
});
