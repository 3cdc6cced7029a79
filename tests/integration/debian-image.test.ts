import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildSeed,
  FIRST_BOOT_MARKER,
  findProvisionMarker,
} from '../../main/provisioning/cloud-init.js';
import { writeSeedIso } from '../../main/provisioning/seed-iso.js';
import { backendAvailable } from '../helpers/backends.js';

/**
 * scripts/build-debian-image.sh, for real: the image is built when missing (a cold build is a
 * few minutes of debootstrap and apt; later runs hit the script's stamp), then booted under TCG
 * with a seed made by GenOS's own buildSeed + writeSeedIso, with no network, and driven over its
 * serial console on a unix socket: the markers, the hostname, the user, sudo, systemd's state and
 * cloud-init's growpart are checked from inside the guest.
 */

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const script = path.join(repoRoot, 'scripts/build-debian-image.sh');
const imageDir = process.env.GENOS_DEBIAN_IMAGE_DIR ?? path.join(repoRoot, '.cache/debian-image');
const required = process.env.GENOS_REQUIRE_BACKENDS === '1';
const GiB = 1024 ** 3;
const BOOT_MS = 15 * 60_000; // a full Debian + cloud-init under TCG on a shared 2-core machine

type Manifest = {
  image: string;
  format: string;
  virtualSizeBytes: number;
  sizeBytes: number;
  sha256: string;
  suite: string;
  kernelVersion: string;
  kernelCmdline: string;
  rootUuid: string;
  cloudInitDatasources: string[];
  stamp: string;
};

const hasQemu = backendAvailable('qemu') && backendAvailable('qemu-img');

/** Why the image can be neither reused nor built here, or null. */
function buildBlocker(): string | null {
  try {
    execFileSync('bash', [script, '--check', imageDir], { stdio: 'ignore' });
    return null; // built and current
  } catch {
    // not built yet, or stale: can this machine build it?
  }
  if (process.getuid?.() !== 0) return 'building it needs root (debootstrap)';
  const tools = ['debootstrap', 'mkfs.vfat', 'mcopy', 'syslinux', 'sfdisk', 'mke2fs'];
  const missing = tools.filter((t) => {
    try {
      execFileSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (!fs.existsSync('/usr/lib/syslinux/mbr/mbr.bin')) missing.push('syslinux-common');
  return missing.length ? `missing tools: ${missing.join(', ')}` : null;
}

const blocker = hasQemu ? buildBlocker() : null;

function buildImage(): Promise<Manifest> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [script, imageDir],
      { timeout: 40 * 60_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) {
          reject(new Error(`${script} failed: ${err.message}\n${stdout}\n${stderr}`));
          return;
        }
        process.stdout.write(stdout);
        const file = path.join(imageDir, 'debian-image.json');
        resolve(JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest);
      },
    );
  });
}

/** The guest's first serial port, as a qemu unix socket server. */
class SerialConsole {
  out = '';
  private waiters: Array<() => void> = [];

