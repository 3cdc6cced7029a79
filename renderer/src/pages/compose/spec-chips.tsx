import { useCallback, useId } from 'react';
import { useComposeDraftStore } from '../../state/compose-draft-store';
import { FIELD_IDS, showField } from '../../state/compose-fields';
import type { FieldId } from '../../state/compose-fields';
import { editCount } from '../../state/compose-spec';
import type { ComposedView } from '../../state/compose-spec';
import { useComposeStore } from '../../state/compose-store';
import { useImagesStore } from '../../state/images-store';
import { FieldChip } from './field-chip';
import type { ChipSource } from './field-chip';

const FROM_IMAGE: readonly FieldId[] = ['backend', 'image'];

/** The one spec being composed, as chips: what was understood, from which words, editable. */
export function SpecChips({ view }: { view: ComposedView }) {
  const edits = useComposeStore((store) => store.edits);
  const recipe = useComposeStore((store) => store.recipe);
  const composing = useComposeStore((store) => store.composing);
  const edit = useComposeStore((store) => store.edit);
  const reset = useComposeStore((store) => store.reset);
  const resetAll = useComposeStore((store) => store.resetAll);
  const closeRecipe = useComposeStore((store) => store.closeRecipe);
  const fromImage = useComposeDraftStore((store) => store.fromImage);
  const images = useImagesStore((store) => store.items);
  const titleId = useId();
  const imageName = useCallback(
    (imageId: string) => images.find((image) => image.id === imageId)?.name,
    [images],
  );
  const spec = view.specs[0];
  if (!spec || !view.unedited) return null;
  const unedited = view.unedited;

  const sourceOf = (id: FieldId): ChipSource => {
    if (edits[id]) return { kind: 'edited', was: showField(unedited, id, imageName) };
    if (recipe) return { kind: 'recipe', fileName: recipe.fileName };
    if (fromImage && FROM_IMAGE.includes(id)) return { kind: 'image', name: fromImage.name };
    return { kind: 'prompt', explanation: view.explanation };
  };
  const edited = editCount(edits);

  return (
    <section className="card" aria-labelledby={titleId} aria-busy={composing}>
      <div className="spec-head">
        <h2 id={titleId}>Spec</h2>
        <div className="spec-head__actions">
          {edited ? (
            <button type="button" className="button--quiet button--small" onClick={resetAll}>
              Reset all edits ({edited})
            </button>
          ) : null}
          {recipe ? (
            <button type="button" className="button--quiet button--small" onClick={closeRecipe}>
              Close recipe
            </button>
          ) : null}
        </div>
      </div>
      <p className="hint">
        {recipe
          ? `Loaded from ${recipe.fileName}. `
          : 'As GenOS understood the prompt; under each field, the words that set it. '}
        Click a field to change it. An edit holds until the prompt’s words for that field change, or
        until you reset it.
      </p>
      <ul className="chips" aria-label="Spec fields">
        {FIELD_IDS.map((id) => (
          <FieldChip
            key={id}
            id={id}
            spec={spec}
            source={sourceOf(id)}
            imageName={imageName}
            onEdit={(value) => edit(id, value)}
            onReset={() => reset(id)}
          />
        ))}
      </ul>
      {view.problems.length ? (
        <div role="alert" className="inline-error spec-problems">
          <div>
            <p className="inline-error__title">This spec would be refused:</p>
            <ul className="plain-list">
              {view.problems.map((problem) => (
                <li key={problem}>{problem}</li>
              ))}
            </ul>
          </div>
        </div>
      ) : null}
    </section>
  );
}
