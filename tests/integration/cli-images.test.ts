import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { backendAvailable } from '../helpers/backends.js';
import { runCli } from '../helpers/run-cli.js';

describe.runIf(backendAvailable('qemu-img'))(
  'genos import / images / rm from the command line',
  () => {
    it('imports an image with progress, lists it, and explains mistakes', async () => {
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-cli-img-'));
      const dataDir = path.join(tmp, 'data');
      const file = path.join(tmp, 'disk.qcow2');
      execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', file, '32M']);

      const imported = await runCli(['import', file, '--name', 'disk', '--data-dir', dataDir]);
      expect(imported.code, imported.stderr).toBe(0);
      expect(imported.stdout).toMatch(/Imported disk as qcow2 \(id [A-Za-z0-9_-]+\)/);
      expect(imported.stderr).toContain('Import disk.qcow2: copy');

      const listed = await runCli(['images', '--json', '--data-dir', dataDir]);
      const items = JSON.parse(listed.stdout) as Array<{
        name: string;
        format: string;
        sha256: string;
      }>;
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({ name: 'disk', format: 'qcow2' });
      expect(items[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);

      const missing = await runCli(['import', path.join(tmp, 'nope.img'), '--data-dir', dataDir]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('nope.img does not exist');

      const badFormat = await runCli(['import', file, '--format', 'exe', '--data-dir', dataDir]);
      expect(badFormat.code).toBe(1);
      expect(badFormat.stderr).toContain('format');

      const noEnv = await runCli(['stop', 'ghost', '--data-dir', dataDir]);
      expect(noEnv.code).toBe(1);
      expect(noEnv.stderr).toContain('No environment is called or has the id "ghost"');
      fs.rmSync(tmp, { recursive: true, force: true });
    });
  },
);