  constructor(private readonly sock: net.Socket) {
    sock.on('data', (c: Buffer) => {
      this.out += c.toString('latin1');
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async connect(
    file: string,
    qemu: ChildProcess,
    timeoutMs = 30_000,
  ): Promise<SerialConsole> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (qemu.exitCode !== null) throw new Error(`qemu exited with ${qemu.exitCode}`);
      try {
        const sock = await new Promise<net.Socket>((resolve, reject) => {
          const s = net.connect(file, () => resolve(s));
          s.once('error', reject);
        });
        return new SerialConsole(sock);
      } catch (e) {
        if (Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  async waitFor(re: RegExp, timeoutMs: number, from = 0): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.out.slice(from).match(re);
      if (m) return m;
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${re}; serial console:\n${this.out.slice(-4000)}`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 1000);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  send(text: string): void {
    this.sock.write(text);
  }

  /** Runs a shell line as the logged-in user; returns what it printed between two markers. */
  async run(cmd: string, timeoutMs = 120_000): Promise<string> {
    const tag = crypto.randomBytes(4).toString('hex');
    const from = this.out.length;
    // The markers are built by the shell, so the echo of the typed line never matches them.
    this.send(`echo B-$((1))${tag}; ${cmd}; echo E-$((1))${tag}\r`);
    const m = await this.waitFor(
      new RegExp(`B-1${tag}\\r?\\n([\\s\\S]*?)E-1${tag}`),
      timeoutMs,
      from,
    );
    return m[1]!.replace(/\r/g, '');
  }

  close(): void {
    this.sock.destroy();
  }
}

describe.skipIf(!hasQemu || (blocker !== null && !required))('the Debian base image', () => {
  let manifest: Manifest;
  let tmp: string;
  let qemu: ChildProcess | undefined;
  let serial: SerialConsole | undefined;

  beforeAll(async () => {
    if (blocker) {
      throw new Error(`GENOS_REQUIRE_BACKENDS=1 but the Debian image cannot be built: ${blocker}`);
    }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-debian-image-'));
    const t0 = performance.now();
    manifest = await buildImage();
    console.log(`debian image ready after ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }, 45 * 60_000);

  afterAll(() => {
    // For a look at the whole boot (CI artefact, debugging): the serial console as received.
    const keep = process.env.GENOS_DEBIAN_IMAGE_SERIAL_LOG;
    if (keep && serial) fs.writeFileSync(keep, serial.out);
    serial?.close();
    if (qemu && qemu.exitCode === null && qemu.signalCode === null) qemu.kill('SIGKILL');
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('has a manifest that matches the qcow2 on disk', async () => {
    expect(manifest.format).toBe('qcow2');
    expect(manifest.suite).toBe('bookworm');
    expect(manifest.virtualSizeBytes).toBe(4 * GiB);
    expect(manifest.kernelVersion).toMatch(/-cloud-amd64$/);
    expect(manifest.kernelCmdline).toContain(`root=UUID=${manifest.rootUuid}`);
    expect(manifest.kernelCmdline).toMatch(/console=ttyS0,115200$/);
    expect(manifest.cloudInitDatasources).toContain('NoCloud');
    expect(fs.statSync(manifest.image).size).toBe(manifest.sizeBytes);
    const hash = crypto.createHash('sha256');
    for await (const chunk of fs.createReadStream(manifest.image)) hash.update(chunk as Buffer);
    expect(hash.digest('hex')).toBe(manifest.sha256);

    const info = JSON.parse(
      execFileSync('qemu-img', ['info', '--output=json', '-f', 'qcow2', manifest.image], {
        encoding: 'utf8',
      }),
    ) as { format: string; 'virtual-size': number; 'backing-filename'?: string };
    expect(info.format).toBe('qcow2');
    expect(info['virtual-size']).toBe(4 * GiB);
    expect(info['backing-filename']).toBeUndefined();
  }, 120_000);

  it(
    'boots with a GenOS seed: cloud-init provisions the user and hostname and grows the disk',
    async () => {
      const instanceId = `env-debimg-${crypto.randomBytes(3).toString('hex')}`;
      const hostname = 'genos-debimg-check';
      const seed = buildSeed({
        instanceId,
        hostname,
        osId: 'debian',
        packageManager: 'apt',
        display: 'headless',
      });
      const iso = await writeSeedIso(seed, path.join(tmp, 'seed.iso'));
      // An overlay keeps the cached base pristine; 6 GiB so growpart/resize2fs have work to do.
      const disk = path.join(tmp, 'disk.qcow2');
      execFileSync('qemu-img', [
        ...['create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', manifest.image, disk, '6G'],
      ]);
      const serialPath = path.join(tmp, 'serial.sock');
      const argv = [
        ...['-accel', 'tcg,thread=multi', '-m', '1024', '-nodefaults', '-no-reboot'],
        ...['-display', 'none', '-nic', 'none'],
        // wait=on: the guest starts only once the test listens, so no byte is lost.
        ...['-serial', `unix:${serialPath},server=on,wait=on`],
        ...['-blockdev', `driver=qcow2,node-name=disk0,file.driver=file,file.filename=${disk}`],
        ...['-device', 'virtio-blk-pci,drive=disk0,bootindex=1'],
        ...[
          '-blockdev',
          `driver=raw,node-name=seed,read-only=on,file.driver=file,file.filename=${iso.path}`,
        ],
        ...['-device', 'ide-cd,drive=seed'],
      ];
      const t0 = performance.now();
      const proc = spawn('qemu-system-x86_64', argv, { stdio: ['ignore', 'ignore', 'pipe'] });
      qemu = proc;
      let qemuErr = '';
      proc.stderr?.on('data', (c: Buffer) => (qemuErr += c.toString()));
      const con = await SerialConsole.connect(serialPath, proc).catch((e: unknown) => {
        throw new Error(`${String(e)}\nqemu stderr: ${qemuErr}`);
      });
      serial = con;
      const secs = () => ((performance.now() - t0) / 1000).toFixed(1);

      await con.waitFor(/Linux version \S+-cloud-amd64/, BOOT_MS);
      const tKernel = secs();
      await con.waitFor(new RegExp(`${FIRST_BOOT_MARKER} ${instanceId}`), BOOT_MS);
      const tFirst = secs();
      await con.waitFor(new RegExp(`GENOS-PROVISIONED ${instanceId} [^\r\n]+\r?\n`), BOOT_MS);
      const tReady = secs();
      expect(findProvisionMarker(con.out, instanceId)).toEqual({ state: 'ok' });
      console.log(
        `debian image under TCG: kernel ${tKernel} s, first-boot marker ${tFirst} s, provisioned ${tReady} s`,
      );

      // The getty's prompt names the host; log in as the seed's user with its password.
      let from = con.out.length;
      con.send('\r');
      await con.waitFor(new RegExp(`${hostname} login: *$`), 120_000, from);
      from = con.out.length;
      con.send(`${seed.userName}\r`);
      await con.waitFor(/Password: *$/, 60_000, from);
      from = con.out.length;
      con.send(`${seed.password}\r`);
      await con.waitFor(/\$ *$/, 120_000, from);

      // The console is also the kernel's and cloud-init's (host key fingerprints arrive late),
      // so every answer is tagged and matched, never compared line for line.
      const who = await con.run('echo "H=$(hostname) U=$(id -un) S=$(sudo -n id -un)"');
      expect(who).toContain(`H=${hostname} U=${seed.userName} S=root`);
      const state = await con.run('echo "SYSTEMD=$(systemctl is-system-running --wait)"', 300_000);
      if (!/SYSTEMD=running\b/.test(state)) {
        throw new Error(
          `systemd is not running:\n${state}\n${await con.run('systemctl --failed')}`,
        );
      }
      const ci = await con.run('cloud-init status --wait >/dev/null; cloud-init status', 300_000);
      expect(ci).toMatch(/status: done/);
      expect(await con.run('cat /run/cloud-init/result.json')).toMatch(/DataSourceNoCloud/);
      // growpart + resizefs: the 6 GiB overlay's root file system is past the image's 4 GiB.
      const df = await con.run('echo "ROOT=$(df -B1 --output=size / | tail -n1 | tr -d \' \')"');
      expect(Number(/ROOT=(\d+)/.exec(df)?.[1])).toBeGreaterThan(5 * GiB);
      expect(await con.run('echo "BOOTFS=$(findmnt -no FSTYPE /boot)"')).toContain('BOOTFS=vfat');
      expect(await con.run('echo "SSHD=$(systemctl is-active ssh)"')).toContain('SSHD=active');
      console.log(`logged in and checked after ${secs()} s`);
    },
    BOOT_MS + 10 * 60_000,
  );
});
