import { describe, expect, it } from 'vitest';
import { HostInfo } from '../../../preload/contract.js';
import { formatHostReport } from '../../../main/host/host-report.js';
import { QEMU_NOT_INSTALLED } from '../../../main/host/kvm-verdict.js';
import { collectMissing, type MissingInput } from '../../../main/host/missing.js';

const allThere: MissingInput = {
  qemu: {
    systems: [{ arch: 'x86_64', path: '/usr/bin/qemu-system-x86_64', version: '7.2.22' }],
    img: { path: '/usr/bin/qemu-img', version: '7.2.22' },
    broken: [],
  },
  kvmFinding: null,
  qemuFinding: null,
  engine: {
    engine: {
      kind: 'docker',
      endpoint: 'unix:///var/run/docker.sock',
      version: '20.10.24',
      apiVersion: '1.41',
      tried: [],
    },
    fix: null,
  },
};

describe('collectMissing', () => {
  it('is empty when everything is there', () => {
    expect(collectMissing(allThere)).toEqual([]);
  });

  it('names the Debian package for each absent binary, and says when one is present but broken', () => {
    const m = collectMissing({
      ...allThere,
      qemu: {
        systems: [],
        img: null,
        broken: [
          { name: 'qemu-img', path: '/usr/bin/qemu-img', error: '--version failed: exit 1' },
        ],
      },
      kvmFinding: { problem: QEMU_NOT_INSTALLED, fix: 'Install it' },
    });
    expect(m).toEqual([
      {
        what: 'qemu-system-x86_64',
        why: 'needed to run virtual machines',
        install: 'sudo apt-get install qemu-system-x86',
      },
      {
        what: 'qemu-img',
        why: 'needed to create, convert and inspect disk images; found at /usr/bin/qemu-img but --version failed: exit 1',
        install: 'sudo apt-get install --reinstall qemu-utils',
      },
    ]); // and no separate KVM entry that would only repeat "qemu is not installed"
  });

  it('adds KVM with its reason and fix, but not when nothing can be done about it', () => {
    const kvm = collectMissing({
      ...allThere,
      kvmFinding: {
        problem: 'no permission to open /dev/kvm',
        fix: 'Add your user to the kvm group',
      },
    });
    expect(kvm).toEqual([
      {
        what: 'KVM',
        why: 'no permission to open /dev/kvm; without KVM, VMs run with TCG software emulation (much slower)',
        install: 'Add your user to the kvm group',
      },
    ]);
    expect(
      collectMissing({
        ...allThere,
        kvmFinding: { problem: 'KVM exists only on Linux', fix: null },
      }),
    ).toEqual([]);
  });

  it('lists where it looked for an engine', () => {
    const tried = [
      { endpoint: 'unix:///var/run/docker.sock', error: 'no socket at /var/run/docker.sock' },
    ];
    const m = collectMissing({
      ...allThere,
      engine: {
        engine: { kind: null, endpoint: null, version: null, apiVersion: null, tried },
        fix: 'sudo apt-get install docker.io',
      },
    });
    expect(m).toEqual([
      {
        what: 'container engine (Docker or Podman)',
        why: 'needed to run containers; tried unix:///var/run/docker.sock: no socket at /var/run/docker.sock',
        install: 'sudo apt-get install docker.io',
      },
    ]);
  });
});

describe('formatHostReport', () => {
  const info: HostInfo = HostInfo.parse({
    probedAt: '2026-01-01T00:00:00.000Z',
    os: { platform: 'linux', release: '6.1.0', arch: 'x64' },
    cpu: { count: 2, model: 'Test CPU' },
    memory: { totalMiB: 4096, freeMiB: 2048 },
    disk: { path: '/data/genos', totalMiB: 10240, freeMiB: 5120 },
    qemu: {
      systems: [{ arch: 'x86_64', path: '/usr/bin/qemu-system-x86_64', version: '7.2.22' }],
      img: null,
    },
    accel: {
      kvm: {
        devicePresent: true,
        usable: false,
        reason: 'No permission to open /dev/kvm. Add your user to the kvm group.',
      },
      selected: 'tcg',
    },
    engine: {
      kind: 'podman',
      endpoint: 'unix:///run/podman/podman.sock',
      version: '4.3.1',
      apiVersion: '1.41',
      tried: [{ endpoint: 'unix:///var/run/docker.sock', error: 'no socket' }],
    },
    missing: [
      {
        what: 'qemu-img',
        why: 'needed for disk images',
        install: 'sudo apt-get install qemu-utils',
      },
      { what: 'KVM', why: 'no permission', install: 'Add your user to the kvm group' },
    ],
  });
  const text = formatHostReport(info, 123);

  it('marks each item and puts the fix right under the failing one', () => {
    const lines = text.split('\n');
    const at = (needle: string) => lines.findIndex((l) => l.includes(needle));
    expect(lines[at('qemu-system-x86_64 7.2.22')]).toMatch(/^ {2}✓ /);
    expect(lines[at('qemu-img not found')]).toMatch(/^ {2}✗ /);
    expect(lines[at('qemu-img not found') + 2]).toContain('fix: sudo apt-get install qemu-utils');
    expect(lines[at('KVM not usable')]).toMatch(/^ {2}✗ /);
    // The reason already holds the fix, so it is not printed twice.
    expect(lines[at('KVM not usable') + 1]).toMatch(
      /^ {6}No permission .* Add your user to the kvm group\.$/,
    );
    expect(lines[at('KVM not usable') + 2]).toMatch(/^ {2}✓ VMs run with TCG software emulation/);
    expect(text).not.toContain('Also missing');
    expect(text).toContain('✓ podman 4.3.1 (API 1.41) at unix:///run/podman/podman.sock');
    expect(text).toContain('tried unix:///var/run/docker.sock: no socket');
    expect(text).toContain('5.0 GiB free of 10.0 GiB for /data/genos');
    expect(text).toContain('in 123 ms');
    expect(text.trimEnd().split('\n').at(-1)).toBe('2 thing(s) need attention (marked ✗ above).');
  });

  it('prints entries no section claims rather than dropping them', () => {
    const extra = formatHostReport({
      ...info,
      missing: [{ what: 'something new', why: 'because', install: 'do it' }],
    });
    expect(extra).toMatch(/Also missing\n {2}✗ something new\n {6}why: because\n {6}fix: do it/);
  });
});
