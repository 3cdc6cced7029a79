import fs from 'node:fs/promises';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleStream, EnvRef } from '../../main/backends/backend.js';
import { QemuBackend } from '../../main/backends/qemu/qemu-backend.js';
import { readCmdline } from '../../main/backends/qemu/proc-info.js';
import { GenosError } from '../../main/core/errors.js';
import type { HostInfo } from '../../preload/contract.js';
import { backendAvailable } from '../helpers/backends.js';
import { ensureTestGuest, GUEST_ARGS, type TestGuest } from '../helpers/test-guest.js';
import {
  guestSpec,
  killAllUnder,
  readUntil,
  shell,
  shortDataDir,
  tcgHost,
} from '../helpers/vm-test-env.js';

/**
 * The qemu backend against real qemu (TCG) and the test guest: boot to the ready marker over the
 * serial bridge, a command and its output, port forwarding into an isolated guest, pause/resume,
 * screenshot, live snapshot + restore, re-adoption by a fresh backend, ACPI power-down with its
 * fallback, and a qemu killed behind GenOS's back.
 */

const noop = () => undefined;
const signal = new AbortController().signal;

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

async function errorOf(p: Promise<unknown>): Promise<GenosError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  if (!(e instanceof GenosError)) throw new Error(`expected a GenosError, got ${String(e)}`);
  return e;
}

