import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EnvironmentSpecInput, EventName, HostInfo } from '../../../preload/contract.js';
import { EventBus } from '../../../main/api/event-bus.js';
import { Audit } from '../../../main/core/audit.js';
import { GenosError } from '../../../main/core/errors.js';
import type { Backend } from '../../../main/backends/backend.js';
import { Orchestrator } from '../../../main/orchestrator/orchestrator.js';
import { reconcile } from '../../../main/orchestrator/reconcile.js';
import { ACTIONS, TRANSITIONS } from '../../../main/orchestrator/lifecycle.js';
import { openStore, type Store } from '../../../main/store/store.js';
import { FakeBackend } from '../../helpers/fake-backend.js';
import { tempDataDir } from '../../helpers/store-temp.js';
import { fakeSpec } from '../../helpers/orchestrator-harness.js';

const host = {
  cpu: { count: 2, model: 'x' },
  memory: { totalMiB: 4096, freeMiB: 4000 },
} as HostInfo;

const spec = (over: Partial<EnvironmentSpecInput> = {}) =>
  fakeSpec({ resources: { cpus: 1, memoryMiB: 512, diskGiB: 4 }, ...over });

describe('orchestrator', () => {
  let tmp: ReturnType<typeof tempDataDir>;
  let store: Store;
  let backend: FakeBackend;
  let orch: Orchestrator;
  let pushed: Array<[EventName, unknown]>;
  let deps: ConstructorParameters<typeof Orchestrator>[0];

  beforeEach(() => {
    tmp = tempDataDir('genos-orch-');
    store = openStore(tmp.dir);
    const bus = new EventBus();
    pushed = [];
    bus.onAny((e, p) => pushed.push([e, p]));
    backend = new FakeBackend();
    deps = {
      store,
      audit: new Audit(store, bus),
      bus,
      backend: async (kind) => {
        if (kind === 'docker') throw new GenosError('UNAVAILABLE', 'No container engine answers.');
        return backend;
      },
      hostInfo: async () => host,
      settings: () => store.getSettings(),
    };
    orch = new Orchestrator(deps);
  });
  afterEach(() => {
    store.close();
    tmp.cleanup();
  });

  it('defines every action from states the table can reach', () => {
    for (const [action, states] of Object.entries(ACTIONS)) {
      for (const s of states) expect(TRANSITIONS[s], `${action} from ${s}`).toBeDefined();
    }
  });

  it('creates a draft, provisions and starts it, pushing each state with its reason', async () => {
    const [env] = orch.create(spec(), 'test');
    expect(env!.state).toBe('draft');
    const running = await orch.start(env!.id, 'test');
    expect(running.state).toBe('running');
    expect(backend.calls).toEqual([`create:${env!.id}`, `start:${env!.id}`]);
    const states = pushed
      .filter(([e]) => e === 'environmentChanged')
      .map(([, p]) => (p as { state: string }).state);
    expect(states).toEqual(['draft', 'provisioning', 'stopped', 'starting', 'running']);
    expect(store.getEnvironmentHandles(env!.id)).toMatchObject({ created: true, pid: 4242 });
    const audit = store.listEvents({ target: env!.id }).items.map((e) => e.action);
    expect(audit).toContain('env.start');
    expect(audit.filter((a) => a === 'env.state')).toHaveLength(4);
  });

  it('refuses illegal requests with CONFLICT naming the current state', async () => {
    const [env] = orch.create(spec(), 'test');
    await orch.start(env!.id, 'test');
    await expect(orch.start(env!.id, 'test')).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('it is running'),
    });
    await expect(orch.remove(env!.id, 'test')).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(orch.resume(env!.id, 'test')).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(store.getEnvironment(env!.id)!.state).toBe('running');
  });

  it('refuses to delete while provisioning', async () => {
    const [env] = orch.create(spec(), 'test');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const create = backend.create.bind(backend);
    backend.create = async (ref) => {
      await gate;
      return create(ref);
    };
    const starting = orch.start(env!.id, 'test');
    await new Promise((r) => setTimeout(r, 10));
    expect(store.getEnvironment(env!.id)!.state).toBe('provisioning');
    await expect(orch.remove(env!.id, 'test')).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('provisioning'),
    });
    release();
    await starting;
  });

  it('marks a failed start failed, with the reason, and allows a retry', async () => {
    const [env] = orch.create(spec(), 'test');
    backend.failNext.start = new GenosError('UNAVAILABLE', 'qemu-system-x86_64 is not installed.');
    await expect(orch.start(env!.id, 'test')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    const failed = store.getEnvironment(env!.id)!;
    expect(failed.state).toBe('failed');
    expect(failed.stateReason).toContain('qemu-system-x86_64 is not installed');
    expect((await orch.start(env!.id, 'test')).state).toBe('running');
  });

  it('refuses a start that would exceed the memory share, naming what runs', async () => {
    const [big] = orch.create(
      spec({ name: 'big', resources: { cpus: 1, memoryMiB: 2500, diskGiB: 4 } }),
      'test',
    );
    const [more] = orch.create(
      spec({ name: 'more', resources: { cpus: 1, memoryMiB: 1024, diskGiB: 4 } }),
      'test',
    );
    await orch.start(big!.id, 'test');
    const refusal = orch.start(more!.id, 'test');
    await expect(refusal).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(refusal).rejects.toThrow(
      /Not enough memory to start more.*Running: big \(2\.4 GiB/,
    );
    // Provisioned, then refused: it is stopped, not failed, and nothing was started.
    expect(store.getEnvironment(more!.id)!.state).toBe('stopped');
    expect(backend.calls).not.toContain(`start:${more!.id}`);
  });

  it('deletes an ephemeral environment when it stops', async () => {
    const [env] = orch.create(spec({ ephemeral: true }), 'test');
    await orch.start(env!.id, 'test');
    await orch.stop(env!.id, 'test');
    expect(store.getEnvironment(env!.id)).toBeUndefined();
    expect(backend.calls).toContain(`remove:${env!.id}`);
  });

  it('expands count into numbered environments', () => {
    const envs = orch.create(spec({ name: 'web', count: 3 }), 'test');
    expect(envs.map((e) => e.name)).toEqual(['web-1', 'web-2', 'web-3']);
  });

  it('says UNAVAILABLE when the backend cannot be reached, and changes nothing', async () => {
    const [env] = orch.create(spec({ backend: 'docker' }), 'test');
    await expect(orch.start(env!.id, 'test')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(store.getEnvironment(env!.id)!.state).toBe('draft');
  });

  it('reconciles: a VM that died is failed with the reason, a crash mid-provisioning is settled, strangers are reported', async () => {
    const [a] = orch.create(spec({ name: 'a' }), 'test');
    const [b] = orch.create(spec({ name: 'b' }), 'test');
    await orch.start(a!.id, 'test');
    store.setEnvironmentState(b!.id, 'provisioning', 'crash');
    backend.instances.set(a!.id, 'stopped'); // qemu died behind our back
    backend.instances.set('stranger', 'running');
    const report = await reconcile(orch, deps, { startup: true });
    expect(store.getEnvironment(a!.id)).toMatchObject({
      state: 'failed',
      stateReason: 'qemu exited with signal 9',
    });
    expect(store.getEnvironment(b!.id)!.state).toBe('failed');
    expect(report.unknown).toEqual([{ backend: 'qemu', envId: 'stranger' }]);
    expect(report.unavailable).toEqual(['docker']);
    expect(backend.instances.has('stranger')).toBe(true);
  });

  it('re-adopts a VM still running after a restart', async () => {
    const [a] = orch.create(spec(), 'test');
    await orch.start(a!.id, 'test');
    store.setEnvironmentState(a!.id, 'starting', 'crash mid-start');
    const fresh = new Orchestrator(deps);
    const report = await reconcile(fresh, deps, { startup: true });
    expect(store.getEnvironment(a!.id)!.state).toBe('running');
    expect(report.changed).toEqual([
      { id: a!.id, from: 'starting', to: 'running', reason: 're-adopted after a restart' },
    ]);
  });

  it('goes on following the first boot of a VM re-adopted at start-up', async () => {
    const [a] = orch.create(spec(), 'test');
    await orch.start(a!.id, 'test');
    const followed: string[] = [];
    (backend as FakeBackend & Partial<Backend>).followProvisioning = async (
      ref,
      _host,
      progress,
    ) => {
      followed.push(ref.id);
      progress({ stage: 'installing-packages', message: 'apt' });
      progress({ stage: 'ready', message: 'provisioned' });
    };
    const fresh = new Orchestrator(deps);
    await reconcile(fresh, deps, { startup: true });
    await vi.waitFor(() => expect(fresh.provision.get(a!.id)?.stage).toBe('ready'));
    expect(followed).toEqual([a!.id]);
    // Only at start-up: the periodic passes leave the watcher already running alone.
    await reconcile(fresh, deps, { startup: false });
    expect(followed).toEqual([a!.id]);
  });
});
