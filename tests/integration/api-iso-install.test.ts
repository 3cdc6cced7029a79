import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnvironmentSummary } from '../../preload/contract.js';
import { backendAvailable } from '../helpers/backends.js';
import { importByReference, runCli } from '../helpers/run-cli.js';
import { ServeSession } from '../helpers/serve-session.js';
import { createHash } from 'node:crypto';
import type { CatalogImage, TaskInfo } from '../../preload/contract.js';
import { writeLocalCatalog } from '../helpers/local-catalog-file.js';
import { testGuestVmSpec } from '../helpers/spec-fixture.js';
import { recordTasks } from '../helpers/task-updates.js';
import { ensureTestGuest, type TestGuest } from '../helpers/test-guest.js';
import { FixtureServer, fileRoute } from '../unit/provisioning/fixture-server.js';

/**
 * An ISO install through the API and the CLI, against `genos serve` and real qemu: the test
 * guest's hybrid ISO, imported as a library ISO, boots from the installer cdrom (its ready marker
 * on the serial console); finishInstall ejects it from the running VM and records
 * spec.installed; the next start's argv has no installer. `genos install-done` does the same for
 * a stopped one, and both refuse what is not an ISO install or is already finished. An installer
 * ISO from the OS catalog (here a catalog.local.json entry on a server on 127.0.0.1) goes the same
 * way after its download.
 */
