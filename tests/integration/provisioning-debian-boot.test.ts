import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnvironmentSummary, TaskInfo } from '../../preload/contract.js';
import { makeRecipe } from '../../main/composer/index.js';
import { backendAvailable } from '../helpers/backends.js';
import { runCli } from '../helpers/run-cli.js';
import {
  openWs,
  repoRoot,
  request,
  startServe,
  type ServeProcess,
} from '../helpers/serve-process.js';
import { baseSpec } from '../helpers/spec-fixture.js';
import { killAllUnder } from '../helpers/vm-test-env.js';

/**
 * The real first boot: the Debian 12 image that scripts/build-debian-image.sh builds from
 * Debian's archive becomes the cached base for "debian 12", `genos up` starts a headless VM
 * with no network through the running serve, cloud-init reads GenOS's seed, and the guest
 * reports ready on its serial console. Then the generated login is used on that console, and
 * the guest answers with the host name from the spec. Slow under TCG (minutes): CI runs it.
 */
const SCRIPT = path.join(repoRoot, 'scripts', 'build-debian-image.sh');
const OUT = path.join(repoRoot, '.cache', 'debian-image');
const READY_MS = Number(process.env.GENOS_DEBIAN_BOOT_TIMEOUT_SEC || 1500) * 1000;

/** What the script writes beside the image (debian-image.json); `image` is its absolute path. */
type ImageManifest = { image: string; sha256: string };

/** Builds the image when missing (the script is a no-op when its output is up to date). */
function ensureImage(): Promise<{ file: string; sha256: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [SCRIPT, OUT],
      { timeout: 40 * 60_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) {
          reject(new Error(`${SCRIPT} failed: ${err.message}\n${stdout}\n${stderr}`));
          return;
        }
        const m = JSON.parse(
          fs.readFileSync(path.join(OUT, 'debian-image.json'), 'utf8'),
        ) as ImageManifest;
        resolve({ file: path.resolve(OUT, m.image), sha256: m.sha256 });
      },
    );
  });
}

function openTicket(port: number, ticket: { url: string; token: string }) {
  return new Promise<{ ws: WebSocket; text: () => string }>((resolve, reject) => {
    const ws = new WebSocket(
      `ws://127.0.0.1:${port}${ticket.url}?token=${encodeURIComponent(ticket.token)}`,
    );
    let received = '';
    ws.on('message', (d) => (received += d.toString('latin1')));
    ws.once('open', () => resolve({ ws, text: () => received }));
    ws.once('error', reject);
  });
}

