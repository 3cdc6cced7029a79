import type { ProgressView } from '../format/task-progress';

/** A labelled progress bar with its numbers; indeterminate when the total is unknown. */
export function ProgressMeter({ label, view }: { label: string; view: ProgressView }) {
  return (
    <span className="progress">
      {view.fraction === null ? (
        <progress aria-label={label} />
      ) : (
        <progress aria-label={label} max={1} value={view.fraction} />
      )}
      {view.text ? <span className="progress__text">{view.text}</span> : null}
    </span>
  );
}
