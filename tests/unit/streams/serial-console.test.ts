import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readConsoleLog, SerialConsole } from '../../../main/streams/serial-console.js';

/** A stand-in for qemu's serial chardev: one unix socket server, one client at a time. */
async function fakeSerial(file: string) {
  const received: Buffer[] = [];
  let client: net.Socket | null = null;
  let onClient: (() => void) | null = null;
  const server = net.createServer((s) => {
    client = s;
    s.on('data', (d) => received.push(d));
    s.on('error', () => undefined);
    onClient?.();
  });
  await new Promise<void>((r) => server.listen(file, () => r()));
  return {
    received,
    connected: () =>
      new Promise<void>((r) => {
        if (client) r();
        else onClient = r;
      }),
    send: (s: string | Buffer) => client!.write(s),
    hangUp: () => client?.destroy(),
    close: () =>
      new Promise<void>((r) => {
        client?.destroy();
        server.close(() => r());
      }),
  };
}

const tick = (ms = 30) => new Promise((r) => setTimeout(r, ms));

describe('SerialConsole', () => {
  let dir: string;
  let sock: string;
  let log: string;
  let con: SerialConsole | null = null;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gq-ser-'));
    sock = path.join(dir, 'serial.sock');
    log = path.join(dir, 'console.log');
  });
  afterEach(async () => {
    await con?.close();
    con = null;
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('fans output out to every viewer, replays recent output to late ones, and logs it', async () => {
    const vm = await fakeSerial(sock);
    con = await SerialConsole.open({ socketPath: sock, logPath: log });
    await vm.connected();
    const a = con.attach();
    const aOut: string[] = [];
    a.on('data', (d: Buffer) => aOut.push(d.toString()));
    vm.send('boot line 1\n');
    await tick();
    const b = con.attach();
    const bOut: string[] = [];
    b.on('data', (d: Buffer) => bOut.push(d.toString()));
    vm.send('prompt# ');
    await tick();
    expect(aOut.join('')).toBe('boot line 1\nprompt# ');
    expect(bOut.join('')).toBe('boot line 1\nprompt# '); // replayed, then live
    expect(con.recent().toString()).toBe('boot line 1\nprompt# ');
    expect((await readConsoleLog(log)).toString()).toBe('boot line 1\nprompt# ');
    const c = con.attach({ replay: false, claimInput: false });
    const cOut: string[] = [];
    c.on('data', (d: Buffer) => cOut.push(d.toString()));
    vm.send('x');
    await tick();
    expect(cOut.join('')).toBe('x');
    expect(con.viewerCount).toBe(3);
    await vm.close();
  });

  it('takes input from one viewer at a time: the last to claim the keyboard', async () => {
    const vm = await fakeSerial(sock);
    con = await SerialConsole.open({ socketPath: sock, logPath: log });
    await vm.connected();
    const a = con.attach();
    const b = con.attach();
    expect(a.hasInput).toBe(false);
    expect(b.hasInput).toBe(true);
    a.write('from-a-dropped;');
    b.write('from-b;');
    a.claimInput();
    a.write('from-a;');
    b.write('from-b-dropped;');
    b.destroy();
    expect(con.viewerCount).toBe(1);
    await tick();
    expect(Buffer.concat(vm.received).toString()).toBe('from-b;from-a;');
    a.destroy();
    expect(con.inputHolder).toBeNull();
    await vm.close();
  });

  it('waits for a pattern in recent or new output, and gives up on timeout or close', async () => {
    const vm = await fakeSerial(sock);
    con = await SerialConsole.open({ socketPath: sock, logPath: log });
    await vm.connected();
    vm.send('READY-MARK\n');
    await tick();
    await expect(con.waitFor('READY-MARK', 100)).resolves.toBe('READY-MARK');
    await expect(con.waitFor('READY-MARK', 50, { onlyNew: true })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
    const p = con.waitFor(/answer=(\d+)/, 1_000, { onlyNew: true });
    vm.send('answer=');
    await tick(10);
    vm.send('42\n');
    await expect(p).resolves.toBe('answer=42');
    const closing = con.waitFor('never', 5_000);
    vm.hangUp();
    await expect(closing).rejects.toMatchObject({ message: expect.stringMatching(/closed/) });
    await vm.close();
  });

  it('ends every viewer when the VM side closes, and late viewers get the replay then end', async () => {
    const vm = await fakeSerial(sock);
    con = await SerialConsole.open({ socketPath: sock, logPath: log });
    await vm.connected();
    const a = con.attach();
    const ended = new Promise((r) => a.once('end', r));
    a.resume();
    vm.send('bye');
    await tick();
    vm.hangUp();
    await ended;
    expect(con.isOpen).toBe(false);
    const late = con.attach();
    const chunks: string[] = [];
    late.on('data', (d: Buffer) => chunks.push(d.toString()));
    await new Promise((r) => late.once('end', r));
    expect(chunks.join('')).toBe('bye');
    await vm.close();
  });

  it('drops a viewer that stops reading instead of buffering without bound', async () => {
    const vm = await fakeSerial(sock);
    con = await SerialConsole.open({ socketPath: sock, logPath: log, logMaxBytes: 1024 * 1024 });
    await vm.connected();
    const stuck = con.attach(); // never read
    const errored = new Promise<Error>((r) => stuck.once('error', r));
    const fast = con.attach({ claimInput: false });
    let fastBytes = 0;
    fast.on('data', (d: Buffer) => (fastBytes += d.length));
    const mb = Buffer.alloc(1024 * 1024, 0x61);
    for (let i = 0; i < 10; i++) vm.send(mb);
    expect((await errored).message).toMatch(/too far behind/);
    await tick(100);
    expect(fastBytes).toBe(10 * 1024 * 1024);
    expect(con.viewerCount).toBe(1);
    await vm.close();
  });

  it('retries while the socket does not exist yet, then fails clearly', async () => {
    const p = SerialConsole.open({ socketPath: sock, logPath: log, connectTimeoutMs: 2_000 });
    await tick(100);
    const vm = await fakeSerial(sock);
    con = await p;
    expect(con.isOpen).toBe(true);
    await con.close();
    con = null;
    await vm.close();
    await expect(
      SerialConsole.open({
        socketPath: path.join(dir, 'none.sock'),
        logPath: log,
        connectTimeoutMs: 50,
      }),
    ).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
