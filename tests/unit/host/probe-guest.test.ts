import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastLine, probeGuestArgv, runProbeGuest } from '../../../main/host/probe-guest.js';

/**
 * runProbeGuest's bookkeeping, driven by stand-in "qemu" scripts that print what a guest would.
 * The real qemu boots are in tests/integration/host-probe.test.ts.
 */
describe('runProbeGuest', () => {
  let dir: string;
  const fake = (name: string) => path.join(dir, name);

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'genos-guest-'));
    const scripts: Record<string, string> = {
      done: `process.stdout.write('S'); setTimeout(() => process.stdout.write('K'), 20); setInterval(() => {}, 1000);`,
      stalled: `process.stdout.write('S'); setInterval(() => {}, 1000);`,
      silent: `process.stderr.write('warning: something\\n'); setInterval(() => {}, 1000);`,
      exited: `process.stderr.write('qemu: first\\nqemu: could not open kvm: Permission denied\\n\\n'); process.exit(1);`,
      pid: `require('fs').writeFileSync(process.argv[process.argv.indexOf('-bios') + 1] + '.pid', String(process.pid)); process.stdout.write('S'); setInterval(() => {}, 1000);`,
    };
    for (const [name, body] of Object.entries(scripts)) {
      await fs.writeFile(path.join(dir, name), `#!${process.execPath}\n${body}\n`, { mode: 0o755 });
    }
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  const go = (name: string, deadlineMs = 400, biosPath = '/nonexistent.bin') =>
    runProbeGuest({ qemu: fake(name), biosPath, accel: 'tcg', deadlineMs });

  it('reports done with timings once DONE_MARK arrives', async () => {
    const r = await go('done', 5000);
    expect(r.outcome).toBe('done');
    expect(r.startMs).not.toBeNull();
    expect(r.doneMs).toBeGreaterThanOrEqual(r.startMs ?? Infinity);
    expect(r.doneMs).toBeLessThan(5000);
  });

  it('tells a guest that started but never finished from one that printed nothing', async () => {
    expect(await go('stalled')).toMatchObject({ outcome: 'stalled', doneMs: null });
    expect(await go('silent')).toMatchObject({
      outcome: 'silent',
      startMs: null,
      detail: 'warning: something',
    });
  });

  it("keeps qemu's last stderr line when it exits early", async () => {
    expect(await go('exited')).toMatchObject({
      outcome: 'exited',
      detail: 'qemu: could not open kvm: Permission denied',
    });
  });

  it('reports a binary that cannot run as spawn-failed', async () => {
    const r = await runProbeGuest({
      qemu: path.join(dir, 'no-such-qemu'),
      biosPath: 'x',
      accel: 'kvm',
      deadlineMs: 400,
    });
    expect(r.outcome).toBe('spawn-failed');
    expect(r.detail).toMatch(/ENOENT/);
  });

  it('kills the guest at the deadline', async () => {
    const bios = path.join(dir, 'b');
    const r = await go('pid', 300, bios);
    expect(r.outcome).toBe('stalled');
    const pid = Number(await fs.readFile(`${bios}.pid`, 'utf8'));
    expect(() => process.kill(pid, 0)).toThrow(); // gone: runProbeGuest waits for 'close'
  });
});

describe('probe guest helpers', () => {
  it('boots with no devices and the serial port on stdio, never a shell string', () => {
    expect(probeGuestArgv('/t/bios.bin', 'kvm')).toEqual([
      ...['-accel', 'kvm', '-machine', 'pc', '-nodefaults', '-display', 'none'],
      ...['-bios', '/t/bios.bin', '-serial', 'stdio', '-no-reboot'],
    ]);
  });

  it('takes the last non-empty line', () => {
    expect(lastLine('a\n b \n\n')).toBe('b');
    expect(lastLine('')).toBe('');
  });
});
