import type { EnvironmentSpecInput, HostInfo } from '../../preload/contract.js';
import { EnvironmentSpec } from '../../preload/contract.js';
import { EventBus } from '../../main/api/event-bus.js';
import { Audit } from '../../main/core/audit.js';
import { Orchestrator } from '../../main/orchestrator/orchestrator.js';
import { openStore, type Store } from '../../main/store/store.js';
import { FakeBackend } from './fake-backend.js';
import { tempDataDir } from './store-temp.js';

const host = {
  cpu: { count: 4, model: 'x' },
  memory: { totalMiB: 8192, freeMiB: 8000 },
} as HostInfo;

/** A qemu spec (the fake backend's kind) with the given overrides. */
export function fakeSpec(over: Partial<EnvironmentSpecInput> = {}): EnvironmentSpec {
  return EnvironmentSpec.parse({
    name: 'box',
    backend: 'qemu',
    os: { id: 'debian', version: '12' },
    resources: { cpus: 1, memoryMiB: 256, diskGiB: 4 },
    network: { mode: 'none', ports: [] },
    display: 'headless',
    desktop: null,
    apps: [],
    count: 1,
    ephemeral: false,
    image: { kind: 'catalog' },
    healthCheck: null,
    restartPolicy: 'never',
    requires: [],
    hardening: {},
    ...over,
  });
}

/** A real store in a temp dir, the real orchestrator and audit, one fake backend for both kinds. */
export function orchestratorHarness() {
  const tmp = tempDataDir('genos-heal-');
  const store: Store = openStore(tmp.dir);
  const bus = new EventBus();
  const backend = new FakeBackend();
  const deps = {
    store,
    audit: new Audit(store, bus),
    bus,
    backend: async () => backend,
    hostInfo: async () => host,
    settings: () => store.getSettings(),
  };
  const orchestrator = new Orchestrator(deps);
  return {
    store,
    bus,
    backend,
    deps,
    orchestrator,
    audit: (envId: string, action: string) =>
      store
        .listEvents({ target: envId, limit: 200 })
        .items.filter((e) => e.action === action)
        .sort((a, b) => a.seq - b.seq),
    async running(over: Partial<EnvironmentSpecInput> = {}) {
      const [env] = orchestrator.create(fakeSpec(over), 'test');
      return orchestrator.start(env!.id, 'test');
    },
    close() {
      store.close();
      tmp.cleanup();
    },
  };
}
