import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type WebSocket from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import type { EnvironmentSummary } from '../../preload/contract.js';
import { backendAvailable } from '../helpers/backends.js';
import { openWs, request, startServe, type ServeProcess } from '../helpers/serve-process.js';
import { writeLocalCatalog } from '../helpers/local-catalog-file.js';
import { baseSpec } from '../helpers/spec-fixture.js';
import { FixtureServer, fileRoute } from '../unit/provisioning/fixture-server.js';
import { killAllUnder } from '../helpers/vm-test-env.js';

/**
 * `genos serve` killed with SIGKILL while a catalog VM is being provisioned (its base image half
 * downloaded): started again on the same data dir, the environment is not left in a transitional
 * state, no qemu runs for it, the cache holds no complete-looking base (only the resumable part),
 * and starting it again resumes the download and runs the VM.
 */
describe.runIf(backendAvailable('qemu') && backendAvailable('qemu-img'))(
  'a crash while provisioning a VM',
  () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-prov-crash-'));
    const dataDir = path.join(tmp, 'data');
    const server = new FixtureServer();
    let serve: ServeProcess | null = null;

    afterAll(async () => {
      await serve?.stop();
      await killAllUnder(dataDir);
      await server.stop();
      fs.rmSync(tmp, { recursive: true, force: true });
    });

    async function connect(s: ServeProcess) {
      const ws: WebSocket = await openWs(s.port, { token: s.token });
      let id = 0;
      const call = async <T>(name: string, args: unknown): Promise<T> => {
        const reply = await request(ws, JSON.stringify({ id: ++id, call: name, args }), id);
        if (reply.error) throw Object.assign(new Error(reply.error.message), reply.error);
        return reply.result as T;
      };
      return { ws, call };
    }

    /** Every file under `dir`, as paths relative to it. */
    const files = (dir: string): string[] =>
      fs.existsSync(dir)
        ? (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) =>
            fs.statSync(path.join(dir, f)).isFile(),
          )
        : [];

    it('leaves nothing stuck, nothing half-made in the cache, and resumes on the next start', async () => {
      fs.mkdirSync(dataDir, { mode: 0o700 });
      const file = path.join(tmp, 'base.qcow2');
      execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', file, '64M']);
      const base = fs.readFileSync(file);
      // Slow enough to be caught mid-way: ~80 KiB/s.
      server.routes.set(
        '/slow/base.qcow2',
        fileRoute(() => base, { etag: () => '"b1"', chunk: 8192, pauseMs: 100 }),
      );
      await server.start();
      writeLocalCatalog(dataDir, {
        os: 'debian',
        version: '12',
        url: server.url('/slow/base.qcow2'),
        format: 'qcow2',
      });

      serve = await startServe({ dataDir });
      let api = await connect(serve);
      const spec = baseSpec({
        name: 'crash-prov',
        resources: { cpus: 1, memoryMiB: 128, diskGiB: 1 },
        network: { mode: 'none', ports: [] },
      });
      const [env] = (await api.call<{ items: EnvironmentSummary[] }>('createEnvironment', { spec }))
        .items;
      // Never answered: the server dies first.
      void api.call('startEnvironment', { id: env!.id }).catch(() => undefined);
      const cache = path.join(dataDir, 'cache', 'images');
      const deadline = Date.now() + 30_000;
      const partBytes = () => {
        const part = files(cache).find((f) => f.endsWith('.part'));
        return part ? fs.statSync(path.join(cache, part)).size : 0;
      };
      // Some bytes on disk: a slow download is written at least once a second.
      while (partBytes() === 0) {
        if (Date.now() > deadline) throw new Error('the download never reached the disk');
        await new Promise((r) => setTimeout(r, 100));
      }
      const mid = await api.call<EnvironmentSummary>('getEnvironment', { id: env!.id });
      expect(mid.state).toBe('provisioning');
      expect(mid.provision?.stage).toBe('downloading');

      api.ws.close();
      serve.child.kill('SIGKILL');
      await new Promise((r) => serve!.child.once('exit', r));

      serve = await startServe({ dataDir });
      api = await connect(serve);
      const after = await api.call<EnvironmentSummary>('getEnvironment', { id: env!.id });
      // Settled by start-up reconciliation: an action can leave this state.
      expect(after.state).toBe('failed');
      expect(after.stateReason).toMatch(/stopped while provisioning/i);
      // No complete-looking base: only the resumable part and its sidecar.
      const cached = files(cache);
      expect(cached.some((f) => f.endsWith('.part'))).toBe(true);
      const names = cached.map((f) => path.basename(f));
      expect(names).not.toContain('image.json');
      expect(names).not.toContain('base.qcow2');
      // No qemu was ever started for it.
      expect(fs.existsSync(path.join(dataDir, 'run', env!.id, 'qemu.pid'))).toBe(false);

      // Starting it again resumes (a Range request) and runs the VM.
      server.routes.set(
        '/slow/base.qcow2',
        fileRoute(() => base, { etag: () => '"b1"' }),
      );
      const running = await api.call<EnvironmentSummary>('startEnvironment', { id: env!.id });
      expect(running.state).toBe('running');
      expect(server.requests('/slow/base.qcow2').at(-1)?.range).toMatch(/^bytes=[1-9]\d*-$/);
      expect(files(cache).map((f) => path.basename(f))).toContain('image.json');
      await api.call('killEnvironment', { id: env!.id });
      api.ws.close();
    }, 180_000);
  },
);
