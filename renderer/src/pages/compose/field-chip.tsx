import { useId, useRef, useState } from 'react';
import type { EnvironmentSpec, Explanation, HostInfo } from '../../../../preload/contract';
import { FIELD_LABELS, fieldOrigin, showField } from '../../state/compose-fields';
import type { FieldId, FieldValues } from '../../state/compose-fields';
import { ChipEditor } from './chip-editor';

/** Where the chip's value came from, in a few words. */
export type ChipSource =
  | { kind: 'edited'; was: string }
  | { kind: 'image'; name: string }
  | { kind: 'recipe'; fileName: string }
  | { kind: 'prompt'; explanation: Explanation | null };

function originText(id: FieldId, source: ChipSource): string {
  switch (source.kind) {
    case 'edited':
      return `edited — was ${source.was}`;
    case 'image':
      return `from the image ${source.name}`;
    case 'recipe':
      return `from ${source.fileName}`;
    case 'prompt': {
      const origin = fieldOrigin(source.explanation, id);
      if (origin.kind === 'words')
        return `from “${origin.words}”${origin.note ? ` (${origin.note})` : ''}`;
      if (origin.kind === 'default') return origin.note ? `default: ${origin.note}` : 'default';
      return '';
    }
  }
}

/**
 * One field of the spec: its value, the words that set it, and (on click) an inline editor.
 * An edited chip says so and has a Reset. `refusal` is the server's word against its value (from
 * the dry run); `lack`, what the host must install for it.
 */
export function FieldChip<K extends FieldId>({
  id,
  spec,
  source,
  imageName,
  refusal = null,
  lack = null,
  onEdit,
  onReset,
}: {
  id: K;
  spec: EnvironmentSpec;
  source: ChipSource;
  imageName: (imageId: string) => string | undefined;
  refusal?: string | null;
  lack?: HostInfo['missing'][number] | null;
  onEdit: (value: FieldValues[K]) => void;
  onReset: () => void;
}) {
  const [editing, setEditing] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const originId = useId();
  const label = FIELD_LABELS[id];
  const origin = originText(id, source);
  const edited = source.kind === 'edited';
  const close = () => {
    setEditing(false);
    // Back to the chip, so the keyboard carries on from where it was.
    window.setTimeout(() => button.current?.focus(), 0);
  };

  return (
    <li className={`chip${edited ? ' chip--edited' : ''}`} aria-label={label}>
      <div className="chip__head">
        <button
          ref={button}
          type="button"
          className="chip__button"
          aria-expanded={editing}
          aria-describedby={originId}
          title={origin || undefined}
          onClick={() => (editing ? close() : setEditing(true))}
        >
          <span className="chip__label">{label}</span>
          <span className="chip__value">{showField(spec, id, imageName)}</span>
        </button>
        {edited ? (
          <button
            type="button"
            className="button--quiet button--small chip__reset"
            aria-label={`Reset ${label}`}
            onClick={onReset}
          >
            Reset
          </button>
        ) : null}
      </div>
      <span id={originId} className="chip__origin">
        {edited ? <span className="chip__edited">edited</span> : null}
        {edited ? origin.replace(/^edited/, '') : origin}
      </span>
      {lack ? (
        <p className="chip__warning">
          {lack.what} is not installed on this host: <code>{lack.install}</code>
        </p>
      ) : null}
      {refusal ? (
        <p role="alert" className="field__error">
          {refusal}
        </p>
      ) : null}
      {editing ? (
        <ChipEditor
          id={id}
          spec={spec}
          onApply={(value) => {
            onEdit(value);
            close();
          }}
          onCancel={close}
        />
      ) : null}
    </li>
  );
}
