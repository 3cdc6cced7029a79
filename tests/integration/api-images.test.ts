import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskInfo } from '../../preload/contract.js';
import { backendAvailable } from '../helpers/backends.js';
import { openWs, request, startServe, type ServeProcess } from '../helpers/serve-process.js';
import { recordTasks } from '../helpers/task-updates.js';

describe.runIf(backendAvailable('qemu-img'))(
  'the image library over the API of genos serve',
  () => {
    let serve: ServeProcess;
    let ws: WebSocket;
    let tasks: ReturnType<typeof recordTasks>;
    let id = 0;
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-api-images-'));
    const call = async (name: string, args: unknown) => {
      const reply = await request(ws, JSON.stringify({ id: ++id, call: name, args }), id);
      return reply;
    };

    beforeAll(async () => {
      serve = await startServe();
      ws = await openWs(serve.port, { token: serve.token });
      tasks = recordTasks(ws);
    });
    afterAll(async () => {
      ws.close();
      await serve.stop();
      fs.rmSync(tmp, { recursive: true, force: true });
    });

    it('imports, lists, converts and deletes an image, with progress as task events', async () => {
      const source = path.join(tmp, 'disk.qcow2');
      execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', source, '64M']);
      const started = await call('importImage', { path: source, mode: 'copy', name: 'disk' });
      const task = (started.result as { task: TaskInfo }).task;
      expect(task).toMatchObject({ kind: 'image.import', state: 'running' });
      const updates = await tasks.ended(task.id);
      const last = updates.at(-1)!;
      expect(last.state, JSON.stringify(last.error)).toBe('done');
      const image = last.result as { id: string; format: string; path: string; sha256: string };
      expect(image).toMatchObject({ format: 'qcow2', virtualSize: 64 * 1024 * 1024 });
      expect(image.path.startsWith(path.join(serve.dataDir, 'images'))).toBe(true);
      expect(fs.existsSync(image.path)).toBe(true);

      const listed = (await call('listImages', {})).result as {
        items: Array<{ id: string; usedBy: string[] }>;
      };
      expect(listed.items.map((i) => i.id)).toEqual([image.id]);

      const conv = (await call('convertImage', { id: image.id, format: 'raw' })).result as {
        task: TaskInfo;
      };
      const convEnd = (await tasks.ended(conv.task.id)).at(-1)!;
      expect(convEnd.state, JSON.stringify(convEnd.error)).toBe('done');
      const raw = convEnd.result as { id: string; format: string; path: string };
      expect(raw.format).toBe('raw');
      expect(fs.statSync(raw.path).size).toBe(64 * 1024 * 1024);

      expect((await call('deleteImage', { id: image.id })).result).toEqual({ deleted: true });
      expect(fs.existsSync(image.path)).toBe(false);
      const audit = (await call('listAuditEvents', { limit: 20 })).result as {
        items: Array<{ action: string }>;
      };
      expect(audit.items.map((e) => e.action)).toEqual(
        expect.arrayContaining(['image.import', 'image.convert', 'image.delete']),
      );
    });

    it('imports a file streamed to PUT /upload (serve mode drag and drop)', async () => {
      const source = path.join(tmp, 'dropped.qcow2');
      execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', source, '16M']);
      const body = fs.readFileSync(source);
      const url = `http://127.0.0.1:${serve.port}/upload`;
      const refused = await fetch(url, { method: 'PUT', body });
      expect(refused.status).toBe(401);
      const foreign = await fetch(url, {
        method: 'PUT',
        body,
        headers: { Authorization: `Bearer ${serve.token}`, Origin: 'http://evil.example' },
      });
      expect(foreign.status).toBe(401);
      const res = await fetch(url, {
        method: 'PUT',
        body,
        headers: { Authorization: `Bearer ${serve.token}` },
      });
      expect(res.status).toBe(201);
      const { uploadId } = (await res.json()) as { uploadId: string };
      const started = (await call('importUpload', { uploadId, name: 'dropped.qcow2' })).result as {
        task: TaskInfo;
      };
      const end = (await tasks.ended(started.task.id)).at(-1)!;
      expect(end.state, JSON.stringify(end.error)).toBe('done');
      expect(end.result).toMatchObject({
        name: 'dropped',
        format: 'qcow2',
        source: 'upload: dropped.qcow2',
      });
      // The upload was a temporary copy: gone once imported; a second import of it is refused.
      expect(fs.readdirSync(path.join(serve.dataDir, 'uploads'))).toEqual([]);
      expect((await call('importUpload', { uploadId, name: 'again' })).error).toMatchObject({
        code: 'NOT_FOUND',
      });
    });

    it('refuses a hostile image as a failed task that says why, and records nothing', async () => {
      const hostile = path.join(tmp, 'hostile.qcow2');
      execFileSync('qemu-img', [
        'create',
        '-q',
        '-f',
        'qcow2',
        '-F',
        'raw',
        '-b',
        '/etc/passwd',
        hostile,
        '1M',
      ]);
      const started = (await call('importImage', { path: hostile, mode: 'reference' })).result as {
        task: TaskInfo;
      };
      const end = (await tasks.ended(started.task.id)).at(-1)!;
      expect(end.state).toBe('failed');
      expect(end.error?.message).toMatch(/backing file/i);
      expect(end.error?.message).toContain('/etc/passwd');
      const missing = (
        await call('importImage', { path: path.join(tmp, 'nope.img'), mode: 'copy' })
      ).result as { task: TaskInfo };
      const missingEnd = (await tasks.ended(missing.task.id)).at(-1)!;
      expect(missingEnd).toMatchObject({ state: 'failed', error: { code: 'NOT_FOUND' } });
      const listed = (await call('listImages', {})).result as { items: unknown[] };
      expect(
        listed.items.filter((i) => (i as { name: string }).name.startsWith('hostile')),
      ).toEqual([]);
    });
  },
);
