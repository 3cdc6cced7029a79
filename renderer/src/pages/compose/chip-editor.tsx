import { useEffect, useId, useState } from 'react';
import type { FormEvent, KeyboardEvent, ReactNode } from 'react';
import type { EnvironmentSpec, ImageSource } from '../../../../preload/contract';
import {
  FIELD_EDITORS,
  fieldText,
  parseFieldText,
  parseImage,
  parseDrivers,
  parseOs,
} from '../../state/compose-field-editors';
import type { Parsed } from '../../state/compose-field-editors';
import { FIELD_LABELS, readField } from '../../state/compose-fields';
import type { FieldId, FieldValues } from '../../state/compose-fields';
import { useImagesStore } from '../../state/images-store';

type EditorProps<K extends FieldId> = {
  id: K;
  spec: EnvironmentSpec;
  onApply: (value: FieldValues[K]) => void;
  onCancel: () => void;
};

/** The small form every chip editor is: Enter (or Apply) applies, Escape (or Cancel) leaves. */
function EditorForm({
  label,
  error,
  onSubmit,
  onCancel,
  children,
}: {
  label: string;
  error: string | null;
  onSubmit: () => void;
  onCancel: () => void;
  children: ReactNode;
}) {
  const onKeyDown = (event: KeyboardEvent<HTMLFormElement>) => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    event.stopPropagation();
    onCancel();
  };
  return (
    <form
      className="chip-editor"
      aria-label={`Edit ${label}`}
      onKeyDown={onKeyDown}
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        onSubmit();
      }}
    >
      {children}
      {error ? (
        <p role="alert" className="field__error">
          {error}
        </p>
      ) : null}
      <div className="chip-editor__actions">
        <button type="submit" className="button--small">
          Apply
        </button>
        <button type="button" className="button--quiet button--small" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function useApply<T>(onApply: (value: T) => void) {
  const [error, setError] = useState<string | null>(null);
  const apply = (parsed: Parsed<T>) => {
    if (parsed.ok) onApply(parsed.value);
    else setError(parsed.error);
  };
  return { error, apply };
}

/** A select, a number or a line of text. */
function SimpleEditor<K extends FieldId>({ id, spec, onApply, onCancel }: EditorProps<K>) {
  const [text, setText] = useState(() => fieldText(spec, id));
  const { error, apply } = useApply(onApply);
  const inputId = useId();
  const editor = FIELD_EDITORS[id];
  const label = FIELD_LABELS[id];
  const unit = editor.kind === 'number' && editor.unit ? ` (${editor.unit})` : '';
  const hint = 'hint' in editor ? editor.hint : undefined;
  const common = {
    id: inputId,
    autoFocus: true,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': hint ? `${inputId}-hint` : undefined,
  };
  return (
    <EditorForm
      label={label}
      error={error}
      onSubmit={() => apply(parseFieldText(id, text))}
      onCancel={onCancel}
    >
      <label htmlFor={inputId}>
        {label}
        {unit}
      </label>
      {editor.kind === 'select' ? (
        <select {...common} value={text} onChange={(event) => setText(event.target.value)}>
          {editor.choices.map((choice) => (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          ))}
        </select>
      ) : editor.kind === 'number' ? (
        <input
          {...common}
          type="number"
          inputMode="numeric"
          min={editor.min}
          max={editor.max}
          step={1}
          value={text}
          onChange={(event) => setText(event.target.value)}
        />
      ) : (
        <input
          {...common}
          type="text"
          spellCheck={false}
          value={text}
          onChange={(event) => setText(event.target.value)}
        />
      )}
      {hint ? (
        <p id={`${inputId}-hint`} className="hint">
          {hint}
        </p>
      ) : null}
    </EditorForm>
  );
}

function OsEditor({ spec, onApply, onCancel }: EditorProps<'os'>) {
  const [osId, setOsId] = useState(spec.os.id);
  const [version, setVersion] = useState(spec.os.version ?? '');
  const { error, apply } = useApply(onApply);
  const inputId = useId();
  return (
    <EditorForm
      label="OS"
      error={error}
      onSubmit={() => apply(parseOs(osId, version))}
      onCancel={onCancel}
    >
      <label htmlFor={`${inputId}-id`}>OS id</label>
      <input
        id={`${inputId}-id`}
        type="text"
        autoFocus
        spellCheck={false}
        value={osId}
        onChange={(event) => setOsId(event.target.value)}
      />
      <label htmlFor={`${inputId}-version`}>Version</label>
      <input
        id={`${inputId}-version`}
        type="text"
        spellCheck={false}
        aria-describedby={`${inputId}-hint`}
        value={version}
        onChange={(event) => setVersion(event.target.value)}
      />
      <p id={`${inputId}-hint`} className="hint">
        A catalog id (ubuntu, debian, alpine…); an empty version means the newest.
      </p>
    </EditorForm>
  );
}

