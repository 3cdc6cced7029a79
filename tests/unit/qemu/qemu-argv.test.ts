import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BootSource } from '../../../main/backends/qemu/boot-source.js';
import { buildQemuArgv, type ArgvInput } from '../../../main/backends/qemu/qemu-argv.js';
import { runtimePaths } from '../../../main/backends/qemu/runtime-paths.js';
import { GenosError } from '../../../main/core/errors.js';
import type { EnvironmentSpec } from '../../../preload/contract.js';
import { fakeHost, fakeSpec, parseQemuOpts, valuesOf } from './argv-fixtures.js';

const RUN = '/data/run/env1';
const disk: BootSource = {
  kind: 'disk',
  disk: { path: '/data/qemu/env1/disk.qcow2', format: 'qcow2' },
};
const iso: BootSource = {
  kind: 'iso',
  iso: '/lib/debian.iso',
  disk: { path: '/data/qemu/env1/disk.qcow2', format: 'qcow2' },
};
const kernel: BootSource = {
  kind: 'kernel',
  kernel: '/g/vmlinuz',
  initrd: '/g/initrd.gz',
  cmdline: 'console=ttyS0 quiet,foo=bar -append x',
  disk: null,
  stateDisk: '/data/qemu/env1/vmstate.qcow2',
};

function build(over: Partial<ArgvInput> = {}, spec: Partial<EnvironmentSpec> = {}) {
  return buildQemuArgv({
    spec: fakeSpec(spec),
    host: fakeHost(),
    boot: disk,
    runtime: runtimePaths(RUN),
    ...over,
  });
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof GenosError) return `${e.code}: ${e.message}`;
    throw e;
  }
  return 'no error';
}

describe('buildQemuArgv: machine, accelerator, resources', () => {
  it('uses the host qemu binary, q35, -nodefaults and the spec resources', () => {
    const { binary, argv } = build({}, { resources: { cpus: 3, memoryMiB: 1536, diskGiB: 8 } });
    expect(binary).toBe('/usr/bin/qemu-system-x86_64');
    expect(argv).toContain('-nodefaults');
    expect(argv).toContain('-no-user-config');
    expect(valuesOf(argv, '-machine')).toEqual(['q35']);
    expect(valuesOf(argv, '-smp')).toEqual(['3']);
    expect(valuesOf(argv, '-m')).toEqual(['1536M']);
    expect(valuesOf(argv, '-name')).toEqual(['guest=test-vm']);
    expect(valuesOf(argv, '-pidfile')).toEqual([`${RUN}/qemu.pid`]);
  });

  it('selects KVM only when the host probe selected it, else multi-threaded TCG', () => {
    const kvm = buildQemuArgv({ ...baseInput(), host: fakeHost('kvm') });
    expect(valuesOf(kvm.argv, '-accel')).toEqual(['kvm']);
    expect(valuesOf(kvm.argv, '-cpu')).toEqual(['host']);
    const tcg = build();
    expect(valuesOf(tcg.argv, '-accel')).toEqual(['tcg,thread=multi']);
    expect(valuesOf(tcg.argv, '-cpu')).toEqual(['max']);
    expect(tcg.notes.join(' ')).toMatch(/TCG.*KVM is not usable here/);
  });

  it('says how to install qemu when the binary is missing', () => {
    const host = fakeHost();
    host.qemu.systems = [];
    expect(code(() => buildQemuArgv({ ...baseInput(), host }))).toMatch(
      /^UNAVAILABLE: .*apt install qemu-system-x86/,
    );
  });

  it('refuses a spec for another backend', () => {
    expect(code(() => build({}, { backend: 'docker' }))).toMatch(/^BAD_ARGS/);
  });

  it('sandboxes qemu by default and can start it paused', () => {
    const { argv } = build({ startPaused: true });
    expect(valuesOf(argv, '-sandbox')[0]).toMatch(/^on,.*spawn=deny/);
    expect(argv).toContain('-S');
    expect(argv).not.toContain('-daemonize'); // it forks, which the sandbox denies; we spawn
    expect(build({ sandbox: false }).argv).not.toContain('-sandbox');
    expect(build().argv).not.toContain('-S');
  });
});

function baseInput(): ArgvInput {
  return { spec: fakeSpec(), host: fakeHost(), boot: disk, runtime: runtimePaths(RUN) };
}

