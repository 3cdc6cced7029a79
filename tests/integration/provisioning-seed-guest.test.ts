import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSeed } from '../../main/provisioning/cloud-init.js';
import { writeSeedIso } from '../../main/provisioning/seed-iso.js';
import { backendAvailable } from '../helpers/backends.js';
import { ensureTestGuest, testGuestDir, type TestGuest } from '../helpers/test-guest.js';

/**
 * The seed ISO read by a real Linux kernel: the test guest boots under TCG with two seeds as IDE
 * CD-ROMs (GenOS's own writer on sr0, genisoimage's on sr1 when installed) and mounts them.
 * The guest's initramfs has no CD-ROM/ISO9660 drivers, so the test appends a second cpio
 * archive with cdrom.ko, sr_mod.ko and isofs.ko taken from the guest's own kernel package
 * (the kernel unpacks concatenated initramfs archives in order) and insmods them by hand.
 */

const hasQemu = backendAvailable('qemu');
const hasTools = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v cpio && command -v dpkg-deb && command -v gzip'], {
      stdio: 'ignore',
    });
    return true;
  } catch {
    return false;
  }
})();
const hasGenisoimage = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v genisoimage'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const MODULES = ['cdrom.ko', 'sr_mod.ko', 'isofs.ko']; // in load order

let tmp: string;
let guest: TestGuest;
let initrd: string;

/** Copies the guest's initrd and appends a cpio archive holding /extra/<module>.ko. */
function initrdWithIsoModules(): string {
  const deb = path.join(testGuestDir(), 'debs', guest.kernelPackage);
  const x = path.join(tmp, 'kpkg');
  fs.mkdirSync(x);
  execFileSync('sh', [
    '-c',
    `dpkg-deb --fsys-tarfile "$1" | tar -x -C "$2" --wildcards '*/cdrom.ko' '*/sr_mod.ko' '*/isofs/isofs.ko'`,
    'sh',
    deb,
    x,
  ]);
  const root = path.join(tmp, 'extra-root');
  fs.mkdirSync(path.join(root, 'extra'), { recursive: true });
  const found = execFileSync('find', [x, '-name', '*.ko']).toString().trim().split('\n');
  for (const m of MODULES)
    fs.copyFileSync(
      found.find((f) => path.basename(f) === m)!,
      path.join(root, 'extra', m),
    );
  const cpio = execFileSync('sh', [
    '-c',
    'cd "$1" && find extra | cpio -o -H newc -R 0:0 --quiet | gzip -n',
    'sh',
    root,
  ]);
  const out = path.join(tmp, 'initrd-iso.gz');
  fs.writeFileSync(out, Buffer.concat([fs.readFileSync(guest.initrd), cpio]));
  return out;
}

class Serial {
  out = '';
  private waiters: Array<() => void> = [];
  constructor(readonly proc: ChildProcessWithoutNullStreams) {
    const push = (c: Buffer) => {
      this.out += c.toString('latin1');
      for (const w of this.waiters.splice(0)) w();
    };
    proc.stdout.on('data', push);
    proc.stderr.on('data', push);
  }
  async waitFor(re: RegExp, from = 0, timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = this.out.slice(from);
      if (re.test(text)) return text;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${re}; serial:\n${this.out.slice(-3000)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 500);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }
  /** Runs a command; returns what it printed (the shell echoes the line itself first). */
  async run(cmd: string, n: number): Promise<string> {
    const from = this.out.length;
    const end = `END-${n}`;
    this.proc.stdin.write(`${cmd}; echo END-$((${n - 1}+1))\n`);
    const text = await this.waitFor(new RegExp(`\\n${end}\\r?\\n`), from, 20_000);
    return text.slice(0, text.lastIndexOf(end));
  }
}

describe.skipIf(!hasQemu || !hasTools)('the cloud-init seed in a real guest', () => {
  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-seed-guest-'));
    guest = await ensureTestGuest();
    initrd = initrdWithIsoModules();
  }, 300_000);
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('mounts /dev/sr0 (our writer) and /dev/sr1 (genisoimage): label cidata, user-data as written', async () => {
    const seed = buildSeed({
      instanceId: 'env-guest-1',
      hostname: 'seed-check',
      osId: 'debian',
      packageManager: 'apt',
      display: 'headless',
      packages: ['vim'],
    });
    const own = await writeSeedIso(seed, path.join(tmp, 'own.iso'), { tool: 'builtin' });
    const drives = ['-drive', `file=${own.path},format=raw,media=cdrom,if=ide,index=2,readonly=on`];
    if (hasGenisoimage) {
      const gen = await writeSeedIso(seed, path.join(tmp, 'gen.iso'), { tool: 'genisoimage' });
      drives.push('-drive', `file=${gen.path},format=raw,media=cdrom,if=ide,index=3,readonly=on`);
    }
    const proc = spawn(
      'qemu-system-x86_64',
      [
        ...[
          '-accel',
          'tcg,thread=multi',
          '-m',
          '160',
          '-nodefaults',
          '-no-reboot',
          '-display',
          'none',
        ],
        ...[
          '-serial',
          'stdio',
          '-kernel',
          guest.kernel,
          '-initrd',
          initrd,
          '-append',
          guest.cmdline,
        ],
        ...drives,
      ],
      { stdio: 'pipe' },
    );
    const vm = new Serial(proc);
    try {
      const t0 = performance.now();
      await vm.waitFor(new RegExp(guest.readyMarker));
      await vm.waitFor(/# /);
      console.log(`seed guest ready after ${(performance.now() - t0).toFixed(0)} ms`);
      await vm.run(MODULES.map((m) => `insmod /extra/${m}`).join('; '), 1);
      await vm.run('mdev -s 2>/dev/null; sleep 1; ls /dev/sr*', 2);
      expect(await vm.run('grep iso9660 /proc/filesystems', 3)).toMatch(/iso9660/);

      const userData = seed.files['user-data'].trimEnd().split('\n');
      const check = async (dev: string, n: number) => {
        const dir = `/mnt/${dev}`;
        const mount = await vm.run(
          `mkdir -p ${dir} && mount -t iso9660 -o ro /dev/${dev} ${dir} && echo MOUNTED`,
          n,
        );
        expect(mount).toMatch(/\nMOUNTED/);
        expect(await vm.run(`ls ${dir}`, n + 1)).toMatch(/meta-data\s+user-data/);
        const cat = (await vm.run(`cat ${dir}/user-data`, n + 2)).replace(/\r/g, '');
        for (const line of userData) expect(cat).toContain(line);
        expect(await vm.run(`cat ${dir}/meta-data`, n + 3)).toMatch(/instance-id: env-guest-1/);
        // The label from the primary volume descriptor (sector 16, bytes 40-71), as blkid reads it.
        const label = await vm.run(
          `dd if=/dev/${dev} bs=2048 skip=16 count=1 2>/dev/null | head -c 72 | tail -c 32; echo`,
          n + 4,
        );
        expect(label).toMatch(/\ncidata {26}\r?\n/);
      };
      await check('sr0', 10);
      if (hasGenisoimage) await check('sr1', 20);
      // Without Joliet, Linux maps our primary names "USER-DATA.;1" to "user-data" too.
      const plain = await vm.run(
        'mkdir -p /mnt/p && mount -t iso9660 -o ro,nojoliet /dev/sr0 /mnt/p && ls /mnt/p',
        30,
      );
      expect(plain).toMatch(/meta-data\s+user-data/);
    } finally {
      proc.kill('SIGKILL');
    }
  }, 120_000);
});
