import type { AppInfo } from '../../preload/contract.js';
import type { Store } from '../store/store.js';
import type { HostInfoCache } from '../core/host-info-cache.js';
import type { Audit } from '../core/audit.js';
import type { EventBus } from './event-bus.js';
import type { Handlers } from './dispatcher.js';
import { GenosError } from '../core/errors.js';
import type { Orchestrator } from '../orchestrator/orchestrator.js';
import type { TaskManager } from '../core/tasks.js';
import type { ImageLibraryService } from '../images/image-library.js';
import type { StreamService } from '../streams/stream-service.js';
import type { SnapshotService } from '../orchestrator/snapshots.js';
import type { MetricsSampler } from '../orchestrator/metrics.js';
import type { EnvironmentUpdater } from '../orchestrator/update-environment.js';
import type { InstallFinisher } from '../orchestrator/finish-install.js';
import { upStack } from '../orchestrator/stacks.js';
import { resizeEnvironmentDisk } from '../orchestrator/disk-resize.js';
import { logSince } from '../streams/log-since.js';
import type { ContainerImageService } from '../backends/docker/container-image-service.js';
import { guestCredentials } from '../backends/qemu/credentials.js';
import type { CatalogImagesService } from '../provisioning/catalog-images.js';
import { uploadFile } from '../transport/upload.js';
import {
  composeForApi,
  hostLimits,
  parseRecipeText,
  recipeText,
  RecipeError,
} from '../composer/index.js';

export type HandlerDeps = {
  store: Store;
  hostInfo: HostInfoCache;
  audit: Audit;
  bus: EventBus;
  appInfo: AppInfo;
  orchestrator: Orchestrator;
  tasks: TaskManager;
  images: ImageLibraryService;
  streams: StreamService;
  snapshots: SnapshotService;
  metrics: MetricsSampler;
  updater: EnvironmentUpdater;
  installs: InstallFinisher;
  containerImages: ContainerImageService;
  catalogImages: CatalogImagesService;
};

/** A recipe the user gave us that does not parse is their input to fix: BAD_ARGS, with the why. */
function asBadArgs<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof RecipeError) throw new GenosError('BAD_ARGS', err.message);
    throw err;
  }
}