describe.runIf(backendAvailable('qemu') && backendAvailable('qemu-img'))(
  'ISO installs through the API',
  () => {
    let guest: TestGuest;
    let isoId = '';
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gi-'));
    const api = new ServeSession(dataDir);
    const call = (name: string, args: unknown) => api.reply(name, args);

    const specFor = (name: string, imageId: string) =>
      testGuestVmSpec(name, { kind: 'library', imageId });

    async function create(name: string, imageId: string): Promise<string> {
      const r = await call('createEnvironment', { spec: specFor(name, imageId) });
      expect(r.error).toBeUndefined();
      return (r.result as { items: EnvironmentSummary[] }).items[0]!.id;
    }

    async function consoleUntil(envId: string, text: string, ms: number): Promise<string> {
      const deadline = Date.now() + ms;
      let log = '';
      while (Date.now() < deadline) {
        log = ((await call('consoleLog', { id: envId })).result as { text: string }).text;
        if (log.includes(text)) return log;
        await new Promise((r) => setTimeout(r, 200));
      }
      return log;
    }

    const qemuArgv = (envId: string) =>
      fs.readFileSync(path.join(dataDir, 'run', envId, 'instance.json'), 'utf8');

    beforeAll(async () => {
      guest = await ensureTestGuest();
      if (!guest.iso) return;
      await importByReference(dataDir, guest.iso, 'iso', 'installer');
      await api.start();
      const images = (await call('listImages', {})).result as {
        items: Array<{ id: string; format: string }>;
      };
      isoId = images.items.find((i) => i.format === 'iso')!.id;
    }, 180_000);

    afterAll(() => api.close());

    it('a catalog installer ISO: the newest file the checksum file lists is downloaded, booted and finished', async (ctx) => {
      if (!guest.iso) ctx.skip();
      const iso = fs.readFileSync(guest.iso!);
      const digest = createHash('sha256').update(iso).digest('hex');
      const http = await new FixtureServer().start();
      try {
        // Point releases as a distro lists them: 1.10 is newer than 1.9 (numbers, not letters).
        http.routes.set('/iso/SHA256SUMS', (_q, res) =>
          res.end(`${'0'.repeat(64)}  guest-1.9.iso\n${digest}  guest-1.10.iso\n`),
        );
        http.routes.set(
          '/iso/guest-1.10.iso',
          fileRoute(() => iso, { etag: () => '"g110"' }),
        );
        writeLocalCatalog(dataDir, {
          os: 'linux',
          version: 'iso-test',
          url: http.url('/iso/guest-*.iso'),
          checksumUrl: http.url('/iso/SHA256SUMS'),
          format: 'iso',
        });
        const listed = async () =>
          ((await call('listCatalogImages', {})).result as { items: CatalogImage[] }).items.find(
            (i) => i.osId === 'linux' && i.version === 'iso-test',
          );
        expect(await listed()).toMatchObject({
          media: 'installer-iso',
          state: 'absent',
          dropFile: 'guest-*.iso',
        });
        // The environment downloads it (its first stages), then boots it onto a blank disk.
        const r = await call('createEnvironment', {
          spec: testGuestVmSpec(
            'catalog-installer',
            { kind: 'catalog', media: 'installer-iso' },
            { os: { id: 'linux', version: 'iso-test' }, display: 'gui' },
          ),
        });
        expect(r.error).toBeUndefined();
        const envId = (r.result as { items: EnvironmentSummary[] }).items[0]!.id;
        const started = await call('startEnvironment', { id: envId });
        expect(started.result).toMatchObject({
          state: 'running',
          provision: { stage: 'ready', failed: false, message: /installer runs/ },
        });
        const cached = await listed();
        expect(cached).toMatchObject({ state: 'cached', cached: { trust: 'verified' } });
        expect(path.basename(cached!.cached!.path)).toBe('guest-1.10.iso');
        expect(await consoleUntil(envId, guest.readyMarker, 60_000)).toContain(guest.readyMarker);
        expect(qemuArgv(envId)).toContain(cached!.cached!.path);
        const stages = (
          (await call('listAuditEvents', { target: envId, limit: 50 })).result as {
            items: Array<{ action: string; detail: { stage?: string } | null }>;
          }
        ).items
          .filter((a) => a.action === 'env.provision')
          .map((a) => a.detail?.stage)
          .reverse();
        expect(stages).toEqual(['downloading', 'preparing-disk', 'ready']);

        // The catalog call finds it cached: shared, not fetched again.
        const tasks = recordTasks(api.ws);
        const again = await call('downloadCatalogImage', {
          osId: 'linux',
          version: 'iso-test',
          media: 'installer-iso',
        });
        const task = (again.result as { task: TaskInfo }).task;
        const end = (await tasks.ended(task.id)).at(-1)!;
        expect(end.state, JSON.stringify(end.error)).toBe('done');
        expect(http.requests('/iso/guest-1.10.iso')).toHaveLength(1);
        const done = await call('finishInstall', { id: envId });
        expect(done.result).toMatchObject({ ejected: true, env: { spec: { installed: true } } });
        await call('killEnvironment', { id: envId });
      } finally {
        fs.rmSync(path.join(dataDir, 'catalog.local.json'), { force: true });
        await http.stop();
      }
    }, 150_000);

    it('boots the installer, finishes the install while running, then boots the disk', async (ctx) => {
      if (!guest.iso) ctx.skip(); // the guest was built without genisoimage
      const envId = await create('installer-vm', isoId);
      expect((await call('startEnvironment', { id: envId })).result).toMatchObject({
        state: 'running',
      });
      expect(await consoleUntil(envId, guest.readyMarker, 60_000)).toContain(guest.readyMarker);
      expect(qemuArgv(envId)).toContain(guest.iso);

      const done = await call('finishInstall', { id: envId });
      expect(done.error).toBeUndefined();
      expect(done.result).toMatchObject({ ejected: true, env: { spec: { installed: true } } });
      const again = await call('finishInstall', { id: envId });
      expect(again.error).toMatchObject({ code: 'CONFLICT', message: /already finished/ });

      await call('killEnvironment', { id: envId });
      expect((await call('startEnvironment', { id: envId })).result).toMatchObject({
        state: 'running',
      });
      const argv = qemuArgv(envId);
      expect(argv).not.toContain(guest.iso);
      expect(argv).toMatch(/drive=disk0,id=disk0-dev,bootindex=1/);
      await call('killEnvironment', { id: envId });

      const audit = (await call('listAuditEvents', { target: envId, limit: 50 })).result as {
        items: Array<{ action: string }>;
      };
      expect(audit.items.filter((a) => a.action === 'env.install-finished')).toHaveLength(1);
    }, 150_000);

    it('genos install-done finishes a stopped install; others are refused', async (ctx) => {
      if (!guest.iso) ctx.skip();
      const envId = await create('cli-install', isoId);
      const ok = await runCli(['install-done', 'cli-install', '--data-dir', dataDir]);
      expect(ok.stderr).toBe('');
      expect(ok.stdout).toContain('cli-install: it boots from its disk from its next start');
      const env = (await call('getEnvironment', { id: envId })).result as EnvironmentSummary;
      expect(env.spec).toMatchObject({ installed: true, image: { imageId: isoId } });
      const twice = await runCli(['install-done', 'cli-install', '--data-dir', dataDir]);
      expect(twice.code).toBe(1);
      expect(twice.stderr).toMatch(/already finished/);

      const kernelSpec = {
        ...specFor('not-iso', isoId),
        image: { kind: 'kernel', kernel: guest.kernel, initrd: guest.initrd, cmdline: '' },
      };
      const r = await call('createEnvironment', { spec: kernelSpec });
      const other = (r.result as { items: EnvironmentSummary[] }).items[0]!.id;
      expect((await call('finishInstall', { id: other })).error).toMatchObject({
        code: 'BAD_ARGS',
        message: /no installation to finish/,
      });
      expect((await call('finishInstall', { id: 'nope' })).error).toMatchObject({
        code: 'NOT_FOUND',
      });
    }, 60_000);
  },
);
