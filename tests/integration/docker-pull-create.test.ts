import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Progress } from '../../main/backends/backend.js';
import { DockerBackend } from '../../main/backends/docker/docker-backend.js';
import { DockerEngine } from '../../main/backends/docker/engine.js';
import { backendAvailable } from '../helpers/backends.js';
import {
  cleanupTestRun,
  ensureTestImage,
  testDocker,
  testHost,
  testRunId,
  testSpec,
} from '../helpers/docker-test-image.js';
import { startLocalRegistry, type LocalRegistry } from '../helpers/local-registry.js';

/**
 * Create with an image that is not on this machine: pulled with per-layer progress when pulling
 * is allowed (from a registry on 127.0.0.1), the clear offline error when it is not.
 */

const runId = testRunId();
const never = new AbortController().signal;

describe.runIf(backendAvailable('docker'))('create pulls an absent image (real dockerd)', () => {
  const docker = testDocker();
  let reg: LocalRegistry;
  let engine: DockerEngine;

  beforeAll(async () => {
    reg = await startLocalRegistry(await ensureTestImage(docker));
    engine = new DockerEngine();
  }, 180_000);
  afterAll(async () => {
    await cleanupTestRun(docker, runId).catch(() => undefined);
    await docker
      .getImage(reg.ref)
      .remove({ force: true })
      .catch(() => undefined);
    await reg?.close();
    engine?.close();
  });

  it('offline: NOT_FOUND naming the image and the ways to get it; no request to the registry', async () => {
    const offline = new DockerBackend({ engine, extraLabels: { 'genos.test': runId } });
    const e = { id: `${runId}off`, spec: testSpec(reg.ref, { name: 'off' }), handles: {} };
    const err = (await offline
      .create(e, testHost(), () => {}, never)
      .catch((x: unknown) => x)) as Error & { code: string };
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toContain(reg.ref);
    expect(err.message).toMatch(/docker load -i/);
    expect(reg.requests).toEqual([]);
  });

  it('pull allowed: create pulls it with layer progress, and the container runs it', async () => {
    reg.throttle(32 * 1024, 20);
    const online = new DockerBackend({
      engine,
      allowPull: () => true,
      extraLabels: { 'genos.test': runId },
    });
    const events: Array<Parameters<Progress>[0]> = [];
    const e = { id: `${runId}on`, spec: testSpec(reg.ref, { name: 'on' }), handles: {} };
    const handles = await online.create(e, testHost(), (p) => events.push(p), never);
    expect(handles.image).toBe(reg.ref);
    const pulls = events.filter((p) => p.stage === 'pull');
    expect(pulls.some((p) => /^layer \S+ downloading \d+\/\d+ bytes/.test(p.message ?? ''))).toBe(
      true,
    );
    expect(pulls.at(-1)!.message).toMatch(/(\d+)\/\1 layers complete/);
    await online.start({ ...e, handles }, testHost(), () => {}, never);
    expect((await online.exec({ ...e, handles }, ['echo', 'pulled'])).stdout).toBe('pulled\n');
    await online.remove({ ...e, handles });
  }, 180_000);
});