function ImageEditor({ spec, onApply, onCancel }: EditorProps<'image'>) {
  const current: ImageSource = spec.image;
  const [kind, setKind] = useState<string>(
    current.kind === 'catalog' && current.media === 'installer-iso' ? 'catalog-iso' : current.kind,
  );
  const [libraryId, setLibraryId] = useState(current.kind === 'library' ? current.imageId : '');
  const [ref, setRef] = useState(current.kind === 'container-image' ? current.ref : '');
  const { error, apply } = useApply(onApply);
  const images = useImagesStore((store) => store.items);
  const imagesStatus = useImagesStore((store) => store.status);
  const loadImages = useImagesStore((store) => store.load);
  const inputId = useId();

  useEffect(() => {
    void loadImages();
  }, [loadImages]);

  return (
    <EditorForm
      label="Image"
      error={error}
      onSubmit={() => apply(parseImage(kind, libraryId || images[0]?.id || '', ref, current))}
      onCancel={onCancel}
    >
      <label htmlFor={`${inputId}-kind`}>Image source</label>
      <select
        id={`${inputId}-kind`}
        autoFocus
        value={kind}
        onChange={(event) => setKind(event.target.value)}
      >
        <option value="catalog">the OS catalog</option>
        {spec.backend === 'qemu' ? (
          <option value="catalog-iso">the OS catalog&apos;s installer ISO</option>
        ) : null}
        <option value="library">a disk image from the library</option>
        <option value="container-image">a container image reference</option>
        {current.kind === 'kernel' ? <option value="kernel">kernel boot (as it is)</option> : null}
      </select>
      {kind === 'library' ? (
        images.length ? (
          <>
            <label htmlFor={`${inputId}-library`}>Library image</label>
            <select
              id={`${inputId}-library`}
              value={libraryId || images[0]?.id}
              onChange={(event) => setLibraryId(event.target.value)}
            >
              {images.map((image) => (
                <option key={image.id} value={image.id}>
                  {image.name} ({image.format})
                </option>
              ))}
            </select>
          </>
        ) : (
          <p className="hint">
            {imagesStatus === 'ready'
              ? 'The library is empty: import a disk image on the Images page first.'
              : 'Loading the image library…'}
          </p>
        )
      ) : null}
      {kind === 'container-image' ? (
        <>
          <label htmlFor={`${inputId}-ref`}>Image reference</label>
          <input
            id={`${inputId}-ref`}
            type="text"
            spellCheck={false}
            placeholder="alpine:3.20"
            value={ref}
            onChange={(event) => setRef(event.target.value)}
          />
        </>
      ) : null}
    </EditorForm>
  );
}

/** The drivers ISO: one of the library's ISOs (not the installer itself), or none. */
function DriversEditor({ spec, onApply, onCancel }: EditorProps<'drivers'>) {
  const [picked, setPicked] = useState(() => readField(spec, 'drivers') ?? '');
  const { error, apply } = useApply(onApply);
  const images = useImagesStore((store) => store.items);
  const inputId = useId();
  const installer = spec.image.kind === 'library' ? spec.image.imageId : null;
  const isos = images.filter((image) => image.format === 'iso' && image.id !== installer);
  return (
    <EditorForm
      label="Drivers ISO"
      error={error}
      onSubmit={() => apply(parseDrivers(picked, isos))}
      onCancel={onCancel}
    >
      <label htmlFor={inputId}>Drivers ISO</label>
      <select
        id={inputId}
        autoFocus
        aria-describedby={`${inputId}-hint`}
        value={picked}
        onChange={(event) => setPicked(event.target.value)}
      >
        <option value="">none</option>
        {isos.map((image) => (
          <option key={image.id} value={image.id}>
            {image.name}
          </option>
        ))}
      </select>
      <p id={`${inputId}-hint`} className="hint">
        A second CD for the installer, never booted: Windows needs virtio-win.iso to see virtio
        disks and network cards.{' '}
        {isos.length ? '' : 'The library has no other ISO: import one on the Images page.'}
      </p>
    </EditorForm>
  );
}

/** The inline editor a chip opens; its value overrides the composed one. */
export function ChipEditor<K extends FieldId>(props: EditorProps<K>) {
  const kind = FIELD_EDITORS[props.id].kind;
  if (kind === 'os') return <OsEditor {...(props as unknown as EditorProps<'os'>)} />;
  if (kind === 'image') return <ImageEditor {...(props as unknown as EditorProps<'image'>)} />;
  if (kind === 'drivers')
    return <DriversEditor {...(props as unknown as EditorProps<'drivers'>)} />;
  return <SimpleEditor {...props} />;
}
