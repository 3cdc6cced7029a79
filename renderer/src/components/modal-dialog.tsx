import { useEffect, useId, useRef } from 'react';
import type { ReactNode } from 'react';

/**
 * A modal on the native <dialog>: the browser traps the focus, makes the rest of the page inert
 * and closes it on Escape (which arrives here as `onClose`). Rendered only while open.
 */
export function ModalDialog({
  title,
  onClose,
  children,
  className,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  className?: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  // The latest onClose, without re-opening the dialog when a parent re-renders.
  const onCloseRef = useRef(onClose);
  useEffect(() => {
    onCloseRef.current = onClose;
  }, [onClose]);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    const onCancel = (event: Event) => {
      event.preventDefault();
      onCloseRef.current();
    };
    // Chromium may close a dialog on Escape without a cancel event (no user activation since
    // the last one): its close event must end our open state too.
    const onClosed = () => onCloseRef.current();
    dialog.addEventListener('cancel', onCancel);
    dialog.addEventListener('close', onClosed);
    return () => {
      dialog.removeEventListener('cancel', onCancel);
      dialog.removeEventListener('close', onClosed);
      if (dialog.open) dialog.close();
      // Back to where the user was, when that is still on the page.
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  return (
    <dialog ref={ref} aria-labelledby={titleId} className={`dialog ${className ?? ''}`.trim()}>
      <h2 id={titleId} className="dialog__title">
        {title}
      </h2>
      {children}
    </dialog>
  );
}
