import { describe, expect, it } from 'vitest';
import { collectMissing, type MissingInput } from '../../../main/host/missing.js';
import { probeVmExtras } from '../../../main/host/vm-extras-probe.js';

const base: MissingInput = {
  qemu: {
    systems: [{ arch: 'x86_64', path: '/usr/bin/qemu-system-x86_64', version: '7.2' }],
    img: { path: '/usr/bin/qemu-img', version: '7.2' },
    broken: [],
  },
  kvmFinding: null,
  qemuFinding: null,
  engine: {
    engine: { kind: 'docker', endpoint: 'x', version: '1', apiVersion: '1', tried: [] },
    fix: null,
  },
};

describe('host probe: UEFI firmware and swtpm', () => {
  it('reports ovmf and swtpm in missing, with the package to install', () => {
    const m = collectMissing({ ...base, extras: { ovmf: false, swtpm: false } });
    expect(m.map((i) => [i.what, i.install])).toEqual([
      ['UEFI firmware (ovmf)', 'sudo apt-get install ovmf'],
      ['swtpm', 'sudo apt-get install swtpm swtpm-tools'],
    ]);
    expect(collectMissing({ ...base, extras: { ovmf: true, swtpm: true } })).toEqual([]);
  });

  it('finds swtpm only on PATH', async () => {
    const none = await probeVmExtras({ PATH: '/nonexistent' });
    expect(none.swtpm).toBe(false);
  });
});
