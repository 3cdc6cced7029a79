import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ImageRecord, TaskInfo } from '../../preload/contract.js';
import { backendAvailable } from '../helpers/backends.js';
import { openWs, request, startServe, type ServeProcess } from '../helpers/serve-process.js';

const GIB = 1024 ** 3;

/** A 2 GiB raw disk, sparse, with a little data at each end (reading it still takes a while). */
function bigRawImage(file: string): void {
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, Buffer.alloc(1024 * 1024, 0xa5), 0, 1024 * 1024, 0);
    fs.writeSync(fd, Buffer.from('end of disk'), 0, 11, 2 * GIB - 4096);
    fs.ftruncateSync(fd, 2 * GIB);
  } finally {
    fs.closeSync(fd);
  }
}

async function connect(serve: ServeProcess) {
  const ws = await openWs(serve.port, { token: serve.token });
  const tasks: TaskInfo[] = [];
  ws.on('message', (d) => {
    const msg = JSON.parse(String(d));
    if (msg.event === 'taskUpdated') tasks.push(msg.payload);
  });
  let id = 0;
  const call = async <T>(name: string, args: unknown): Promise<T> => {
    const reply = await request(ws, JSON.stringify({ id: ++id, call: name, args }), id);
    if (reply.error) throw new Error(`${name}: ${reply.error.code} ${reply.error.message}`);
    return reply.result as T;
  };
  return { ws, tasks, call };
}

async function until<T>(what: string, get: () => T | undefined, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = get();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * `genos serve` killed with SIGKILL in the middle of copying a 2 GiB image into the library:
 * started again on the same data dir, the library lists no image, holds no temporary file,
 * no task is left running, and the same import then completes.
 */
describe.runIf(backendAvailable('qemu-img'))('a crash during an image import', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-import-crash-'));
  const dataDir = path.join(tmp, 'data');
  const source = path.join(tmp, 'big.img');
  let serve: ServeProcess | null = null;

  afterAll(async () => {
    await serve?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('leaves nothing half-imported, and the import can be done again', async () => {
    bigRawImage(source);
    fs.mkdirSync(dataDir);
    serve = await startServe({ dataDir });
    let api = await connect(serve);
    const { task } = await api.call<{ task: TaskInfo }>('importImage', {
      path: source,
      mode: 'copy',
      format: 'raw',
      name: 'big',
    });
    // Mid-way: some bytes copied, far from all.
    const progress = await until(
      'copy progress',
      () =>
        api.tasks.find(
          (t) =>
            t.id === task.id &&
            t.state === 'running' &&
            t.stage === 'copy' &&
            (t.done ?? 0) > 0 &&
            (t.done ?? 0) < (t.total ?? 0) / 2,
        ),
      60_000,
    );
    const library = path.join(dataDir, 'images');
    expect(fs.readdirSync(library).some((f) => f.endsWith('.partial'))).toBe(true);

    api.ws.close();
    serve.child.kill('SIGKILL');
    await new Promise((r) => serve!.child.once('exit', r));
    expect(progress.total).toBe(2 * GIB);

    serve = await startServe({ dataDir });
    api = await connect(serve);
    expect((await api.call<{ items: ImageRecord[] }>('listImages', {})).items).toEqual([]);
    expect(
      (await api.call<{ items: TaskInfo[] }>('listTasks', {})).items.filter(
        (t) => t.state === 'running',
      ),
    ).toEqual([]);
    // The cleanup runs at start-up, before the owner answers anything else.
    expect(fs.readdirSync(library)).toEqual([]);
    const audit = await api.call<{ items: Array<{ action: string; detail: unknown }> }>(
      'listAuditEvents',
      { limit: 50 },
    );
    expect(audit.items.find((e) => e.action === 'image.cleanup')?.detail).toMatchObject({
      removed: [expect.stringMatching(/\.partial$/)],
    });

    const again = await api.call<{ task: TaskInfo }>('importImage', {
      path: source,
      mode: 'copy',
      format: 'raw',
      name: 'big',
    });
    const done = await until(
      'the second import',
      () => api.tasks.find((t) => t.id === again.task.id && t.state !== 'running'),
      180_000,
    );
    expect(done.state, JSON.stringify(done)).toBe('done');
    const images = (await api.call<{ items: ImageRecord[] }>('listImages', {})).items;
    expect(images).toEqual([expect.objectContaining({ name: 'big', virtualSize: 2 * GIB })]);
    expect(fs.readdirSync(library)).toEqual([path.basename(images[0]!.path)]);
    api.ws.close();
  }, 300_000);
});
