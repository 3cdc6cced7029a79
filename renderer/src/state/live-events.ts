import type { AuditEvent, TaskInfo } from '../../../preload/contract';
import type { ApiClient } from '../bridge/api-client';
import { useAuditStore } from './audit-store';
import { useEnvironmentsStore } from './environments-store';
import { useHostStore } from './host-store';
import { isImageRecord, useImagesStore } from './images-store';
import { useMetricsStore } from './metrics-store';
import { useSettingsStore } from './settings-store';
import { useTasksStore } from './tasks-store';

/** Audit actions after which the image list (or its "used by") may have changed. */
const IMAGE_LIST_ACTIONS = new Set([
  'image.import',
  'image.convert',
  'image.delete',
  'env.create',
  'env.delete',
]);

function audited(event: AuditEvent): void {
  useAuditStore.getState().received(event);
  if (event.outcome !== 'ok') return;
  // Deletion has no event of its own: its audit entry says it finished (here or elsewhere).
  if (event.action === 'env.delete' && event.target) {
    useEnvironmentsStore.getState().removed(event.target);
    useMetricsStore.getState().forget(event.target);
  }
  if (IMAGE_LIST_ACTIONS.has(event.action) && useImagesStore.getState().status === 'ready')
    void useImagesStore.getState().load();
}

function taskUpdated(task: TaskInfo): void {
  useTasksStore.getState().received(task);
  if (task.state === 'done' && task.kind.startsWith('image.') && isImageRecord(task.result))
    useImagesStore.getState().received(task.result);
}

/** Routes every push to the store that owns it, for the life of the page. */
export function bindLiveEvents(client: ApiClient): () => void {
  const unsubscribes = [
    client.on('settingsChanged', (settings) => useSettingsStore.getState().received(settings)),
    client.on('auditAppended', audited),
    client.on('environmentChanged', (env) => useEnvironmentsStore.getState().received(env)),
    client.on('hostInfoChanged', (info) => useHostStore.getState().received(info)),
    client.on('taskUpdated', taskUpdated),
    client.on('metricsSampled', ({ envId, sample }) =>
      useMetricsStore.getState().received(envId, sample),
    ),
  ];
  return () => unsubscribes.forEach((unsubscribe) => unsubscribe());
}
