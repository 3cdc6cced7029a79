import { useMemo, useState } from 'react';
import type { ImageRecord } from '../../../../preload/contract';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { hashFor } from '../../shell/routes';
import { useComposeDraftStore } from '../../state/compose-draft-store';
import { useImageActionsStore } from '../../state/image-actions-store';
import { ConvertDialog } from './convert-dialog';
import { ImageRow } from './image-row';

type Dialog = { kind: 'convert' | 'delete'; image: ImageRecord } | null;

/** The library's table, with the convert and delete dialogs its rows open. */
export function ImageLibrary({ items }: { items: ImageRecord[] }) {
  const [dialog, setDialog] = useState<Dialog>(null);
  const convert = useImageActionsStore((store) => store.convert);
  const remove = useImageActionsStore((store) => store.remove);
  const startFromImage = useComposeDraftStore((store) => store.startFromImage);
  const names = useMemo(() => new Map(items.map((i) => [i.id, i.name])), [items]);

  return (
    <>
      <table className="table image-table" aria-label="Image library">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Format</th>
            <th scope="col">Virtual size</th>
            <th scope="col">Actual size</th>
            <th scope="col">Source</th>
            <th scope="col">sha256</th>
            <th scope="col">Used by</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {items.map((image) => (
            <ImageRow
              key={image.id}
              image={image}
              names={names}
              onConvert={() => setDialog({ kind: 'convert', image })}
              onDelete={() => setDialog({ kind: 'delete', image })}
              onNewEnvironment={() => {
                startFromImage(image);
                window.location.hash = hashFor('compose');
              }}
            />
          ))}
        </tbody>
      </table>
      {dialog?.kind === 'convert' ? (
        <ConvertDialog
          image={dialog.image}
          onClose={() => setDialog(null)}
          onConvert={(format) => {
            setDialog(null);
            void convert(dialog.image.id, format);
          }}
        />
      ) : null}
      {dialog?.kind === 'delete' ? (
        <ConfirmDialog
          title={`Delete ${dialog.image.name}?`}
          message={`${dialog.image.name} leaves the library, and its file is deleted if GenOS made the copy. It cannot be undone.`}
          confirmLabel="Delete"
          onCancel={() => setDialog(null)}
          onConfirm={() => {
            setDialog(null);
            void remove(dialog.image.id);
          }}
        />
      ) : null}
    </>
  );
}
