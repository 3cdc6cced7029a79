import { useState } from 'react';
import type { ApiErrorShape, CatalogImage, TaskInfo } from '../../../../preload/contract';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { ProgressMeter } from '../../components/progress-meter';
import { api } from '../../bridge/api';
import { formatBytes } from '../../format/sizes';
import { progressView, stageLabel } from '../../format/task-progress';
import { errorShape } from '../../state/load-status';
import { useTasksStore } from '../../state/tasks-store';
import { CatalogAddBase } from './catalog-add-base';
import { RowFailure } from './row-failure';

export const CATALOG_COLUMNS = 5;

// As main names the task's target (catalog-images.ts).
const targetOf = (i: CatalogImage) =>
  `catalog/${i.osId}/${i.version}${i.media === 'installer-iso' ? '/installer-iso' : ''}`;

/** The newest catalog task for this image (the store keeps each task object until it changes). */
function latestTask(byId: Record<string, TaskInfo>, target: string): TaskInfo | null {
  let best: TaskInfo | null = null;
  for (const t of Object.values(byId)) {
    if (t.target !== target || !t.kind.startsWith('catalog.')) continue;
    if (!best || t.startedAt > best.startedAt) best = t;
  }
  return best;
}

function stateText(item: CatalogImage): string {
  if (item.cached)
    return {
      verified: 'Cached, checksum verified',
      'user-supplied': 'Cached, user-supplied',
      unverified: 'Cached, no checksum to verify',
    }[item.cached.trust];
  if (item.partial) {
    const pct = item.partial.total
      ? ` (${Math.floor((item.partial.bytesDone / item.partial.total) * 100)} %)`
      : '';
    return `Partly downloaded${pct}`;
  }
  return 'Not downloaded';
}

function sizeText(item: CatalogImage): string {
  if (item.cached) return formatBytes(item.cached.bytes);
  if (item.partial)
    return item.partial.total
      ? `${formatBytes(item.partial.bytesDone)} of ${formatBytes(item.partial.total)}`
      : formatBytes(item.partial.bytesDone);
  return '—';
}

