import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvironmentSpec, type EnvironmentSummary } from '../../preload/contract.js';
import { backendAvailable } from '../helpers/backends.js';
import { openWs, request, startServe, type ServeProcess } from '../helpers/serve-process.js';
import { ensureTestGuest, type TestGuest } from '../helpers/test-guest.js';
import { killAllUnder } from '../helpers/vm-test-env.js';

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_r, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A stream WebSocket with everything it has received, recorded from the moment it opened. */
type Tap = { ws: WebSocket; text: () => string };

/**
 * Opens a ticketed stream endpoint (terminal or display) the way the renderer does. The first
 * frames can arrive in the same packet as the handshake, so recording starts before 'open'.
 */
function openTicket(port: number, ticket: { url: string; token: string }): Promise<Tap> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(
      `ws://127.0.0.1:${port}${ticket.url}?token=${encodeURIComponent(ticket.token)}`,
    );
    let received = '';
    ws.on('message', (d) => (received += d.toString('latin1')));
    ws.once('open', () => resolve({ ws, text: () => received }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused: ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** Waits until the output matches; when typing a line, only output after it counts. */
async function expectOutput(
  tap: Tap,
  pattern: RegExp,
  type?: string,
  timeoutMs = 20_000,
): Promise<string> {
  const from = type ? tap.text().length : 0;
  if (type) tap.ws.send(Buffer.from(type));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = tap.text().slice(from);
    if (pattern.test(seen)) return seen;
    if (Date.now() > deadline) throw new Error(`no ${pattern} in: ${seen.slice(-500)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A VM through everything a user drives: the serve API, the orchestrator, the QEMU backend under
 * TCG, the terminal and display bridges with one-time tickets, and the owner being killed while
 * the VM runs.
 */
describe.runIf(backendAvailable('qemu'))('a virtual machine over the API', () => {
  let guest: TestGuest;
  let serve: ServeProcess;
  let ws: WebSocket;
  let id = 0;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gv-'));
  // Every step is bounded, so a stall fails with the step's name instead of the test's timeout.
  const call = async (name: string, args: unknown) =>
    within(request(ws, JSON.stringify({ id: ++id, call: name, args }), id), 60_000, name);

  beforeAll(async () => {
    guest = await ensureTestGuest();
    serve = await startServe({ dataDir });
    ws = await openWs(serve.port, { token: serve.token });
  }, 120_000);
  afterAll(async () => {
    ws?.close();
    await serve?.stop();
    await killAllUnder(dataDir);
  });

  it(
    'boots, answers on its terminal and display, survives an owner crash, and powers off',
    { timeout: 120_000 },
    async () => {
      const spec = EnvironmentSpec.parse({
        name: 'tiny',
        backend: 'qemu',
        os: { id: 'linux', version: null },
        resources: { cpus: 1, memoryMiB: 128, diskGiB: 1 },
        network: { mode: 'none', ports: [] },
        display: 'gui',
        desktop: null,
        apps: [],
        count: 1,
        ephemeral: false,
        image: {
          kind: 'kernel',
          kernel: guest.kernel,
          initrd: guest.initrd,
          cmdline: guest.cmdline,
        },
        healthCheck: null,
        restartPolicy: 'never',
        requires: [],
        hardening: {},
      });
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
      const term = await openTicket(serve.port, ticket);
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
      await expect(openTicket(serve.port, ticket)).rejects.toThrow(/refused: 403/);

      const display = (await call('openDisplay', { id: env!.id })).result as {
        protocol: string;
        url: string;
        token: string;
      };
      expect(display.protocol).toBe('vnc');
      const vnc = await openTicket(serve.port, display);
      const greeting = await expectOutput(vnc, /^RFB 003\.00\d\n/, undefined, 15_000);
      expect(greeting).toMatch(/^RFB 003\.00\d\n/);
      vnc.ws.close();

      const log = (await call('consoleLog', { id: env!.id })).result as { text: string };
      expect(log.text).toContain(guest.readyMarker);

      // The owner dies; the VM does not. The next owner re-adopts it and its terminal works.
      serve.child.kill('SIGKILL');
      await within(
        new Promise((r) => serve.child.once('exit', r)),
        15_000,
        'the killed serve exiting',
      );
      serve = await startServe({ dataDir });
      ws = await openWs(serve.port, { token: serve.token });
      expect((await call('getEnvironment', { id: env!.id })).result).toMatchObject({
        state: 'running',
      });
      const again = await openTicket(
        serve.port,
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