async function expectOutput(
  tap: { ws: WebSocket; text: () => string },
  pattern: RegExp,
  type: string | null,
  timeoutMs: number,
): Promise<string> {
  const from = tap.text().length;
  if (type !== null) tap.ws.send(Buffer.from(type));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = tap.text().slice(from);
    if (pattern.test(seen)) return seen;
    if (Date.now() > deadline) throw new Error(`no ${pattern} in: ${seen.slice(-800)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.runIf(backendAvailable('qemu') && fs.existsSync(SCRIPT))(
  'a Debian 12 VM provisioned by cloud-init',
  () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gdeb-'));
    const dataDir = path.join(tmp, 'data');
    let serve: ServeProcess;
    let ws: WebSocket;
    let id = 0;
    const events: Array<EnvironmentSummary & { seenAt: number }> = [];
    const call = async <T>(name: string, args: unknown): Promise<T> => {
      const reply = await request(ws, JSON.stringify({ id: ++id, call: name, args }), id);
      if (reply.error) throw new Error(`${name}: ${reply.error.code} ${reply.error.message}`);
      return reply.result as T;
    };

    beforeAll(async () => {
      const image = await ensureImage();
      fs.mkdirSync(dataDir, { mode: 0o700 });
      // The built image as the user's catalog entry for debian 12, pinned to its digest, so
      // nothing is fetched from the internet (a file: URL is copied into the cache).
      fs.writeFileSync(
        path.join(dataDir, 'catalog.local.json'),
        JSON.stringify({
          images: [
            {
              os: 'debian',
              version: '12',
              name: 'Debian 12 (built from the archive)',
              url: `file://${image.file}`,
              ...(image.sha256 ? { sha256: image.sha256 } : {}),
              format: 'qcow2',
              compression: 'none',
              cloudInit: true,
            },
          ],
        }),
      );
      serve = await startServe({ dataDir });
      ws = await openWs(serve.port, { token: serve.token });
      ws.on('message', (d) => {
        const msg = JSON.parse(String(d)) as { event?: string; payload?: EnvironmentSummary };
        if (msg.event === 'environmentChanged' && msg.payload)
          events.push({ ...msg.payload, seenAt: Date.now() });
      });
      // Adopted into the cache through the API (as "Add base…" does), before any VM needs it.
      const { task } = await call<{ task: TaskInfo }>('addCatalogBase', {
        osId: 'debian',
        version: '12',
        path: image.file,
      });
      for (let t = task; t.state === 'running';) {
        await new Promise((r) => setTimeout(r, 500));
        t = (await call<{ items: TaskInfo[] }>('listTasks', {})).items.find(
          (x) => x.id === task.id,
        )!;
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
      'boots, runs cloud-init to the ready marker, and the generated login works on the console',
      { timeout: READY_MS + 10 * 60_000 },
      async () => {
        const spec = baseSpec({
          name: 'deb-first-boot',
          os: { id: 'debian', version: '12' },
          resources: { cpus: 1, memoryMiB: 1024, diskGiB: 4 },
          network: { mode: 'none', ports: [] },
          display: 'headless',
          image: { kind: 'catalog' },
        });
        const recipe = path.join(tmp, 'deb.genos.json');
        fs.writeFileSync(recipe, JSON.stringify(makeRecipe([spec], 'debian 12 vm, no network')));
        // `genos up` reaches the running serve through its owner socket.
        const t0 = Date.now();
        const up = await runCli(['up', recipe, '--data-dir', dataDir]);
        const upMs = Date.now() - t0;
        expect(up.stderr).not.toContain('genos:');
        expect(up.stdout).toContain('deb-first-boot: running');
        const env = (
          await call<{ items: EnvironmentSummary[] }>('listEnvironments', {})
        ).items.find((e) => e.name === 'deb-first-boot')!;

        // The serial console from the start: the terminal replays what the ring buffer holds.
        const ticket = await call<{ url: string; token: string }>('openTerminal', { id: env.id });
        const term = await openTicket(serve.port, ticket);

        const deadline = Date.now() + READY_MS;
        let now = env;
        while (now.provision?.stage !== 'ready' && !now.provision?.failed) {
          if (Date.now() > deadline) break;
          await new Promise((r) => setTimeout(r, 2000));
          now = await call<EnvironmentSummary>('getEnvironment', { id: env.id });
        }
        if (now.provision?.stage !== 'ready' || now.provision.failed) {
          const log = await call<{ text: string }>('consoleLog', { id: env.id });
          throw new Error(
            `not ready: ${JSON.stringify(now.provision)}\n--- console ---\n${log.text.slice(-4000)}`,
          );
        }
        const stages = events
          .filter((e) => e.id === env.id && e.provision)
          .map((e) => e.provision!.stage);
        expect(stages.indexOf('first-boot')).toBeGreaterThanOrEqual(0);
        expect(stages.lastIndexOf('ready')).toBeGreaterThan(stages.indexOf('first-boot'));
        expect(stages).not.toContain('downloading'); // the adopted base was used as it was
        const at = (stage: string) =>
          events.find((e) => e.id === env.id && e.provision?.stage === stage)?.seenAt;
        const secs = (t: number | undefined) =>
          t === undefined ? '-' : `${((t - t0) / 1000).toFixed(1)} s`;
        // The figure the issue asks for: prompt to ready for a cached VM base under TCG.
        console.log(
          `[debian-boot] genos up returned after ${(upMs / 1000).toFixed(1)} s; first-boot at ${secs(at('first-boot'))}, installing-packages at ${secs(at('installing-packages'))}, ready at ${secs(at('ready'))} (stages: ${[...new Set(stages)].join(' -> ')})`,
        );

        // Log in on the serial console with the generated password: the user exists, and the
        // guest has the host name from the spec.
        const creds = await call<{ user: string; password: string }>('getCredentials', {
          id: env.id,
        });
        await expectOutput(term, /deb-first-boot login:/, '\r', 120_000);
        await expectOutput(term, /Password:/, `${creds.user}\r`, 60_000);
        await expectOutput(term, /\$ ?$/m, `${creds.password}\r`, 120_000);
        const out = await expectOutput(
          term,
          /HOST=deb-first-boot[\s\S]*uid=\d+\(genos\)[\s\S]*GENOS-PROVISIONED \S+ ok/,
          'echo HOST=$(hostname); id; cat /var/lib/genos/provisioned\r',
          60_000,
        );
        expect(out).toContain('HOST=deb-first-boot');
        term.ws.close();

        const audit = await call<{ items: Array<{ action: string; detail: { stage?: string } }> }>(
          'listAuditEvents',
          { target: env.id, limit: 200 },
        );
        expect(
          audit.items.filter((e) => e.action === 'env.provision').map((e) => e.detail.stage),
        ).toEqual(expect.arrayContaining(['preparing-disk', 'first-boot', 'ready']));
        await call('killEnvironment', { id: env.id });

        // GenOS losing track of the outcome (stopped or restarted before it read the marker) is
        // healed by the next boot: the guest repeats the outcome it kept, and it is read again.
        fs.rmSync(path.join(dataDir, 'qemu', env.id, 'provision.json'));
        const mark = events.length;
        await call('startEnvironment', { id: env.id });
        const again = Date.now() + READY_MS;
        // Until the watcher reports first-boot, the environment still shows the old 'ready'.
        const rebooted = () => {
          const seen = events
            .slice(mark)
            .filter((e) => e.id === env.id)
            .map((e) => e.provision?.stage);
          return (
            seen.lastIndexOf('ready') > seen.indexOf('first-boot') && seen.includes('first-boot')
          );
        };
        while (!rebooted()) {
          if (Date.now() > again) throw new Error('the repeated outcome was not read on reboot');
          await new Promise((r) => setTimeout(r, 1000));
        }
        expect(
          (await call<EnvironmentSummary>('getEnvironment', { id: env.id })).provision,
        ).toMatchObject({ stage: 'ready', failed: false });
        await call('killEnvironment', { id: env.id });
      },
    );

    it(
      'fails the package stage, naming the package and the log, when the guest cannot install it',
      { timeout: READY_MS + 5 * 60_000 },
      async () => {
        // No network card: apt cannot reach a mirror, so git is never installed.
        const spec = baseSpec({
          name: 'deb-no-net',
          os: { id: 'debian', version: '12' },
          resources: { cpus: 1, memoryMiB: 1024, diskGiB: 4 },
          network: { mode: 'none', ports: [] },
          apps: ['git'],
        });
        const [env] = (await call<{ items: EnvironmentSummary[] }>('createEnvironment', { spec }))
          .items;
        await call('startEnvironment', { id: env!.id });
        const deadline = Date.now() + READY_MS;
        let now = env!;
        while (!now.provision?.failed && now.provision?.stage !== 'ready') {
          if (Date.now() > deadline)
            throw new Error(`no outcome: ${JSON.stringify(now.provision)}`);
          await new Promise((r) => setTimeout(r, 2000));
          now = await call<EnvironmentSummary>('getEnvironment', { id: env!.id });
        }
        expect(now.provision).toMatchObject({ stage: 'installing-packages', failed: true });
        expect(now.provision!.message).toMatch(/Installing packages failed: .*git/);
        expect(now.provision!.message).toContain('genos logs deb-no-net');
        const audit = await call<{
          items: Array<{ action: string; outcome: string; detail: { failed?: boolean } }>;
        }>('listAuditEvents', { target: env!.id, limit: 200 });
        expect(
          audit.items.some(
            (e) => e.action === 'env.provision' && e.outcome === 'error' && e.detail.failed,
          ),
        ).toBe(true);
        await call('killEnvironment', { id: env!.id });
      },
    );
  },
);
