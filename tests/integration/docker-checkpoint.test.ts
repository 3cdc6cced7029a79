import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnvRef } from '../../main/backends/backend.js';
import { DockerBackend } from '../../main/backends/docker/docker-backend.js';
import { DockerEngine } from '../../main/backends/docker/engine.js';
import { backendAvailable } from '../helpers/backends.js';
import { ensureTestImage, testHost, testRunId, testSpec } from '../helpers/docker-test-image.js';
import { copyImage, privateDockerd, type PrivateDockerd } from '../helpers/private-dockerd.js';

/**
 * CRIU checkpoints on a private dockerd started with --experimental. Whether CRIU works is
 * probed by really checkpointing a throwaway container (it needs privileges many sandboxes,
 * this one included, do not give): where it does, a live snapshot keeps a running counter
 * going across restore; where it does not, the snapshot falls back to a commit naming CRIU's error.
 */

const runId = testRunId();
const never = new AbortController().signal;
const COUNTER = 'i=0; while true; do i=$((i+1)); echo $i > /tmp/count; sleep 0.2; done';

describe.runIf(backendAvailable('docker') && backendAvailable('dockerd'))(
  'CRIU checkpoints on an experimental engine',
  () => {
    let dockerd: PrivateDockerd;
    let engine: DockerEngine;
    let backend: DockerBackend;
    let e: EnvRef;
    /** null: CRIU checkpointed a container here; else the engine's error. */
    let criuError: string | null = null;

    const count = async () =>
      Number((await backend.exec(e, ['cat', '/tmp/count'])).stdout.trim() || '0');
    const until = async (pred: (n: number) => boolean) => {
      for (let i = 0; i < 100; i++) {
        const n = await count();
        if (pred(n)) return n;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`counter stuck at ${await count()}`);
    };

    beforeAll(async () => {
      const image = await ensureTestImage();
      dockerd = privateDockerd({ extraArgs: ['--experimental'] });
      await dockerd.start();
      await copyImage(image, dockerd.host);
      const probe = await dockerd.docker.createContainer({
        Image: image,
        Cmd: ['sh', '-c', 'while true; do sleep 1; done'],
        HostConfig: { NetworkMode: 'none' },
      });
      await probe.start();
      try {
        await (
          probe as unknown as { createCheckpoint(o: object): Promise<unknown> }
        ).createCheckpoint({ CheckpointID: 'probe', Exit: false });
      } catch (err) {
        criuError = (err as Error).message;
      }
      await probe.remove({ force: true });

      engine = new DockerEngine({ env: { DOCKER_HOST: dockerd.host } });
      backend = new DockerBackend({ engine, extraLabels: { 'genos.test': runId } });
      e = { id: `${runId}cp`, spec: testSpec(image, { name: 'criu' }), handles: {} };
      const handles = await backend.create(e, testHost(), () => {}, never);
      e = { ...e, handles: await backend.start({ ...e, handles }, testHost(), () => {}, never) };
      await backend.exec(e, ['sh', '-c', `(${COUNTER}) >/dev/null 2>&1 &`]);
    }, 180_000);

    afterAll(async () => {
      backend?.close();
      await dockerd?.dispose();
    });

    // One test with the probe's answer deciding the branch (no skip): the engine either really
    // checkpoints or really falls back, and both are what a user gets.
    it('a live snapshot is a CRIU checkpoint that restores the counter, or else a noted commit', async () => {
      if (criuError === null) await checkpointRestores();
      else await fallsBackToCommit(criuError);
    }, 120_000);

    async function checkpointRestores() {
      const before = await until((n) => n >= 10);
      const snap = await backend.snapshot(e, 'cp1', 'live');
      expect(snap).toMatchObject({ name: 'cp1', kind: 'live' });
      expect((await backend.listSnapshots(e)).map((s) => [s.name, s.kind])).toContainEqual([
        'cp1',
        'live',
      ]);
      await until((n) => n >= before + 10);
      await backend.restore(e, 'cp1');
      // A restart would count from 1 again; the checkpoint goes on from ~`before`.
      const after = await count();
      expect(after).toBeGreaterThanOrEqual(before);
      expect(after).toBeLessThan(before + 10);
      await until((n) => n > after);
      await backend.deleteSnapshot(e, 'cp1');
      expect((await backend.listSnapshots(e)).map((s) => s.name)).not.toContain('cp1');
    }

    async function fallsBackToCommit(why: string) {
      console.warn(`CRIU does not work here, so the fallback is what is tested: ${why}`);
      await until((n) => n >= 2);
      const snap = await backend.snapshot(e, 'cp2', 'live');
      expect(snap.kind).toBe('commit');
      expect(snap.note).toContain(
        'live snapshots need an experimental engine with CRIU: took a filesystem snapshot instead: CRIU could not checkpoint it',
      );
      expect(snap.note).toMatch(/criu/i);
      // The container was left running, its counter still going.
      const n = await count();
      await until((m) => m > n);
      const listed = (await backend.listSnapshots(e)).find((s) => s.name === 'cp2');
      expect(listed).toMatchObject({ kind: 'commit', note: snap.note });
    }
  },
);
