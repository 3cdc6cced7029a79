import type { SnapshotInfo, SnapshotKind } from '../backends/backend.js';
import type { Audit } from '../core/audit.js';
import { GenosError } from '../core/errors.js';
import type { Store } from '../store/store.js';
import type { BackendResolver, Orchestrator } from './orchestrator.js';

export type SnapshotView = {
  id: string;
  name: string;
  kind: string;
  createdAt: string;
  sizeBytes: number | null;
  note?: string | null;
};

/**
 * Snapshots of an environment: made and restored by its backend (qemu savevm / internal disk
 * snapshots, docker commit), recorded in the store so the list survives restarts and shows
 * in the UI, and audited. Runs under the environment's lock so it never races a stop.
 */
export class SnapshotService {
  constructor(
    private readonly deps: {
      store: Store;
      audit: Audit;
      backend: BackendResolver;
      orchestrator: Orchestrator;
    },
  ) {}

  private async target(id: string) {
    const env = this.deps.store.getEnvironment(id);
    if (!env) throw new GenosError('NOT_FOUND', `There is no environment with id "${id}".`);
    const ref = this.deps.orchestrator.refFor(env);
    return { env, ref, backend: await this.deps.backend(ref.spec.backend) };
  }

  async list(id: string): Promise<SnapshotView[]> {
    if (!this.deps.store.getEnvironment(id))
      throw new GenosError('NOT_FOUND', `There is no environment with id "${id}".`);
    const rows = this.deps.store.listSnapshots(id);
    // Notes (why a live snapshot became a commit) live with the container's snapshot images;
    // best effort: an engine that is down leaves the list without them.
    const notes = new Map<string, string>();
    if (rows.length > 0) {
      const { ref, backend } = await this.target(id);
      const lister = backend as Partial<{
        listSnapshots(r: typeof ref): Promise<SnapshotInfo[]>;
      }>;
      if (ref.spec.backend === 'docker' && lister.listSnapshots) {
        const infos = await lister.listSnapshots(ref).catch(() => []);
        for (const i of infos) if (i.note) notes.set(i.name, i.note);
      }
    }
    return rows.map((s) => ({
      id: s.id,
      name: s.name,
      kind: s.kind,
      createdAt: s.createdAt,
      sizeBytes: null,
      note: notes.get(s.name) ?? null,
    }));
  }

  async create(id: string, name: string, kind: SnapshotKind, actor: string): Promise<SnapshotView> {
    const { env, ref, backend } = await this.target(id);
    if (this.deps.store.listSnapshots(id).some((s) => s.name === name)) {
      throw new GenosError(
        'CONFLICT',
        `${env.name} already has a snapshot called "${name}"; pick another name.`,
      );
    }
    return this.deps.orchestrator.exclusive(id, async () => {
      const info = await backend.snapshot(ref, name, kind);
      const row = this.deps.store.insertSnapshot({ envId: id, name, kind: info.kind });
      this.deps.audit.record({
        actor,
        action: 'snapshot.create',
        target: id,
        outcome: 'ok',
        detail: { name, kind: info.kind, ...(info.note ? { note: info.note } : {}) },
      });
      return {
        id: row.id,
        name,
        kind: info.kind,
        createdAt: row.createdAt,
        sizeBytes: info.sizeBytes,
        note: info.note ?? null,
      };
    });
  }

  async restore(id: string, name: string, actor: string): Promise<void> {
    const { ref, backend } = await this.target(id);
    this.require(id, name);
    await this.deps.orchestrator.exclusive(id, async () => {
      const handles = await backend.restore(ref, name);
      if (handles)
        this.deps.store.setEnvironmentState(
          id,
          this.deps.store.getEnvironment(id)!.state,
          'restored a snapshot',
          handles,
        );
      this.deps.audit.record({
        actor,
        action: 'snapshot.restore',
        target: id,
        outcome: 'ok',
        detail: { name },
      });
    });
  }

  async remove(id: string, name: string, actor: string): Promise<void> {
    const { ref, backend } = await this.target(id);
    const snapshot = this.require(id, name);
    await this.deps.orchestrator.exclusive(id, async () => {
      await backend.deleteSnapshot(ref, name);
      this.deps.store.deleteSnapshot(snapshot.id);
      this.deps.audit.record({
        actor,
        action: 'snapshot.delete',
        target: id,
        outcome: 'ok',
        detail: { name },
      });
    });
  }

  private require(id: string, name: string) {
    const snapshot = this.deps.store.listSnapshots(id).find((s) => s.name === name);
    if (!snapshot)
      throw new GenosError(
        'NOT_FOUND',
        `There is no snapshot "${name}"; see the list of snapshots.`,
      );
    return snapshot;
  }
}
