import type { TaskInfo } from '../../../../preload/contract';
import { ProgressMeter } from '../../components/progress-meter';
import { progressView, stageLabel } from '../../format/task-progress';
import { importStatus, useImportsStore } from '../../state/imports-store';
import type { ImportEntry } from '../../state/imports-store';
import { useTasksStore } from '../../state/tasks-store';

const STATUS_TEXT = {
  refused: 'Refused',
  uploading: 'Uploading',
  importing: 'Importing',
  done: 'Imported',
  failed: 'Failed',
  cancelled: 'Cancelled',
} as const;

function ImportItem({ entry, task }: { entry: ImportEntry; task: TaskInfo | undefined }) {
  const cancel = useImportsStore((store) => store.cancel);
  const dismiss = useImportsStore((store) => store.dismiss);
  const status = importStatus(entry, task);
  const active = status === 'uploading' || status === 'importing';
  const error = status === 'failed' || status === 'refused' ? (task?.error ?? entry.error) : null;
  const progress =
    status === 'uploading'
      ? progressView({ stage: 'upload', done: entry.sent, total: entry.size, state: 'running' })
      : task && status === 'importing'
        ? progressView(task)
        : null;
  const stage = status === 'importing' ? stageLabel(task?.stage ?? null) : null;

  return (
    <li className={`import import--${status}`} aria-label={entry.fileName}>
      <div className="import__head">
        <span className="import__name">{entry.fileName}</span>
        <span className={`import__status import__status--${status}`}>
          {STATUS_TEXT[status]}
          {stage ? ` — ${stage}` : ''}
        </span>
        {active ? (
          <button
            type="button"
            className="button--quiet button--small"
            aria-label={`Cancel importing ${entry.fileName}`}
            onClick={() => cancel(entry.id)}
          >
            Cancel
          </button>
        ) : (
          <button
            type="button"
            className="button--quiet button--small"
            aria-label={`Dismiss ${entry.fileName}`}
            onClick={() => dismiss(entry.id)}
          >
            Dismiss
          </button>
        )}
      </div>
      {progress ? <ProgressMeter label={`Progress of ${entry.fileName}`} view={progress} /> : null}
      {error ? (
        <p role="alert" className="import__error">
          {error.message}
        </p>
      ) : null}
    </li>
  );
}

/** Files dropped or chosen in this window: upload, then the import task, then the outcome. */
export function ImportsList({ entries }: { entries: ImportEntry[] }) {
  const tasks = useTasksStore((store) => store.byId);
  return (
    <ul className="imports" aria-label="Imports">
      {entries.map((entry) => (
        <ImportItem
          key={entry.id}
          entry={entry}
          task={entry.taskId ? tasks[entry.taskId] : undefined}
        />
      ))}
    </ul>
  );
}
