/** The composer's public surface: prompt -> spec, its API form, the LLM provider, recipes. */
export { compose, composeWith, type ComposeOptions } from './compose.js';
export { composeForApi, hostLimits, type ComposeContext } from './compose-for-api.js';
export { composeWithLlm, DEFAULT_LLM_TIMEOUT_MS, type LlmOptions } from './llm-provider.js';
export { formatSummary } from './summary.js';
export { FIELD_PATHS, type FieldPath } from './explain.js';
export type { HostLimits } from './defaults.js';
export {
  Recipe,
  RecipeError,
  RECIPE_VERSION,
  loadRecipe,
  makeRecipe,
  parseRecipe,
  parseRecipeText,
  recipeText,
  saveRecipe,
} from './recipe.js';
export { APPS, DESKTOPS, OSES, findApp, findDesktop, findOs } from './catalog.js';
