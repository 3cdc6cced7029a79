import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocketClient from 'ws';
import type WebSocket from 'ws';
import type { AuditEvent, EnvironmentSummary } from '../../preload/contract.js';
import { backendAvailable } from '../helpers/backends.js';
import { ensureTestImage, testDocker, testRunId, testSpec } from '../helpers/docker-test-image.js';
import { openWs, request, startServe, type ServeProcess } from '../helpers/serve-process.js';

/**
 * A container's terminal size and its editable settings, through a real `genos serve` and dockerd:
 * xterm's size reaches the exec TTY (`stty size` answers it), and a stopped container's memory
 * and restart policy change, the container being made again with the new limit at the next start.
 */
describe.runIf(backendAvailable('docker'))(
  'container terminal size and settings over the API',
  () => {
    const docker = testDocker();
    const run = testRunId();
    let serve: ServeProcess;
    let ws: WebSocket;
    let envId = '';
    let id = 0;
    const pushed: EnvironmentSummary[] = [];
    const call = async (name: string, args: unknown) =>
      request(ws, JSON.stringify({ id: ++id, call: name, args }), id);

    beforeAll(async () => {
      const image = await ensureTestImage(docker);
      serve = await startServe();
      ws = await openWs(serve.port, { token: serve.token });
      ws.on('message', (d) => {
        const msg = JSON.parse(String(d));
        if (msg.event === 'environmentChanged') pushed.push(msg.payload);
      });
      const spec = testSpec(image, { name: `tty-${run}`, network: { mode: 'none', ports: [] } });
      const created = await call('createEnvironment', { spec });
      envId = (created.result as { items: EnvironmentSummary[] }).items[0]!.id;
      const started = await call('startEnvironment', { id: envId });
      expect(started.error).toBeUndefined();
    }, 120_000);

    afterAll(async () => {
      ws?.close();
      await serve?.stop();
      const leftovers = await docker.listContainers({
        all: true,
        filters: { label: [`genos.env=${envId}`] },
      });
      for (const c of leftovers) await docker.getContainer(c.Id).remove({ force: true, v: true });
    });

    it('passes the terminal size to the shell: initial size and a later resize', async () => {
      const ticket = (await call('openTerminal', { id: envId })).result as {
        url: string;
        token: string;
      };
      const term = new WebSocketClient(
        `ws://127.0.0.1:${serve.port}${ticket.url}?token=${encodeURIComponent(ticket.token)}`,
      );
      await new Promise((resolve, reject) => term.once('open', resolve).once('error', reject));
      let seen = '';
      term.on('message', (d) => (seen += d.toString()));
      const sizeIs = async (rows: number, cols: number) => {
        const marker = new RegExp(`\\n${rows} ${cols}\\r?\\n`);
        const from = seen.length;
        term.send(Buffer.from('stty size\n'));
        const deadline = Date.now() + 15_000;
        while (!marker.test(seen.slice(from)) && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 50));
        return seen.slice(from);
      };
      // Text frames are control messages; the first one is what xterm sends when it connects.
      term.send(JSON.stringify({ type: 'resize', cols: 123, rows: 45 }));
      expect(await sizeIs(45, 123)).toMatch(/\n45 123\r?\n/);
      term.send(JSON.stringify({ type: 'resize', cols: 80, rows: 24 }));
      expect(await sizeIs(24, 80)).toMatch(/\n24 80\r?\n/);
      // A size out of range or an unknown control is dropped: not applied, not typed.
      term.send('{"type":"resize","cols":0,"rows":99999}');
      term.send('{"type":"unknown-control"}');
      expect(await sizeIs(24, 80)).toMatch(/\n24 80\r?\n/);
      expect(seen).not.toContain('unknown-control');
      // Plain text is still input, as before control messages existed.
      term.send('echo plain-$((6*7))\n');
      await expect.poll(() => seen, { timeout: 10_000 }).toContain('plain-42');
      term.close();
    }, 60_000);

    it('refuses to change a running environment, naming its state', async () => {
      const reply = await call('updateEnvironment', {
        id: envId,
        patch: { resources: { memoryMiB: 96 } },
      });
      expect(reply.error?.code).toBe('CONFLICT');
      expect(reply.error?.message).toMatch(/it is running/);
    });

    it('changes memory and restart policy of the stopped container, applied at the next start', async () => {
      expect((await call('stopEnvironment', { id: envId, timeoutSec: 2 })).error).toBeUndefined();
      const tooBig = await call('updateEnvironment', {
        id: envId,
        patch: { resources: { memoryMiB: 4 * 1024 * 1024 } },
      });
      expect(tooBig.error?.code).toBe('BAD_ARGS');
      expect(tooBig.error?.message).toMatch(/cannot have \d+ MiB of memory/);

      const before = pushed.length;
      const reply = await call('updateEnvironment', {
        id: envId,
        patch: { resources: { memoryMiB: 96 }, restartPolicy: 'on-failure' },
      });
      expect(reply.error).toBeUndefined();
      const result = reply.result as {
        env: EnvironmentSummary;
        changed: string[];
        notes: string[];
      };
      expect(result.changed).toEqual(['resources.memoryMiB', 'restartPolicy']);
      expect(result.notes.join(' ')).toMatch(/made again at the next start/);
      expect(result.env.spec).toMatchObject({
        resources: { memoryMiB: 96 },
        restartPolicy: 'on-failure',
      });
      // Removed now, so the next start creates it from the new spec.
      expect(
        await docker.listContainers({ all: true, filters: { label: [`genos.env=${envId}`] } }),
      ).toHaveLength(0);
      await expect.poll(() => pushed.slice(before).some((e) => e.id === envId)).toBe(true);

      const audit = (await call('listAuditEvents', { target: envId })).result as {
        items: AuditEvent[];
      };
      const entry = audit.items.find((e) => e.action === 'env.update');
      expect(entry?.detail).toMatchObject({
        changed: ['resources.memoryMiB', 'restartPolicy'],
        from: { 'resources.memoryMiB': 64, restartPolicy: 'never' },
        to: { 'resources.memoryMiB': 96, restartPolicy: 'on-failure' },
      });

      const again = await call('getEnvironment', { id: envId });
      expect((again.result as EnvironmentSummary).spec).toMatchObject({
        resources: { memoryMiB: 96 },
      });
      expect((await call('startEnvironment', { id: envId })).error).toBeUndefined();
      const [container] = await docker.listContainers({
        filters: { label: [`genos.env=${envId}`] },
      });
      const info = await docker.getContainer(container!.Id).inspect();
      expect(info.HostConfig.Memory).toBe(96 * 1024 * 1024);
      expect((await call('stopEnvironment', { id: envId, timeoutSec: 2 })).error).toBeUndefined();
    }, 120_000);
  },
);