/** One OS/version: its cache state, its download in progress, and what went wrong, in place. */
export function CatalogRow({ item, onChanged }: { item: CatalogImage; onChanged: () => void }) {
  const task = useTasksStore((store) => latestTask(store.byId, targetOf(item)));
  const received = useTasksStore((store) => store.received);
  const cancelTask = useTasksStore((store) => store.cancel);
  const [failure, setFailure] = useState<ApiErrorShape | null>(null);
  const [dismissed, setDismissed] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [adding, setAdding] = useState(false);
  const running = task?.state === 'running' ? task : null;
  const failedTask = task?.state === 'failed' && task.id !== dismissed ? task : null;

  async function act(fn: () => Promise<void>) {
    setFailure(null);
    setDismissed(task?.id ?? null);
    setBusy(true);
    try {
      await fn();
    } catch (err) {
      setFailure(errorShape(err));
    } finally {
      setBusy(false);
    }
  }
  const download = () =>
    act(async () => {
      const { task: t } = await api.call('downloadCatalogImage', {
        osId: item.osId,
        version: item.version,
        media: item.media,
      });
      received(t);
    });
  const remove = () =>
    act(async () => {
      await api.call('removeCatalogBase', {
        osId: item.osId,
        version: item.version,
        media: item.media,
      });
      onChanged();
    });
  const addBase = (path: string) =>
    act(async () => {
      const { task: t } = await api.call('addCatalogBase', {
        osId: item.osId,
        version: item.version,
        media: item.media,
        path,
      });
      received(t);
      setAdding(false);
    });

  const problems = [
    ...(failure ? [failure.message] : []),
    ...(failedTask
      ? [`${failedTask.title} failed: ${failedTask.error?.message ?? 'no reason given'}`]
      : []),
  ];

  return (
    <>
      <tr>
        <th scope="row">
          {item.name}
          {item.origin === 'local' ? <span className="muted"> (local)</span> : null}
        </th>
        <td>
          {stateText(item)}
          {item.usedBy.length ? (
            <span className="muted"> — used by {item.usedBy.join(', ')}</span>
          ) : null}
        </td>
        <td>{sizeText(item)}</td>
        <td>
          <code>{item.dropFile}</code>
        </td>
        <td>
          <div className="row-actions" role="group" aria-label={`Actions for ${item.name}`}>
            {running ? (
              running.kind === 'catalog.download' ? (
                // A cancelled download keeps its .part: to the user that is a pause.
                <button
                  type="button"
                  className="button--quiet button--small"
                  aria-label={`Pause the download of ${item.name}`}
                  title="Stops the download and keeps what has arrived; Resume goes on from there, also after GenOS restarts."
                  onClick={() => void cancelTask(running.id)}
                >
                  Pause
                </button>
              ) : (
                <button
                  type="button"
                  className="button--quiet button--small"
                  aria-label={`Cancel adding ${item.name}`}
                  onClick={() => void cancelTask(running.id)}
                >
                  Cancel
                </button>
              )
            ) : item.state !== 'cached' ? (
              <>
                <button
                  type="button"
                  className="button--small"
                  aria-label={`${item.partial ? 'Resume' : 'Download'} ${item.name}`}
                  disabled={busy}
                  onClick={() => void download()}
                >
                  {item.partial ? 'Resume' : 'Download'}
                </button>
                <button
                  type="button"
                  className="button--quiet button--small"
                  aria-label={`Add a file as ${item.name}`}
                  disabled={busy}
                  onClick={() => setAdding(true)}
                >
                  Add file…
                </button>
              </>
            ) : null}
            {!running && item.state !== 'absent' ? (
              <button
                type="button"
                className="button--quiet-danger button--small"
                aria-label={`Remove ${item.name}`}
                disabled={busy || item.usedBy.length > 0}
                title={
                  item.usedBy.length
                    ? `In use by ${item.usedBy.join(', ')}: delete those environments first.`
                    : undefined
                }
                onClick={() => setConfirming(true)}
              >
                Remove
              </button>
            ) : null}
          </div>
        </td>
      </tr>
      {running ? (
        <tr className="image-row__task">
          <td colSpan={CATALOG_COLUMNS}>
            <div className="inline-task" aria-label={running.title} role="group">
              <span>
                {running.title} — {stageLabel(running.stage) ?? 'starting'}
                {running.message ? ` — ${running.message}` : ''}
              </span>
              <ProgressMeter label={`Progress of ${running.title}`} view={progressView(running)} />
            </div>
          </td>
        </tr>
      ) : null}
      {adding ? (
        <tr>
          <td colSpan={CATALOG_COLUMNS}>
            <CatalogAddBase
              item={item}
              busy={busy}
              onAdd={(path) => void addBase(path)}
              onCancel={() => setAdding(false)}
            />
          </td>
        </tr>
      ) : null}
      {problems.length ? (
        <RowFailure
          columns={CATALOG_COLUMNS}
          problems={problems}
          name={item.name}
          onDismiss={() => {
            setFailure(null);
            setDismissed(task?.id ?? null);
          }}
        >
          {item.state !== 'cached' ? (
            <p>
              The file to drop in is <code>{item.dropFile}</code> (from {item.url}); add it with Add
              file….
            </p>
          ) : null}
        </RowFailure>
      ) : null}
      {confirming ? (
        <ConfirmDialog
          title={`Remove ${item.name}?`}
          message={`The cached ${item.media === 'installer-iso' ? 'installer ISO' : 'base image'} of ${item.name} is deleted${item.partial ? ' (with the partial download)' : ''}. Environments made later download it again.`}
          confirmLabel="Remove"
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            void remove();
          }}
        />
      ) : null}
    </>
  );
}
