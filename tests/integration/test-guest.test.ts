import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backendAvailable } from '../helpers/backends.js';
import { ensureTestGuest, GUEST_ARGS, type TestGuest } from '../helpers/test-guest.js';

/**
 * The test guest itself, booted directly with qemu-system-x86_64 under TCG (no GenOS code in
 * between), so a failure here is the guest's and not the backend's.
 */

const hasQemu = backendAvailable('qemu');
const BOOT_MS = 45_000; // ~4 s alone; two workers booting guests on 2 cores take longer

/** A running qemu with its serial console on stdio and a QMP socket. */
class Vm {
  private out = '';
  private waiters: Array<() => void> = [];
  readonly exited: Promise<number | null>;

  constructor(
    readonly proc: ChildProcessWithoutNullStreams,
    readonly qmpPath: string,
  ) {
    proc.stdout.on('data', (c: Buffer) => this.push(c.toString('latin1')));
    proc.stderr.on('data', (c: Buffer) => this.push(c.toString('latin1')));
    this.exited = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
  }

  private push(s: string): void {
    this.out += s;
    for (const w of this.waiters.splice(0)) w();
  }

  get output(): string {
    return this.out;
  }

  /** Resolves once the serial output after `from` matches; rejects with the output on timeout. */
  async waitFor(re: RegExp, timeoutMs = BOOT_MS, from = 0): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.out.slice(from).match(re);
      if (m) return m;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`timed out waiting for ${re}; serial output:\n${this.out.slice(-3000)}`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Types a line into the serial console and waits for a pattern in what follows. */
  async run(line: string, expect: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
    const from = this.out.length;
    this.proc.stdin.write(`${line}\n`);
    return this.waitFor(expect, timeoutMs, from);
  }

  /** One QMP command on a fresh connection (capabilities negotiated first). */
  qmp(execute: string, args?: Record<string, unknown>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const sock = net.connect(this.qmpPath);
      let buf = '';
      let stage = 0;
      sock.on('error', reject);
      sock.on('data', (c) => {
        buf += c.toString('utf8');
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const msg = JSON.parse(buf.slice(0, nl)) as Record<string, unknown>;
          buf = buf.slice(nl + 1);
          if (msg.event) continue;
          if (stage === 0 && msg.QMP) {
            stage = 1;
            sock.write(JSON.stringify({ execute: 'qmp_capabilities' }) + '\n');
          } else if (stage === 1) {
            stage = 2;
            sock.write(JSON.stringify({ execute, arguments: args }) + '\n');
          } else if (stage === 2) {
            sock.end();
            if (msg.error) reject(new Error(JSON.stringify(msg.error)));
            else resolve(msg.return);
          }
        }
      });
    });
  }

  kill(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
  }
}

let tmp: string;
let guest: TestGuest;
const vms: Vm[] = [];

/** Direct kernel boot when `append` is given; otherwise the firmware boots from `extra`'s media. */
function boot(extra: string[], append?: string): Vm {
  const qmpPath = path.join(tmp, `qmp-${vms.length}.sock`);
  const argv = [
    ...['-accel', 'tcg,thread=multi', '-m', '128', '-nodefaults', '-no-reboot'],
    ...['-display', 'none', '-serial', 'stdio'],
    ...['-qmp', `unix:${qmpPath},server=on,wait=off`],
    ...(append !== undefined
      ? ['-kernel', guest.kernel, '-initrd', guest.initrd, '-append', append]
      : []),
    ...extra,
  ];
  const vm = new Vm(spawn('qemu-system-x86_64', argv, { stdio: 'pipe' }), qmpPath);
  vms.push(vm);
  return vm;
}

/** Reads a binary PPM (P6) and counts its distinct colours, to tell text from a blank screen. */
function ppmColours(file: string): number {
  const data = fs.readFileSync(file);
  const header = data.subarray(0, 64).toString('latin1');
  const m = header.match(/^P6\s+(\d+)\s+(\d+)\s+(\d+)\s/);
  if (!m) throw new Error(`not a P6 PPM: ${header.slice(0, 20)}`);
  const pixels = data.subarray(m[0].length);
  const seen = new Set<number>();
  for (let i = 0; i + 2 < pixels.length && seen.size < 16; i += 3) {
    seen.add((pixels[i]! << 16) | (pixels[i + 1]! << 8) | pixels[i + 2]!);
  }
  return seen.size;
}

