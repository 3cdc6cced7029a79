export { openStore, STORE_FILE, type Store, type StoreOptions } from './store.js';
export { SCHEMA_VERSION } from './migrations.js';
export { DEFAULT_SETTINGS } from './settings-repo.js';
export type {
  EnvironmentHandleRow,
  EnvironmentHandles,
  EnvironmentPage,
  ListEnvironmentsQuery,
  NewEnvironment,
} from './environments-repo.js';
export type { ListEventsQuery, NewEvent } from './events-repo.js';
export type { ImageFormat, ImageRecord, NewImage } from './images-repo.js';
export type { NewSnapshot, SnapshotRecord } from './snapshots-repo.js';
