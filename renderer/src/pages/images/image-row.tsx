import { useShallow } from 'zustand/react/shallow';
import type { ImageRecord, TaskInfo } from '../../../../preload/contract';
import { ProgressMeter } from '../../components/progress-meter';
import { formatBytes } from '../../format/sizes';
import { progressView, stageLabel } from '../../format/task-progress';
import { useImageActionsStore } from '../../state/image-actions-store';
import { useTasksStore } from '../../state/tasks-store';
import { Checksum } from './checksum';
import { RowFailure } from './row-failure';

export const IMAGE_COLUMNS = 8;

function conversionsOf(byId: Record<string, TaskInfo>, imageId: string): TaskInfo[] {
  return Object.values(byId)
    .filter((t) => t.kind === 'image.convert' && t.target === imageId)
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

function sourceLabel(source: string | null, names: ReadonlyMap<string, string>): string {
  if (!source) return '—';
  const converted = /^converted from (\S+)$/.exec(source);
  const from = converted?.[1] ? names.get(converted[1]) : undefined;
  return from ? `converted from ${from}` : source;
}

/** One image, then under it its conversions in progress and anything that went wrong. */
export function ImageRow({
  image,
  names,
  onConvert,
  onDelete,
  onNewEnvironment,
}: {
  image: ImageRecord;
  /** Image names by id, to name the source of a converted image. */
  names: ReadonlyMap<string, string>;
  onConvert: () => void;
  onDelete: () => void;
  onNewEnvironment: () => void;
}) {
  const conversions = useTasksStore(useShallow((store) => conversionsOf(store.byId, image.id)));
  const cancelTask = useTasksStore((store) => store.cancel);
  const failure = useImageActionsStore((store) => store.failures[image.id]);
  const dismissed = useImageActionsStore((store) => store.dismissedTasks);
  const busy = useImageActionsStore((store) => store.busy[image.id] ?? false);
  const dismiss = useImageActionsStore((store) => store.dismiss);
  const running = conversions.filter((t) => t.state === 'running');
  // A cancelled one is not a problem: the user asked for it (the tray still lists it).
  const failed = conversions.filter((t) => t.state === 'failed' && !dismissed.has(t.id));
  const problems = [
    ...(failure ? [`Could not ${failure.action} ${image.name}: ${failure.message}`] : []),
    ...failed.map((t) => `${t.title} failed: ${t.error?.message ?? 'no reason given'}`),
  ];

  return (
    <>
      <tr>
        <th scope="row">{image.name}</th>
        <td>{image.format}</td>
        <td>{formatBytes(image.virtualSize)}</td>
        <td>{formatBytes(image.actualSize)}</td>
        <td className="image-source">{sourceLabel(image.source, names)}</td>
        <td>
          <Checksum sha256={image.sha256} imageName={image.name} />
        </td>
        <td>{image.usedBy.length ? image.usedBy.join(', ') : <span className="muted">—</span>}</td>
        <td>
          <div className="row-actions" role="group" aria-label={`Actions for ${image.name}`}>
            <button
              type="button"
              className="button--quiet button--small"
              aria-label={`Convert ${image.name}`}
              disabled={busy || image.format === 'iso'}
              title={
                image.format === 'iso'
                  ? 'An ISO is a CD image: there is nothing to convert.'
                  : undefined
              }
              onClick={onConvert}
            >
              Convert…
            </button>
            <button
              type="button"
              className="button--quiet button--small"
              aria-label={`New environment from ${image.name}`}
              disabled={busy}
              onClick={onNewEnvironment}
            >
              New environment
            </button>
            <button
              type="button"
              className="button--quiet-danger button--small"
              aria-label={`Delete ${image.name}`}
              disabled={busy}
              onClick={onDelete}
            >
              Delete
            </button>
          </div>
        </td>
      </tr>
      {running.map((task) => (
        <tr key={task.id} className="image-row__task">
          <td colSpan={IMAGE_COLUMNS}>
            <div className="inline-task" aria-label={task.title} role="group">
              <span>
                {task.title} — {stageLabel(task.stage) ?? 'starting'}
              </span>
              <ProgressMeter label={`Progress of ${task.title}`} view={progressView(task)} />
              <button
                type="button"
                className="button--quiet button--small"
                aria-label={`Cancel ${task.title}`}
                onClick={() => void cancelTask(task.id)}
              >
                Cancel
              </button>
            </div>
          </td>
        </tr>
      ))}
      {problems.length ? (
        <RowFailure
          columns={IMAGE_COLUMNS}
          problems={problems}
          name={image.name}
          onDismiss={() =>
            dismiss(
              image.id,
              failed.map((t) => t.id),
            )
          }
        />
      ) : null}
    </>
  );
}
