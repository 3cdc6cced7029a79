import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnvironmentSummary } from '../../preload/contract.js';
import { backendAvailable } from '../helpers/backends.js';
import { importByReference, runCli } from '../helpers/run-cli.js';
import { ServeSession } from '../helpers/serve-session.js';
import { testGuestVmSpec } from '../helpers/spec-fixture.js';
import { ensureTestGuest, type TestGuest } from '../helpers/test-guest.js';
import { openTicket } from '../helpers/ticket-tap.js';

const GiB = 1024 ** 3;

function virtualSize(file: string): number {
  const info = JSON.parse(
    execFileSync('qemu-img', ['info', '--output=json', '-U', '-f', 'qcow2', file], {
      encoding: 'utf8',
    }),
  ) as { 'virtual-size': number };
  return info['virtual-size'];
}

/**
 * Growing a VM's disk through the API and the CLI, with real qemu-img on the overlay of a VM made
 * from the test guest's bootable disk: only while stopped, never smaller, recorded in the spec and
 * the audit log. Also: the VM's console log followed over a ticket, and `since` refused for a VM.
 */
describe.runIf(backendAvailable('qemu') && backendAvailable('qemu-img'))(
  'resizing a VM disk',
  () => {
    let guest: TestGuest;
    let envId = '';
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gr-'));
    const api = new ServeSession(dataDir);
    const call = (name: string, args: unknown) => api.reply(name, args);

    beforeAll(async () => {
      guest = await ensureTestGuest();
      await importByReference(dataDir, guest.bootDisk ?? guest.disk, 'qcow2', 'guest');
      await api.start();
    }, 180_000);
    afterAll(() => api.close());

    it(
      'grows the stopped VM disk, refuses a shrink and a running VM',
      { timeout: 120_000 },
      async () => {
        const images = (await call('listImages', {})).result as { items: Array<{ id: string }> };
        const spec = testGuestVmSpec('grow', { kind: 'library', imageId: images.items[0]!.id });
        envId = (
          (await call('createEnvironment', { spec })).result as { items: EnvironmentSummary[] }
        ).items[0]!.id;
        expect((await call('startEnvironment', { id: envId })).result).toMatchObject({
          state: 'running',
        });

        // The VM's serial log, followed: a read-only viewer that never takes the keyboard.
        const ticket = (await call('openLogStream', { id: envId })).result as {
          url: string;
          token: string;
        };
        const { ws: log, text: logged } = await openTicket(api.serve.port, ticket);
        const deadline = Date.now() + 60_000;
        while (!logged().includes(guest.readyMarker) && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 100));
        }
        expect(logged()).toContain(guest.readyMarker);
        expect((await call('consoleLog', { id: envId, sinceSec: 60 })).error).toMatchObject({
          code: 'BAD_ARGS',
          message: expect.stringMatching(/since is for container logs/),
        });

        const busy = await call('resizeDisk', { id: envId, sizeGiB: 3 });
        expect(busy.error).toMatchObject({
          code: 'CONFLICT',
          message: expect.stringMatching(/running/),
        });

        const logClosed = new Promise((r) => log.once('close', r));
        expect((await call('killEnvironment', { id: envId })).error).toBeUndefined();
        await logClosed; // the followed log ends with the VM

        const overlay = path.join(dataDir, 'qemu', envId, 'disk.qcow2');
        expect(virtualSize(overlay)).toBe(1 * GiB);
        const grown = await call('resizeDisk', { id: envId, sizeGiB: 3 });
        expect(grown.error).toBeUndefined();
        expect((grown.result as EnvironmentSummary).spec).toMatchObject({
          resources: { diskGiB: 3 },
        });
        expect(virtualSize(overlay)).toBe(3 * GiB);

        const shrink = await call('resizeDisk', { id: envId, sizeGiB: 2 });
        expect(shrink.error).toMatchObject({
          code: 'BAD_ARGS',
          message: expect.stringMatching(/only grow/),
        });
        expect(virtualSize(overlay)).toBe(3 * GiB);

        // The CLI, through the running owner.
        const cli = await runCli(['resize', 'grow', '4G', '--data-dir', dataDir]);
        expect(cli.stderr).toBe('');
        expect(cli.stdout).toContain('grow: disk is now 4 GiB');
        expect(virtualSize(overlay)).toBe(4 * GiB);
        const bad = await runCli(['resize', 'grow', 'big', '--data-dir', dataDir]);
        expect(bad.code).toBe(1);
        expect(bad.stderr).toMatch(/not a disk size/);

        const audit = (await call('listAuditEvents', { target: envId, limit: 50 })).result as {
          items: Array<{ action: string }>;
        };
        expect(audit.items.filter((a) => a.action === 'env.resize-disk')).toHaveLength(2);

        // It still boots from the grown disk.
        expect((await call('startEnvironment', { id: envId })).result).toMatchObject({
          state: 'running',
        });
        await call('killEnvironment', { id: envId });
      },
    );
  },
);
