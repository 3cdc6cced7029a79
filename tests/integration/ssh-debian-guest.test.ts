import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnvironmentSummary, TaskInfo } from '../../preload/contract.js';
import { backendAvailable } from '../helpers/backends.js';
import {
  DEBIAN_IMAGE_SCRIPT,
  ensureDebianImage,
  writeDebianCatalog,
} from '../helpers/debian-image.js';
import { openWs, request, startServe, type ServeProcess } from '../helpers/serve-process.js';
import { baseSpec } from '../helpers/spec-fixture.js';
import { killAllUnder } from '../helpers/vm-test-env.js';

/**
 * "Open SSH terminal" into a real guest: the Debian 12 image from scripts/build-debian-image.sh,
 * network isolated with no forward in the spec, started through `genos serve`. GenOS adds the
 * SSH forward, the seed carries the environment's key, and once cloud-init is done an SSH
 * terminal through the console bridge runs a command as the generated user. After a serve
 * restart the running VM is re-adopted and SSH still reaches it on the same port. Slow under TCG.
 */
const READY_MS = Number(process.env.GENOS_DEBIAN_BOOT_TIMEOUT_SEC || 1500) * 1000;

type Tap = { ws: WebSocket; text: () => string };

function openTicket(port: number, ticket: { url: string; token: string }): Promise<Tap> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(
      `ws://127.0.0.1:${port}${ticket.url}?token=${encodeURIComponent(ticket.token)}`,
    );
    let received = '';
    ws.on('message', (d: Buffer) => (received += d.toString('utf8')));
    ws.once('open', () => resolve({ ws, text: () => received }));
    ws.once('error', reject);
  });
}

async function expectOutput(tap: Tap, pattern: RegExp, type: string, timeoutMs: number) {
  const from = tap.text().length;
  tap.ws.send(Buffer.from(type));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = tap.text().slice(from);
    if (pattern.test(seen)) return seen;
    if (Date.now() > deadline) throw new Error(`no ${pattern} in: ${tap.text().slice(-800)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.runIf(
  backendAvailable('qemu') && backendAvailable('sshd') && fs.existsSync(DEBIAN_IMAGE_SCRIPT),
)('an SSH terminal into a Debian 12 guest', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gssh-'));
  const dataDir = path.join(tmp, 'data');
  let serve: ServeProcess;
  let ws: WebSocket;
  let id = 0;
  const call = async <T>(name: string, args: unknown): Promise<T> => {
    const reply = await request(ws, JSON.stringify({ id: ++id, call: name, args }), id);
    if (reply.error) throw new Error(`${name}: ${reply.error.code} ${reply.error.message}`);
    return reply.result as T;
  };
  const connect = async () => {
    serve = await startServe({ dataDir });
    ws = await openWs(serve.port, { token: serve.token });
  };

  beforeAll(async () => {
    const image = await ensureDebianImage();
    fs.mkdirSync(dataDir, { mode: 0o700 });
    writeDebianCatalog(dataDir, image);
    await connect();
    const { task } = await call<{ task: TaskInfo }>('addCatalogBase', {
      osId: 'debian',
      version: '12',
      path: image.file,
    });
    for (let t = task; t.state === 'running';) {
      await new Promise((r) => setTimeout(r, 500));
      t = (await call<{ items: TaskInfo[] }>('listTasks', {})).items.find((x) => x.id === task.id)!;
      if (t.state === 'failed') throw new Error(`add-base failed: ${t.error?.message}`);
    }
  }, 45 * 60_000);

  afterAll(async () => {
    ws?.close();
    await serve?.stop();
    await killAllUnder(dataDir);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it(
    'logs in with the environment key, and again after a serve restart',
    { timeout: READY_MS + 10 * 60_000 },
    async () => {
      const spec = baseSpec({
        name: 'deb-ssh',
        os: { id: 'debian', version: '12' },
        resources: { cpus: 1, memoryMiB: 1024, diskGiB: 4 },
        network: { mode: 'isolated', ports: [] },
        image: { kind: 'catalog' },
      });
      const [env] = (await call<{ items: EnvironmentSummary[] }>('createEnvironment', { spec }))
        .items;
      const plan = await call<{ notes: string[] }>('planEnvironment', { spec });
      expect(plan.notes.join('\n')).toMatch(/SSH: guest port 22 is forwarded/);
      await call('startEnvironment', { id: env!.id });

      const deadline = Date.now() + READY_MS;
      let now = await call<EnvironmentSummary>('getEnvironment', { id: env!.id });
      const early = await call<{ available: boolean; reason?: string }>('getSshAccess', {
        id: env!.id,
      });
      if (now.provision?.stage !== 'ready') expect(early.reason).toMatch(/still being set up/);
      while (now.provision?.stage !== 'ready' && !now.provision?.failed) {
        if (Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 2000));
        now = await call<EnvironmentSummary>('getEnvironment', { id: env!.id });
      }
      expect(now.provision).toMatchObject({ stage: 'ready', failed: false });

      const access = await call<{ available: boolean; port: number; user: string }>(
        'getSshAccess',
        { id: env!.id },
      );
      expect(access).toMatchObject({ available: true, user: 'genos' });
      const creds = await call<{ sshPort: number | null }>('getCredentials', { id: env!.id });
      expect(creds.sshPort).toBe(access.port);

      // sshd may still be starting just after the ready marker: retry a few times.
      const sshRun = async (marker: string) => {
        for (let attempt = 1; ; attempt++) {
          const ticket = await call<{ url: string; token: string }>('openTerminal', {
            id: env!.id,
            mode: 'ssh',
          });
          const tap = await openTicket(serve.port, ticket);
          try {
            const out = await expectOutput(
              tap,
              new RegExp(`${marker}-42 [\\s\\S]*uid=\\d+\\(genos\\)`),
              `echo ${marker}-$((6*7)) $(hostname); id\r`,
              60_000,
            );
            tap.ws.close();
            return out;
          } catch (e) {
            tap.ws.close();
            if (attempt >= 5) throw e;
            await new Promise((r) => setTimeout(r, 5000));
          }
        }
      };
      expect(await sshRun('ssh')).toContain('deb-ssh');

      // The app goes away and comes back: the VM keeps running, is re-adopted, and its SSH
      // port is read back from qemu's recorded argv.
      ws.close();
      await serve.stop();
      await connect();
      const after = await call<{ available: boolean; port: number }>('getSshAccess', {
        id: env!.id,
      });
      expect(after).toMatchObject({ available: true, port: access.port });
      await sshRun('again');
      await call('killEnvironment', { id: env!.id });
    },
  );
});
