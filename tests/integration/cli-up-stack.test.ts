import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AuditEvent, ComposeResult } from '../../preload/contract.js';
import { openStore } from '../../main/store/store.js';
import { backendAvailable } from '../helpers/backends.js';
import { ensureTestImage, testDocker, testRunId } from '../helpers/docker-test-image.js';
import { removeEnvironmentContainers } from '../helpers/environment-containers.js';
import { cliEnvironmentIds, runCli } from '../helpers/run-cli.js';

/**
 * One prompt, two environments: `genos compose` shows the stack, `genos up` starts it through
 * upStack in dependency order (the one that "uses it" after the one it uses), with real
 * containers of the local test image (nothing can be pulled here).
 */
describe.runIf(backendAvailable('docker'))('genos up of a stack prompt', () => {
  const docker = testDocker();
  const run = testRunId();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-cli-stack-'));
  const dataDir = path.join(tmp, 'data');

  afterAll(async () => {
    await removeEnvironmentContainers(docker, await cliEnvironmentIds(dataDir));
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('composes the stack, then starts the used one first and the user after it', async () => {
    const image = await ensureTestImage(docker);
    const db = `db-${run}`.toLowerCase();
    const app = `app-${run}`.toLowerCase();
    // No network: the test needs nothing of the host's bridge.
    const prompt = `a ${image} container called ${db}, no network, and a ${image} container called ${app}, no network, that uses it`;

    const shown = await runCli(['compose', prompt, '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    const composed = JSON.parse(shown.stdout) as ComposeResult;
    if ('error' in composed) throw new Error(composed.error);
    expect(composed.environments?.map((e) => [e.spec.name, e.spec.requires])).toEqual([
      [db, []],
      [app, [db]],
    ]);
    const text = await runCli(['compose', prompt]);
    expect(text.stdout).toContain(`stack of 2 environments: ${db}, ${app} (after ${db})`);
    expect(text.stdout).toMatch(/requires\s+\S+\s+from "that uses it"/);

    const up = await runCli(['up', prompt, '--data-dir', dataDir]);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect(up.stdout).toContain(`${db}: running`);
    expect(up.stdout).toContain(`${app}: running`);

    const ls = JSON.parse((await runCli(['ls', '--json', '--data-dir', dataDir])).stdout) as Array<{
      id: string;
      name: string;
      state: string;
    }>;
    expect(ls.map((e) => [e.name, e.state]).sort()).toEqual(
      [
        [app, 'running'],
        [db, 'running'],
      ].sort(),
    );

    // The audit log: the stack's order, and db running before app was asked to start.
    const store = openStore(dataDir);
    try {
      const events = store.listEvents({ limit: 500 }).items.sort((a, b) => a.seq - b.seq);
      const stack = events.find((e) => e.action === 'stack.create');
      expect(stack?.detail).toMatchObject({ order: [[db], [app]] });
      const idOf = (name: string) => ls.find((e) => e.name === name)!.id;
      const seqOf = (pred: (e: AuditEvent) => boolean) => events.find(pred)?.seq ?? Infinity;
      const dbRunning = seqOf(
        (e) => e.target === idOf(db) && e.action === 'env.state' && e.detail?.to === 'running',
      );
      const appStarting = seqOf(
        (e) =>
          e.target === idOf(app) && e.action === 'env.state' && e.detail?.to === 'provisioning',
      );
      expect(dbRunning).toBeLessThan(appStarting);
    } finally {
      store.close();
    }

    for (const name of [app, db]) {
      await runCli(['kill', name, '--data-dir', dataDir]);
      const rm = await runCli(['rm', name, '--data-dir', dataDir]);
      expect(rm.stdout, rm.stderr).toContain(`${name}: deleted`);
    }
  }, 180_000);
});
