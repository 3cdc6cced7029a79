import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnvironmentSummary } from '../../preload/contract.js';
import { backendAvailable } from '../helpers/backends.js';
import { ServeSession } from '../helpers/serve-session.js';
import { testGuestVmSpec } from '../helpers/spec-fixture.js';
import { ensureTestGuest, type TestGuest } from '../helpers/test-guest.js';
import { expectOutput, openTicket } from '../helpers/ticket-tap.js';

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_r, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A VM through everything a user drives: the serve API, the orchestrator, the QEMU backend under
 * TCG, the terminal and display bridges with one-time tickets, and the owner being killed while
 * the VM runs.
 */
describe.runIf(backendAvailable('qemu'))('a virtual machine over the API', () => {
  let guest: TestGuest;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gv-'));
  const api = new ServeSession(dataDir);
  // Every step is bounded, so a stall fails with the step's name instead of the test's timeout.
  const call = async (name: string, args: unknown) => within(api.reply(name, args), 60_000, name);

  beforeAll(async () => {
    guest = await ensureTestGuest();
    await api.start();
  }, 120_000);
  afterAll(() => api.close());

  it(
    'boots, answers on its terminal and display, survives an owner crash, and powers off',
    { timeout: 120_000 },
    async () => {
      const spec = testGuestVmSpec(
        'tiny',
        { kind: 'kernel', kernel: guest.kernel, initrd: guest.initrd, cmdline: guest.cmdline },
        { display: 'gui' },
      );
      const plan = (await call('planEnvironment', { spec })).result as { argv: string[] };
      expect(plan.argv).toContain('-nodefaults');
      // The display and control sockets are unix sockets; nothing listens on TCP.
      expect(plan.argv.join(' ')).not.toMatch(/tcp:/);
      expect(plan.argv[plan.argv.indexOf('-vnc') + 1]).toMatch(/unix:/);

      const [env] = (
        (await call('createEnvironment', { spec })).result as { items: EnvironmentSummary[] }
      ).items;
      const started = await call('startEnvironment', { id: env!.id });
      expect(started.error).toBeUndefined();
      expect(started.result).toMatchObject({ state: 'running' });

      const ticket = (await call('openTerminal', { id: env!.id })).result as {
        url: string;
        token: string;
      };
      const term = await openTicket(api.serve.port, ticket);
      await expectOutput(term, new RegExp(guest.readyMarker));
      await expectOutput(term, /\b42\b/, 'echo $((6*7))\n');
      // Live snapshot -> change the guest -> restore: the change is gone and the guest runs on.
      const snap = await call('createSnapshot', { id: env!.id, name: 'before', kind: 'live' });
      expect(snap.error).toBeUndefined();
      expect(snap.result).toMatchObject({ name: 'before' });
      // Output is matched on a line of its own: the shell echoes the typed command first.
      await expectOutput(term, /\nWROTE\r?\n/, 'echo hi > /tmp/x && echo WROTE\n');
      expect((await call('restoreSnapshot', { id: env!.id, name: 'before' })).result).toEqual({
        restored: true,
      });
      const check = await expectOutput(
        term,
        /\n(X-GONE|X-THERE)\r?\n/,
        'test -e /tmp/x && echo X-THERE || echo X-GONE\n',
      );
      expect(check).toContain('X-GONE');
      expect((await call('listSnapshots', { id: env!.id })).result).toMatchObject({
        items: [{ name: 'before' }],
      });
      expect(
        (await call('createSnapshot', { id: env!.id, name: 'before', kind: 'live' })).error,
      ).toMatchObject({
        code: 'CONFLICT',
      });
      expect((await call('deleteSnapshot', { id: env!.id, name: 'before' })).result).toEqual({
        deleted: true,
      });
      term.ws.close();
      // The ticket was spent by the first connection.
      await expect(openTicket(api.serve.port, ticket)).rejects.toThrow(/refused: 403/);

      const display = (await call('openDisplay', { id: env!.id })).result as {
        protocol: string;
        url: string;
        token: string;
      };
      expect(display.protocol).toBe('vnc');
      const vnc = await openTicket(api.serve.port, display);
      const greeting = await expectOutput(vnc, /^RFB 003\.00\d\n/, undefined, 15_000);
      expect(greeting).toMatch(/^RFB 003\.00\d\n/);
      vnc.ws.close();

      const log = (await call('consoleLog', { id: env!.id })).result as { text: string };
      expect(log.text).toContain(guest.readyMarker);

      // The owner dies; the VM does not. The next owner re-adopts it and its terminal works.
      api.serve.child.kill('SIGKILL');
      await within(
        new Promise((r) => api.serve.child.once('exit', r)),
        15_000,
        'the killed serve exiting',
      );
      await api.start();
      expect((await call('getEnvironment', { id: env!.id })).result).toMatchObject({
        state: 'running',
      });
      const again = await openTicket(
        api.serve.port,
        (await call('openTerminal', { id: env!.id })).result as { url: string; token: string },
      );
      await expectOutput(again, /\b1764\b/, 'echo $((42*42))\n');
      again.ws.close();

      const stopped = await call('stopEnvironment', { id: env!.id, timeoutSec: 10 });
      expect(stopped.result).toMatchObject({ state: 'stopped' });
      expect((await call('deleteEnvironment', { id: env!.id })).result).toEqual({ deleted: true });
      expect(fs.existsSync(path.join(dataDir, 'run', env!.id))).toBe(false);
    },
  );
});
