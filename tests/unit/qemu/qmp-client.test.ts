import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QmpClient, QmpError } from '../../../main/backends/qemu/qmp-client.js';
import * as qmpc from '../../../main/backends/qemu/qmp-commands.js';
import { deleteLive, saveLive } from '../../../main/backends/qemu/snapshots.js';
import { FakeQmp } from './fake-qmp.js';

describe('QmpClient', () => {
  let dir: string;
  let sock: string;
  let fake: FakeQmp;
  let client: QmpClient | null = null;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gq-qmp-'));
    sock = path.join(dir, 'qmp.sock');
    fake = new FakeQmp(sock);
  });
  afterEach(async () => {
    client?.close();
    client = null;
    await fake.close().catch(() => undefined);
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('reads the greeting, negotiates capabilities, and matches replies to commands by id', async () => {
    fake.handler = async (cmd) => {
      // Answer the first command late, so replies arrive out of order.
      if (cmd.execute === 'slow') await new Promise((r) => setTimeout(r, 50));
      return { return: { echo: cmd.execute } };
    };
    await fake.listen();
    client = await QmpClient.connect(sock);
    expect(client.greeting?.version.qemu).toEqual({ major: 7, minor: 2, micro: 0 });
    expect(JSON.parse(fake.received[0]!)).toMatchObject({ execute: 'qmp_capabilities' });
    const [a, b] = await Promise.all([client.execute('slow'), client.execute('fast')]);
    expect(a).toEqual({ echo: 'slow' });
    expect(b).toEqual({ echo: 'fast' });
  });

  it('retries while the socket does not exist yet (qemu still starting)', async () => {
    const p = QmpClient.connect(sock, { timeoutMs: 2_000 });
    await new Promise((r) => setTimeout(r, 150));
    await fake.listen();
    client = await p;
    expect(client.closed).toBe(false);
  });

  it('gives up with UNAVAILABLE when nothing listens', async () => {
    await expect(QmpClient.connect(sock, { timeoutMs: 100 })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining('Is the VM running?'),
    });
  });

  it('times out when qemu sends no greeting (another client holds QMP)', async () => {
    fake.greet = false;
    await fake.listen();
    await expect(QmpClient.connect(sock, { timeoutMs: 600 })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringMatching(/no QMP greeting/),
    });
  });

  it('turns {"error"} replies into QmpError with class and description', async () => {
    fake.handler = () => ({
      error: { class: 'DeviceNotFound', desc: 'No balloon device has been activated' },
    });
    await fake.listen();
    client = await QmpClient.connect(sock);
    const e = await client.execute('query-balloon').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(QmpError);
    expect(e).toMatchObject({ errorClass: 'DeviceNotFound', command: 'query-balloon' });
    await expect(qmpc.queryBalloon(client)).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });

  it('times a command out, and ignores its late reply', async () => {
    fake.handler = async () => {
      await new Promise((r) => setTimeout(r, 200));
      return { return: 'late' };
    };
    await fake.listen();
    client = await QmpClient.connect(sock);
    await expect(client.execute('stuck', undefined, { timeoutMs: 50 })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining('did not answer stuck'),
    });
    await new Promise((r) => setTimeout(r, 250)); // the late reply arrives and is dropped
    fake.handler = () => ({ return: 'ok' });
    expect(await client.execute('next')).toBe('ok');
  });

  it('delivers events and lets callers wait for one', async () => {
    await fake.listen();
    client = await QmpClient.connect(sock);
    const seen: string[] = [];
    client.on('event', (e) => seen.push(e.event));
    const waiting = client.waitForEvent(
      'SHUTDOWN',
      1_000,
      (e) => e.data?.reason === 'guest-shutdown',
    );
    fake.emit('SHUTDOWN', { guest: true, reason: 'host-qmp-quit' });
    fake.emit('SHUTDOWN', { guest: true, reason: 'guest-shutdown' });
    expect((await waiting)?.data).toEqual({ guest: true, reason: 'guest-shutdown' });
    expect(seen).toEqual(['SHUTDOWN', 'SHUTDOWN']);
    expect(await client.waitForEvent('NEVER', 30)).toBeNull();
  });

  it('rejects pending commands when the connection closes, and refuses new ones', async () => {
    fake.handler = () => null; // never answers
    await fake.listen();
    client = await QmpClient.connect(sock);
    const pending = client.execute('query-status');
    fake.dropClients();
    await expect(pending).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringMatching(/closed/),
    });
    await expect(client.execute('x')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(client.closed).toBe(true);
  });

  it('treats a quit whose reply is cut off by qemu exiting as done', async () => {
    fake.handler = (cmd) => {
      if (cmd.execute === 'quit') fake.dropClients();
      return null;
    };
    await fake.listen();
    client = await QmpClient.connect(sock);
    await expect(qmpc.quit(client)).resolves.toBeUndefined();
  });

  it('reports HMP errors of savevm/delvm as GenosErrors that say what to do', async () => {
    const replies: Record<string, string> = {
      'savevm a1': 'Error: No block device can accept snapshots\r\n',
      'savevm a2': '',
      'delvm gone': "Error: Snapshot 'gone' not found\r\n",
    };
    fake.handler = (cmd) => ({ return: replies[String(cmd.arguments?.['command-line'])] ?? '' });
    await fake.listen();
    client = await QmpClient.connect(sock);
    await expect(saveLive(client, 'a1')).rejects.toMatchObject({
      code: 'UNSUPPORTED',
      message: expect.stringContaining('need the VM'),
    });
    await expect(saveLive(client, 'a2')).resolves.toBeUndefined();
    await expect(deleteLive(client, 'gone')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // Names are checked before anything reaches the monitor's command line.
    await expect(saveLive(client, 'x; quit')).rejects.toMatchObject({ code: 'BAD_ARGS' });
    await expect(saveLive(client, '1')).rejects.toMatchObject({ code: 'BAD_ARGS' });
    expect(fake.received.some((l) => l.includes('quit'))).toBe(false);
  });

  it('maps status, screendump and block stats', async () => {
    fake.handler = async (cmd) => {
      if (cmd.execute === 'query-status') return { return: { status: 'paused', running: false } };
      if (cmd.execute === 'screendump') {
        await fs.writeFile(String(cmd.arguments?.filename), 'PNGDATA');
        return { return: {} };
      }
      if (cmd.execute === 'query-blockstats') {
        return {
          return: [
            { stats: { rd_bytes: 10, wr_bytes: 5 } },
            { stats: { rd_bytes: 1, wr_bytes: 2 } },
          ],
        };
      }
      return { return: {} };
    };
    await fake.listen();
    client = await QmpClient.connect(sock);
    expect(await qmpc.queryStatus(client)).toEqual({ status: 'paused', running: false });
    const shot = path.join(dir, 'shot.png');
    expect((await qmpc.screendump(client, shot)).toString()).toBe('PNGDATA');
    await expect(fs.stat(shot)).rejects.toThrow(); // the scratch file is removed
    expect(await qmpc.blockStats(client)).toEqual({ rdBytes: 11, wrBytes: 7 });
  });
});