describe('buildQemuArgv: control and display sockets', () => {
  const all = [
    build(),
    build({}, { display: 'gui' }),
    build({ boot: iso }, { display: 'gui', network: { mode: 'nat', ports: [] } }),
  ];

  it('puts QMP, serial, VNC and SPICE on unix sockets in the runtime dir', () => {
    const { argv } = build({}, { display: 'gui' });
    expect(valuesOf(argv, '-chardev')).toEqual([
      'spicevmc,id=vdagent0,name=vdagent',
      `socket,id=qmp0,path=${RUN}/qmp.sock,server=on,wait=off`,
      `socket,id=serial0,path=${RUN}/serial.sock,server=on,wait=off`,
    ]);
    expect(valuesOf(argv, '-mon')).toEqual(['chardev=qmp0,mode=control']);
    expect(valuesOf(argv, '-serial')).toEqual(['chardev:serial0']);
    expect(valuesOf(argv, '-vnc')).toEqual([`vnc=unix:${RUN}/vnc.sock`]);
    expect(valuesOf(argv, '-spice')).toEqual([
      `unix=on,addr=${RUN}/spice.sock,disable-ticketing=on`,
    ]);
    expect(argv).not.toContain('-qmp');
  });

  it('never has a TCP (or any network) address for VNC, QMP, SPICE, serial or a monitor', () => {
    for (const { argv } of all) {
      for (const flag of ['-vnc', '-qmp', '-spice', '-monitor', '-mon', '-chardev', '-serial']) {
        for (const v of valuesOf(argv, flag)) {
          expect(v).not.toMatch(/tcp:|telnet|udp:|host=|port=|websocket|0\.0\.0\.0|:\d+($|,)/);
        }
      }
      expect(argv).not.toContain('-gdb');
      expect(argv).not.toContain('-s');
      expect(argv).not.toContain('-monitor');
      expect(argv.join(' ')).not.toMatch(/:59\d\d\b/);
      for (const v of valuesOf(argv, '-vnc')) expect(v).toMatch(/^vnc=unix:\//);
      for (const v of valuesOf(argv, '-spice')) {
        expect(v).toMatch(/^unix=on,addr=\//);
        expect(v).not.toMatch(/(^|,)(tls-)?port=|tls-channel|plaintext-channel/);
      }
    }
  });

  it('gives a gui VM a QXL VGA, a tablet, VNC and SPICE with the agent port; a headless one no display device at all', () => {
    const gui = build({}, { display: 'gui' }).argv;
    expect(valuesOf(gui, '-vga')).toEqual([]);
    expect(valuesOf(gui, '-display')).toEqual(['none']);
    const devices = valuesOf(gui, '-device');
    expect(devices).toContain('qxl-vga,id=video0');
    expect(devices).toContain('usb-tablet,bus=xhci.0');
    // The vdagent port hangs off the virtio-serial bus, named as spice-vdagent looks for it.
    expect(devices).toContain('virtio-serial-pci,id=vser0');
    expect(devices).toContain(
      'virtserialport,bus=vser0.0,chardev=vdagent0,name=com.redhat.spice.0',
    );
    const headless = build().argv;
    expect(valuesOf(headless, '-display')).toEqual(['none']);
    expect(valuesOf(headless, '-vga')).toEqual(['none']);
    expect(headless).not.toContain('-vnc');
    expect(headless).not.toContain('-spice');
    expect(valuesOf(headless, '-chardev').join(' ')).not.toMatch(/spicevmc/);
    expect(valuesOf(headless, '-device').join(' ')).not.toMatch(
      /VGA|vga|gpu|qxl|tablet|virtio-serial/,
    );
  });
});

describe('buildQemuArgv: boot sources', () => {
  it('boots a disk image with an explicit format and no probing', () => {
    const { argv } = build({
      boot: { kind: 'disk', disk: { path: '/img/win.vhdx', format: 'vhdx' } },
    });
    expect(valuesOf(argv, '-blockdev')).toEqual([
      'driver=vhdx,node-name=disk0,file.driver=file,file.filename=/img/win.vhdx',
    ]);
    expect(valuesOf(argv, '-device')).toContain(
      'virtio-blk-pci,drive=disk0,id=disk0-dev,bootindex=1',
    );
    expect(argv).not.toContain('-drive'); // -drive file= would parse "protocol:" prefixes
  });

  it('boots an ISO read-only from the cdrom first, with the blank disk second', () => {
    const { argv, notes } = build({ boot: iso });
    const bd = valuesOf(argv, '-blockdev');
    expect(bd[0]).toBe(
      'driver=raw,node-name=cd0,read-only=on,file.driver=file,file.filename=/lib/debian.iso,file.read-only=on',
    );
    expect(bd[1]).toMatch(/^driver=qcow2,node-name=disk0,/);
    const dev = valuesOf(argv, '-device');
    expect(dev).toContain('ide-cd,bus=ide.1,drive=cd0,id=cd0-dev,bootindex=0');
    expect(dev).toContain('virtio-blk-pci,drive=disk0,id=disk0-dev,bootindex=1');
    expect(notes.join(' ')).toMatch(/ISO first/);
  });

  it('boots a kernel directly, passing -append verbatim, with a hidden vmstate disk', () => {
    const { argv } = build({ boot: kernel });
    expect(valuesOf(argv, '-kernel')).toEqual(['/g/vmlinuz']);
    expect(valuesOf(argv, '-initrd')).toEqual(['/g/initrd.gz']);
    expect(valuesOf(argv, '-append')).toEqual(['console=ttyS0 quiet,foo=bar -append x']);
    expect(valuesOf(argv, '-blockdev')).toEqual([
      'driver=qcow2,node-name=vmstate0,file.driver=file,file.filename=/data/qemu/env1/vmstate.qcow2',
    ]);
    expect(valuesOf(argv, '-device').join(' ')).not.toMatch(/vmstate0/);
  });

  it('boots a kernel without initrd or state disk', () => {
    const { argv } = build({ boot: { ...kernel, initrd: null, stateDisk: null } });
    expect(argv).not.toContain('-initrd');
    expect(argv).not.toContain('-blockdev');
  });

  it('falls back to AHCI and e1000 for guests without virtio drivers', () => {
    const { argv, notes } = build(
      { boot: iso },
      { os: { id: 'windows', version: '11' }, network: { mode: 'nat', ports: [] } },
    );
    const dev = valuesOf(argv, '-device');
    expect(dev).toContain('ide-hd,bus=ide.0,drive=disk0,id=disk0-dev,bootindex=1');
    expect(dev.join(' ')).not.toMatch(/virtio/);
    expect(valuesOf(argv, '-nic')).toEqual(['user,id=net0,model=e1000']);
    expect(valuesOf(argv, '-rtc')).toEqual(['base=localtime']);
    expect(notes.join(' ')).toMatch(/AHCI/);
    const forced = build({ profile: { virtio: true } }, { os: { id: 'windows', version: '11' } });
    expect(valuesOf(forced.argv, '-device').join(' ')).toMatch(/virtio-blk-pci/);
  });

  it('gives virtio guests a balloon (for QMP balloon) and an RNG', () => {
    const dev = valuesOf(build().argv, '-device');
    expect(dev).toContain('virtio-balloon-pci,id=balloon0');
    expect(dev).toContain('virtio-rng-pci,id=rng0');
  });

  it('refuses relative paths and unknown formats', () => {
    expect(
      code(() => build({ boot: { kind: 'disk', disk: { path: 'disk.qcow2', format: 'qcow2' } } })),
    ).toMatch(/^BAD_ARGS: .*must be absolute/);
    expect(code(() => build({ boot: { ...kernel, kernel: 'vmlinuz' } }))).toMatch(/absolute/);
    const bad = { kind: 'disk', disk: { path: '/x', format: 'qed' } } as unknown as BootSource;
    expect(code(() => build({ boot: bad }))).toMatch(/^BAD_ARGS: Unknown disk format/);
  });
});

describe('buildQemuArgv: network', () => {
  const ports = [
    { host: 2222, guest: 22, protocol: 'tcp' as const },
    { host: 5353, guest: 53, protocol: 'udp' as const },
  ];

  it('none: no NIC', () => {
    expect(valuesOf(build().argv, '-nic')).toEqual(['none']);
  });

  it('none with port forwards is refused with what to do', () => {
    expect(code(() => build({}, { network: { mode: 'none', ports } }))).toMatch(
      /^BAD_ARGS: .*choose "isolated"/,
    );
  });

  it('isolated: user-mode with restrict=on and forwards bound to 127.0.0.1', () => {
    expect(valuesOf(build({}, { network: { mode: 'isolated', ports } }).argv, '-nic')).toEqual([
      'user,id=net0,model=virtio-net-pci,restrict=on,' +
        'hostfwd=tcp:127.0.0.1:2222-:22,hostfwd=udp:127.0.0.1:5353-:53',
    ]);
  });

  it('nat: user-mode without restrict, forwards still only on 127.0.0.1', () => {
    const [nic] = valuesOf(build({}, { network: { mode: 'nat', ports } }).argv, '-nic');
    expect(nic).not.toMatch(/restrict/);
    const fwds = parseQemuOpts(nic!).filter(([k]) => k === 'hostfwd');
    expect(fwds).toHaveLength(2);
    for (const [, v] of fwds) expect(v).toMatch(/^(tcp|udp):127\.0\.0\.1:\d+-:\d+$/);
  });
});

describe('buildQemuArgv: no option injection through user strings', () => {
  const hostile = fc
    .string({ minLength: 1, maxLength: 30 })
    // eslint-disable-next-line no-control-regex
    .filter((s) => !/[\u0000-\u001f\u007f]/.test(s));

  it('escapes commas per ",," in every key=value option (property)', () => {
    fc.assert(
      fc.property(hostile, hostile, (name, seg) => {
        const dir = `/tmp/${seg.replaceAll('/', '_')}`;
        const img = `${dir}/disk.qcow2`;
        const spec = { ...fakeSpec({ display: 'gui' }), name } as EnvironmentSpec;
        const { argv } = buildQemuArgv({
          spec,
          host: fakeHost(),
          boot: { kind: 'disk', disk: { path: img, format: 'qcow2' } },
          runtime: runtimePaths(dir),
        });
        expect(parseQemuOpts(valuesOf(argv, '-name')[0]!)).toEqual([['guest', name]]);
        const bd = parseQemuOpts(valuesOf(argv, '-blockdev')[0]!);
        expect(bd.map(([k]) => k)).toEqual(['driver', 'node-name', 'file.driver', 'file.filename']);
        expect(bd[3]![1]).toBe(img.replace(/\/+/g, '/').replace(/\/\.(?=\/)/g, ''));
        // The first chardev is the SPICE agent's (no path); then QMP and serial.
        for (const [i, id] of ['qmp0', 'serial0'].entries()) {
          const chr = parseQemuOpts(valuesOf(argv, '-chardev')[i + 1]!);
          expect(chr.map(([k]) => k)).toEqual(['', 'id', 'path', 'server', 'wait']);
          expect(chr[1]![1]).toBe(id);
          expect(chr[2]![1]).toBe(runtimePaths(dir)[id === 'qmp0' ? 'qmp' : 'serial']);
        }
        const vnc = parseQemuOpts(valuesOf(argv, '-vnc')[0]!);
        expect(vnc).toEqual([['vnc', `unix:${runtimePaths(dir).vnc}`]]);
        const spice = parseQemuOpts(valuesOf(argv, '-spice')[0]!);
        expect(spice).toEqual([
          ['unix', 'on'],
          ['addr', runtimePaths(dir).spice],
          ['disable-ticketing', 'on'],
        ]);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a hostile name in one key even with an injection attempt', () => {
    const spec = { ...fakeSpec(), name: 'x,debug-threads=on' } as EnvironmentSpec;
    const { argv } = buildQemuArgv({ ...baseInput(), spec });
    expect(valuesOf(argv, '-name')).toEqual(['guest=x,,debug-threads=on']);
  });

  it('refuses control characters in names, paths and the kernel command line', () => {
    const spec = { ...fakeSpec(), name: 'a\nb' } as EnvironmentSpec;
    expect(code(() => buildQemuArgv({ ...baseInput(), spec }))).toMatch(/control character/);
    expect(code(() => build({ boot: { ...kernel, initrd: '/g/i\u0000rd' } }))).toMatch(/control/);
    expect(code(() => build({ runtime: runtimePaths('/run/a\rb') }))).toMatch(/control/);
  });

  it('refuses socket paths too long for a unix socket, saying how to fix it', () => {
    const long = `/${'d'.repeat(100)}`;
    expect(code(() => build({ runtime: runtimePaths(long) }))).toMatch(
      /^BAD_ARGS: .*107-byte.*shorter data directory/,
    );
  });
});

describe('buildQemuArgv: aarch64', () => {
  it('uses the virt machine and needs UEFI firmware for disk boot', () => {
    expect(code(() => build({ arch: 'aarch64' }))).toMatch(/^UNSUPPORTED: .*qemu-efi-aarch64/);
    const { binary, argv } = build({ arch: 'aarch64', firmware: '/usr/share/AAVMF/AAVMF_CODE.fd' });
    expect(binary).toBe('/usr/bin/qemu-system-aarch64');
    expect(valuesOf(argv, '-machine')).toEqual(['virt']);
    expect(valuesOf(argv, '-bios')).toEqual(['/usr/share/AAVMF/AAVMF_CODE.fd']);
    const k = build({ arch: 'aarch64', boot: kernel }, { display: 'gui' }).argv;
    expect(k).not.toContain('-bios');
    expect(valuesOf(k, '-device')).toContain('virtio-gpu-pci');
  });
});
