import { useRef, useState } from 'react';
import { RECIPE_ACCEPT } from '../../state/compose-recipe';
import type { ComposedView } from '../../state/compose-spec';
import { useComposeStore } from '../../state/compose-store';
import { SaveRecipeDialog } from './save-recipe-dialog';

/** The page header's recipe buttons: open a file (also by dropping it), save the spec as one. */
export function RecipeActions({ view }: { view: ComposedView }) {
  const [saving, setSaving] = useState(false);
  const prompt = useComposeStore((store) => store.prompt);
  const openRecipeFile = useComposeStore((store) => store.openRecipeFile);
  const input = useRef<HTMLInputElement>(null);
  return (
    <div className="recipe-actions">
      <button type="button" className="button--quiet" onClick={() => input.current?.click()}>
        Open recipe…
      </button>
      <input
        ref={input}
        type="file"
        className="visually-hidden"
        tabIndex={-1}
        aria-hidden="true"
        aria-label="Recipe file"
        accept={RECIPE_ACCEPT}
        onChange={(event) => {
          const file = event.target.files?.[0];
          event.target.value = '';
          if (file) void openRecipeFile(file);
        }}
      />
      <button type="button" disabled={view.specs.length === 0} onClick={() => setSaving(true)}>
        Save recipe…
      </button>
      {saving ? (
        <SaveRecipeDialog specs={view.specs} prompt={prompt} onClose={() => setSaving(false)} />
      ) : null}
    </div>
  );
}
