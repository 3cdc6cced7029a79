import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EnvironmentSummary } from '../../../preload/contract.js';
import type { Backend, EnvRef, Progress } from '../../../main/backends/backend.js';
import { GenosError } from '../../../main/core/errors.js';
import { reconcile } from '../../../main/orchestrator/reconcile.js';
import {
  ProvisionTracker,
  type ProvisionChange,
} from '../../../main/orchestrator/provision-status.js';
import { orchestratorHarness } from '../../helpers/orchestrator-harness.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tracker() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-provision-'));
  dirs.push(dir);
  const changes: ProvisionChange[] = [];
  return { dir, changes, t: new ProvisionTracker(dir, (c) => changes.push(c)) };
}

describe('ProvisionTracker', () => {
  it('keeps provisioning stages, ignores other progress, and throttles byte updates', () => {
    const { t, changes } = tracker();
    t.report('e1', { stage: 'disks', message: 'not a provisioning stage' });
    expect(t.get('e1')).toBeNull();
    t.report('e1', { stage: 'downloading', done: 0, total: 100, message: 'Downloading x' });
    t.report('e1', { stage: 'downloading', done: 10, total: 100 });
    t.report('e1', { stage: 'downloading', done: 20, total: 100 });
    t.report('e1', { stage: 'preparing-disk', message: 'overlay' });
    expect(changes.map((c) => [c.status.stage, c.stageChanged])).toEqual([
      ['downloading', true],
      ['preparing-disk', true],
    ]);
    expect(t.get('e1')).toMatchObject({ stage: 'preparing-disk', failed: false, done: null });
  });

  it('marks the stage reached as failed, and survives a restart from its file', () => {
    const { t, dir } = tracker();
    t.report('e1', { stage: 'first-boot', message: 'booting' });
    t.report('e1', { stage: 'failed', message: 'First boot failed: no marker. See the log.' });
    const again = new ProvisionTracker(dir, () => undefined);
    expect(again.get('e1')).toMatchObject({
      stage: 'first-boot',
      failed: true,
      message: 'First boot failed: no marker. See the log.',
    });
    again.forget('e1');
    expect(new ProvisionTracker(dir, () => undefined).get('e1')).toBeNull();
  });

  it('never fails a VM that is ready, and leaves non-provisioned environments unmarked', () => {
    const { t } = tracker();
    t.report('e1', { stage: 'ready', message: 'done' });
    t.fail('e1', 'late error');
    expect(t.get('e1')).toMatchObject({ stage: 'ready', failed: false });
    const env = { id: 'e2' } as EnvironmentSummary;
    expect(t.with(env)).toBe(env);
  });
});

describe('the orchestrator and provisioning stages', () => {
  it('pushes and audits the stages a backend reports, also after start returned', async () => {
    const h = orchestratorHarness();
    try {
      let later: Progress | null = null;
      (h.backend as Backend).create = async (env: EnvRef, _host: unknown, progress: Progress) => {
        progress({ stage: 'downloading', done: 5, total: 10, message: 'Downloading base' });
        progress({ stage: 'preparing-disk', message: 'overlay' });
        return { created: true, envId: env.id };
      };
      (h.backend as Backend).start = async (env: EnvRef, _host: unknown, progress: Progress) => {
        progress({ stage: 'first-boot', message: 'booting' });
        later = progress;
        return { pid: 1 };
      };
      const pushed: Array<EnvironmentSummary> = [];
      h.bus.onAny((event, payload) => {
        if (event === 'environmentChanged') pushed.push(payload as EnvironmentSummary);
      });
      const running = await h.running();
      expect(running.provision).toMatchObject({ stage: 'first-boot', failed: false });
      later!({ stage: 'installing-packages', message: 'Installing 1 package: git' });
      later!({ stage: 'ready', message: 'set up' });
      expect(pushed.at(-1)!.provision).toMatchObject({ stage: 'ready' });
      expect(
        h.audit(running.id, 'env.provision').map((e) => (e.detail as { stage: string }).stage),
      ).toEqual(['downloading', 'preparing-disk', 'first-boot', 'installing-packages', 'ready']);
    } finally {
      h.close();
    }
  });

  it('marks the stage as failed when create() fails, with its message', async () => {
    const h = orchestratorHarness();
    try {
      (h.backend as Backend).create = async (_env: EnvRef, _host: unknown, progress: Progress) => {
        progress({ stage: 'downloading', message: 'Downloading base' });
        throw new GenosError('UNAVAILABLE', 'The base image x.qcow2 could not be downloaded.');
      };
      await expect(h.running()).rejects.toThrow(/could not be downloaded/);
      const failed = h.store.listEnvironments({ state: 'failed' }).items[0]!;
      expect(h.orchestrator.provision.get(failed.id)).toMatchObject({
        stage: 'downloading',
        failed: true,
        message: 'The base image x.qcow2 could not be downloaded.',
      });
      const audit = h.audit(failed.id, 'env.provision');
      expect(audit.at(-1)).toMatchObject({ outcome: 'error' });
    } finally {
      h.close();
    }
  });

  /** A harness whose VM reports first-boot when it starts, and `ready` when the test says so. */
  function firstBooting() {
    const h = orchestratorHarness();
    const reports: Progress[] = [];
    (h.backend as Backend).start = async (env: EnvRef, _host: unknown, progress: Progress) => {
      h.backend.instances.set(env.id, 'running');
      progress({ stage: 'first-boot', message: 'Booting; waiting for cloud-init' });
      reports.push(progress);
      return { pid: 1 };
    };
    return { h, ready: () => reports.at(-1)!({ stage: 'ready', message: 'set up' }) };
  }

  it('marks the stage reached as failed when the user stops a VM before it is ready', async () => {
    const { h } = firstBooting();
    try {
      const running = await h.running({ name: 'early' });
      // provisioning -> stopped (create done) on the way did not count as stopping early.
      expect(running.provision).toMatchObject({ stage: 'first-boot', failed: false });
      const stopped = await h.orchestrator.stop(running.id, 'user');
      expect(stopped.provision).toMatchObject({ stage: 'first-boot', failed: true });
      expect(stopped.provision!.message).toBe(
        'Stopped during first-boot before provisioning was ready (stopped by user). Start it again to finish; see the console log (genos logs early).',
      );
      expect(h.audit(running.id, 'env.provision').at(-1)).toMatchObject({ outcome: 'error' });
      // The next start follows the first boot again, from a clean stage.
      const again = await h.orchestrator.start(running.id, 'user');
      expect(again.provision).toMatchObject({ stage: 'first-boot', failed: false });
    } finally {
      h.close();
    }
  });

  it('marks it failed when qemu dies before ready, with the reason reconciliation found', async () => {
    const { h } = firstBooting();
    try {
      const running = await h.running({ name: 'crashy' });
      h.backend.instances.set(running.id, 'stopped'); // qemu killed behind GenOS's back
      await reconcile(h.orchestrator, h.deps, { startup: false });
      const now = h.orchestrator.provision.with(h.store.getEnvironment(running.id)!);
      expect(now.state).toBe('failed');
      expect(now.provision).toMatchObject({ stage: 'first-boot', failed: true });
      expect(now.provision!.message).toContain('(qemu exited with signal 9)');
    } finally {
      h.close();
    }
  });

  it('leaves a VM that was ready alone when it stops later', async () => {
    const { h, ready } = firstBooting();
    try {
      const running = await h.running();
      ready();
      const killed = await h.orchestrator.kill(running.id, 'user');
      expect(killed.provision).toMatchObject({ stage: 'ready', failed: false });
    } finally {
      h.close();
    }
  });
});
