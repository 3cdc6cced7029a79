import type { EnvironmentSpec } from '../../../preload/contract.js';

/** Disk formats qemu is told explicitly (never probed at launch: ARCHITECTURE-BRIEF rules). */
export type DiskFormat = 'qcow2' | 'raw' | 'vdi' | 'vhdx' | 'vmdk';
export const DISK_FORMATS: readonly DiskFormat[] = ['qcow2', 'raw', 'vdi', 'vhdx', 'vmdk'];

export type DiskRef = { path: string; format: DiskFormat };

/**
 * What the VM boots from, already resolved to host files (the image library and the per-env
 * overlay are resolved before the argv is built, so building it stays a pure function).
 */
export type BootSource =
  /**
   * An installed system: the env's disk (a qcow2 overlay on a library or catalog base). `seed` is
   * a catalog VM's cloud-init NoCloud volume (raw ISO9660, label cidata), attached read-only.
   */
  | { kind: 'disk'; disk: DiskRef; seed?: string | null; drivers?: string | null }
  /** An installer: the ISO as a read-only cdrom plus the blank disk it installs onto; cdrom first. */
  | { kind: 'iso'; iso: string; disk: DiskRef; drivers?: string | null }
  /**
   * Direct kernel boot. `disk` is an optional root disk; `stateDisk` a small qcow2 the guest never
   * sees, attached only so savevm has a snapshot-capable node to write RAM state into.
   */
  | {
      kind: 'kernel';
      kernel: string;
      initrd: string | null;
      cmdline: string;
      disk: DiskRef | null;
      stateDisk: string | null;
    };

/** How the guest's hardware is chosen; derived from the OS, overridable per call. */
export type GuestProfile = {
  /** virtio-blk / virtio-net / balloon / rng; else AHCI disks and an e1000 NIC. */
  virtio: boolean;
  /** Windows keeps the RTC in local time; everything else in UTC. */
  rtcLocalTime: boolean;
};

// Windows installers ship no virtio drivers: it needs AHCI + e1000 unless drivers are added.
const NO_VIRTIO_OS = new Set(['windows', 'reactos', 'freedos', 'msdos']);

export function guestProfileFor(spec: Pick<EnvironmentSpec, 'os'>): GuestProfile {
  const id = spec.os.id;
  return { virtio: !NO_VIRTIO_OS.has(id), rtcLocalTime: id === 'windows' || id === 'reactos' };
}