describe.skipIf(!hasQemu)('the test guest under TCG', () => {
  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-test-guest-'));
    guest = await ensureTestGuest();
  }, 300_000);
  afterEach(() => {
    for (const vm of vms.splice(0)) vm.kill();
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('boots to the ready marker, runs a typed command, shows text on VGA, powers off on ACPI', async () => {
    const t0 = performance.now();
    const vm = boot(['-vga', 'std'], guest.cmdline);
    await vm.waitFor(new RegExp(guest.readyMarker));
    const readyMs = performance.now() - t0;
    await vm.waitFor(/# /); // the prompt
    await vm.run('echo $((6*7))', /\b42\b/);

    const ppm = path.join(tmp, 'screen.ppm');
    await vm.qmp('screendump', { filename: ppm });
    expect(ppmColours(ppm)).toBeGreaterThan(1);

    await vm.qmp('system_powerdown');
    await vm.waitFor(/GENOS-TEST-GUEST-POWEROFF/, 15_000);
    expect(await vm.exited).toBe(0);
    console.log(`test guest: ready marker after ${readyMs.toFixed(0)} ms (wall, from spawn)`);
  }, 90_000);

  it('the disk variant mounts its ext4 root from virtio-blk, shows the marker file, can ignore ACPI', async () => {
    // A throwaway overlay: the cached disk is shared by every test and must stay pristine.
    const overlay = await overlayOn(guest.disk, 'disk-overlay.qcow2');
    const vm = boot(
      ['-drive', `file=${overlay},format=qcow2,if=virtio,cache=unsafe`],
      `${guest.diskCmdline} ${GUEST_ARGS.ignoreAcpi}`,
    );
    await vm.waitFor(new RegExp(guest.readyMarker));
    await vm.waitFor(/# /);
    await vm.run(`cat ${guest.diskMarkerFile}`, new RegExp(guest.diskMarkerText));
    await vm.run('grep " / " /proc/mounts', /\/dev\/vda \/ ext4 rw/);
    // genos.acpi=ignore: the power button does nothing, for testing a host's fallback.
    await vm.qmp('system_powerdown');
    await new Promise((r) => setTimeout(r, 1500));
    expect(vm.proc.exitCode).toBeNull();
    await vm.run('echo still-$((1+1))', /still-2/);
  }, 90_000);

  it('the hybrid ISO boots from a CD-ROM on q35 (firmware, no -kernel)', async (ctx) => {
    if (!guest.iso) return ctx.skip();
    const vm = boot([
      ...['-machine', 'q35', '-boot', 'order=d'],
      ...['-drive', `file=${guest.iso},format=raw,media=cdrom,readonly=on`],
    ]);
    await vm.waitFor(new RegExp(guest.readyMarker));
    await vm.waitFor(/# /);
    await vm.run('echo $((6*7))', /\b42\b/);
  }, 90_000);

  it('the boot disk boots from virtio-blk on q35 (firmware, no -kernel)', async (ctx) => {
    if (!guest.bootDisk) return ctx.skip();
    const overlay = await overlayOn(guest.bootDisk, 'boot-overlay.qcow2');
    const vm = boot([
      ...['-machine', 'q35'],
      ...['-drive', `file=${overlay},format=qcow2,if=virtio,cache=unsafe`],
    ]);
    await vm.waitFor(new RegExp(guest.readyMarker));
  }, 90_000);

  it.runIf(process.env.GENOS_REQUIRE_BACKENDS === '1')(
    'CI builds the ISO (genisoimage present)',
    () => {
      expect(guest.iso).not.toBeNull();
    },
  );
});

function overlayOn(base: string, name: string): Promise<string> {
  const overlay = path.join(tmp, name);
  return new Promise((resolve, reject) => {
    const p = spawn('qemu-img', [
      'create',
      '-q',
      '-f',
      'qcow2',
      '-F',
      'qcow2',
      '-b',
      base,
      overlay,
    ]);
    p.on('error', reject);
    p.on('exit', (c) => (c === 0 ? resolve(overlay) : reject(new Error(`qemu-img exit ${c}`))));
  });
}
