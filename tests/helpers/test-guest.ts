import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The tiny test guest (scripts/build-test-guest.sh): a Debian cloud kernel, a busybox initramfs,
 * a 64 MiB ext4 qcow2, and a bootable hybrid ISO (also as a bootable qcow2 disk). Tests call ensureTestGuest() in a beforeAll with a generous timeout
 * (a first build downloads the kernel package, ~5-30 s); later calls return at once.
 *
 * Building twice is avoided at two levels: within one test worker the promise is shared; across
 * parallel vitest workers (separate processes) the script takes an flock on
 * <dir>/.build.lock and re-checks its stamp, so the second worker waits and then finds the cache.
 */
export type TestGuest = {
  kernel: string;
  initrd: string;
  /** The disk variant: ext4 (no partition table) on virtio-blk; boot it with diskCmdline. */
  disk: string;
  diskFormat: 'qcow2';
  diskSizeBytes: number;
  /** For the initramfs guest: "console=tty0 console=ttyS0" (ttyS0 last: /dev/console). */
  cmdline: string;
  /** cmdline + root=/dev/vda: /init mounts the disk and switches to it. */
  diskCmdline: string;
  /** Printed on ttyS0 and tty0 once the shell is about to start. */
  readyMarker: string;
  diskMarkerFile: string;
  diskMarkerText: string;
  /** Hybrid ISO (ISOLINUX: kernel + initrd + cmdline): boots as a CD-ROM, and as a raw disk.
   * null when genisoimage was missing at build time. */
  iso: string | null;
  /** The same hybrid ISO as a qcow2: a BIOS-bootable hard disk (virtio-blk or IDE). */
  bootDisk: string | null;
  bootDiskFormat: 'qcow2';
  kernelPackage: string;
  kernelVersion: string;
  busyboxVersion: string;
  modules: string[];
  stamp: string;
};

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const script = path.join(repoRoot, 'scripts/build-test-guest.sh');

/** Where the guest is built: $GENOS_TEST_GUEST_DIR, else <repo>/.cache/test-guest (git-ignored). */
export function testGuestDir(): string {
  return process.env.GENOS_TEST_GUEST_DIR ?? path.join(repoRoot, '.cache/test-guest');
}

/** Extra kernel arguments the guest understands (append to cmdline / diskCmdline). */
export const GUEST_ARGS = {
  /** The guest ignores the ACPI power button: for testing a host's power-down fallback. */
  ignoreAcpi: 'genos.acpi=ignore',
} as const;

let pending: Promise<TestGuest> | undefined;

export function ensureTestGuest(): Promise<TestGuest> {
  pending ??= build().catch((e: unknown) => {
    pending = undefined; // a failed build may be retried by the next caller
    throw e;
  });
  return pending;
}

async function build(): Promise<TestGuest> {
  const dir = testGuestDir();
  // The script's fast path (stamp check) takes a few ms, so it runs every time: a changed
  // script then rebuilds instead of testing against a stale guest.
  await new Promise<void>((resolve, reject) => {
    execFile(
      'bash',
      [script, dir],
      { timeout: 300_000, maxBuffer: 16 * 1024 * 1024 },
      (err, _stdout, stderr) => {
        if (err) {
          reject(new Error(`${script} failed: ${err.message}\n${stderr}`));
        } else {
          resolve();
        }
      },
    );
  });
  const manifest = JSON.parse(await fs.readFile(path.join(dir, 'guest.json'), 'utf8')) as TestGuest;
  for (const f of [manifest.kernel, manifest.initrd, manifest.disk]) await fs.access(f);
  return manifest;
}
