import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnvRef } from '../../main/backends/backend.js';
import { QemuBackend } from '../../main/backends/qemu/qemu-backend.js';
import { isRunning } from '../../main/backends/qemu/proc-info.js';
import { backendAvailable } from '../helpers/backends.js';
import { ensureTestGuest, type TestGuest } from '../helpers/test-guest.js';
import { guestSpec, killAllUnder, shell, shortDataDir, tcgHost } from '../helpers/vm-test-env.js';

/**
 * A VM outlives the app: the "app" (a child Node process running QemuBackend) starts a VM and is
 * SIGKILLed; a fresh backend over the same data dir re-adopts the VM (no second qemu), which
 * still answers on serial. Plus what start refuses or reports before/while launching.
 */

const child = path.resolve(import.meta.dirname, '../unit/qemu/app-process-child.ts');
const noop = () => undefined;
const signal = new AbortController().signal;

describe.skipIf(!backendAvailable('qemu'))('qemu re-adoption after the app is killed', () => {
  let guest: TestGuest;
  let dataDir: string;
  let app: ChildProcess | null = null;

  beforeAll(async () => {
    guest = await ensureTestGuest();
    dataDir = await shortDataDir('adopt');
  }, 300_000);

  afterAll(async () => {
    if (app && app.exitCode === null) app.kill('SIGKILL');
    if (dataDir) await killAllUnder(dataDir);
  });

  it('re-adopts a VM whose app was SIGKILLed; it still answers on serial', async () => {
    const spec = guestSpec(guest);
    app = spawn(
      process.execPath,
      ['--import', 'tsx', child, dataDir, 'vm1', JSON.stringify(spec), guest.readyMarker],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const pid = await new Promise<number>((resolve, reject) => {
      let out = '';
      app!.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /STARTED (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      app!.once('exit', (code) => reject(new Error(`the app child exited early (${code})`)));
    });
    app.kill('SIGKILL');
    await new Promise((r) => app!.once('exit', r));
    expect(await isRunning(pid)).toBe(true);

    const backend = new QemuBackend({ dataDir });
    const env: EnvRef = { id: 'vm1', spec, handles: {} };
    expect(await backend.listRunning()).toEqual([
      { envId: 'vm1', handles: expect.objectContaining({ pid }) },
    ]);
    expect(await backend.inspect(env)).toMatchObject({ state: 'running', pid });
    // No duplicate: start on a running environment hands back the same VM.
    expect((await backend.start(env, await tcgHost(), noop, signal)).pid).toBe(pid);
    const con = await backend.openConsole(env);
    await shell(con.stream as never, 'echo $((6*7))-after-restart', /\n42-after-restart/);
    // The console log kept the boot output the first "app" saw.
    expect((await backend.consoleLog(env)).toString()).toContain(guest.readyMarker);
    con.close();
    await backend.kill(env);
    expect(await isRunning(pid)).toBe(false);
    expect(await backend.inspect(env)).toMatchObject({ state: 'stopped' });
  });

  it('does not mistake a reused pid for its VM', async () => {
    const backend = new QemuBackend({ dataDir });
    const env: EnvRef = { id: 'vm1', spec: guestSpec(guest), handles: {} };
    const file = path.join(dataDir, 'run/vm1/instance.json');
    const rec = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>;
    await fs.writeFile(file, JSON.stringify({ ...rec, pid: process.pid }));
    expect(await backend.listRunning()).toEqual([]);
    expect((await backend.inspect(env)).state).toBe('stopped');
  });
});

describe.skipIf(!backendAvailable('qemu'))('qemu start failures', () => {
  let guest: TestGuest;
  let dataDir: string;

  beforeAll(async () => {
    guest = await ensureTestGuest();
    dataDir = await shortDataDir('fail');
  }, 300_000);

  afterAll(async () => {
    if (dataDir) await killAllUnder(dataDir);
  });

  it('names every taken host port before launching anything', async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const port = (srv.address() as net.AddressInfo).port;
    try {
      const backend = new QemuBackend({ dataDir });
      const env: EnvRef = {
        id: 'ports',
        spec: guestSpec(guest, {
          network: { mode: 'nat', ports: [{ host: port, guest: 22, protocol: 'tcp' }] },
        }),
        handles: {},
      };
      await expect(backend.start(env, await tcgHost(), noop, signal)).rejects.toMatchObject({
        code: 'CONFLICT',
        message: expect.stringContaining(`${port}/tcp on 127.0.0.1 is already in use`),
      });
      expect(await backend.inspect(env)).toMatchObject({ state: 'missing' });
    } finally {
      srv.close();
    }
  });

  it("reports qemu's own words when it refuses to start", async () => {
    const bogus = path.join(dataDir, 'not-a-kernel');
    await fs.writeFile(bogus, 'hello');
    const backend = new QemuBackend({ dataDir });
    const env: EnvRef = {
      id: 'bad',
      spec: guestSpec(guest, {
        image: { kind: 'kernel', kernel: bogus, initrd: null, cmdline: '' },
      }),
      handles: {},
    };
    await expect(backend.start(env, await tcgHost(), noop, signal)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringMatching(/qemu exited with status 1 before the VM was up: .*kernel/i),
    });
    expect(await backend.listRunning()).toEqual([]);
  });

  it('says which kernel file is missing', async () => {
    const backend = new QemuBackend({ dataDir });
    const env: EnvRef = {
      id: 'nokernel',
      spec: guestSpec(guest, {
        image: { kind: 'kernel', kernel: '/nonexistent/vmlinuz', initrd: null, cmdline: '' },
      }),
      handles: {},
    };
    await expect(backend.start(env, await tcgHost(), noop, signal)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('/nonexistent/vmlinuz'),
    });
  });
});
