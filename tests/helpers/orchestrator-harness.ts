import type { EnvironmentSpec, EnvironmentSpecInput, HostInfo } from '../../preload/contract.js';
import { EventBus } from '../../main/api/event-bus.js';
import { Audit } from '../../main/core/audit.js';
import { Orchestrator } from '../../main/orchestrator/orchestrator.js';
import { openStore, type Store } from '../../main/store/store.js';
import { FakeBackend } from './fake-backend.js';
import { baseSpec } from './spec-fixture.js';
import { tempDataDir } from './store-temp.js';

const host = {
  cpu: { count: 4, model: 'x' },
  memory: { totalMiB: 8192, freeMiB: 8000 },
} as HostInfo;

/** A qemu spec (the fake backend's kind) with the given overrides. */
export function fakeSpec(over: Partial<EnvironmentSpecInput> = {}): EnvironmentSpec {
  return baseSpec(over);
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
