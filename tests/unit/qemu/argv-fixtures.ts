import type { EnvironmentSpec, HostInfo } from '../../../preload/contract.js';
import { baseSpec } from '../../helpers/spec-fixture.js';

/** A HostInfo with one qemu-system-x86_64 and the given accelerator, for argv tests. */
export function fakeHost(selected: 'kvm' | 'tcg' = 'tcg'): HostInfo {
  return {
    probedAt: '2025-01-01T00:00:00.000Z',
    os: { platform: 'linux', release: '6.1', arch: 'x64' },
    cpu: { count: 2, model: 'test' },
    memory: { totalMiB: 4096, freeMiB: 2048 },
    disk: null,
    qemu: {
      systems: [
        { arch: 'x86_64', path: '/usr/bin/qemu-system-x86_64', version: '7.2.22' },
        { arch: 'aarch64', path: '/usr/bin/qemu-system-aarch64', version: '7.2.22' },
      ],
      img: { path: '/usr/bin/qemu-img', version: '7.2.22' },
    },
    accel: {
      kvm: {
        devicePresent: selected === 'kvm',
        usable: selected === 'kvm',
        reason: selected === 'kvm' ? 'KVM works.' : 'KVM is not usable here.',
      },
      selected,
    },
    engine: { kind: null, endpoint: null, version: null, apiVersion: null, tried: [] },
    missing: [],
  };
}

export function fakeSpec(over: Partial<EnvironmentSpec> = {}): EnvironmentSpec {
  return baseSpec({ name: 'test-vm', resources: { cpus: 2, memoryMiB: 512, diskGiB: 4 }, ...over });
}

/**
 * qemu's QemuOpts/keyval splitting as qemu does it: a single comma separates, ",," is a literal
 * comma. Returns [key, value] pairs (an implied first key gets the name '').
 */
export function parseQemuOpts(s: string): Array<[string, string]> {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === ',') {
      if (s[i + 1] === ',') {
        cur += ',';
        i++;
      } else {
        parts.push(cur);
        cur = '';
      }
    } else cur += s[i];
  }
  parts.push(cur);
  return parts.map((p) => {
    const eq = p.indexOf('=');
    return eq < 0 ? ['', p] : [p.slice(0, eq), p.slice(eq + 1)];
  });
}

/** The value(s) following each occurrence of `flag` in argv. */
export function valuesOf(argv: string[], flag: string): string[] {
  const out: string[] = [];
  argv.forEach((a, i) => {
    if (a === flag && i + 1 < argv.length) out.push(argv[i + 1]!);
  });
  return out;
}
