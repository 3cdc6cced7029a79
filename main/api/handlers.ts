import type { AppInfo } from '../../preload/contract.js';
import type { Store } from '../store/store.js';
import type { HostInfoCache } from '../core/host-info-cache.js';
import type { Audit } from '../core/audit.js';
import type { EventBus } from './event-bus.js';
import type { Handlers } from './dispatcher.js';
import { GenosError } from '../core/errors.js';

export type HandlerDeps = {
  store: Store;
  hostInfo: HostInfoCache;
  audit: Audit;
  bus: EventBus;
  appInfo: AppInfo;
};

/** The contract's calls, implemented by the core services. Arguments arrive already parsed. */
export function createHandlers({ store, hostInfo, audit, bus, appInfo }: HandlerDeps): Handlers {
  return {
    ping: () => ({ pong: true, at: new Date().toISOString() }),
    appInfo: () => appInfo,
    hostInfo: ({ refresh }) => hostInfo.get(refresh ?? false),
    listEnvironments: (args) => store.listEnvironments(args),
    getEnvironment: ({ id }) => {
      const env = store.getEnvironment(id);
      if (!env) throw new GenosError('NOT_FOUND', `There is no environment with id "${id}".`);
      return env;
    },
    listAuditEvents: (args) => store.listEvents(args),
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
