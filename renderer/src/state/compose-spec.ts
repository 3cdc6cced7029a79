import { EnvironmentSpec } from '../../../preload/contract';
import type { ComposeResult, Explanation } from '../../../preload/contract';
import { FIELD_IDS, wordsKey, writeField } from './compose-fields';
import type { FieldId, FieldValues } from './compose-fields';

/** A value the user set on a chip, and the prompt's words for that field when they set it. */
export type Edit<K extends FieldId> = { value: FieldValues[K]; wordsKey: string };
export type Edits = { [K in FieldId]?: Edit<K> };

/** The image "New environment from this image" starts from. */
export type StartingImage = { id: string; name: string };

export function applyEdits(spec: EnvironmentSpec, edits: Edits): EnvironmentSpec {
  let next = spec;
  for (const id of FIELD_IDS) {
    const edit = edits[id];
    if (edit) next = writeField(next, id, edit.value as FieldValues[typeof id]);
  }
  return next;
}

/** A library image boots as a virtual machine. */
export function applyStartingImage(
  spec: EnvironmentSpec,
  image: StartingImage | null,
): EnvironmentSpec {
  if (!image) return spec;
  return { ...spec, backend: 'qemu', image: { kind: 'library', imageId: image.id } };
}

/**
 * The edits that survive a new reading of the prompt: those whose field the prompt still
 * describes with the same words. Changing those words hands the field back to the prompt.
 */
export function keepEdits(edits: Edits, explanation: Explanation | null): Edits {
  const kept: Record<string, unknown> = {};
  for (const id of FIELD_IDS) {
    const edit = edits[id];
    if (edit && edit.wordsKey === wordsKey(explanation, id)) kept[id] = edit;
  }
  return kept as Edits;
}

export function editCount(edits: Edits): number {
  return FIELD_IDS.filter((id) => edits[id]).length;
}

/**
 * The spec checked against the contract's schema, for the UI only (the server checks for real):
 * each problem as "path: message".
 */
export function specProblems(spec: EnvironmentSpec): string[] {
  const result = EnvironmentSpec.safeParse(spec);
  if (result.success) return [];
  return result.error.issues.map(
    (issue) => `${issue.path.map(String).join('.') || 'spec'}: ${issue.message}`,
  );
}

/** A stable key for a spec, to tell whether it changed (and to skip planning it twice). */
export function specKey(spec: EnvironmentSpec): string {
  return JSON.stringify(spec);
}

/** What Compose shows and launches, from the composer's answer or a recipe, with the edits. */
export type ComposedView = {
  source: 'prompt' | 'recipe' | 'none';
  /** The specs to launch, edits applied (a recipe may hold several). */
  specs: EnvironmentSpec[];
  /** Before the user's edits: what an edited chip was. */
  unedited: EnvironmentSpec | null;
  explanation: Explanation | null;
  problems: string[];
};

export function composedView(input: {
  result: ComposeResult | null;
  recipe: { specs: EnvironmentSpec[] } | null;
  edits: Edits;
  startingImage: StartingImage | null;
}): ComposedView {
  const { result, recipe, edits, startingImage } = input;
  if (recipe && recipe.specs.length > 1) {
    return {
      source: 'recipe',
      specs: recipe.specs,
      unedited: null,
      explanation: null,
      problems: recipe.specs.flatMap(specProblems),
    };
  }
  const single = recipe ? recipe.specs[0] : result && 'spec' in result ? result.spec : undefined;
  if (!single) {
    return { source: 'none', specs: [], unedited: null, explanation: null, problems: [] };
  }
  const unedited = applyStartingImage(single, recipe ? null : startingImage);
  const spec = applyEdits(unedited, edits);
  return {
    source: recipe ? 'recipe' : 'prompt',
    specs: [spec],
    unedited,
    explanation: !recipe && result && 'spec' in result ? result.explanation : null,
    problems: specProblems(spec),
  };
}
