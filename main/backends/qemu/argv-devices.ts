import type { PortForward } from '../../../preload/contract.js';
import { GenosError } from '../../core/errors.js';
import type { BootSource, DiskRef } from './boot-source.js';
import { DISK_FORMATS } from './boot-source.js';
import { hostPath, optValue } from './qemu-opts.js';

/**
 * The device parts of the argv: block devices for each boot source, the NIC for each network
 * mode, the display. Pure helpers of qemu-argv.ts, split out to keep both files small.
 */

export type Arch = 'x86_64' | 'aarch64';
type Bus = { virtio: boolean; arch: Arch };

/**
 * A -blockdev node: format driver over a file driver with an explicit filename. -blockdev (not
 * -drive file=) because `filename` is never parsed for "protocol:" prefixes, and `driver=` names
 * the format, so qemu never probes it.
 */
export function blockdev(node: string, file: string, format: string, readOnly: boolean): string[] {
  const f = optValue(hostPath(file, `${node} image`), `${node} image path`);
  const ro = readOnly ? ',read-only=on' : '';
  const fileRo = readOnly ? ',file.read-only=on' : '';
  return [
    '-blockdev',
    `driver=${format},node-name=${node}${ro},file.driver=file,file.filename=${f}${fileRo}`,
  ];
}

function checkFormat(d: DiskRef): DiskRef {
  if (!DISK_FORMATS.includes(d.format)) {
    throw new GenosError('BAD_ARGS', `Unknown disk format "${String(d.format)}".`);
  }
  return d;
}

function diskDevice(bus: Bus, node: string, bootindex: number | null): string[] {
  const boot = bootindex === null ? '' : `,bootindex=${bootindex}`;
  // aarch64 "virt" has no AHCI controller; every aarch64 distribution has virtio drivers.
  if (bus.virtio || bus.arch === 'aarch64') {
    return ['-device', `virtio-blk-pci,drive=${node},id=${node}-dev${boot}`];
  }
  // q35's built-in ICH9 AHCI controller: ports ide.0 .. ide.5.
  return ['-device', `ide-hd,bus=ide.0,drive=${node},id=${node}-dev${boot}`];
}

function cdromDevice(bus: Bus, node: string, bootindex: number): string[] {
  if (bus.arch === 'aarch64') {
    return [
      ...['-device', 'virtio-scsi-pci,id=scsi0'],
      ...['-device', `scsi-cd,bus=scsi0.0,drive=${node},id=${node}-dev,bootindex=${bootindex}`],
    ];
  }
  return ['-device', `ide-cd,bus=ide.1,drive=${node},id=${node}-dev,bootindex=${bootindex}`];
}

/**
 * The cloud-init seed: found by its label (cidata), so any read-only block device will do. A
 * virtio disk where the guest has virtio (cloud kernels may lack AHCI/sr), else a cdrom on the
 * AHCI port after the installer's. Never bootable.
 */
function seedDevice(bus: Bus): string[] {
  if (bus.virtio || bus.arch === 'aarch64') {
    return ['-device', 'virtio-blk-pci,drive=seed0,id=seed0-dev'];
  }
  return ['-device', 'ide-cd,bus=ide.2,drive=seed0,id=seed0-dev'];
}

/**
 * A second, never-booted cdrom (Windows' virtio driver ISO): the installer's "Load driver" finds
 * it. AHCI port 3, after the disk (0), the installer (1) and a seed (2).
 */
export function driversArgs(iso: string | null | undefined, bus: Bus): string[] {
  if (!iso) return [];
  const device =
    bus.arch === 'aarch64'
      ? [
          '-device',
          'virtio-scsi-pci,id=scsi1',
          '-device',
          'scsi-cd,bus=scsi1.0,drive=cd1,id=cd1-dev',
        ]
      : ['-device', 'ide-cd,bus=ide.3,drive=cd1,id=cd1-dev'];
  return [...blockdev('cd1', iso, 'raw', true), ...device];
}

