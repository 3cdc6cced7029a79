import { useId, useState } from 'react';
import type { ImageRecord } from '../../../../preload/contract';
import { ModalDialog } from '../../components/modal-dialog';
import { CONVERT_FORMATS } from '../../state/image-actions-store';
import type { ConvertFormat } from '../../state/image-actions-store';

/** Picks the target format; the conversion then runs as a task (progress on the row and tray). */
export function ConvertDialog({
  image,
  onConvert,
  onClose,
}: {
  image: ImageRecord;
  onConvert: (format: ConvertFormat) => void;
  onClose: () => void;
}) {
  const formats = CONVERT_FORMATS.filter((f) => f !== image.format);
  const [format, setFormat] = useState<ConvertFormat>(formats[0] ?? 'qcow2');
  const fieldId = useId();
  return (
    <ModalDialog title={`Convert ${image.name}`} onClose={onClose}>
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          onConvert(format);
        }}
      >
        <div className="field">
          <label htmlFor={fieldId}>Target format</label>
          <select
            id={fieldId}
            value={format}
            onChange={(event) => setFormat(event.target.value as ConvertFormat)}
          >
            {formats.map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </select>
        </div>
        <p className="hint">
          The converted copy is added to the library as {image.name}-{format}; the original stays.
        </p>
        <div className="dialog__actions">
          <button type="button" className="button--quiet" onClick={onClose}>
            Cancel
          </button>
          <button type="submit">Convert</button>
        </div>
      </form>
    </ModalDialog>
  );
}
