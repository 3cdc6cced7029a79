/**
 * Recipes: environments saved to a file, with the prompt that made them, to load again later
 * (`genos up <recipe>`, the UI's open dialog), as JSON or YAML.
 *   { "genosRecipe": 1, "prompt": "...", "environments": [EnvironmentSpec, ...] }
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import YAML from 'yaml';
import { EnvironmentSpec } from '../../preload/spec.js';
import { MAX_PROMPT_CHARS } from '../../preload/compose.js';

export const RECIPE_VERSION = 1;
const MAX_RECIPE_BYTES = 1024 * 1024;

export const Recipe = z.strictObject({
  genosRecipe: z.literal(RECIPE_VERSION),
  prompt: z.string().max(MAX_PROMPT_CHARS).optional(),
  environments: z.array(EnvironmentSpec).min(1).max(64),
});
export type Recipe = z.infer<typeof Recipe>;
export type RecipeInput = z.input<typeof Recipe>;

/** A recipe that cannot be read, with a message that names the file and what is wrong. */
export class RecipeError extends Error {
  constructor(
    readonly file: string,
    readonly reason:
      'not-found' | 'unreadable' | 'too-large' | 'syntax' | 'version' | 'schema' | 'format',
    message: string,
  ) {
    super(message);
    this.name = 'RecipeError';
  }
}

function formatOf(file: string): 'json' | 'yaml' | null {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.json' || ext === '.genos') return 'json';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  return null;
}

/** Checks parsed recipe data; `file` is only for the messages. */
export function parseRecipe(data: unknown, file = 'recipe'): Recipe {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new RecipeError(
      file,
      'schema',
      `${file}: a recipe is an object with "genosRecipe" and "environments".`,
    );
  }
  const version = (data as { genosRecipe?: unknown }).genosRecipe;
  if (version !== RECIPE_VERSION) {
    const said =
      version === undefined
        ? 'has no "genosRecipe" field'
        : `is version ${JSON.stringify(version)}`;
    throw new RecipeError(
      file,
      'version',
      `${file} ${said}; this GenOS reads recipe version ${RECIPE_VERSION}.`,
    );
  }
  const parsed = Recipe.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.map(String).join('.') || '(top)'}: ${i.message}`);
    const more =
      parsed.error.issues.length > 5 ? ` (and ${parsed.error.issues.length - 5} more)` : '';
    throw new RecipeError(
      file,
      'schema',
      `${file} is not a valid recipe: ${issues.join('; ')}${more}.`,
    );
  }
  return parsed.data;
}

export async function loadRecipe(file: string): Promise<Recipe> {
  const format = formatOf(file) ?? 'json';
  let text: string;
  try {
    const stat = await fs.stat(file);
    if (stat.size > MAX_RECIPE_BYTES) {
      throw new RecipeError(
        file,
        'too-large',
        `${file} is ${stat.size} bytes; a recipe is at most ${MAX_RECIPE_BYTES}.`,
      );
    }
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if (err instanceof RecipeError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new RecipeError(file, 'not-found', `${file} does not exist.`);
    throw new RecipeError(file, 'unreadable', `${file} cannot be read: ${(err as Error).message}`);
  }
  return parseRecipeText(text, file, format);
}

/** Parses recipe text (a file's content, or one the UI read from a file the user chose). */
export function parseRecipeText(
  text: string,
  file: string,
  format: 'json' | 'yaml' = formatOf(file) ?? 'json',
): Recipe {
  if (Buffer.byteLength(text) > MAX_RECIPE_BYTES) {
    throw new RecipeError(
      file,
      'too-large',
      `${file} is larger than ${MAX_RECIPE_BYTES} bytes; that is not a recipe.`,
    );
  }
  let data: unknown;
  try {
    const body = text.replace(/^\uFEFF/, '');
    // YAML aliases are capped (the library's maxAliasCount) so a "billion laughs" file cannot
    // blow up memory; custom tags are not resolved.
    data =
      format === 'yaml'
        ? YAML.parse(body, { maxAliasCount: 100, customTags: [] })
        : JSON.parse(body);
  } catch (err) {
    const kind = format === 'yaml' ? 'YAML' : 'JSON';
    throw new RecipeError(
      file,
      'syntax',
      `${file} is not valid ${kind}: ${(err as Error).message}`,
    );
  }
  return parseRecipe(data, file);
}

/** The text of a recipe file in the format its name asks for (.json, .yaml, .yml). */
export function recipeText(file: string, recipe: RecipeInput): string {
  const format = formatOf(file);
  if (!format) throw new RecipeError(file, 'format', `${file}: name recipes .json, .yaml or .yml.`);
  const valid = parseRecipe(recipe, file);
  return format === 'yaml' ? YAML.stringify(valid) : JSON.stringify(valid, null, 2) + '\n';
}

/** Builds a recipe from specs (validating them) and the prompt that made them. */
export function makeRecipe(environments: unknown[], prompt?: string): Recipe {
  return parseRecipe({
    genosRecipe: RECIPE_VERSION,
    ...(prompt === undefined ? {} : { prompt }),
    environments,
  });
}

/** Writes the recipe atomically (temp file + rename), so a crash never leaves half a recipe. */
export async function saveRecipe(file: string, recipe: RecipeInput): Promise<void> {
  const text = recipeText(file, recipe);
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, text, { mode: 0o644 });
  try {
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}
