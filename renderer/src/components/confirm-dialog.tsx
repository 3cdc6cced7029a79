import { ModalDialog } from './modal-dialog';

/** Asks before something that cannot be undone. Cancel has the focus, so Enter is safe. */
export function ConfirmDialog({
  title,
  message,
  confirmLabel,
  onConfirm,
  onCancel,
}: {
  title: string;
  message: string;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <ModalDialog title={title} onClose={onCancel}>
      <p className="dialog__message">{message}</p>
      <div className="dialog__actions">
        <button type="button" className="button--quiet" onClick={onCancel} autoFocus>
          Cancel
        </button>
        <button type="button" className="button--danger" onClick={onConfirm}>
          {confirmLabel}
        </button>
      </div>
    </ModalDialog>
  );
}
