import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type WebSocket from 'ws';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnvironmentSummary } from '../../preload/contract.js';
import { readIso } from '../../main/provisioning/iso9660-read.js';
import { backendAvailable } from '../helpers/backends.js';
import { openWs, request, startServe, type ServeProcess } from '../helpers/serve-process.js';
import { writeLocalCatalog } from '../helpers/local-catalog-file.js';
import { baseSpec } from '../helpers/spec-fixture.js';
import { FixtureServer, fileRoute } from '../unit/provisioning/fixture-server.js';
import { killAllUnder } from '../helpers/vm-test-env.js';

/**
 * A catalog VM through the real API: the base comes from a user catalog entry
 * (catalog.local.json) served by a local HTTP server, is downloaded into the cache once and
 * shared by a second environment; each environment gets an overlay on it and its own cloud-init
 * seed, and the generated password stays in the data dir.
 */
describe.runIf(backendAvailable('qemu') && backendAvailable('qemu-img'))(
  'catalog VMs over the API',
  () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gcat-'));
    const dataDir = path.join(tmp, 'data');
    const server = new FixtureServer();
    let base: Buffer;
    let serve: ServeProcess;
    let ws: WebSocket;
    let id = 0;
    const events: EnvironmentSummary[] = [];
    const call = async <T>(name: string, args: unknown): Promise<T> => {
      const reply = await request(ws, JSON.stringify({ id: ++id, call: name, args }), id);
      if (reply.error) throw new Error(`${name}: ${reply.error.code} ${reply.error.message}`);
      return reply.result as T;
    };
    const spec = (name: string, apps: string[]) =>
      baseSpec({
        name,
        apps,
        resources: { cpus: 1, memoryMiB: 128, diskGiB: 1 },
        network: { mode: 'none', ports: [] },
      });
    const envDir = (envId: string) => path.join(dataDir, 'qemu', envId);
    const backingOf = (file: string) =>
      (
        JSON.parse(
          execFileSync('qemu-img', ['info', '--output=json', '-U', file], { encoding: 'utf8' }),
        ) as { 'full-backing-filename'?: string; 'backing-filename'?: string }
      )['full-backing-filename'];

    beforeAll(async () => {
      fs.mkdirSync(dataDir, { mode: 0o700 });
      const file = path.join(tmp, 'fixture-base.qcow2');
      execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', file, '256M']);
      base = fs.readFileSync(file);
      server.routes.set(
        '/images/fixture-base.qcow2',
        fileRoute(() => base),
      );
      server.routes.set(
        '/slow/base.qcow2',
        fileRoute(() => base, { chunk: 8192, pauseMs: 100 }),
      );
      await server.start();
      writeLocalCatalog(
        dataDir,
        {
          os: 'debian',
          version: '12',
          name: 'Debian 12 (fixture)',
          url: server.url('/images/fixture-base.qcow2'),
          sha256: createHash('sha256').update(base).digest('hex'),
          format: 'qcow2',
          compression: 'none',
          cloudInit: true,
        },
        {
          os: 'alpine',
          version: '3.22',
          url: server.url('/images/missing.qcow2'),
          format: 'qcow2',
        },
        // No digest: cached under a key of its own (the URL), so it is really downloaded.
        {
          os: 'ubuntu',
          version: '24.04',
          url: server.url('/slow/base.qcow2'),
          format: 'qcow2',
        },
      );
      serve = await startServe({ dataDir });
      ws = await openWs(serve.port, { token: serve.token });
      ws.on('message', (d) => {
        const msg = JSON.parse(String(d)) as { event?: string; payload?: EnvironmentSummary };
        if (msg.event === 'environmentChanged' && msg.payload) events.push(msg.payload);
      });
    }, 60_000);

    afterAll(async () => {
      ws?.close();
      await serve?.stop();
      await killAllUnder(dataDir);
      await server.stop();
      fs.rmSync(tmp, { recursive: true, force: true });
    });

    let first: EnvironmentSummary;

    it('downloads the base once into the cache and gives the VM an overlay and a seed', async () => {
      const [env] = (
        await call<{ items: EnvironmentSummary[] }>('createEnvironment', {
          spec: spec('cat-one', ['git', 'htop']),
        })
      ).items;
      first = await call<EnvironmentSummary>('startEnvironment', { id: env!.id });
      expect(first.state).toBe('running');
      expect(server.requests('/images/fixture-base.qcow2')).toHaveLength(1);

      // The cache holds the verified base; the overlay in the env dir points at it.
      const cacheRoot = path.join(dataDir, 'cache', 'images');
      const [key] = fs.readdirSync(cacheRoot);
      const cached = path.join(cacheRoot, key!, 'fixture-base.qcow2');
      expect(fs.readFileSync(cached).equals(base)).toBe(true);
      const overlay = path.join(envDir(first.id), 'disk.qcow2');
      expect(backingOf(overlay)).toBe(cached);

      // The seed: label cidata, this environment's host name and the packages of its apps.
      const vol = readIso(fs.readFileSync(path.join(envDir(first.id), 'seed.iso')));
      expect(vol.label).toBe('cidata');
      const meta = YAML.parse(vol.files.get('meta-data')!.toString()) as Record<string, string>;
      expect(meta['local-hostname']).toBe('cat-one');
      const user = YAML.parse(vol.files.get('user-data')!.toString()) as {
        packages: string[];
        users: Array<{ name: string; passwd: string }>;
      };
      expect(user.packages).toEqual(['git', 'htop']);
      expect(user.users[0]!.name).toBe('genos');

      // The stages so far were pushed with the environment and audited.
      const stages = events.filter((e) => e.id === first.id).map((e) => e.provision?.stage);
      expect(stages).toEqual(
        expect.arrayContaining(['downloading', 'preparing-disk', 'first-boot']),
      );
      expect(first.provision).toMatchObject({ stage: 'first-boot', failed: false });
      const audit = await call<{ items: Array<{ action: string; detail: { stage?: string } }> }>(
        'listAuditEvents',
        { target: first.id, limit: 100 },
      );
      expect(
        audit.items.filter((e) => e.action === 'env.provision').map((e) => e.detail.stage),
      ).toEqual(expect.arrayContaining(['downloading', 'preparing-disk', 'first-boot']));
    }, 120_000);

    it('keeps the generated password in the env dir only, 0600, and hands it out on request', async () => {
      const creds = await call<{ user: string; password: string; sshPort: number | null }>(
        'getCredentials',
        { id: first.id },
      );
      expect(creds.user).toBe('genos');
      expect(creds.password).toMatch(/^[A-Za-z0-9]{5}(-[A-Za-z0-9]{5}){3}$/);
      expect(creds.sshPort).toBeNull();
      const file = path.join(envDir(first.id), 'credentials.json');
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      // Never in the seed, the store, the audit log or the events.
      expect(
        fs.readFileSync(path.join(envDir(first.id), 'seed.iso')).includes(creds.password),
      ).toBe(false);
      for (const f of fs.readdirSync(dataDir).filter((n) => n.startsWith('genos.db'))) {
        expect(fs.readFileSync(path.join(dataDir, f)).includes(creds.password)).toBe(false);
      }
      expect(JSON.stringify(events)).not.toContain(creds.password);
    });

    it('reuses the cached base for a second environment: same backing file, no second download', async () => {
      const [env] = (
        await call<{ items: EnvironmentSummary[] }>('createEnvironment', {
          spec: spec('cat-two', []),
        })
      ).items;
      const second = await call<EnvironmentSummary>('startEnvironment', { id: env!.id });
      expect(second.state).toBe('running');
      expect(server.requests('/images/fixture-base.qcow2')).toHaveLength(1);
      expect(backingOf(path.join(envDir(second.id), 'disk.qcow2'))).toBe(
        backingOf(path.join(envDir(first.id), 'disk.qcow2')),
      );
      expect(events.filter((e) => e.id === second.id).map((e) => e.provision?.stage)).not.toContain(
        'downloading',
      );
      const a = await call<{ password: string }>('getCredentials', { id: first.id });
      const b = await call<{ password: string }>('getCredentials', { id: second.id });
      expect(a.password).not.toBe(b.password);
      for (const e of [first, second]) {
        await call('killEnvironment', { id: e.id });
        await call('deleteEnvironment', { id: e.id });
      }
      expect(fs.existsSync(envDir(first.id))).toBe(false);
    }, 120_000);

    it('says which file to drop in when the base cannot be downloaded', async () => {
      const [env] = (
        await call<{ items: EnvironmentSummary[] }>('createEnvironment', {
          spec: baseSpec({ name: 'cat-missing', os: { id: 'alpine', version: '3.22' } }),
        })
      ).items;
      const reply = await request(
        ws,
        JSON.stringify({ id: ++id, call: 'startEnvironment', args: { id: env!.id } }),
        id,
      );
      expect(reply.error?.message).toMatch(/missing\.qcow2 could not be downloaded/);
      expect(reply.error?.message).toContain('genos images add-base');
      const now = await call<EnvironmentSummary>('getEnvironment', { id: env!.id });
      expect(now.state).toBe('failed');
      expect(now.provision).toMatchObject({ stage: 'downloading', failed: true });
    }, 60_000);

    it('shows the download in bytes as it goes, and cancelling it keeps the part for later', async () => {
      const [env] = (
        await call<{ items: EnvironmentSummary[] }>('createEnvironment', {
          spec: baseSpec({ name: 'cat-slow', os: { id: 'ubuntu', version: '24.04' } }),
        })
      ).items;
      const startId = ++id;
      const started = request(
        ws,
        JSON.stringify({ id: startId, call: 'startEnvironment', args: { id: env!.id } }),
        startId,
      );
      const deadline = Date.now() + 20_000;
      let seen: EnvironmentSummary | undefined;
      while (!seen && Date.now() < deadline) {
        seen = events.find(
          (e) =>
            e.id === env!.id && e.provision?.stage === 'downloading' && (e.provision.done ?? 0) > 0,
        );
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(seen?.provision).toMatchObject({ total: base.length, failed: false });
      expect(seen!.provision!.message).toMatch(/Downloading base\.qcow2: [\d.]+ of [\d.]+ MiB/);
      expect(await call('cancelOperation', { id: env!.id })).toEqual({ cancelled: true });
      const reply = await started;
      expect(reply.error?.code).toBe('CANCELLED');
      const now = await call<EnvironmentSummary>('getEnvironment', { id: env!.id });
      expect(now.state).toBe('failed');
      expect(now.provision).toMatchObject({ stage: 'downloading', failed: true });
      // The bytes so far stay in a .part (the next start resumes); no base is in the cache.
      const parts = fs
        .readdirSync(path.join(dataDir, 'cache', 'images'), { recursive: true, encoding: 'utf8' })
        .filter((f) => f.startsWith('url-') && f.includes('base.qcow2'));
      expect(parts.some((f) => f.endsWith('.part'))).toBe(true);
      expect(parts.some((f) => f.endsWith('base.qcow2'))).toBe(false);
    }, 60_000);
  },
);
