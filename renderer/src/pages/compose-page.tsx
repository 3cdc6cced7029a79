import { useEffect } from 'react';
import { PageHeader } from '../components/page-header';
import { useComposeDraftStore } from '../state/compose-draft-store';
import { useComposeStore } from '../state/compose-store';
import { useConnectionStore } from '../state/connection-store';
import { useImagesStore } from '../state/images-store';
import { ComposeOutcome } from './compose/compose-outcome';
import { LaunchBar } from './compose/launch-bar';
import { PlanPanel } from './compose/plan-panel';
import { PromptBox } from './compose/prompt-box';
import { RecipeActions } from './compose/recipe-actions';
import { RecipeDropZone } from './compose/recipe-drop-zone';
import { RecipeEnvironments } from './compose/recipe-environments';
import { SpecChips } from './compose/spec-chips';
import { StartingImage } from './compose/starting-image';
import { useComposedView } from './compose/use-composed-view';
import '../styles/compose.css';

function RecipeError() {
  const failure = useComposeStore((store) => store.recipeError);
  const dismiss = useComposeStore((store) => store.dismissRecipeError);
  if (!failure) return null;
  return (
    <div role="alert" className="inline-error">
      <div>
        <p className="inline-error__title">Could not open {failure.fileName}</p>
        <p>{failure.error.message}</p>
        <p className="notice__code">Error code: {failure.error.code}</p>
      </div>
      <button
        type="button"
        className="button--quiet button--small"
        aria-label="Dismiss the recipe error"
        onClick={dismiss}
      >
        Dismiss
      </button>
    </div>
  );
}

/**
 * A sentence becomes an environment: the prompt, the spec as understood (editable chips), the
 * exact launch (dry run), Launch; recipes open and save here.
 */
export function ComposePage() {
  const view = useComposedView();
  const epoch = useConnectionStore((store) => store.epoch);
  const compose = useComposeStore((store) => store.compose);
  const fromImageId = useComposeDraftStore((store) => store.fromImage?.id ?? null);
  const loadImages = useImagesStore((store) => store.load);

  // Compose again when connected (the answer depends on this host) and when the starting image
  // comes or goes. An opened recipe is left as it is, unless an image was just picked to start
  // from ("New environment from this image" on the Images page).
  useEffect(() => {
    if (epoch === 0) return;
    const { recipe, closeRecipe } = useComposeStore.getState();
    if (!recipe) void compose();
    else if (fromImageId) closeRecipe();
  }, [epoch, fromImageId, compose]);

  // Library images are named on the chips by their names, not their ids.
  useEffect(() => {
    if (epoch > 0) void loadImages();
  }, [epoch, loadImages]);

  // A recipe's or a stack prompt's environments are listed; one environment gets its chips.
  const several = view.specs.length > 1;
  return (
    <>
      <PageHeader
        title="Compose"
        intro="Describe an environment in a sentence, check what GenOS understood, adjust it, and launch it."
        actions={<RecipeActions view={view} />}
      />
      <RecipeDropZone>
        <div className="compose">
          <div className="compose__main">
            <StartingImage />
            <RecipeError />
            <PromptBox />
            <ComposeOutcome />
            {several ? <RecipeEnvironments specs={view.specs} /> : <SpecChips view={view} />}
            {view.specs.length ? <LaunchBar view={view} /> : null}
          </div>
          <div className="compose__side">
            <PlanPanel view={view} />
          </div>
        </div>
      </RecipeDropZone>
    </>
  );
}
