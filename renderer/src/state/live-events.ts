import type { ApiClient } from '../bridge/api-client';
import { useAuditStore } from './audit-store';
import { useEnvironmentsStore } from './environments-store';
import { useHostStore } from './host-store';
import { useSettingsStore } from './settings-store';

/** Routes every push to the store that owns it, for the life of the page. */
export function bindLiveEvents(client: ApiClient): () => void {
  const unsubscribes = [
    client.on('settingsChanged', (settings) => useSettingsStore.getState().received(settings)),
    client.on('auditAppended', (event) => useAuditStore.getState().received(event)),
    client.on('environmentChanged', (env) => useEnvironmentsStore.getState().received(env)),
    client.on('hostInfoChanged', (info) => useHostStore.getState().received(info)),
  ];
  return () => unsubscribes.forEach((unsubscribe) => unsubscribe());
}
