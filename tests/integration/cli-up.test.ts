import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { backendAvailable } from '../helpers/backends.js';
import { ensureTestImage, testDocker, testRunId, testSpec } from '../helpers/docker-test-image.js';
import { removeEnvironmentContainers } from '../helpers/environment-containers.js';
import { cliEnvironmentIds, runCli } from '../helpers/run-cli.js';

describe.runIf(backendAvailable('docker'))('genos up, from a recipe to a running container', () => {
  const docker = testDocker();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-cli-up-'));
  const dataDir = path.join(tmp, 'data');
  const name = `up-${testRunId()}`;

  afterAll(async () => {
    await removeEnvironmentContainers(docker, await cliEnvironmentIds(dataDir));
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('dry-runs a prompt, then starts, stops and removes a recipe', async () => {
    const dry = await runCli([
      'up',
      'alpine container, 128MB, no network',
      '--dry-run',
      '--data-dir',
      dataDir,
    ]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('would start as');
    expect(dry.stdout).toContain('"NetworkMode": "none"');
    expect(dry.stdout).toContain('"CapDrop": [');

    const image = await ensureTestImage(docker);
    const recipe = path.join(tmp, 'lab.yaml');
    fs.writeFileSync(
      recipe,
      YAML.stringify({
        genosRecipe: 1,
        prompt: 'a busybox box',
        environments: [testSpec(image, { name })],
      }),
    );
    const up = await runCli(['up', recipe, '--data-dir', dataDir]);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect(up.stdout).toContain(`${name}: running`);

    const ls = JSON.parse((await runCli(['ls', '--json', '--data-dir', dataDir])).stdout) as Array<{
      name: string;
      state: string;
    }>;
    expect(ls).toEqual([expect.objectContaining({ name, state: 'running' })]);

    const logs = await runCli(['logs', name, '--data-dir', dataDir]);
    expect(logs.code, logs.stderr).toBe(0);
    expect((await runCli(['logs', 'ghost', '--data-dir', dataDir])).stderr).toContain('"ghost"');
    expect(
      (await runCli(['stop', name, '--timeout', '2', '--data-dir', dataDir])).stdout,
    ).toContain(`${name}: stopped`);
    expect((await runCli(['rm', name, '--data-dir', dataDir])).stdout).toContain(
      `${name}: deleted`,
    );
    expect(JSON.parse((await runCli(['ls', '--json', '--data-dir', dataDir])).stdout)).toEqual([]);
  });

  it('starts a stack in dependency order, its isolated members on one network', async () => {
    const image = await ensureTestImage(docker);
    const isolated = { mode: 'isolated' as const, ports: [] };
    const recipe = path.join(tmp, 'stack.yaml');
    fs.writeFileSync(
      recipe,
      YAML.stringify({
        genosRecipe: 1,
        environments: [
          testSpec(image, { name: `app-${name}`, requires: [`db-${name}`], network: isolated }),
          testSpec(image, { name: `db-${name}`, network: isolated }),
        ],
      }),
    );
    const up = await runCli(['up', recipe, '--data-dir', dataDir]);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect(up.stdout).toContain(`db-${name}: running`);
    expect(up.stdout).toContain(`app-${name}: running`);
    const events = JSON.parse(
      (await runCli(['events', '--json', '--limit', '200', '--data-dir', dataDir])).stdout,
    ) as Array<{
      action: string;
      detail: { order?: string[][] } | null;
    }>;
    expect(events.find((e) => e.action === 'stack.create')?.detail?.order).toEqual([
      [`db-${name}`],
      [`app-${name}`],
    ]);
    const containers = await docker.listContainers({ filters: { label: ['genos.env'] } });
    const mine = containers.filter((c) => c.Names.some((n) => n.includes(name)));
    const networks = new Set(mine.flatMap((c) => Object.keys(c.NetworkSettings.Networks)));
    expect(mine).toHaveLength(2);
    expect(networks.size).toBe(1);
    for (const env of ['app', 'db']) {
      await runCli(['kill', `${env}-${name}`, '--data-dir', dataDir]);
      await runCli(['rm', `${env}-${name}`, '--data-dir', dataDir]);
    }
    // The stack's network went with its last member.
    for (const net of networks) await expect(docker.getNetwork(net).inspect()).rejects.toThrow();
  });

  it('says what is wrong with a broken recipe', async () => {
    const broken = path.join(tmp, 'broken.json');
    fs.writeFileSync(broken, '{"genosRecipe": 1, "environments": [{"name": "x"}]}');
    const res = await runCli(['up', broken, '--data-dir', dataDir]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/broken\.json/);
  });
});
