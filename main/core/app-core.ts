import fs from 'node:fs';
import path from 'node:path';
import type { AppInfo, HostInfo } from '../../preload/contract.js';
import { EventBus } from '../api/event-bus.js';
import { createDispatcher, type Dispatch } from '../api/dispatcher.js';
import { createHandlers } from '../api/handlers.js';
import { openStore, type Store } from '../store/store.js';
import { probeHost, withEngineProbed } from '../host/probe.js';
import { lockDataDir } from './data-dir-lock.js';
import { HostInfoCache } from './host-info-cache.js';
import { Audit } from './audit.js';
import { GENOS_VERSION } from './version.js';
import { TaskManager } from './tasks.js';
import { ImageLibraryService } from '../images/image-library.js';
import { Orchestrator } from '../orchestrator/orchestrator.js';
import { StreamService } from '../streams/stream-service.js';
import { SnapshotService } from '../orchestrator/snapshots.js';
import { MetricsSampler } from '../orchestrator/metrics.js';
import { EnvironmentUpdater } from '../orchestrator/update-environment.js';
import { InstallFinisher } from '../orchestrator/finish-install.js';
import { LifetimeEnforcer } from '../orchestrator/lifetime.js';
import { ContainerImageService } from '../backends/docker/container-image-service.js';
import { CatalogImagesService } from '../provisioning/catalog-images.js';
import { reconcile } from '../orchestrator/reconcile.js';
import { followChanges } from '../orchestrator/follow-changes.js';
import { RestartPolicies } from '../orchestrator/restart-policy.js';
import { HealthMonitor } from '../orchestrator/health.js';
import { createBackendRegistry, type BackendLoader } from '../backends/registry.js';
import { EnvironmentSpec, type Backend as BackendKind } from '../../preload/contract.js';
import { MAX_SOCKET_PATH, OWNER_SOCKET_NAME, startOwnerSocket } from '../transport/owner-socket.js';

export type CoreOptions = {
  dataDir: string;
  mode: AppInfo['mode'];
  /** Listen on <dataDir>/genos.sock so the CLI can reach this owner (app and serve do). */
  ownerSocket: boolean;
  /**
   * The CLI holding the data dir for a while (`genos up --wait`): follow health, engine events
   * and reconciliation as app and serve do, or it would never see a check pass or a crash.
   */
  follow?: boolean;
  /** Replaces the real probe (unit tests only). */
  probe?: () => Promise<HostInfo>;
  /** Replaces the real backends (unit tests only). */
  backends?: Partial<Record<BackendKind, BackendLoader>>;
};

export type Core = {
  readonly dataDir: string;
  readonly dispatch: Dispatch;
  readonly bus: EventBus;
  readonly store: Store;
  readonly audit: Audit;
  readonly appInfo: AppInfo;
  readonly orchestrator: Orchestrator;
  readonly tasks: TaskManager;
  readonly images: ImageLibraryService;
  readonly streams: StreamService;
  readonly metrics: MetricsSampler;
  dispose(): Promise<void>;
};

const RECONCILE_INTERVAL_MS = 5000;

/** The real backends, loaded on first use. */
function defaultBackends(
  dataDir: string,
  store: Store,
  images: () => ImageLibraryService,
): Partial<Record<BackendKind, BackendLoader>> {
  return {
    qemu: async () => {
      const { QemuBackend } = await import('../backends/qemu/qemu-backend.js');
      return new QemuBackend({
        dataDir,
        lookupImage: (id) => store.getImage(id),
        library: images().library(),
        provisionSettings: () => store.getSettings(),
        // A slow host (TCG on a busy machine) may need longer than the generous default.
        ...(Number(process.env.GENOS_FIRST_BOOT_TIMEOUT_SEC) > 0
          ? {
              firstBootTimeouts: {
                firstBootMs: Number(process.env.GENOS_FIRST_BOOT_TIMEOUT_SEC) * 1000,
                readyMs: Number(process.env.GENOS_FIRST_BOOT_TIMEOUT_SEC) * 1000,
              },
            }
          : {}),
      });
    },
    docker: async () => {
      const { DockerBackend } = await import('../backends/docker/docker-backend.js');
      const catalog = await import('../backends/docker/catalog-sources.js');
      return new DockerBackend({
        allowPull: () => store.getSettings().pullImages,
        catalogImage: catalog.catalogContainerImage,
        packageMap: catalog.catalogPackageMap(),
      });
    },
  };
}

/**
 * The composition root: builds the services in dependency order and disposes them in reverse.
 * Electron, `genos serve` and the in-process CLI all start the core through here.
 */
