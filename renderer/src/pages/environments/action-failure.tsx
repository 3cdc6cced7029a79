import type { ActionFailure } from '../../state/environment-actions-store';

/** Why an action on this environment failed, as the server said it, where the user asked. */
export function ActionFailureNotice({
  name,
  failure,
  onDismiss,
}: {
  name: string;
  failure: ActionFailure;
  onDismiss: () => void;
}) {
  return (
    <div role="alert" className="inline-error">
      <p className="inline-error__text">
        <span className="inline-error__title">
          Could not {failure.action} {name}:
        </span>{' '}
        {failure.message} <span className="notice__code">({failure.code})</span>
      </p>
      <button
        type="button"
        className="button--quiet button--small"
        aria-label={`Dismiss the error for ${name}`}
        onClick={(event) => {
          // The button goes away with the notice: keep the keyboard in the list it belongs to.
          const list = event.currentTarget.closest<HTMLElement>('[tabindex="0"]');
          onDismiss();
          list?.focus();
        }}
      >
        Dismiss
      </button>
    </div>
  );
}
