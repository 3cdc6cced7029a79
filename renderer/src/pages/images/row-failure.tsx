import type { ReactNode } from 'react';

/** A table row under a library row: what went wrong with it, and a button to dismiss that. */
export function RowFailure({
  columns,
  problems,
  name,
  onDismiss,
  children,
}: {
  columns: number;
  problems: string[];
  /** The library row's name, for the Dismiss button's label. */
  name: string;
  onDismiss: () => void;
  /** More to say after the problems (what the user can do about them). */
  children?: ReactNode;
}) {
  return (
    <tr className="image-row__failure">
      <td colSpan={columns}>
        <div role="alert" className="inline-error">
          <div className="inline-error__text">
            {problems.map((problem) => (
              <p key={problem}>{problem}</p>
            ))}
            {children}
          </div>
          <button
            type="button"
            className="button--quiet button--small"
            aria-label={`Dismiss the errors for ${name}`}
            onClick={onDismiss}
          >
            Dismiss
          </button>
        </div>
      </td>
    </tr>
  );
}