describe.skipIf(!backendAvailable('qemu'))('qemu backend (real qemu, TCG)', () => {
  let guest: TestGuest;
  let host: HostInfo;
  let dataDir: string;
  let backend: QemuBackend;
  let vmA: EnvRef;
  let con: ConsoleStream;
  let httpPort: number;

  beforeAll(async () => {
    guest = await ensureTestGuest();
    host = await tcgHost();
    dataDir = await shortDataDir('be');
    backend = new QemuBackend({ dataDir });
    httpPort = await freePort();
    vmA = {
      id: 'vma',
      spec: guestSpec(
        guest,
        {
          display: 'gui',
          network: { mode: 'isolated', ports: [{ host: httpPort, guest: 8080, protocol: 'tcp' }] },
        },
        GUEST_ARGS.ignoreAcpi,
      ),
      handles: {},
    };
  }, 300_000);

  afterAll(async () => {
    con?.close();
    await backend?.detachAll();
    if (dataDir) await killAllUnder(dataDir);
  });

  it('boots the test guest: ready marker and a command through the serial bridge', async () => {
    const handles = await backend.start(vmA, host, noop, signal);
    expect(handles.pid).toEqual(expect.any(Number));
    con = await backend.openConsole(vmA);
    // The viewer replays the ring buffer, so a marker printed before it attached still shows.
    await readUntil(con.stream, guest.readyMarker, 30_000);
    const out = await shell(con.stream as never, 'echo $((6*7))', /\r?\n42\r?\n/);
    expect(out).toMatch(/\n42\r?\n/);
  });

  it('runs exactly the planned argv, and a second start is a no-op, not a second qemu', async () => {
    const plan = await backend.plan(vmA, host);
    if (plan.backend !== 'qemu') throw new Error('not a qemu plan');
    const status = await backend.inspect(vmA);
    expect(status.state).toBe('running');
    const pid = (status as { pid: number }).pid;
    expect((await readCmdline(pid))?.slice(1)).toEqual(plan.argv);
    expect((await backend.start(vmA, host, noop, signal)).pid).toBe(pid);
    expect(await backend.listRunning()).toEqual([
      { envId: 'vma', handles: expect.objectContaining({ pid }) },
    ]);
  });

  it('forwards a 127.0.0.1 host port into the isolated guest', async () => {
    const res = await fetch(`http://127.0.0.1:${httpPort}/`);
    expect(await res.text()).toContain('GENOS-TEST-GUEST-HTTP');
  });

  it('keeps the boot output for consoleLog', async () => {
    const log = (await backend.consoleLog(vmA)).toString('latin1');
    expect(log).toContain('Linux version');
    expect(log).toContain(guest.readyMarker);
  });

  it('pauses and resumes', async () => {
    await backend.pause(vmA);
    expect((await backend.inspect(vmA)).state).toBe('paused');
    await backend.resume(vmA);
    expect((await backend.inspect(vmA)).state).toBe('running');
    await shell(con.stream as never, 'echo alive-$((1+1))', 'alive-2');
  });

  it('inflates the memory balloon of a virtio guest', async () => {
    expect((await backend.balloonInfo(vmA)).actualBytes).toBe(128 * 1024 * 1024);
    await backend.setBalloon(vmA, 100 * 1024 * 1024);
    const deadline = Date.now() + 10_000;
    let actual: number;
    do {
      await new Promise((r) => setTimeout(r, 100));
      actual = (await backend.balloonInfo(vmA)).actualBytes;
    } while (actual > 100 * 1024 * 1024 && Date.now() < deadline);
    expect(actual).toBe(100 * 1024 * 1024);
    await backend.setBalloon(vmA, 128 * 1024 * 1024);
    await expect(backend.setBalloon(vmA, 1024 ** 3)).rejects.toMatchObject({ code: 'BAD_ARGS' });
  });

  it('takes a screenshot and reports stats', async () => {
    const png = await backend.screenshot(vmA);
    expect(png.subarray(0, 8)).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    );
    const st = await backend.stats(vmA);
    expect(st.memoryBytes).toBeGreaterThan(32 * 1024 * 1024);
    expect(st.memoryLimitBytes).toBe(128 * 1024 * 1024);
    expect(st.cpuPercent).toBeGreaterThanOrEqual(0);
  });

  it('live snapshot -> change the guest -> restore: the change is gone, the guest runs on', async () => {
    const info = await backend.snapshot(vmA, 'before', 'live');
    expect(info).toMatchObject({ name: 'before', kind: 'live' });
    expect(info.sizeBytes).toBeGreaterThan(0);
    await shell(con.stream as never, 'echo hi > /tmp/x; cat /tmp/x', /\r?\nhi\r?\n/);
    await backend.restore(vmA, 'before');
    const out = await shell(
      con.stream as never,
      'test -e /tmp/x && echo X-PRESENT || echo X-GONE',
      /\r?\nX-(PRESENT|GONE)\r?\n/,
    );
    expect(out).toMatch(/\nX-GONE/);
    expect((await backend.inspect(vmA)).state).toBe('running');

    expect((await errorOf(backend.snapshot(vmA, 'before', 'live'))).code).toBe('CONFLICT');
    expect((await errorOf(backend.snapshot(vmA, 'd1', 'disk'))).code).toBe('UNSUPPORTED');
    expect((await errorOf(backend.snapshot(vmA, 'bad name', 'live'))).code).toBe('BAD_ARGS');
    await backend.deleteSnapshot(vmA, 'before');
    expect((await errorOf(backend.restore(vmA, 'before'))).code).toBe('NOT_FOUND');
  });

  it('is re-adopted by a fresh backend over the same data dir (the app restarted)', async () => {
    const pid = ((await backend.inspect(vmA)) as { pid: number }).pid;
    con.close();
    await backend.detachAll(); // what the app dying does to its connections
    backend = new QemuBackend({ dataDir });
    expect(await backend.listRunning()).toEqual([
      { envId: 'vma', handles: expect.objectContaining({ pid }) },
    ]);
    expect(await backend.inspect(vmA)).toMatchObject({ state: 'running', pid });
    con = await backend.openConsole(vmA);
    await shell(con.stream as never, 'echo adopted-$((2*3))', 'adopted-6');
  });

  it('falls back to quit when the guest ignores the ACPI power button', async () => {
    const t0 = performance.now();
    await backend.stop(vmA, 1_500);
    const took = performance.now() - t0;
    expect(took).toBeGreaterThanOrEqual(1_400);
    const st = await backend.inspect(vmA);
    expect(st.state).toBe('stopped');
    expect((st as { reason: string }).reason).toMatch(
      /ignored the ACPI power button for 1500 ms; quit/,
    );
    expect(await backend.listRunning()).toEqual([]);
    await expect(backend.pause(vmA)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('powers a cooperative guest off through ACPI', async () => {
    const vmB: EnvRef = { id: 'vmb', spec: guestSpec(guest), handles: {} };
    await backend.start(vmB, host, noop, signal);
    const c = await backend.openConsole(vmB);
    await readUntil(c.stream, guest.readyMarker, 30_000);
    // Like a real OS, the guest only reacts to the power button once its ACPI daemon listens.
    await shell(
      c.stream as never,
      'while ! pidof acpid; do sleep 0.1; done; sleep 0.5; echo UP',
      /\nUP/,
    );
    c.close();
    const t0 = performance.now();
    await backend.stop(vmB, 20_000);
    expect(performance.now() - t0).toBeLessThan(15_000);
    const st = await backend.inspect(vmB);
    expect(st).toMatchObject({ state: 'stopped', exitCode: 0 });
    expect((st as { reason: string }).reason).toMatch(/ACPI power-down/);
    expect((await backend.consoleLog(vmB)).toString()).toContain('GENOS-TEST-GUEST-POWEROFF');
  });

  it('reports a qemu killed behind its back as stopped, with the reason', async () => {
    const vmC: EnvRef = { id: 'vmc', spec: guestSpec(guest), handles: {} };
    const { pid } = await backend.start(vmC, host, noop, signal);
    process.kill(pid as number, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
    const st = await backend.inspect(vmC);
    expect(st.state).toBe('stopped');
    expect((st as { reason: string }).reason).toMatch(/killed by SIGKILL/);
    // A fresh backend (no exit event seen) still tells it from exit.json and qemu.log.
    const fresh = new QemuBackend({ dataDir });
    expect((await fresh.inspect(vmC)).state).toBe('stopped');
    await fs.rm(`${dataDir}/run/vmc/exit.json`);
    const blind = await fresh.inspect(vmC);
    expect((blind as { reason: string }).reason).toMatch(
      /no longer running.*exit status is unknown/,
    );
  });

  it('removes everything it made', async () => {
    await backend.remove(vmA);
    await backend.remove(vmA); // idempotent
    expect(await backend.inspect(vmA)).toMatchObject({ state: 'missing' });
    await expect(fs.stat(`${dataDir}/qemu/vma`)).rejects.toThrow();
  });
});