export function bootArgs(boot: BootSource, bus: Bus): string[] {
  switch (boot.kind) {
    case 'disk': {
      const d = checkFormat(boot.disk);
      const args = [...blockdev('disk0', d.path, d.format, false), ...diskDevice(bus, 'disk0', 1)];
      if (boot.seed) args.push(...blockdev('seed0', boot.seed, 'raw', true), ...seedDevice(bus));
      return [...args, ...driversArgs(boot.drivers, bus)];
    }
    case 'iso': {
      const d = checkFormat(boot.disk);
      // The installer medium is read-only; cdrom first until the OS is installed on disk0.
      return [
        ...blockdev('cd0', boot.iso, 'raw', true),
        ...cdromDevice(bus, 'cd0', 0),
        ...blockdev('disk0', d.path, d.format, false),
        ...diskDevice(bus, 'disk0', 1),
        ...driversArgs(boot.drivers, bus),
      ];
    }
    case 'kernel': {
      // -kernel/-initrd/-append are taken verbatim by qemu (no key=value parsing): no escaping.
      const args = ['-kernel', hostPath(boot.kernel, 'kernel')];
      if (boot.initrd !== null) args.push('-initrd', hostPath(boot.initrd, 'initrd'));
      args.push('-append', boot.cmdline);
      if (boot.disk) {
        const d = checkFormat(boot.disk);
        args.push(...blockdev('disk0', d.path, d.format, false), ...diskDevice(bus, 'disk0', null));
      }
      // No device: the guest never sees it; savevm finds it as an unattached writable qcow2 node.
      if (boot.stateDisk !== null)
        args.push(...blockdev('vmstate0', boot.stateDisk, 'qcow2', false));
      return args;
    }
  }
}

export type NetMode = 'nat' | 'isolated' | 'none';

export function hostfwd(p: PortForward): string {
  // Bound to 127.0.0.1 only: a forward is for this user on this machine, never the LAN.
  return `hostfwd=${p.protocol}:127.0.0.1:${p.host}-:${p.guest}`;
}

export function netArgs(mode: NetMode, ports: PortForward[], bus: Bus): string[] {
  if (mode === 'none') {
    if (ports.length > 0) {
      throw new GenosError(
        'BAD_ARGS',
        'Network mode "none" gives the VM no network card, so port forwards cannot work: ' +
          'choose "isolated" (no way out, forwards still work) or remove the ports.',
      );
    }
    return ['-nic', 'none'];
  }
  const model = bus.virtio || bus.arch === 'aarch64' ? 'virtio-net-pci' : 'e1000';
  const opts = [`user`, `id=net0`, `model=${model}`];
  // restrict=on: the guest can reach neither the host nor the outside; host forwards still work.
  if (mode === 'isolated') opts.push('restrict=on');
  opts.push(...ports.map(hostfwd));
  return ['-nic', opts.join(',')];
}

export function displayArgs(
  gui: boolean,
  sockets: { vnc: string; spice: string },
  arch: Arch,
): string[] {
  // -display none always: no local window from a VM the app shows through its own bridge.
  if (!gui) return ['-display', 'none', '-vga', 'none'];
  const input = ['-device', 'qemu-xhci,id=xhci', '-device', 'usb-tablet,bus=xhci.0'];
  // qxl-vga: VGA-compatible (VNC and firmware see a plain VGA), and a guest with the qxl driver
  // gets SPICE's 2D commands and agent-driven resolution changes. aarch64 "virt" has no VGA.
  const card =
    arch === 'aarch64' ? ['-device', 'virtio-gpu-pci'] : ['-device', 'qxl-vga,id=video0'];
  const kbd = arch === 'aarch64' ? ['-device', 'usb-kbd,bus=xhci.0'] : [];
  // VNC and SPICE listen on unix sockets only; GenOS bridges them to the renderer with tokens.
  // No SPICE ticket: the 0700 runtime dir and the bridge's token are the access control.
  return [
    ...['-display', 'none'],
    ...card,
    // "vnc=" named explicitly: with the implied key, a "=" in the path would split it.
    ...['-vnc', `vnc=unix:${optValue(sockets.vnc, 'VNC socket path')}`],
    ...[
      '-spice',
      `unix=on,addr=${optValue(sockets.spice, 'SPICE socket path')},disable-ticketing=on`,
    ],
    // The spice-vdagent port (clipboard, resolution) for guests that run the agent.
    ...['-device', 'virtio-serial-pci,id=vser0'],
    ...['-chardev', 'spicevmc,id=vdagent0,name=vdagent'],
    ...['-device', 'virtserialport,bus=vser0.0,chardev=vdagent0,name=com.redhat.spice.0'],
    // An absolute pointer, so the VNC cursor and the guest's cursor stay together.
    ...input,
    ...kbd,
  ];
}
