import { useMemo } from 'react';
import { useComposeDraftStore } from '../../state/compose-draft-store';
import { composedView, specProblems } from '../../state/compose-spec';
import type { ComposedView } from '../../state/compose-spec';
import { useComposeStore } from '../../state/compose-store';

/** The specs Compose shows and launches; the same object until one of its inputs changes. */
export function useComposedView(): ComposedView {
  const result = useComposeStore((store) => store.result);
  const recipe = useComposeStore((store) => store.recipe);
  const edits = useComposeStore((store) => store.edits);
  const fromImage = useComposeDraftStore((store) => store.fromImage);
  const startingImage = useMemo(
    () => (fromImage ? { id: fromImage.id, name: fromImage.name } : null),
    [fromImage],
  );
  return useMemo(() => {
    // A stack prompt: every environment, listed and launched together like a recipe's.
    const stack = !recipe && result && 'spec' in result ? result.environments : undefined;
    if (stack) {
      const specs = stack.map((env) => env.spec);
      return {
        source: 'prompt',
        specs,
        unedited: null,
        explanation: null,
        problems: specs.flatMap(specProblems),
      };
    }
    return composedView({ result, recipe, edits, startingImage });
  }, [result, recipe, edits, startingImage]);
}
