import type { Backend as BackendKind } from '../../preload/contract.js';
import type { Backend } from './backend.js';
import { GenosError } from '../core/errors.js';

export type BackendLoader = () => Promise<Backend & { close?(): void | Promise<void> }>;

/**
 * Backends are made on first use (loading dockerode or probing for qemu costs time a CLI command
 * that never touches them should not pay). A failed load is not cached: the engine may come up.
 */
export function createBackendRegistry(loaders: Partial<Record<BackendKind, BackendLoader>>) {
  const made = new Map<BackendKind, ReturnType<BackendLoader>>();
  const resolve = (kind: BackendKind): Promise<Backend> => {
    let backend = made.get(kind);
    if (!backend) {
      const load = loaders[kind];
      if (!load) {
        return Promise.reject(
          new GenosError('UNAVAILABLE', `The ${kind} backend is not available in this build.`),
        );
      }
      backend = load();
      made.set(kind, backend);
      backend.catch(() => made.delete(kind));
    }
    return backend;
  };
  const dispose = async () => {
    for (const backend of made.values())
      await backend.then((b) => b.close?.()).catch(() => undefined);
    made.clear();
  };
  return { resolve, dispose };
}
