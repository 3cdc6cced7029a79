import type { ApiErrorShape, TaskInfo } from '../../../preload/contract';
import { ProgressMeter } from '../components/progress-meter';
import { progressView, stageLabel } from '../format/task-progress';

const OUTCOME: Record<Exclude<TaskInfo['state'], 'running'>, string> = {
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** One long piece of work in the tray: what, where it is, and how to stop it. */
export function TaskTrayItem({
  title,
  state,
  progress,
  message,
  error,
  cancelError,
  onCancel,
}: {
  title: string;
  state: TaskInfo['state'];
  progress: Pick<TaskInfo, 'stage' | 'done' | 'total' | 'state'>;
  message: string | null;
  error: ApiErrorShape | null;
  cancelError?: ApiErrorShape | undefined;
  onCancel: () => void;
}) {
  const stage = stageLabel(progress.stage);
  return (
    <li className={`tray-item tray-item--${state}`} aria-label={title}>
      <div className="tray-item__head">
        <span className="tray-item__title">{title}</span>
        {state === 'running' ? (
          <button
            type="button"
            className="button--quiet button--small"
            onClick={onCancel}
            aria-label={`Cancel ${title}`}
          >
            Cancel
          </button>
        ) : (
          <span className={`tray-item__outcome tray-item__outcome--${state}`}>
            {OUTCOME[state]}
          </span>
        )}
      </div>
      {state === 'running' ? (
        <div className="tray-item__progress">
          {stage ? <span className="tray-item__stage">{stage}</span> : null}
          <ProgressMeter label={`Progress of ${title}`} view={progressView(progress)} />
        </div>
      ) : null}
      {message && state === 'running' ? <p className="tray-item__message">{message}</p> : null}
      {error && state === 'failed' ? <p className="tray-item__error">{error.message}</p> : null}
      {cancelError ? (
        <p className="tray-item__error">Could not cancel: {cancelError.message}</p>
      ) : null}
    </li>
  );
}
