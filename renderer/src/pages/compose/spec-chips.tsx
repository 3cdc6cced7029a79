import { useCallback, useEffect, useId } from 'react';
import { useComposeDraftStore } from '../../state/compose-draft-store';
import {
  FIELD_IDS,
  fieldApplies,
  hostLack,
  planErrorField,
  showField,
} from '../../state/compose-fields';
import type { FieldId } from '../../state/compose-fields';
import { editCount } from '../../state/compose-spec';
import type { ComposedView } from '../../state/compose-spec';
import { usePlanStore } from '../../state/compose-plan-store';
import { useComposeStore } from '../../state/compose-store';
import { useHostStore } from '../../state/host-store';
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
  const imagesStatus = useImagesStore((store) => store.status);
  const loadImages = useImagesStore((store) => store.load);
  const host = useHostStore((store) => store.info);
  const hostStatus = useHostStore((store) => store.status);
  const loadHost = useHostStore((store) => store.load);
  const planError = usePlanStore((store) => (store.status === 'error' ? store.error : null));
  const titleId = useId();
  const imageName = useCallback(
    (imageId: string) => images.find((image) => image.id === imageId)?.name,
    [images],
  );
  const spec = view.specs[0];
  const isVm = spec?.backend === 'qemu';
  // A VM's chips need the library (is the image an ISO?) and the host (ovmf, swtpm).
  useEffect(() => {
    if (isVm && imagesStatus === 'idle') void loadImages();
    if (isVm && hostStatus === 'idle') void loadHost();
  }, [isVm, imagesStatus, loadImages, hostStatus, loadHost]);
  if (!spec || !view.unedited) return null;
  const unedited = view.unedited;
  const libraryImage = spec.image.kind === 'library' ? spec.image.imageId : null;
  const isIso = images.some((image) => image.id === libraryImage && image.format === 'iso');
  const refused = planError ? planErrorField(planError.message) : null;

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
        {FIELD_IDS.filter((id) => fieldApplies(spec, id, isIso)).map((id) => (
          <FieldChip
            key={id}
            id={id}
            spec={spec}
            source={sourceOf(id)}
            imageName={imageName}
            refusal={refused === id ? planError?.message : null}
            lack={hostLack(spec, id, host?.missing ?? [])}
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
