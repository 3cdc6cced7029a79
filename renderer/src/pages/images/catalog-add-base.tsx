import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import type { CatalogImage } from '../../../../preload/contract';

/**
 * Offline: the path of a file the user already has (on the machine GenOS runs on) becomes the
 * base of this OS/version. GenOS checks it against the catalog's checksum when it has one.
 */
export function CatalogAddBase({
  item,
  busy,
  onAdd,
  onCancel,
}: {
  item: CatalogImage;
  busy: boolean;
  onAdd: (path: string) => void;
  onCancel: () => void;
}) {
  const id = useId();
  const [path, setPath] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (path.trim()) onAdd(path.trim());
  };
  return (
    <form className="form form--inline" aria-label={`Add a file as ${item.name}`} onSubmit={submit}>
      <div className="field">
        <label htmlFor={id}>Path of {item.dropFile} on this machine</label>
        <input
          id={id}
          type="text"
          spellCheck={false}
          placeholder={`/home/you/Downloads/${item.dropFile}`}
          value={path}
          onChange={(event) => setPath(event.target.value)}
          autoFocus
        />
      </div>
      <div className="form__actions">
        <button type="submit" disabled={busy || !path.trim()}>
          Add
        </button>
        <button type="button" className="button--quiet" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