/** The contract's calls, implemented by the core services. Arguments arrive already parsed. */
export function createHandlers(deps: HandlerDeps): Handlers {
  const {
    store,
    hostInfo,
    audit,
    bus,
    appInfo,
    orchestrator,
    tasks,
    images,
    streams,
    snapshots,
    metrics,
    updater,
    installs,
    containerImages,
    catalogImages,
  } = deps;
  return {
    ping: () => ({ pong: true, at: new Date().toISOString() }),
    appInfo: () => appInfo,
    hostInfo: ({ refresh }) => hostInfo.get(refresh ?? false),
    listEnvironments: (args) => {
      const page = store.listEnvironments(args);
      return { ...page, items: page.items.map((e) => orchestrator.provision.with(e)) };
    },
    getEnvironment: ({ id }) => {
      const env = store.getEnvironment(id);
      if (!env) throw new GenosError('NOT_FOUND', `There is no environment with id "${id}".`);
      return orchestrator.provision.with(env);
    },
    getCredentials: ({ id }) => {
      const env = store.getEnvironment(id);
      if (!env) throw new GenosError('NOT_FOUND', `There is no environment with id "${id}".`);
      return guestCredentials(appInfo.dataDir, env);
    },
    listAuditEvents: (args) => store.listEvents(args),
    compose: async ({ prompt }) => {
      const settings = store.getSettings();
      return composeForApi(
        { prompt },
        {
          host: hostLimits(await hostInfo.get(false)),
          networkMode: settings.defaultNetworkMode,
          llmEndpoint: settings.llmEndpoint,
        },
      );
    },
    readRecipe: ({ fileName, text }) => asBadArgs(() => parseRecipeText(text, fileName)),
    writeRecipe: ({ fileName, prompt, environments }) =>
      asBadArgs(() => ({
        text: recipeText(fileName, { genosRecipe: 1, environments, ...(prompt ? { prompt } : {}) }),
      })),
    createEnvironment: async ({ spec, start }, ctx) => {
      const items = orchestrator.create(spec, ctx.transport);
      // Starting takes long (provisioning, boot); its progress arrives as environmentChanged
      // events and a failure leaves the environment failed with the reason.
      if (start)
        for (const env of items) orchestrator.start(env.id, ctx.transport).catch(() => undefined);
      return { items };
    },
    upStack: ({ environments, start }, ctx) =>
      upStack({ store, audit, orchestrator }, environments, {
        start: start ?? true,
        actor: ctx.transport,
      }),
    planEnvironment: ({ spec }) => orchestrator.plan(spec),
    updateEnvironment: ({ id, patch }, ctx) => updater.update(id, patch, ctx.transport),
    startEnvironment: ({ id }, ctx) => orchestrator.start(id, ctx.transport),
    stopEnvironment: ({ id, timeoutSec }, ctx) =>
      orchestrator.stop(
        id,
        ctx.transport,
        timeoutSec === undefined ? undefined : timeoutSec * 1000,
      ),
    killEnvironment: ({ id }, ctx) => orchestrator.kill(id, ctx.transport),
    pauseEnvironment: ({ id }, ctx) => orchestrator.pause(id, ctx.transport),
    resumeEnvironment: ({ id }, ctx) => orchestrator.resume(id, ctx.transport),
    restartEnvironment: ({ id }, ctx) => orchestrator.restart(id, ctx.transport),
    deleteEnvironment: async ({ id }, ctx) => {
      await orchestrator.remove(id, ctx.transport);
      return { deleted: true as const };
    },
    cancelOperation: ({ id }) => ({ cancelled: orchestrator.cancel(id) }),
    openDisplay: ({ id, protocol }) => streams.openDisplay(id, protocol),
    openTerminal: ({ id, mode }) => streams.openTerminal(id, mode),
    getSshAccess: ({ id }) => streams.sshAccess(id),
    consoleLog: async ({ id, maxBytes, since, sinceSec }) => ({
      text: await streams.consoleLog(id, maxBytes ?? 256 * 1024, logSince(since, sinceSec)),
    }),
    openLogStream: ({ id, since, sinceSec, tail }) =>
      streams.openLogStream(id, { since: logSince(since, sinceSec), tail }),
    resizeDisk: ({ id, sizeGiB }, ctx) =>
      resizeEnvironmentDisk(
        { store, audit, bus, orchestrator, dataDir: appInfo.dataDir, library: images.library() },
        { id, sizeGiB, actor: ctx.transport },
      ),
    finishInstall: ({ id }, ctx) => installs.finish(id, ctx.transport),
    listSnapshots: async ({ id }) => ({ items: await snapshots.list(id) }),
    createSnapshot: ({ id, name, kind }, ctx) => snapshots.create(id, name, kind, ctx.transport),
    restoreSnapshot: async ({ id, name }, ctx) => {
      await snapshots.restore(id, name, ctx.transport);
      return { restored: true as const };
    },
    deleteSnapshot: async ({ id, name }, ctx) => {
      await snapshots.remove(id, name, ctx.transport);
      return { deleted: true as const };
    },
    getMetrics: ({ id }) => {
      if (!store.getEnvironment(id))
        throw new GenosError('NOT_FOUND', `There is no environment with id "${id}".`);
      return { items: metrics.get(id) };
    },
    listTasks: () => ({ items: tasks.list() }),
    cancelTask: ({ id }) => ({ cancelled: tasks.cancel(id) }),
    listImages: () => ({ items: images.list() }),
    importImage: (args, ctx) => ({ task: images.startImport(args, ctx.transport) }),
    importUpload: ({ uploadId, name, format }, ctx) => {
      const file = uploadFile(appInfo.dataDir, uploadId);
      if (!file)
        throw new GenosError(
          'NOT_FOUND',
          `There is no finished upload ${uploadId}; upload the file again.`,
        );
      const req = {
        path: file,
        mode: 'copy' as const,
        name: name.replace(/\.[^.]+$/, ''),
        uploadedAs: name,
      };
      return { task: images.startImport(format ? { ...req, format } : req, ctx.transport) };
    },
    listContainerImages: async () => ({ items: await containerImages.list() }),
    importContainerImage: async (args, ctx) => ({
      task: await containerImages.startImport(args, ctx.transport),
    }),
    pullContainerImage: async (args, ctx) => ({
      task: await containerImages.startPull(args.ref, ctx.transport),
    }),
    convertImage: (args, ctx) => ({ task: images.startConvert(args, ctx.transport) }),
    deleteImage: ({ id }, ctx) => {
      images.remove(id, ctx.transport);
      return { deleted: true as const };
    },
    listCatalogImages: () => catalogImages.list(),
    downloadCatalogImage: async (ref, ctx) => ({
      task: await catalogImages.startDownload(ref, ctx.transport),
    }),
    addCatalogBase: async (args, ctx) => ({
      task: await catalogImages.startAddBase(args, ctx.transport),
    }),
    removeCatalogBase: (ref, ctx) => catalogImages.removeBase(ref, ctx.transport),
    getSettings: () => store.getSettings(),
    updateSettings: ({ patch }, ctx) => {
      const settings = store.updateSettings(patch);
      audit.record({
        actor: ctx.transport,
        action: 'settings.update',
        target: null,
        outcome: 'ok',
        detail: { keys: Object.keys(patch) },
      });
      bus.emit('settingsChanged', settings);
      return settings;
    },
  };
}
