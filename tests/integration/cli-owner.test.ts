import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServe } from '../helpers/serve-process.js';
import { runCli } from '../helpers/run-cli.js';

describe('one owner per data dir; the CLI goes through it', () => {
  it('routes CLI calls to a running serve, refuses a second owner, and recovers after a kill', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-owner-'));
    const serve = await startServe({ dataDir });
    try {
      // A second owner of the same dir is refused, naming the first.
      const second = await runCli(['serve', '--port', '0', '--data-dir', dataDir]);
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`in use by genos serve (pid ${serve.child.pid}`);

      // The CLI talks to the owner and sees the owner's own start in the audit log.
      const events = await runCli(['events', '--json', '--data-dir', dataDir]);
      expect(events.code, events.stderr).toBe(0);
      const list = JSON.parse(events.stdout) as Array<{
        action: string;
        actor: string;
        detail: { pid?: number };
      }>;
      expect(list.some((e) => e.action === 'core.start' && e.detail.pid === serve.child.pid)).toBe(
        true,
      );

      const ls = await runCli(['ls', '--json', '--data-dir', dataDir]);
      expect(ls.code, ls.stderr).toBe(0);
      expect(JSON.parse(ls.stdout)).toEqual([]);
    } finally {
      serve.child.kill('SIGKILL');
      await new Promise((r) => serve.child.once('exit', r));
    }
    // The kernel dropped the lock with the process: the CLI now runs the core in-process.
    const after = await runCli(['events', '--json', '--data-dir', dataDir]);
    expect(after.code, after.stderr).toBe(0);
    expect(JSON.parse(after.stdout).length).toBeGreaterThan(0);
    const again = await startServe({ dataDir });
    expect(await again.stop()).toBe(0);
  });

  it('explains bad usage', async () => {
    const bad = await runCli(['serve', '--port', '99999']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--port must be a whole number from 0 to 65535');
    const unknown = await runCli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "frobnicate"');
  });

  it('reports a port in use before anything else happens', async () => {
    const first = await startServe();
    try {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-port-'));
      const clash = await runCli(['serve', '--port', String(first.port), '--data-dir', dataDir]);
      expect(clash.code).toBe(1);
      expect(clash.stderr).toContain(`127.0.0.1:${first.port} is already in use`);
    } finally {
      await first.stop();
    }
  });
});
