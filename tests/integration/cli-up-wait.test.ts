import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnvironmentSpecInput } from '../../preload/contract.js';
import { makeRecipe } from '../../main/composer/index.js';
import { backendAvailable } from '../helpers/backends.js';
import {
  cleanupTestRun,
  ensureTestImage,
  testDocker,
  testRunId,
  testSpec,
} from '../helpers/docker-test-image.js';
import { runCli } from '../helpers/run-cli.js';
import { startServe } from '../helpers/serve-process.js';

/**
 * `genos up --wait` with the local busybox image: ready when running and (with a health check)
 * the check passed; exit 3 naming the stage when one fails, with its last console lines; exit 4
 * at --timeout. In-process (the CLI holds the data dir and follows health and exits itself while
 * it waits) and through a running serve's owner socket.
 */
type Readiness = {
  env: { id: string; name: string; state: string };
  outcome: string;
  stage: string;
  message: string;
};

describe.runIf(backendAvailable('docker'))('genos up --wait', () => {
  const docker = testDocker();
  const runId = testRunId();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-cli-wait-'));
  let image = '';
  /** The busybox image whose command prints a line and exits 3 a second later. */
  let exiting = '';

  beforeAll(async () => {
    image = await ensureTestImage(docker);
    exiting = `genos-test/exits:${runId}`;
    const ctx = path.join(tmp, 'exits');
    fs.mkdirSync(ctx);
    fs.writeFileSync(
      path.join(ctx, 'Dockerfile'),
      `FROM ${image}\nLABEL genos.test=${runId}\nCMD ["sh", "-c", "echo giving up now; sleep 1; exit 3"]\n`,
    );
    const stream = await docker.buildImage(
      { context: ctx, src: ['Dockerfile'] },
      { t: exiting, networkmode: 'none' },
    );
    await new Promise((resolve, reject) =>
      docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve(null))),
    );
  }, 120_000);

  afterAll(async () => {
    for (const c of await docker.listContainers({ all: true, filters: { label: ['genos.env'] } })) {
      if (c.Names.some((n) => n.includes(runId)))
        await docker.getContainer(c.Id).remove({ force: true, v: true });
    }
    await cleanupTestRun(docker, runId);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  function recipe(file: string, over: Partial<EnvironmentSpecInput> & { name: string }) {
    const at = path.join(tmp, file);
    fs.writeFileSync(at, JSON.stringify(makeRecipe([testSpec(image, over)])));
    return at;
  }

  it('waits for a prompt to run and a recipe to pass its health check, in-process', async () => {
    const dataDir = path.join(tmp, 'in-process');
    const name = `plain-${runId}`;
    const up = await runCli([
      'up',
      `container from image ${image}, 1 cpu, 64MB, no network, called ${name}`,
      '--wait',
      '--timeout',
      '60',
      '--data-dir',
      dataDir,
    ]);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect(up.stdout).toContain(`${name}: starting\n`);
    expect(up.stdout).toContain(`${name}: ready\n`);

    const checked = `checked-${runId}`;
    const file = recipe('checked.json', {
      name: checked,
      healthCheck: {
        kind: 'command',
        command: ['true'],
        intervalSec: 1,
        timeoutSec: 2,
        retries: 1,
      },
    });
    const json = await runCli(['up', file, '--wait', '--json', '--data-dir', dataDir]);
    expect(json.code, json.stdout + json.stderr).toBe(0);
    // Stage lines go to stderr with --json; stdout is the summary alone.
    expect(json.stderr).toMatch(
      new RegExp(`${checked}: health-check \\(waiting for it to pass\\)`),
    );
    const [result] = JSON.parse(json.stdout) as Readiness[];
    expect(result).toMatchObject({
      outcome: 'ready',
      stage: 'ready',
      env: { name: checked, state: 'running' },
    });
    const events = JSON.parse(
      (await runCli(['events', '--json', '--limit', '100', '--data-dir', dataDir])).stdout,
    ) as Array<{ action: string; target: string; detail: { status?: string } }>;
    expect(
      events.find((e) => e.action === 'env.health' && e.target === result!.env.id)?.detail.status,
    ).toBe('healthy');
  }, 120_000);

  it('exits 3 naming the stage and showing the console when the container exits', async () => {
    const name = `exits-${runId}`;
    // Its check would pass, but the container is gone before the first one runs.
    const file = path.join(tmp, 'exits.json');
    const spec = testSpec(exiting, {
      name,
      healthCheck: {
        kind: 'command',
        command: ['true'],
        intervalSec: 20,
        timeoutSec: 2,
        retries: 1,
      },
    });
    fs.writeFileSync(file, JSON.stringify(makeRecipe([spec])));
    const up = await runCli(['up', file, '--wait', '--data-dir', path.join(tmp, 'exits')]);
    expect(up.code, up.stdout + up.stderr).toBe(3);
    expect(up.stderr).toContain(`genos: ${name} failed at stage health-check: it is failed`);
    expect(up.stderr).toMatch(/exit(ed)? (code )?3|code 3/);
    expect(up.stderr).toContain(`Last console lines of ${name} (all of it: genos logs ${name})`);
    expect(up.stderr).toContain('| giving up now');

    // A start that fails outright fails there, with the start's own reason.
    const missing = await runCli([
      'up',
      `container from image genos-test/absent:${runId}, 1 cpu, 64MB, no network, called absent-${runId}`,
      '--wait',
      '--data-dir',
      path.join(tmp, 'exits'),
    ]);
    expect(missing.code, missing.stdout + missing.stderr).toBe(3);
    expect(missing.stderr).toMatch(
      new RegExp(`genos: absent-${runId} failed at stage provisioning: failed to start: .*absent`),
    );
  }, 120_000);

  it('exits 4 at --timeout while a health check has not passed, through a running serve', async () => {
    const serve = await startServe({ dataDir: path.join(tmp, 'served') });
    try {
      const name = `unhealthy-${runId}`;
      const file = recipe('unhealthy.json', {
        name,
        healthCheck: {
          kind: 'command',
          command: ['false'],
          intervalSec: 30,
          timeoutSec: 2,
          retries: 3,
        },
      });
      const t0 = Date.now();
      const up = await runCli([
        'up',
        file,
        '--wait',
        '--timeout',
        '3',
        '--data-dir',
        serve.dataDir,
      ]);
      expect(up.code, up.stdout + up.stderr).toBe(4);
      expect(Date.now() - t0).toBeLessThan(30_000);
      expect(up.stdout).toContain(`${name}: health-check (waiting for it to pass)`);
      expect(up.stderr).toContain(
        `genos: ${name} was not ready within 3 s; still at stage health-check`,
      );
      const bad = await runCli([
        'up',
        file,
        '--wait',
        '--timeout',
        'soon',
        '--data-dir',
        serve.dataDir,
      ]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--timeout must be whole seconds from 1 to 86400, not "soon"');
    } finally {
      await serve.stop();
    }
  }, 120_000);
});
