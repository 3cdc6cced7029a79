import { useEffect, useState } from 'react';
import type { EnvironmentSummary, Snapshot } from '../../../../../preload/contract';
import { ConfirmDialog } from '../../../components/confirm-dialog';
import { ErrorNotice } from '../../../components/error-notice';
import { LoadingNotice } from '../../../components/loading-notice';
import { formatBytes } from '../../../format/sizes';
import { formatTime } from '../../../format/times';
import { useSnapshotsStore } from '../../../state/snapshots-store';
import type { SnapshotAction, SnapshotFailure } from '../../../state/snapshots-store';
import { CreateSnapshotForm } from './create-snapshot-form';
import { kindLabel } from './snapshot-kinds';

const VERBS: Record<SnapshotAction, string> = {
  create: 'take snapshot',
  restore: 'restore',
  delete: 'delete',
};

const BUSY_TEXT: Record<SnapshotAction, string> = {
  create: 'Taking snapshot',
  restore: 'Restoring',
  delete: 'Deleting',
};

function Failure({ failure, onDismiss }: { failure: SnapshotFailure; onDismiss: () => void }) {
  return (
    <div role="alert" className="inline-error">
      <p>
        <span className="inline-error__title">
          Could not {VERBS[failure.action]} {failure.name}:
        </span>{' '}
        {failure.message} <span className="notice__code">({failure.code})</span>
      </p>
      <button type="button" className="button--quiet button--small" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}

type Asking = { action: 'restore' | 'delete'; snapshot: Snapshot } | null;

/** The environment's snapshots: take one (of a kind its backend has), restore, delete. */
export function SnapshotsPanel({ env }: { env: EnvironmentSummary }) {
  const store = useSnapshotsStore();
  const [asking, setAsking] = useState<Asking>(null);
  const load = store.load;
  const mine = store.envId === env.id;

  useEffect(() => {
    void load(env.id);
  }, [env.id, load]);

  const busy = mine ? store.busy : null;
  const failure = mine ? store.failure : null;
  const items = mine ? store.items : [];

  function confirm() {
    if (!asking) return;
    const { action, snapshot } = asking;
    setAsking(null);
    if (action === 'restore') void store.restore(env.id, snapshot.name);
    else void store.remove(env.id, snapshot.name);
  }

  return (
    <div className="snapshots-view">
      <CreateSnapshotForm
        env={env}
        busy={busy !== null}
        onCreate={(name, kind) => store.create(env.id, name, kind)}
      />
      {failure?.action === 'create' ? (
        <Failure failure={failure} onDismiss={store.dismiss} />
      ) : null}
      <h3>Snapshots of {env.name}</h3>
      {busy ? (
        <p role="status" className="notice notice--loading">
          {BUSY_TEXT[busy.action]} {busy.name}…
        </p>
      ) : null}
      {mine && store.restored ? (
        <p role="status" className="snapshots-view__done">
          Restored {store.restored}.
        </p>
      ) : null}
      {failure && failure.action !== 'create' ? (
        <Failure failure={failure} onDismiss={store.dismiss} />
      ) : null}
      {mine && store.error ? (
        <ErrorNotice title="Could not list the snapshots" error={store.error} />
      ) : null}
      {!mine || store.status === 'loading' || store.status === 'idle' ? (
        <LoadingNotice>Loading snapshots…</LoadingNotice>
      ) : items.length === 0 ? (
        store.status === 'ready' ? (
          <p className="empty">No snapshots yet.</p>
        ) : null
      ) : (
        <table className="table snapshot-table" aria-label={`Snapshots of ${env.name}`}>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">Taken</th>
              <th scope="col">Size</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((snapshot) => (
              <tr key={snapshot.id}>
                <th scope="row">{snapshot.name}</th>
                <td>
                  {kindLabel(snapshot.kind)}
                  {snapshot.note ? <p className="hint">{snapshot.note}</p> : null}
                </td>
                <td>{formatTime(snapshot.createdAt)}</td>
                <td>{snapshot.sizeBytes === null ? '—' : formatBytes(snapshot.sizeBytes)}</td>
                <td>
                  <div className="row-actions">
                    <button
                      type="button"
                      className="button--quiet button--small"
                      aria-label={`Restore ${snapshot.name}`}
                      disabled={busy !== null}
                      onClick={() => setAsking({ action: 'restore', snapshot })}
                    >
                      Restore
                    </button>
                    <button
                      type="button"
                      className="button--quiet-danger button--small"
                      aria-label={`Delete ${snapshot.name}`}
                      disabled={busy !== null}
                      onClick={() => setAsking({ action: 'delete', snapshot })}
                    >
                      Delete
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {asking ? (
        <ConfirmDialog
          title={
            asking.action === 'restore'
              ? `Restore ${asking.snapshot.name}?`
              : `Delete snapshot ${asking.snapshot.name}?`
          }
          message={
            asking.action === 'restore'
              ? `${env.name} goes back to how it was when ${asking.snapshot.name} was taken. What changed since then is lost.`
              : `The snapshot ${asking.snapshot.name} of ${env.name} is removed for good.`
          }
          confirmLabel={asking.action === 'restore' ? 'Restore' : 'Delete'}
          onConfirm={confirm}
          onCancel={() => setAsking(null)}
        />
      ) : null}
    </div>
  );
}