export async function startCore(opts: CoreOptions): Promise<Core> {
  const disposers: Array<() => void | Promise<void>> = [];
  const dispose = async () => {
    for (const d of disposers.reverse()) await d();
    disposers.length = 0;
  };
  try {
    const dataDir = path.resolve(opts.dataDir);
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const socketPath = path.join(dataDir, OWNER_SOCKET_NAME);
    const useSocket = opts.ownerSocket && socketPath.length <= MAX_SOCKET_PATH;
    if (opts.ownerSocket && !useSocket) {
      console.warn(
        `genos: the data dir path is too long for a unix socket; the CLI cannot reach this ${opts.mode}.`,
      );
    }

    const lock = lockDataDir(dataDir, { mode: opts.mode, ...(useSocket ? { socketPath } : {}) });
    disposers.push(() => lock.release());

    const store = openStore(dataDir);
    disposers.push(() => store.close());

    const bus = new EventBus();
    const audit = new Audit(store, bus);
    const hostInfo = new HostInfoCache(opts.probe ?? (() => probeHost({ dataDir })), bus);
    const appInfo: AppInfo = {
      name: 'genos',
      version: GENOS_VERSION,
      dataDir,
      pid: process.pid,
      startedAt: new Date().toISOString(),
      mode: opts.mode,
    };
    const backends = createBackendRegistry(
      opts.backends ?? defaultBackends(dataDir, store, () => images),
    );
    disposers.push(() => backends.dispose());
    const backend = backends.resolve;
    const orchestratorDeps = {
      store,
      audit,
      bus,
      backend,
      hostInfo: () => hostInfo.get(),
      settings: () => store.getSettings(),
      provisionDir: path.join(dataDir, 'provision'),
    };
    const orchestrator = new Orchestrator(orchestratorDeps);
    const tasks = new TaskManager(bus);
    disposers.push(() => tasks.dispose());
    const images = new ImageLibraryService(dataDir, { store, audit, tasks });
    const streams = new StreamService({ store, orchestrator, backend });
    disposers.push(() => streams.close());
    const snapshots = new SnapshotService({ store, audit, backend, orchestrator });
    const metrics = new MetricsSampler(
      { store, backend, bus, orchestrator },
      { intervalMs: Number(process.env.GENOS_METRICS_INTERVAL_MS) || 5000, capacity: 720 },
    );
    disposers.push(() => metrics.stop());
    const containerImages = new ContainerImageService({ backend, tasks, audit });
    const catalogImages = new CatalogImagesService({ dataDir, store, audit, tasks });
    const dispatch = createDispatcher(
      createHandlers({
        snapshots,
        metrics,
        updater: new EnvironmentUpdater({ ...orchestratorDeps, orchestrator }),
        installs: new InstallFinisher({ ...orchestratorDeps, orchestrator }),
        containerImages,
        catalogImages,
        store,
        hostInfo,
        audit,
        bus,
        appInfo,
        orchestrator,
        tasks,
        images,
        streams,
      }),
    );

    if (opts.mode !== 'cli' || opts.follow) {
      // What an import or conversion cut short by a crash left in the library goes first.
      images.sweepInterrupted(opts.mode);
      // Self-healing: what dies on its own (seen by reconcile or an engine event) goes to the
      // restart policy; GenOS's own health checks (a VM's tcp check) run beside the engine's.
      const restarts = new RestartPolicies({ store, audit, orchestrator });
      disposers.push(() => restarts.dispose());
      const health = new HealthMonitor({
        store,
        audit,
        orchestrator,
        // Still failing while degraded: stop it and let its restart policy take over.
        onFailed: async (id, reason) => {
          await orchestrator.kill(id, 'health-check').catch(() => undefined);
          const now = store.getEnvironment(id);
          if (now) orchestrator.transition(now, 'failed', reason);
          await restarts.onExit(id);
        },
      });
      health.start();
      disposers.push(() => health.stop());
      const watchDeps = {
        ...orchestratorDeps,
        onExit: (id: string) =>
          void restarts
            .onExit(id)
            .catch((err) => console.error(`genos: restart policy of ${id} failed:`, err)),
        onHealth: (id: string, status: 'starting' | 'healthy' | 'unhealthy') =>
          health.engineReport(id, status),
        onEngine: (kind: BackendKind) => {
          if (kind === 'docker')
            void hostInfo.patch((info) => withEngineProbed(info)).catch(() => undefined);
        },
      };
      // The owner reconciles: at start-up (re-adopt what survived us, settle what a crash cut
      // short), then every few seconds to notice VMs and containers that died.
      // It runs beside start-up (the UI is served meanwhile); actions on environments wait for it.
      orchestrator.waitFor(
        reconcile(orchestrator, watchDeps, { startup: true }).catch((err) =>
          console.error('genos: start-up reconciliation failed:', err),
        ),
      );
      metrics.start();
      const lifetime = new LifetimeEnforcer({
        store,
        audit,
        orchestrator,
        samples: (id) => metrics.get(id),
        policyOf: (env) => EnvironmentSpec.safeParse(env.spec).data?.lifetime ?? null,
      });
      lifetime.start();
      disposers.push(() => lifetime.stop());

      // Engines that push changes (Docker's event stream) make state follow within a second.
      void followChanges(orchestrator, watchDeps).then((stop) => disposers.push(stop));
      const timer = setInterval(() => {
        void reconcile(orchestrator, watchDeps, { startup: false }).catch(() => undefined);
      }, RECONCILE_INTERVAL_MS);
      timer.unref();
      disposers.push(() => clearInterval(timer));
    }

    if (useSocket) {
      // The log bridge too, so `genos logs -f` follows through the owner (display/terminal stay UI-only).
      const owner = await startOwnerSocket(socketPath, { dispatch, bus, streams: [streams.logs] });
      disposers.push(() => owner.close());
    }
    if (opts.mode !== 'cli') {
      audit.record({
        actor: opts.mode,
        action: 'core.start',
        target: null,
        outcome: 'info',
        detail: { pid: process.pid },
      });
      disposers.push(() => {
        audit.record({
          actor: opts.mode,
          action: 'core.stop',
          target: null,
          outcome: 'info',
          detail: null,
        });
      });
    }
    return {
      dataDir,
      dispatch,
      bus,
      store,
      audit,
      appInfo,
      orchestrator,
      tasks,
      images,
      streams,
      metrics,
      dispose,
    };
  } catch (err) {
    await dispose();
    throw err;
  }
}
