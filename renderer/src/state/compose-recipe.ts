import type { EnvironmentSpec } from '../../../preload/contract';

/** What a recipe file is called: the server reads and writes JSON or YAML by this extension. */
export const RECIPE_EXTENSIONS = ['json', 'yaml', 'yml'] as const;

/** For `<input type="file" accept>`. */
export const RECIPE_ACCEPT = RECIPE_EXTENSIONS.map((ext) => `.${ext}`).join(',');

export function isRecipeFileName(name: string): boolean {
  const ext = /\.([^./]+)$/.exec(name)?.[1]?.toLowerCase();
  return ext !== undefined && (RECIPE_EXTENSIONS as readonly string[]).includes(ext);
}

export function defaultRecipeFileName(specs: readonly EnvironmentSpec[]): string {
  return `${specs[0]?.name ?? 'recipe'}.yaml`;
}

/** Why a file name will not do for a saved recipe, or null when it will. */
export function recipeFileNameProblem(name: string): string | null {
  const trimmed = name.trim();
  if (!trimmed) return 'Enter a file name.';
  if (/[/\\]/.test(trimmed)) return 'A file name, not a path: no / or \\.';
  if (trimmed.length > 255) return 'At most 255 characters.';
  if (!isRecipeFileName(trimmed))
    return 'End it in .yaml or .yml (YAML) or .json (JSON): that picks the format.';
  return null;
}
